package lint

import (
	"strings"
	"testing"
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
		{"no key given", Example{Transform: "encrypt"}, Info},
		{"a key that does not decrypt it", Example{Transform: "encrypt", Files: key("idp-rotated")}, Error},
	})
	catchesNot(t, rule, []row{{"plain assertion", Example{}, 0}})
	rep := lintExample(t, Example{Transform: "encrypt", Files: key("idp")})
	for _, f := range findingsOf(rep, rule) {
		if f.Severity == Error || f.Severity == Info {
			t.Errorf("decrypted with the right key, yet: %s %s", f.Severity, f.Message)
		}
	}
}

func TestWeakEncryption(t *testing.T) {
	rule := "saml/weak-algorithm"
	key := map[string]string{"key.pem": string(testdata(t, "keys", "idp.key"))}
	rep := lintExample(t, Example{Transform: "encrypt-weak", Files: key})
	fs := findingsOf(rep, rule)
	if len(fs) != 1 || !strings.Contains(fs[0].Actual, "rsa-1_5") || !strings.Contains(fs[0].Actual, "tripledes-cbc") {
		t.Fatalf("RSA-1_5 and 3DES not reported as weak: %+v", fs)
	}
	if len(findingsOf(rep, "saml/assertion-encrypted")) > 0 && findingsOf(rep, "saml/assertion-encrypted")[0].Severity != Warning {
		t.Errorf("RSA-1_5 and 3DES not decrypted:\n%s", wantOf(rep))
	}
	catchesNot(t, rule, []row{{"RSA-OAEP and AES-256-CBC", Example{Transform: "encrypt", Files: key}, 0}})
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
