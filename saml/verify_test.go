package saml

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/samllint/samllint/internal/test/testkit"
)

func sampleAnchors(t testing.TB) *Anchors {
	t.Helper()
	a, err := LoadMetadata(testdata(t, "metadata", "okta-idp-metadata.xml"), "okta-idp-metadata.xml")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func verdicts(r *Response) string {
	var v []string
	for _, s := range r.Signatures {
		v = append(v, string(s.Check.Verdict))
	}
	return strings.Join(v, ",")
}

// checkSignatures asserts each signature's verdict, in document order
// ("valid,digest-mismatch"), and whether the consumed assertion is covered.
func checkSignatures(t *testing.T, r *Response, want string, covered bool) {
	t.Helper()
	if got := verdicts(r); got != want {
		for _, s := range r.Signatures {
			t.Logf("%s: %s", s.Path, s.Check.Detail)
		}
		t.Errorf("verdicts = %s, want %s", got, want)
	}
	if cv := r.Coverage(); cv.Covered != covered {
		t.Errorf("covered = %v, want %v (problems: %v)", cv.Covered, covered, cv.Problems)
	}
}

func readVerified(t *testing.T, xml []byte, anchors *Anchors) *Response {
	t.Helper()
	r, err := Parse(xml)
	if err != nil {
		t.Fatal(err)
	}
	Verify(r, anchors)
	return r
}

func TestVerifyVerdicts(t *testing.T) {
	xml := sampleXML(t)
	anchors := sampleAnchors(t)
	rotatedXML := testdata(t, "assertions", "okta-rotated-cert.xml")

	indented := func() []byte {
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(xml); err != nil {
			t.Fatal(err)
		}
		doc.Indent(2)
		b, _ := doc.WriteToBytes()
		return b
	}()
	sigValue := regexpFind(t, xml, "<ds:SignatureValue>", "</ds:SignatureValue>")
	flipped := []byte(sigValue)
	flipped[40] ^= 'A' ^ 'B'
	if flipped[40] == sigValue[40] {
		flipped[40] = 'C'
	}
	// The Response's Signature comes first; removing its KeyInfo leaves
	// the signed content of both signatures intact.
	noKeyInfo := stripFirst(xml, "<ds:KeyInfo>", "</ds:KeyInfo>")
	both, err := LoadCertificates(append(testdata(t, "keys", "idp-rotated.crt"), testdata(t, "keys", "idp.crt")...), "both.pem")
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name    string
		xml     []byte
		anchors *Anchors
		want    string
		covered bool
	}{
		{"trusted metadata", xml, anchors, "valid,valid", true},
		{"no anchors: embedded certificate", xml, nil, "valid-embedded,valid-embedded", true},
		{"second of two trusted certificates", xml, both, "valid,valid", true},
		{"rotated IdP certificate: covers nothing", rotatedXML, anchors, "untrusted,untrusted", false},
		{"value edited after signing", bytes.Replace(xml, []byte(">jane.doe@example.com</saml2:AttributeValue>"), []byte(">john.doe@example.com</saml2:AttributeValue>"), 1), anchors, "digest-mismatch,digest-mismatch", false},
		{"pretty-printed", indented, anchors, "digest-mismatch,digest-mismatch", false},
		{"signature value corrupted", bytes.Replace(xml, []byte(sigValue), flipped, 1), anchors, "value-mismatch,valid", true},
		{"no KeyInfo, no anchors", noKeyInfo, nil, "no-key,valid-embedded", true},
		{"assertion edited after signing", bytes.Replace(xml, []byte(">jane.doe@example.com</saml2:NameID>"), []byte(">admin@example.com</saml2:NameID>"), 1), anchors, "digest-mismatch,digest-mismatch", false},
		{"response edited after signing", bytes.Replace(xml, []byte(`Destination="https://signin.aws.amazon.com/saml"`), []byte(`Destination="https://evil.example.com/saml"`), 1), anchors, "digest-mismatch,valid", true},
		{"no KeyInfo, trusted metadata", noKeyInfo, anchors, "valid,valid", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkSignatures(t, readVerified(t, c.xml, c.anchors), c.want, c.covered)
		})
	}
	t.Run("untrusted shows both certificates", func(t *testing.T) {
		r := readVerified(t, rotatedXML, anchors)
		ch := r.Signatures[0].Check
		if ch.Signer == nil || len(ch.Trusted) != 1 || ch.Signer.SHA256 == ch.Trusted[0].SHA256 {
			t.Fatalf("check = %+v", ch)
		}
		if ch.Signer.NotAfter.IsZero() || ch.Trusted[0].Subject == "" {
			t.Errorf("both certificates need subject and validity: %+v / %+v", ch.Signer, ch.Trusted[0])
		}
	})
}

func regexpFind(t *testing.T, b []byte, open, close string) string {
	i := bytes.Index(b, []byte(open))
	j := bytes.Index(b[i:], []byte(close))
	if i < 0 || j < 0 {
		t.Fatalf("no %s in sample", open)
	}
	return string(b[i+len(open) : i+j])
}

// stripFirst removes the first element from open to close.
func stripFirst(b []byte, open, close string) []byte {
	i := bytes.Index(b, []byte(open))
	j := bytes.Index(b[i:], []byte(close))
	return append(append([]byte{}, b[:i]...), b[i+j+len(close):]...)
}

// TestSignedAssertionMovedAside is the classic wrapping attack built from the
// sample: the signed assertion is hidden in Extensions and an edited one put
// in its place.
func TestSignedAssertionMovedAside(t *testing.T) {
	b, err := testkit.WrapAssertion(sampleXML(t))
	if err != nil {
		t.Fatal(err)
	}
	r := readVerified(t, b, sampleAnchors(t))
	cv := r.Coverage()
	if cv.Covered {
		t.Fatal("a moved-aside signed assertion must not count as covering the consumed one")
	}
	var texts []string
	for _, p := range cv.Problems {
		texts = append(texts, p.Text)
	}
	joined := strings.Join(texts, " | ")
	for _, want := range []string{"2 assertions", "/Response/Extensions/Assertion[1]"} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems %q lack %q", joined, want)
		}
	}
}

func TestLoadMetadata(t *testing.T) {
	cert := strings.TrimSpace(regexpFindS(string(testdata(t, "metadata", "okta-idp-metadata.xml")), "<ds:X509Certificate>", "</ds:X509Certificate>"))
	entities := fmt.Sprintf(`<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
<md:EntityDescriptor entityID="https://sp.example.com"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>
<md:EntitiesDescriptor><md:EntityDescriptor entityID="idp-a"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>%[1]s</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>%[1]s</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>%[1]s</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
</md:IDPSSODescriptor></md:EntityDescriptor></md:EntitiesDescriptor></md:EntitiesDescriptor>`, cert)
	a, err := LoadMetadata([]byte(entities), "m.xml")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Certs) != 2 || len(a.EntityIDs) != 1 || a.EntityIDs[0] != "idp-a" {
		t.Errorf("want the 2 signing keys (no use, use=signing) of the nested IdP; got %d certs, entity IDs %v", len(a.Certs), a.EntityIDs)
	}
	sp := `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:amazon:webservices"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>`
	if _, err := LoadMetadata([]byte(sp), "aws.xml"); err == nil || !strings.Contains(err.Error(), "service-provider metadata") {
		t.Errorf("SP metadata: err = %v", err)
	}
	if _, err := LoadMetadata([]byte(`<!DOCTYPE x [<!ENTITY e "x">]><x/>`), "x.xml"); err == nil || !strings.Contains(err.Error(), "DOCTYPE") {
		t.Errorf("DOCTYPE metadata: err = %v", err)
	}
}

func regexpFindS(s, open, close string) string {
	i := strings.Index(s, open)
	j := strings.Index(s[i:], close)
	return s[i+len(open) : i+j]
}

// TestGoxmldsigErrorTexts pins the goxmldsig behaviour check() classifies by
// message, so an upgrade that changes it fails here rather than silently
// turning digest mismatches into "malformed".
func TestGoxmldsigErrorTexts(t *testing.T) {
	anchors := sampleAnchors(t)
	doc := etree.NewDocument()
	edited := bytes.Replace(sampleXML(t), []byte(">Support<"), []byte(">Sales<"), 1)
	if err := doc.ReadFromBytes(edited); err != nil {
		t.Fatal(err)
	}
	ctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{anchors.Certs[0].Cert}})
	ctx.IdAttribute = "ID"
	ctx.Clock = dsig.NewFakeClockAt(anchors.Certs[0].Cert.NotBefore.AddDate(1, 0, 0))
	_, err := ctx.Validate(doc.Root())
	if err == nil || err.Error() != "Signature could not be verified" {
		t.Errorf("goxmldsig digest mismatch error = %v", err)
	}
	if errors.Is(err, dsig.ErrMissingSignature) {
		t.Error("unexpected ErrMissingSignature")
	}
}

type corpusCase struct {
	file     string
	anchors  string // file name under testdata/corpus; .pem/.crt/.cert → certificates, else metadata
	key      string
	verdicts string
	covered  bool
	idp      string
}

// corpusValid are real IdP responses: their upstream tests accept them, so
// every signature verifies with the paired certificate and the consumed
// assertion is covered.
var corpusValid = []corpusCase{
	{"russellhaering__gosaml2__providertests__testdata__okta_response.xml", "russellhaering__gosaml2__providertests__testdata__okta_cert.pem", "", "valid,valid", true, "okta"},
	{"russellhaering__gosaml2__providertests__testdata__adfs_response.b64", "russellhaering__gosaml2__providertests__testdata__adfs_idp_signing_cert.pem", "", "valid", true, "adfs"},
	{"russellhaering__gosaml2__providertests__testdata__adfs_response_enc.b64", "russellhaering__gosaml2__providertests__testdata__adfs_idp_signing_cert.pem", "russellhaering__gosaml2__providertests__testdata__oktaenc_sp_encryption_key.pem", "valid", true, "adfs"},
	{"russellhaering__gosaml2__providertests__testdata__auth0_response.xml", "russellhaering__gosaml2__providertests__testdata__auth0_cert.pem", "", "valid", true, "auth0"},
	{"russellhaering__gosaml2__providertests__testdata__oam_response.xml", "russellhaering__gosaml2__providertests__testdata__oam_cert.pem", "", "valid", true, "oracle"},
	{"russellhaering__gosaml2__providertests__testdata__pingfed__pfed11_response_01.b64", "russellhaering__gosaml2__providertests__testdata__pingfed__idp.signing.cert", "", "valid", true, "ping"},
	{"russellhaering__gosaml2__providertests__testdata__onelogin_response.xml", "russellhaering__gosaml2__providertests__testdata__onelogin_cert.pem", "", "valid", true, "onelogin"},
	{"russellhaering__gosaml2__providertests__testdata__oktaenc_response.b64", "russellhaering__gosaml2__providertests__testdata__oktaenc_idp_signing_cert.pem", "russellhaering__gosaml2__providertests__testdata__oktaenc_sp_encryption_key.pem", "valid,valid", true, "okta"},
	{"crewjam__saml__testdata__TestSPCanHandlePlaintextResponse_response", "crewjam__saml__testdata__TestSPCanHandlePlaintextResponse_IDPMetadata", "", "valid", true, "google"},
	{"crewjam__saml__testdata__SP_SamlResponse", "crewjam__saml__testdata__SP_IDPMetadata", "crewjam__saml__testdata__sp_key.pem", "valid", true, "shibboleth"},
	{"crewjam__saml__testdata__TestSPCanHandleOktaResponseEncryptedAssertionBothSigned_response", "crewjam__saml__testdata__TestSPCanHandleOktaSignedResponseEncryptedAssertion_IDPMetadata", "crewjam__saml__testdata__sp_key.pem", "valid,valid", true, "okta"},
	{"SAML-Toolkits__python3-saml__tests__data__responses__valid_response.xml.base64", "SAML-Toolkits__python3-saml__tests__data__customPath__certs__idp.crt", "", "valid,valid", true, "simplesamlphp"},
	{"IdentityPython__pysaml2__tests__xmlsec1-keydata__signed-assertion-random-embedded-cert.xml", "IdentityPython__pysaml2__tests__idp.xml", "", "valid", true, "pysaml2"},
}

// corpusRejected are fixtures their upstream tests reject for a signature
// reason; none may have a covered consumed assertion.
var corpusRejected = []corpusCase{
	{"IdentityPython__pysaml2__tests__saml_false_signed.xml", "IdentityPython__pysaml2__tests__idp.xml", "", "digest-mismatch", false, ""},
	{"IdentityPython__pysaml2__tests__xmlsec1-keydata__signed-assertion-with-hmac.xml", "IdentityPython__pysaml2__tests__idp.xml", "", "unsupported", false, ""},
	{"IdentityPython__pysaml2__tests__xmlsec1-keydata__signed-response-with-hmac.xml", "IdentityPython__pysaml2__tests__idp.xml", "", "unsupported", false, ""},
	{"boxyhq__saml20__test__assets__digestValueComment.xml", "", "", "digest-mismatch", false, ""},
}

func loadCase(t *testing.T, c corpusCase) *Response {
	t.Helper()
	var anchors *Anchors
	if c.anchors != "" {
		b := testdata(t, "corpus", c.anchors)
		var err error
		switch filepath.Ext(c.anchors) {
		case ".pem", ".crt", ".cert":
			anchors, err = LoadCertificates(b, c.anchors)
		default:
			anchors, err = LoadMetadata(b, c.anchors)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	var keys []any
	if c.key != "" {
		var err error
		if keys, err = LoadPrivateKeys(testdata(t, "corpus", c.key)); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := Read(testdata(t, "corpus", c.file), Options{Anchors: anchors, DecryptionKeys: keys})
	if err != nil {
		t.Fatal(err)
	}
	if msgs[0].Err != nil {
		t.Fatal(msgs[0].Err)
	}
	return msgs[0].Response
}

func TestCorpusUpstreamExpectations(t *testing.T) {
	idps := map[string]bool{}
	for _, c := range append(append([]corpusCase{}, corpusValid...), corpusRejected...) {
		t.Run(c.file, func(t *testing.T) {
			checkSignatures(t, loadCase(t, c), c.verdicts, c.covered)
			idps[c.idp] = true
		})
	}
	if len(idps) < 8 {
		t.Errorf("valid captures from only %d IdPs", len(idps))
	}
}

// xswFixtures are every signature-wrapping and signature-confusion fixture
// in the corpus.
var xswFixtures = []string{
	"IdentityPython__pysaml2__tests__xsw__signed-xsw-assertion-assertion.xml",
	"IdentityPython__pysaml2__tests__xsw__signed-xsw-assertion-extensions.xml",
	"IdentityPython__pysaml2__tests__xsw__signed-xsw-assertion-in-assertion-first-sig.xml",
	"IdentityPython__pysaml2__tests__xsw__signed-xsw-assertion-wrapper.xml",
	"IdentityPython__pysaml2__tests__xsw__signed-xsw-response-in-response-first-sig.xml",
	"crewjam__saml__testdata__TestXswPermutationOneIsRejected_response",
	"crewjam__saml__testdata__TestXswPermutationTwoIsRejected_response",
	"crewjam__saml__testdata__TestXswPermutationThreeIsRejected_response",
	"crewjam__saml__testdata__TestXswPermutationFourIsRejected_response",
	"crewjam__saml__testdata__TestXswPermutationFiveIsRejected_response",
	"crewjam__saml__testdata__TestXswPermutationSixIsRejected_response",
	"crewjam__saml__testdata__TestXswPermutationSevenIsRejected_response",
	"crewjam__saml__testdata__TestXswPermutationEightIsRejected_response",
	"crewjam__saml__testdata__TestXswPermutationNineIsRejected_response",
	"boxyhq__saml20__test__assets__attacks__wrapping__saml20.wrapped.invalidAssertion1.xml",
	"boxyhq__saml20__test__assets__attacks__wrapping__saml20.wrapped.invalidAssertion2.xml",
	"boxyhq__saml20__test__assets__attacks__wrapping__saml20.wrapped.invalidAssertion3.xml",
	"boxyhq__saml20__test__assets__attacks__wrapping__saml20.wrapped.invalidExtensions1.xml",
	"boxyhq__saml20__test__assets__attacks__wrapping__saml20.wrapped.invalidExtensions2.xml",
	"boxyhq__saml20__test__assets__attacks__wrapping__saml20.wrapped.invalidResponse1.xml",
	"boxyhq__saml20__test__assets__attacks__wrapping__saml20.wrapped.invalidResponse2.xml",
	"SAML-Toolkits__java-saml__core__src__test__resources__data__responses__invalids__attacks__response_with_concealed_signed_assertion.xml",
	"SAML-Toolkits__java-saml__core__src__test__resources__data__responses__invalids__attacks__response_with_doubled_signed_assertion.xml",
	"SAML-Toolkits__java-saml__core__src__test__resources__data__responses__invalids__attacks__response_with_spoofed_response_signature.xml",
	"SAML-Toolkits__java-saml__core__src__test__resources__data__responses__invalids__duplicate_reference_uri.xml.base64",
	"SAML-Toolkits__java-saml__core__src__test__resources__data__responses__invalids__signed_assertion_response_with_2signatures.xml.base64",
	"SAML-Toolkits__java-saml__core__src__test__resources__data__responses__invalids__signed_message_response_with_2signatures.xml.base64",
	"SAML-Toolkits__java-saml__core__src__test__resources__data__responses__invalids__triple_signed_response.xml.base64",
	"SAML-Toolkits__java-saml__core__src__test__resources__data__responses__invalids__wrong_signed_element.xml.base64",
	"SAML-Toolkits__java-saml__core__src__test__resources__data__responses__invalids__wrong_signed_element2.xml.base64",
	"SAML-Toolkits__python3-saml__tests__data__responses__wrapped_response_2.xml.base64",
	"SAML-Toolkits__python3-saml__tests__data__responses__invalids__signature_wrapping_attack.xml.base64",
	"SAML-Toolkits__python3-saml__tests__data__responses__invalids__signature_wrapping_attack2.xml.base64",
	"SAML-Toolkits__ruby-saml__test__responses__invalids__response_with_concealed_signed_assertion.xml",
	"SAML-Toolkits__ruby-saml__test__responses__invalids__response_with_doubled_signed_assertion.xml",
	"SAML-Toolkits__ruby-saml__test__responses__invalids__multiple_signed.xml.base64",
	"SAML-Toolkits__php-saml__tests__data__responses__wrapped_response_3.xml.base64",
}

// TestXSWFixturesNotCovered: even trusting whatever certificate each message
// embeds (the most lenient setting), no wrapping fixture has its consumed
// assertion covered by a verifying signature.
func TestXSWFixturesNotCovered(t *testing.T) {
	for _, f := range xswFixtures {
		t.Run(f, func(t *testing.T) {
			msgs, err := Read(testdata(t, "corpus", f), Options{})
			if err != nil {
				t.Logf("refused before parsing: %v", err)
				return
			}
			m := msgs[0]
			var ke *KindError
			if m.Err != nil && !errors.As(m.Err, &ke) {
				// Refusing the document outright is also safe.
				t.Logf("refused: %v", m.Err)
				return
			}
			if m.Err != nil {
				t.Fatalf("unexpected kind: %v", m.Err)
			}
			cv := m.Response.Coverage()
			if cv.Covered {
				t.Fatalf("consumed assertion %s reported covered by %v", cv.Path, cv.ViaNames)
			}
			if len(cv.Problems) == 0 {
				t.Error("not covered, but no problem stated")
			}
		})
	}
}

// TestCorpusReindented: in other projects' fixtures that someone
// re-indented or edited after signing, the verdict says so and that the
// key is right, instead of "does not match the key"; a fixture signed by
// another key than the one it embeds still says that.
func TestCorpusReindented(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"crewjam__saml__testdata__TestIDPMakeResponse_response.xml", "reindented whitespace between tags"},
		{"SAML-Toolkits__python3-saml__tests__data__responses__adfs_response.xml.base64", "reindented whitespace inside the ds:Signature"},
		{"SAML-Toolkits__python3-saml__tests__data__responses__response_with_ampersands.xml", "reindented indentation inside the ds:Signature"},
		{"CompassSecurity__SAMLRaider__scripts__samltest__saml_response.xml", "reindented whitespace inside the ds:Signature"},
		{"boxyhq__saml20__test__assets__saml20.errorResponse.xml", "signed-info-changed"},
		{"IdentityPython__pysaml2__tests__simplesamlphp_authnresponse.xml", "signed-info-changed"},
		{"SAML-Toolkits__ruby-saml__test__responses__response_with_multiple_attribute_values.xml", "signed-info-changed"},
		{"IdentityPython__pysaml2__tests__xmlsec1-keydata__signed-assertion-random-embedded-cert.xml", "value-mismatch"},
	} {
		r := loadCase(t, corpusCase{file: c.file})
		var got []string
		for _, s := range r.Signatures {
			switch {
			case s.Check == nil:
			case s.Check.Reindented != "":
				got = append(got, "reindented "+s.Check.Reindented)
			case s.Check.SignedInfoChanged:
				got = append(got, "signed-info-changed")
			case s.Check.Verdict == ValueMismatch:
				got = append(got, "value-mismatch")
			}
		}
		if len(got) == 0 || got[0] != c.want {
			t.Errorf("%s: %v, want %s", c.file, got, c.want)
		}
	}
}
