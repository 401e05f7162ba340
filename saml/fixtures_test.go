package saml

import (
	"crypto/x509"
	"encoding/pem"
	"regexp"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/crewjam/saml/xmlenc"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/samllint/samllint/internal/test/testkit"
)

// fixture is a response built and signed in the test, in a shape real
// IdPs or attackers send, with what samllint must say about it. The
// xmlsec1 agreement test runs every fixture too.
type fixture struct {
	name    string
	xml     []byte
	cert    []byte // PEM of the trust anchor
	key     []byte // PEM of the decryption key, if encrypted
	want    string // signature verdicts, in document order
	covered bool
	check   func(t *testing.T, r *Response)
}

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// edit applies f to the unsigned sample's tree and returns it serialized.
func edit(t testing.TB, xml []byte, f func(root *etree.Element)) []byte {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(xml); err != nil {
		t.Fatal(err)
	}
	f(doc.Root())
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func signed(t testing.TB, xml []byte, o testkit.SignOptions) []byte {
	t.Helper()
	b, err := testkit.SignResponse(testkit.LoadKeyPair(t, "idp"), xml, o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fixtures(t testing.TB) []fixture {
	idp := testkit.LoadKeyPair(t, "idp")
	idpPEM := testdata(t, "keys", "idp.crt")
	idpKey := testdata(t, "keys", "idp.key")
	unsigned := testkit.UnsignedSample(t)
	both := testkit.SignOptions{Assertion: true, Response: true}
	sigMethod := func(el *etree.Element) *etree.Element { return el.FindElement(".//SignedInfo/SignatureMethod") }
	var out []fixture

	// Pretty-printed SignatureValues, as an IdP that indents its XML signs
	// them: the assertion's before the Response is signed over it, the
	// Response's after. base64Binary allows the whitespace.
	prettyInner := func(root *etree.Element) error {
		for _, el := range root.FindElements("./Assertion/Signature/SignatureValue") {
			el.SetText(testkit.PrettyBase64(el.Text(), "        "))
		}
		return nil
	}
	prettySigned := signed(t, unsigned, testkit.SignOptions{Assertion: true, Response: true, BetweenSignatures: prettyInner})
	prettySigned = edit(t, prettySigned, func(root *etree.Element) {
		el := root.FindElement("./Signature/SignatureValue")
		el.SetText(testkit.PrettyBase64(el.Text(), "      "))
	})
	out = append(out, fixture{name: "pretty SignatureValue", xml: prettySigned, cert: idpPEM, want: "valid,valid", covered: true})

	// Assertion-only and Response-only signing, as IdPs choose.
	out = append(out,
		fixture{name: "assertion only signed", xml: signed(t, unsigned, testkit.SignOptions{Assertion: true}), cert: idpPEM, want: "valid", covered: true},
		fixture{name: "response only signed", xml: signed(t, unsigned, testkit.SignOptions{Response: true}), cert: idpPEM, want: "valid", covered: true})

	// Forged: the Role edited after an assertion-only signature, and the
	// SignatureMethod switched to HMAC or an unknown URI so that no one can
	// check it. It covers nothing.
	for _, alg := range []string{"http://www.w3.org/2001/04/xmldsig-more#hmac-sha256", "http://example.com/unknown-signature-method"} {
		xml := signed(t, unsigned, testkit.SignOptions{Assertion: true})
		xml = []byte(strings.Replace(string(xml), "role/ConnectAgent", "role/Admin", 1))
		xml = edit(t, xml, func(root *etree.Element) { sigMethod(root).CreateAttr("Algorithm", alg) })
		out = append(out, fixture{name: "forged with " + alg, xml: xml, cert: idpPEM, want: "unsupported", covered: false})
	}

	// Advice holding a signed and an unsigned assertion, inside the signed
	// one (SAML core §2.6.1): they lie inside what covers it.
	advised := edit(t, unsigned, func(root *etree.Element) {
		a := root.FindElement("./Assertion")
		inner := a.Copy()
		inner.CreateAttr("ID", "_advice-signed")
		for _, st := range inner.FindElements("./AttributeStatement") {
			inner.RemoveChild(st)
		}
		innerSigned, err := testkit.SignEnveloped(idp, inner, dsig.RSASHA256SignatureMethod)
		if err != nil {
			t.Fatal(err)
		}
		plain := inner.Copy()
		plain.CreateAttr("ID", "_advice-unsigned")
		for _, s := range plain.FindElements("./Signature") {
			plain.RemoveChild(s)
		}
		advice := etree.NewElement("saml2:Advice")
		advice.AddChild(innerSigned)
		advice.AddChild(plain)
		a.InsertChildAt(a.FindElement("./Conditions").Index()+1, advice)
	})
	out = append(out, fixture{name: "Advice with nested assertions", xml: signed(t, advised, both), cert: idpPEM, want: "valid,valid,valid", covered: true,
		check: func(t *testing.T, r *Response) {
			cv := r.Coverage()
			if len(cv.Notes) != 1 || cv.Notes[0].Kind != ProblemAdvice {
				t.Errorf("notes %+v, want one about the Advice", cv.Notes)
			}
		}})

	// Encrypted assertions: the plaintext uses a prefix the Response
	// declares; RSA-1_5 and 3DES; a pretty-printed CipherValue.
	encrypt := func(xml []byte, enc xmlenc.RSA, outerNS, prettyCipher bool) []byte {
		return signed(t, xml, testkit.SignOptions{Assertion: true, Response: true, BetweenSignatures: func(root *etree.Element) error {
			a := root.FindElement("./Assertion")
			if outerNS {
				// The prefix moves to the Response once the assertion is
				// signed: exclusive c14n renders it all the same, so the
				// signature holds, but the plaintext no longer declares it.
				root.CreateAttr("xmlns:saml2", NSAssertion)
				a.RemoveAttr("xmlns:saml2")
			}
			ea, err := testkit.EncryptAssertionWith(a, idp.Cert, enc)
			if err != nil {
				return err
			}
			root.InsertChildAt(a.Index(), ea)
			root.RemoveChild(a)
			if prettyCipher {
				for _, el := range ea.FindElements(".//CipherValue") {
					el.SetText(testkit.PrettyBase64(el.Text(), "          "))
				}
			}
			return nil
		}})
	}
	oaep := xmlenc.OAEP()
	oaep.BlockCipher = xmlenc.AES256CBC
	oaep.DigestMethod = xmlenc.SHA1
	rsa15 := xmlenc.PKCS1v15()
	rsa15.BlockCipher = xmlenc.TripleDES
	decrypted := func(want string) func(t *testing.T, r *Response) {
		return func(t *testing.T, r *Response) {
			ea := r.EncryptedAssertions[0]
			if !ea.Decrypted || ea.DecryptErr != "" {
				t.Fatalf("not decrypted: %s", ea.DecryptErr)
			}
			a := r.Consumed()
			if a == nil || a.Subject.NameID.Value != "jane.doe@example.com" || a.Attribute("https://aws.amazon.com/SAML/Attributes/Role") == nil {
				t.Errorf("the decrypted assertion is not read whole: %+v", a)
			}
			if ea.KeyAlgorithm+" "+ea.DataAlgorithm != want {
				t.Errorf("algorithms %s %s, want %s", ea.KeyAlgorithm, ea.DataAlgorithm, want)
			}
		}
	}
	out = append(out,
		fixture{name: "encrypted, prefix declared on the Response", xml: encrypt(unsigned, oaep, true, false), cert: idpPEM, key: idpKey, want: "valid,valid", covered: true,
			check: decrypted(oaep.Algorithm() + " " + xmlenc.AES256CBC.Algorithm())},
		fixture{name: "encrypted with RSA-1_5 and 3DES", xml: encrypt(unsigned, rsa15, false, false), cert: idpPEM, key: idpKey, want: "valid,valid", covered: true,
			check: decrypted(AlgRSA15 + " " + AlgTripleDES)},
		fixture{name: "encrypted, pretty-printed CipherValue", xml: encrypt(unsigned, oaep, false, true), cert: idpPEM, key: idpKey, want: "valid,valid", covered: true,
			check: decrypted(oaep.Algorithm() + " " + xmlenc.AES256CBC.Algorithm())})

	// A namespaced x:ID beside the real ID: only the unqualified one is an ID.
	xid := edit(t, unsigned, func(root *etree.Element) {
		for _, el := range []*etree.Element{root, root.FindElement("./Assertion")} {
			el.CreateAttr("xmlns:x", "urn:example:x")
			id := el.SelectAttrValue("ID", "")
			el.RemoveAttr("ID")
			el.CreateAttr("x:ID", "_evil")
			el.CreateAttr("ID", id)
		}
	})
	out = append(out, fixture{name: "namespaced x:ID", xml: signed(t, xid, both), cert: idpPEM, want: "valid,valid", covered: true,
		check: func(t *testing.T, r *Response) {
			if r.ID != "_a1b2c3response" || r.Consumed().ID != "_a1b2c3assertion" || len(r.DuplicateIDs) != 0 {
				t.Errorf("IDs %q %q, duplicates %v", r.ID, r.Consumed().ID, r.DuplicateIDs)
			}
		}})

	// A certificate with a negative serial number.
	neg, err := testkit.NegativeSerialCert(idp)
	if err != nil {
		t.Fatal(err)
	}
	setCert := func(root *etree.Element, path string) {
		for _, c := range root.FindElements(path) {
			c.SetText(b64(neg))
		}
	}
	negXML := signed(t, unsigned, testkit.SignOptions{Assertion: true, Response: true, BetweenSignatures: func(root *etree.Element) error {
		setCert(root, "./Assertion/Signature//X509Certificate")
		return nil
	}})
	negXML = edit(t, negXML, func(root *etree.Element) { setCert(root, "./Signature//X509Certificate") })
	out = append(out, fixture{name: "negative serial certificate", xml: negXML, cert: pemOf("CERTIFICATE", neg), want: "valid,valid", covered: true,
		check: func(t *testing.T, r *Response) {
			ci := r.Signatures[0].Certificates[0]
			if ci.Err != "" || !strings.Contains(ci.Note, "negative serial") || ci.Cert == nil {
				t.Errorf("embedded certificate %+v", ci)
			}
		}})

	// The default-namespace Assertion Entra ID and AD FS send, signed alone.
	entra := []byte(strings.NewReplacer(
		`<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion"`, `<Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion"`,
		`</saml2:Assertion>`, `</Assertion>`).Replace(string(unsigned)))
	entra = []byte(rePrefix(string(entra)))
	out = append(out, fixture{name: "default-namespace Assertion, assertion signed", xml: signed(t, entra, testkit.SignOptions{Assertion: true}), cert: idpPEM, want: "valid", covered: true,
		check: func(t *testing.T, r *Response) {
			if a := r.Consumed(); a == nil || a.Attribute("https://aws.amazon.com/SAML/Attributes/Role") == nil || a.Subject == nil || a.Subject.NameID.Value != "jane.doe@example.com" {
				t.Errorf("default-namespace assertion not read: %+v", a)
			}
		}})

	// Malformed: a second SignatureValue. Not a wrapping shape, just broken.
	twoValues := edit(t, signed(t, unsigned, testkit.SignOptions{Assertion: true}), func(root *etree.Element) {
		sig := root.FindElement("./Assertion/Signature")
		sig.AddChild(sig.FindElement("./SignatureValue").Copy())
	})
	out = append(out, fixture{name: "malformed signature", xml: twoValues, cert: idpPEM, want: "malformed", covered: false,
		check: func(t *testing.T, r *Response) {
			for _, p := range r.Coverage().Problems {
				if p.Kind == ProblemNotEnveloped || p.Kind == ProblemMisplacedSignature {
					t.Errorf("a malformed signature is reported as wrapping: %+v", p)
				}
			}
		}})
	return out
}

// rePrefix moves the assertion's elements out of the saml2 prefix into
// the default namespace, as Entra ID writes them.
func rePrefix(s string) string {
	start := strings.Index(s, "<Assertion ")
	end := strings.Index(s, "</Assertion>")
	inner := strings.NewReplacer("<saml2:", "<", "</saml2:", "</").Replace(s[start:end])
	return s[:start] + inner + s[end:]
}

func TestFixtures(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			anchors, err := LoadCertificates(f.cert, "anchor.pem")
			if err != nil {
				t.Fatal(err)
			}
			var keys []any
			if f.key != nil {
				if keys, err = LoadPrivateKeys(f.key); err != nil {
					t.Fatal(err)
				}
			}
			msgs, err := Read(f.xml, Options{Anchors: anchors, DecryptionKeys: keys})
			if err != nil || msgs[0].Err != nil {
				t.Fatal(err, msgs[0].Err)
			}
			r := msgs[0].Response
			checkSignatures(t, r, f.want, f.covered)
			if f.check != nil {
				f.check(t, r)
			}
		})
	}
}

// TestUnboundPrefix: an element whose prefix is declared nowhere is not
// dropped in silence: the model names the prefix and where it is used.
func TestUnboundPrefix(t *testing.T) {
	xml := strings.Replace(string(testkit.UnsignedSample(t)),
		`<saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/SessionDuration" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"><saml2:AttributeValue>43200</saml2:AttributeValue></saml2:Attribute>`,
		`<saml3:Attribute Name="https://aws.amazon.com/SAML/Attributes/SessionDuration"><saml3:AttributeValue>43200</saml3:AttributeValue></saml3:Attribute>`, 1)
	if !strings.Contains(xml, "saml3:") {
		t.Fatal("the sample changed")
	}
	r, err := Parse([]byte(xml))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Unbound) != 1 || r.Unbound[0].Prefix != "saml3" || !strings.Contains(r.Unbound[0].Path, "AttributeStatement") {
		t.Errorf("unbound %+v", r.Unbound)
	}
}

// TestReformattedClaim: "re-indented after signing" is said only when a
// copy with its whitespace normalised verifies, and names what was
// re-indented; one edited as well is not excused; a signature value the
// key made over another SignedInfo says the key is right.
func TestReformattedClaim(t *testing.T) {
	anchors := sampleAnchors(t)
	pretty := func(xml []byte) []byte {
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(xml); err != nil {
			t.Fatal(err)
		}
		doc.Indent(2)
		b, _ := doc.WriteToBytes()
		return b
	}
	// Only the signature blocks indented, as a tool that formats
	// ds:Signature does; the signed content as it was.
	sigIndented := func(xml []byte) []byte {
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(xml); err != nil {
			t.Fatal(err)
		}
		for _, sig := range doc.FindElements("//ds:Signature") {
			for _, el := range append([]*etree.Element{sig}, sig.FindElements(".//*")...) {
				if len(el.ChildElements()) == 0 {
					continue
				}
				for i := len(el.Child) - 1; i >= 0; i-- {
					if _, ok := el.Child[i].(*etree.Element); ok {
						el.InsertChildAt(i, etree.NewText("\n    "))
					}
				}
			}
		}
		b, _ := doc.WriteToBytes()
		return b
	}
	signed := string(sampleXML(t))
	for _, c := range []struct {
		name, xml, what string
		whole           bool
	}{
		{"pretty-printed", string(pretty([]byte(signed))), "whitespace between tags", true},
		{"the ds:Signature indented", string(sigIndented([]byte(signed))), "whitespace inside the ds:Signature", true},
		{"a value on lines of its own", strings.Replace(signed, ">jane.doe@example.com</saml2:AttributeValue>", ">\n        jane.doe@example.com\n      </saml2:AttributeValue>", 1), "whitespace around values", true},
		{"pretty-printed and edited", string(pretty([]byte(strings.Replace(signed, ">Support<", ">Sales<", 1)))), "whitespace inside the ds:Signature", false},
	} {
		r := readVerified(t, []byte(c.xml), anchors)
		var got *SignatureCheck
		for _, s := range r.Signatures {
			if s.ParentTag == "Assertion" {
				got = s.Check
			}
		}
		switch {
		case got == nil:
			t.Errorf("%s: no assertion signature", c.name)
		case got.Reindented != c.what:
			t.Errorf("%s: re-indented %q, want %q (%s: %s)", c.name, got.Reindented, c.what, got.Verdict, got.Detail)
		case c.whole != !strings.Contains(got.Detail, "and edited"):
			t.Errorf("%s: whole %v: %s", c.name, c.whole, got.Detail)
		}
	}
	// SignedInfo edited: the key made the value, over another SignedInfo.
	edited := regexp.MustCompile(`<ds:DigestValue>[^<]*</ds:DigestValue>`).ReplaceAllString(signed, "<ds:DigestValue>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=</ds:DigestValue>")
	for _, s := range readVerified(t, []byte(edited), anchors).Signatures {
		if s.Check.Verdict != ValueMismatch || !s.Check.SignedInfoChanged || !strings.Contains(s.Check.Detail, "re-indented or edited") {
			t.Errorf("SignedInfo edited, <%s>: %s, changed %v: %s", s.ParentTag, s.Check.Verdict, s.Check.SignedInfoChanged, s.Check.Detail)
		}
	}
}

func b64(b []byte) string {
	var sb strings.Builder
	enc := []byte(pem.EncodeToMemory(&pem.Block{Type: "X", Bytes: b}))
	for _, line := range strings.Split(string(enc), "\n") {
		if !strings.HasPrefix(line, "-----") {
			sb.WriteString(line)
		}
	}
	return sb.String()
}

var _ = x509.ParseCertificate
