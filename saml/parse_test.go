package saml

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const roleAttr = "https://aws.amazon.com/SAML/Attributes/Role"

func TestParseModel(t *testing.T) {
	r, err := Parse(sampleXML(t))
	if err != nil {
		t.Fatal(err)
	}
	check := func(name, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	check("ID", r.ID, "_a1b2c3response")
	check("Destination", r.Destination, "https://signin.aws.amazon.com/saml")
	check("Issuer", r.Issuer.Value, "http://www.okta.com/exk1fxph8bAbCdEf0h7")
	check("Issuer path", r.Issuer.Path, "/Response/Issuer")
	if !r.Status.Success() || r.Status.Path != "/Response/Status" {
		t.Errorf("status = %+v", r.Status)
	}
	if want := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC); !r.IssueInstant.OK || !r.IssueInstant.Time.Equal(want) {
		t.Errorf("IssueInstant = %+v", r.IssueInstant)
	}
	check("IssueInstant path", r.IssueInstant.Path, "/Response/@IssueInstant")
	if len(r.Assertions) != 1 {
		t.Fatalf("%d assertions", len(r.Assertions))
	}
	a := r.Assertions[0]
	check("assertion path", a.Path, "/Response/Assertion[1]")
	check("NameID", a.Subject.NameID.Value, "jane.doe@example.com")
	check("NameID format", a.Subject.NameID.Format, "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
	sc := a.Subject.Confirmations[0]
	check("method", sc.Method, MethodBearer)
	check("recipient", sc.Recipient, "https://signin.aws.amazon.com/saml")
	check("confirmation path", sc.Path, "/Response/Assertion[1]/Subject/SubjectConfirmation[1]")
	check("NotOnOrAfter path", sc.NotOnOrAfter.Path, "/Response/Assertion[1]/Subject/SubjectConfirmation[1]/SubjectConfirmationData/@NotOnOrAfter")
	check("audience", a.Conditions.Audiences[0].Value, "urn:amazon:webservices")
	check("audience path", a.Conditions.Audiences[0].Path, "/Response/Assertion[1]/Conditions/AudienceRestriction/Audience[1]")
	check("session index", a.AuthnStatements[0].SessionIndex, "_a1b2c3session")
	role := a.Attribute(roleAttr)
	if role == nil {
		t.Fatal("no Role attribute")
	}
	check("role value", role.Values[0].Value, "arn:aws:iam::123456789012:role/ConnectAgent,arn:aws:iam::123456789012:saml-provider/Okta")
	check("role value path", role.Values[0].Path, "/Response/Assertion[1]/AttributeStatement/Attribute[@Name='https://aws.amazon.com/SAML/Attributes/Role']/AttributeValue[1]")
	var names []string
	for _, at := range a.Attributes {
		names = append(names, strings.TrimPrefix(at.Name, "https://aws.amazon.com/SAML/Attributes/"))
	}
	check("attribute order", strings.Join(names, ","), "Role,RoleSessionName,SessionDuration,PrincipalTag:Department")
	if len(r.Signatures) != 2 {
		t.Fatalf("%d signatures", len(r.Signatures))
	}
	rs, as := r.Signatures[0], r.Signatures[1]
	check("response signature path", rs.Path, "/Response/Signature[1]")
	check("response signature parent", rs.ParentPath, "/Response")
	check("assertion signature parent", as.ParentPath, "/Response/Assertion[1]")
	check("reference", as.References[0].URI, "#_a1b2c3assertion")
	check("reference target", as.References[0].Target, "/Response/Assertion[1]")
	check("signature method", as.SignatureMethod, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
	check("digest method", as.References[0].DigestMethod, "http://www.w3.org/2001/04/xmlenc#sha256")
	check("c14n", as.CanonicalizationMethod, "http://www.w3.org/2001/10/xml-exc-c14n#")
	if len(as.Certificates) != 1 || !strings.Contains(as.Certificates[0].Subject, "okta-test.example.com") {
		t.Errorf("embedded certificates = %+v", as.Certificates)
	}
	if !as.Enveloped() || !rs.Enveloped() {
		t.Error("the sample's signatures are enveloped")
	}
}

// TestPathsUnambiguous: repeated siblings and attributes get indexes, and
// attribute names with quotes stay valid XPath literals.
func TestPathsUnambiguous(t *testing.T) {
	xml := `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="r" Version="2.0" IssueInstant="2026-01-01T00:00:00Z">
<saml:Assertion ID="a1"><saml:Subject>
  <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData Recipient="x"/></saml:SubjectConfirmation>
  <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"/></saml:Subject>
<saml:Conditions><saml:AudienceRestriction><saml:Audience>a</saml:Audience></saml:AudienceRestriction><saml:AudienceRestriction><saml:Audience>b</saml:Audience><saml:Audience>c</saml:Audience></saml:AudienceRestriction></saml:Conditions>
<saml:AttributeStatement>
  <saml:Attribute Name="Role"><saml:AttributeValue>v1</saml:AttributeValue><saml:AttributeValue>v2</saml:AttributeValue></saml:Attribute>
  <saml:Attribute Name="Role"><saml:AttributeValue>v3</saml:AttributeValue></saml:Attribute>
  <saml:Attribute Name="it's"><saml:AttributeValue>q</saml:AttributeValue></saml:Attribute>
</saml:AttributeStatement></saml:Assertion>
<saml:Assertion ID="a2"/></samlp:Response>`
	r, err := Parse([]byte(xml))
	if err != nil {
		t.Fatal(err)
	}
	a := r.Assertions[0]
	want := []string{
		"/Response/Assertion[1]/AttributeStatement/Attribute[@Name='Role'][1]/AttributeValue[2]",
		"/Response/Assertion[1]/AttributeStatement/Attribute[@Name='Role'][2]/AttributeValue[1]",
		`/Response/Assertion[1]/AttributeStatement/Attribute[@Name="it's"]/AttributeValue[1]`,
		"/Response/Assertion[1]/Subject/SubjectConfirmation[2]",
		"/Response/Assertion[1]/Conditions/AudienceRestriction[2]/Audience[2]",
		"/Response/Assertion[2]",
	}
	got := []string{a.Attributes[0].Values[1].Path, a.Attributes[1].Values[0].Path, a.Attributes[2].Values[0].Path,
		a.Subject.Confirmations[1].Path, a.Conditions.Audiences[2].Path, r.Assertions[1].Path}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("path %d = %s, want %s", i, got[i], want[i])
		}
	}
	if len(a.Conditions.Audiences) != 3 || a.Conditions.AudienceRestrictions != 2 {
		t.Errorf("audiences = %+v", a.Conditions)
	}
}

func TestParseKinds(t *testing.T) {
	cases := []struct {
		xml  string
		kind Kind
		hint string
	}{
		{`<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`, KindAuthnRequest, "not the request"},
		{`<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`, KindLogoutRequest, "sign-in"},
		{`<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`, KindLogoutResponse, "sign-in"},
		{`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol"/>`, KindSAML11Response, "SAML 2.0"},
		{`<t:RequestSecurityTokenResponse xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust"/>`, KindWSFedRSTR, "WS-Federation"},
		{`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>`, KindMetadata, "give metadata as an input beside the SAMLResponse"},
		{`<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/>`, KindAssertion, "whole SAMLResponse"},
		{`<Response/>`, KindUnknown, "namespace"},
		{`<foo xmlns="urn:x"/>`, KindUnknown, "<foo>"},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.xml))
		var ke *KindError
		if !errors.As(err, &ke) || ke.Kind != c.kind || !errors.Is(err, ErrNotResponse) {
			t.Errorf("%s: err = %v, want kind %v", c.xml, err, c.kind)
			continue
		}
		if !strings.Contains(err.Error(), c.hint) {
			t.Errorf("%s: error %q lacks hint %q", c.xml, err, c.hint)
		}
	}
}

func TestParseTimes(t *testing.T) {
	xml := `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" IssueInstant="2026-11-20 10:00:00"/>`
	r, err := Parse([]byte(xml))
	if err != nil {
		t.Fatal(err)
	}
	if r.IssueInstant.OK || r.IssueInstant.Raw != "2026-11-20 10:00:00" {
		t.Errorf("a non-xs:dateTime value must be kept raw and marked unparsed: %+v", r.IssueInstant)
	}
}

func TestDecryptAssertion(t *testing.T) {
	keys, err := LoadPrivateKeys(testdata(t, "corpus", "russellhaering__gosaml2__providertests__testdata__oktaenc_sp_encryption_key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	caps, err := Decode(testdata(t, "corpus", "russellhaering__gosaml2__providertests__testdata__oktaenc_response.b64"))
	if err != nil {
		t.Fatal(err)
	}
	without, err := Parse(caps[0].XML)
	if err != nil {
		t.Fatal(err)
	}
	if len(without.Assertions) != 0 || len(without.EncryptedAssertions) != 1 || without.EncryptedAssertions[0].Decrypted {
		t.Fatalf("without a key: %d assertions, %d encrypted", len(without.Assertions), len(without.EncryptedAssertions))
	}
	if hint := without.EncryptedAssertions[0].KeyHint; !strings.Contains(hint, "private key") {
		t.Errorf("key hint = %q", hint)
	}
	with, err := ParseWith(caps[0].XML, ParseOptions{DecryptionKeys: keys})
	if err != nil {
		t.Fatal(err)
	}
	if len(with.Assertions) != 1 || !with.Assertions[0].Decrypted {
		t.Fatalf("with the key: %+v", with.EncryptedAssertions[0])
	}
	a := with.Assertions[0]
	if a.Path != "/Response/EncryptedAssertion[1]/Assertion" || a.Subject == nil || a.Subject.NameID.Value == "" {
		t.Errorf("decrypted assertion = %s %+v", a.Path, a.Subject)
	}
	if n := len(with.Signatures); n != 2 {
		t.Errorf("%d signatures, want the Response's and the decrypted assertion's", n)
	}

	wrong, _ := LoadPrivateKeys(testdata(t, "corpus", "crewjam__saml__testdata__sp_key.pem"))
	bad, err := ParseWith(caps[0].XML, ParseOptions{DecryptionKeys: wrong})
	if err != nil {
		t.Fatal(err)
	}
	if ea := bad.EncryptedAssertions[0]; ea.Decrypted || !strings.Contains(ea.DecryptErr, "none of the given keys") {
		t.Errorf("with the wrong key: %+v", ea)
	}
}
