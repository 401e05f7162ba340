package lint

import (
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/samllint/samllint/saml"
)

// Signature, XML and encryption shapes measured in issue 10: each row is a
// response some IdP or attacker sends, checked through the pipeline.

const (
	rsaSHA256  = `xmldsig-more#rsa-sha256"/>`
	hmacSHA256 = `xmldsig-more#hmac-sha256"/>`
)

// forged edits the Role after an assertion-only signature and switches
// the SignatureMethod to one nobody can check.
func forged(method string) Example {
	return Example{Sign: "assertion", EditsSigned: []Edit{
		{"role/ConnectAgent,", "role/Admin,"},
		{`http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>`, method + `"/>`},
	}}
}

func TestSignatureInvalidForgedAlgorithms(t *testing.T) {
	rule := "saml/signature-invalid"
	catches(t, rule, []row{
		{"HMAC after editing the Role", forged("http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"), Error},
		{"unknown URI after editing the Role", forged("http://example.com/unknown-signature-method"), Error},
		// The Response's signature cannot be checked, but the assertion's
		// own verifies: AWS reads a signed assertion.
		{"uncheckable Response signature beside a verifying assertion signature",
			Example{EditsSigned: edit(rsaSHA256+`<ds:Reference URI="#_a1b2c3response"`, hmacSHA256+`<ds:Reference URI="#_a1b2c3response"`)}, Warning},
	})
	for _, method := range []string{"http://www.w3.org/2001/04/xmldsig-more#hmac-sha256", "http://example.com/unknown-signature-method"} {
		rep := lintExample(t, forged(method))
		if rep.Outcome != OutcomeWillFail {
			t.Errorf("%s: outcome %s, want %s (a forged response must fail)", method, rep.Outcome, OutcomeWillFail)
		}
	}
	catchesNot(t, rule, []row{{"both signatures RSA-SHA256", Example{}, 0}})
}

func TestMalformedSignatureIsNotWrapping(t *testing.T) {
	rep := lintExample(t, Example{EditsSigned: edit("<ds:SignatureValue>", "<ds:SignatureValue>!!")})
	if len(findingsOf(rep, "saml/signature-invalid")) == 0 {
		t.Fatalf("a corrupt SignatureValue is not reported:\n%s", wantOf(rep))
	}
	if fs := findingsOf(rep, "saml/signature-wrapping"); len(fs) > 0 {
		t.Errorf("a malformed signature is also reported as wrapping: %+v", fs)
	}
}

func TestAdviceIsNotWrapping(t *testing.T) {
	nested := `</saml2:Conditions><saml2:Advice><saml2:Assertion ID="_advice1" IssueInstant="2026-11-20T09:00:00Z" Version="2.0">` +
		`<saml2:Issuer>https://other.example.com</saml2:Issuer></saml2:Assertion></saml2:Advice>`
	ex := Example{Edits: edit("</saml2:Conditions>", nested)}
	for _, rule := range []string{"saml/signature-wrapping", "saml/no-assertion", "saml/issuer-mismatch"} {
		catchesNot(t, rule, []row{{"Advice with a nested assertion", ex, 0}})
	}
	if rep := lintExample(t, ex); rep.Outcome != OutcomePass {
		t.Errorf("outcome %s, want %s:\n%s", rep.Outcome, OutcomePass, wantOf(rep))
	}
}

func TestUntrustedIsNotWrapping(t *testing.T) {
	rep := lintExample(t, Example{Key: "rotated"})
	if len(findingsOf(rep, "saml/signature-untrusted")) == 0 {
		t.Fatalf("signature-untrusted not reported:\n%s", wantOf(rep))
	}
	if fs := findingsOf(rep, "saml/signature-wrapping"); len(fs) > 0 {
		t.Errorf("an untrusted signer is also reported as wrapping: %+v", fs)
	}
}

func TestAssertionEncryptedKeys(t *testing.T) {
	rule := "saml/assertion-encrypted"
	key := func(name string) map[string]string {
		return map[string]string{"key.pem": string(testdata(t, "keys", name+".key"))}
	}
	catches(t, rule, []row{
		{"no key given", Example{Transform: "encrypt", Edits: toACS("SAMLSPD9IMTW2LM46J042K")}, Info},
		{"a key that does not decrypt it", Example{Transform: "encrypt", Edits: toACS("SAMLSPD9IMTW2LM46J042K"), Files: key("idp-rotated")}, Error},
		{"posted to the generic endpoint", Example{Transform: "encrypt", Files: key("idp")}, Error},
	})
	catchesNot(t, rule, []row{
		{"plain assertion", Example{}, 0},
		{"decrypted with the right key, posted to the provider's endpoint", Example{Transform: "encrypt", Edits: toACS("SAMLSPD9IMTW2LM46J042K"), Files: key("idp")}, 0},
	})
}

// toACS addresses the sample to a provider-specific endpoint.
func toACS(id string) []Edit {
	url := "https://signin.aws.amazon.com/saml/acs/" + id
	return []Edit{
		{`Destination="https://signin.aws.amazon.com/saml"`, `Destination="` + url + `"`},
		{`Recipient="https://signin.aws.amazon.com/saml"`, `Recipient="` + url + `"`},
	}
}

// getSAMLProvider renders aws iam get-saml-provider output.
func getSAMLProvider(t *testing.T, mode string, keys int, uuid string) string {
	var list []map[string]string
	for range keys {
		list = append(list, map[string]string{"KeyId": "ABCDEFGHIJKLMNOPQRSTUV", "Timestamp": "2025-03-01T10:00:00Z"})
	}
	b, err := json.Marshal(map[string]any{"SAMLMetadataDocument": string(testdata(t, "metadata", "okta-idp-metadata.xml")),
		"SAMLProviderUUID": uuid, "AssertionEncryptionMode": mode, "PrivateKeyList": list})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestProviderEncryption(t *testing.T) {
	rule := "aws/provider-encryption"
	const id = "SAMLSPD9IMTW2LM46J042K"
	prov := func(mode string, keys int, uuid string) map[string]string {
		return map[string]string{"metadata.json": getSAMLProvider(t, mode, keys, uuid), "key.pem": string(testdata(t, "keys", "idp.key"))}
	}
	catches(t, rule, []row{
		{"plain assertion, encryption Required", Example{Files: prov("Required", 1, id)}, 0},
		{"encrypted, no private key registered", Example{Transform: "encrypt", Edits: toACS(id), Files: prov("Allowed", 0, id)}, 0},
		{"another provider's endpoint", Example{Transform: "encrypt", Edits: toACS("SAMLSPOTHERPROVIDER0000"), Files: prov("Required", 1, id)}, 0},
	})
	catchesNot(t, rule, []row{
		{"plain assertion, encryption Allowed", Example{Files: prov("Allowed", 0, id)}, 0},
		{"plain assertion, no encryption settings", Example{Files: prov("", 0, "")}, 0},
		{"encrypted to this provider, which holds the key", Example{Transform: "encrypt", Edits: toACS(id), Files: prov("Required", 1, id)}, 0},
		{"metadata XML, not get-saml-provider", Example{}, 0},
	})
	// Without get-saml-provider output an encrypted assertion cannot be
	// compared with the provider: skipped, saying what to give.
	if s := skippedOf(lintExample(t, Example{Transform: "encrypt", Edits: toACS(id)}), rule); s == nil {
		t.Error("not skipped without get-saml-provider output")
	}
}

func TestWeakEncryption(t *testing.T) {
	rule := "saml/weak-algorithm"
	key := map[string]string{"key.pem": string(testdata(t, "keys", "idp.key"))}
	rep := lintExample(t, Example{Transform: "encrypt-weak", Edits: toACS("SAMLSPD9IMTW2LM46J042K"), Files: key})
	fs := findingsOf(rep, rule)
	if len(fs) != 1 || !strings.Contains(fs[0].Actual, "rsa-1_5") || !strings.Contains(fs[0].Actual, "tripledes-cbc") {
		t.Fatalf("RSA-1_5 and 3DES not reported as weak: %+v", fs)
	}
	if fs := findingsOf(rep, "saml/assertion-encrypted"); len(fs) > 0 {
		t.Errorf("RSA-1_5 and 3DES not decrypted:\n%s", wantOf(rep))
	}
	catchesNot(t, rule, []row{{"RSA-OAEP and AES-256-CBC", Example{Transform: "encrypt", Edits: toACS("SAMLSPD9IMTW2LM46J042K"), Files: key}, 0}})
}

func TestNamespaceUndeclared(t *testing.T) {
	rule := "saml/namespace-undeclared"
	catches(t, rule, []row{
		{"unbound element prefix", Example{EditsSigned: edit(`<saml2:AttributeStatement>`, `<saml2:AttributeStatement><saml9:Extra>x</saml9:Extra>`)}, 0},
		{"unbound attribute prefix", Example{EditsSigned: edit(`<saml2:AttributeStatement>`, `<saml2:AttributeStatement x:lang="en">`)}, 0},
	})
	catchesNot(t, rule, []row{
		{"prefixes declared", Example{}, 0},
		{"default namespace, as Entra ID sends it", Example{Transform: "default-namespace"}, 0},
		{"xml: prefix, which is bound by definition", Example{Edits: edit(`<saml2:AttributeStatement>`, `<saml2:AttributeStatement xml:lang="en">`)}, 0},
	})
}

func TestRequiredMissing(t *testing.T) {
	rule := "saml/required-missing"
	noAttr := func(attr, on string) []Edit { return edit(on, strings.Replace(on, attr, "", 1)) }
	respOpen := `ID="_a1b2c3response" IssueInstant="2026-11-20T10:00:00.000Z" Version="2.0">`
	asrtOpen := `ID="_a1b2c3assertion" IssueInstant="2026-11-20T10:00:00.000Z" Version="2.0">`
	catches(t, rule, []row{
		{"Response without ID", Example{Sign: "assertion", Edits: noAttr(`ID="_a1b2c3response" `, respOpen)}, Error},
		{"Response without Version", Example{Edits: noAttr(` Version="2.0"`, respOpen)}, Error},
		{"Response Version 1.1", Example{Edits: edit(respOpen, strings.Replace(respOpen, "2.0", "1.1", 1))}, Error},
		{"Response without IssueInstant", Example{Edits: noAttr(`IssueInstant="2026-11-20T10:00:00.000Z" `, respOpen)}, Error},
		{"Assertion without IssueInstant", Example{Edits: noAttr(`IssueInstant="2026-11-20T10:00:00.000Z" `, asrtOpen)}, Error},
		{"Assertion without Issuer", Example{Edits: edit(`<saml2:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">http://www.okta.com/exk1fxph8bAbCdEf0h7</saml2:Issuer><saml2:Subject>`, `<saml2:Subject>`)}, Error},
		{"Response without Issuer", Example{Edits: edit(`<saml2:Issuer xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">http://www.okta.com/exk1fxph8bAbCdEf0h7</saml2:Issuer><saml2p:Status>`, `<saml2p:Status>`)}, Warning},
	})
	catchesNot(t, rule, []row{{"all present", Example{}, 0}})
	// Without IssueInstant anywhere, --at-issue falls back to the next
	// clock source rather than refusing the response.
	ex := Example{Edits: []Edit{
		{`IssueInstant="2026-11-20T10:00:00.000Z" `, ``},
	}}
	rep := lintExample(t, ex)
	if len(findingsOf(rep, rule)) != 2 {
		t.Errorf("want the Response's and the Assertion's missing IssueInstant:\n%s", wantOf(rep))
	}
}

func TestNamespacedIDIsNotAnID(t *testing.T) {
	// x:ID carrying the Assertion's ID on the Response is not an ID: no
	// duplicate, no wrapping.
	ex := Example{Edits: edit(`<saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol"`,
		`<saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:x="urn:example:x" x:ID="_a1b2c3assertion"`)}
	catchesNot(t, "saml/signature-wrapping", []row{{"x:ID beside the real ID", ex, 0}})
}

func TestSignatureUntrustedNamesWhatWasGiven(t *testing.T) {
	rule := "saml/signature-untrusted"
	withCert := Example{Key: "rotated", NoAnchors: true, Files: map[string]string{"cert.pem": string(testdata(t, "keys", "idp.crt"))}}
	for ex, want := range map[*Example]string{&withCert: "not in the certificates you gave", {Key: "rotated"}: "not in the metadata you gave"} {
		fs := findingsOf(lintExample(t, *ex), rule)
		if len(fs) == 0 || !strings.Contains(fs[0].Message, want) {
			t.Errorf("want %q: %+v", want, fs)
		}
	}
}

// TestCertificateAsMetadata: a PEM certificate given where metadata is
// asked for (the page's one field, or --metadata) is a trust anchor too.
func TestCertificateAsMetadata(t *testing.T) {
	in := &Inputs{}
	if err := in.Add(InputMetadata, "idp.crt", testdata(t, "keys", "idp.crt")); err != nil {
		t.Fatal(err)
	}
	res, err := Lint(sampleXML(t), in, Options{AtIssue: true})
	if err != nil || len(res) != 1 || res[0].Err != nil {
		t.Fatalf("%v %+v", err, res)
	}
	for _, s := range res[0].Response.Signatures {
		if s.Check.Verdict != saml.Valid {
			t.Errorf("%s: %s, want valid against the certificate given as metadata", s.Path, s.Check.Verdict)
		}
	}
	if len(findingsOf(res[0].Report, "saml/signature-untrusted")) != 0 {
		t.Errorf("untrusted although the signing certificate was given:\n%s", wantOf(res[0].Report))
	}
}

// TestInputsLoad: inputs read from an fs.FS, as a program embedding its
// captures and metadata would give them.
func TestInputsLoad(t *testing.T) {
	fsys := fstest.MapFS{"idp/metadata.xml": {Data: testdata(t, "metadata", "okta-idp-metadata.xml")}}
	in := &Inputs{}
	if err := in.Load(fsys, InputMetadata, "idp/metadata.xml"); err != nil {
		t.Fatal(err)
	}
	if !in.Has(InputMetadata) {
		t.Error("metadata loaded from the fs.FS is not there")
	}
	err := in.Load(fsys, InputTrustPolicy, "missing.json")
	var ie *InputError
	if !errors.As(err, &ie) || ie.Input != InputTrustPolicy || ie.Name != "missing.json" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v, want an *InputError naming it and wrapping fs.ErrNotExist", err)
	}
}
