package lint

import (
	"encoding/json"
	"errors"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/samllint/samllint/internal/test/testkit"
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

// TestAWSContentEncryption: the provider's key decrypts AES-GCM and
// AES-CBC only, as the IAM API reference says: 3DES fails the sign-in.
func TestAWSContentEncryption(t *testing.T) {
	rule := "aws/provider-encryption"
	key := map[string]string{"key.pem": string(testdata(t, "keys", "idp.key"))}
	acs := toACS("SAMLSPD9IMTW2LM46J042K")
	catches(t, rule, []row{{"3DES, as pysaml2 encrypts", Example{Transform: "encrypt-weak", Edits: acs, Files: key}, Error}})
	catchesNot(t, rule, []row{
		{"AES-256-CBC", Example{Transform: "encrypt", Edits: acs, Files: key}, 0},
		{"AES-256-GCM", Example{Transform: "encrypt-gcm", Edits: acs, Files: key}, 0},
	})
	rep := lintExample(t, Example{Transform: "encrypt-weak", Edits: acs, Files: key})
	if fs := findingsOf(rep, rule); len(fs) != 1 || !strings.Contains(fs[0].Message, "tripledes-cbc") {
		t.Errorf("3DES: %+v", fs)
	}
}

func TestWeakEncryption(t *testing.T) {
	rule := "saml/weak-algorithm"
	key := map[string]string{"key.pem": string(testdata(t, "keys", "idp.key"))}
	rep := lintExample(t, Example{Transform: "encrypt-weak", Edits: toACS("SAMLSPD9IMTW2LM46J042K"), Files: key})
	fs := findingsOf(rep, rule)
	// For AWS, 3DES is aws/provider-encryption's error, and not a warning
	// besides it.
	if len(fs) != 1 || !strings.Contains(fs[0].Actual, "rsa-1_5") || strings.Contains(fs[0].Actual, "tripledes-cbc") {
		t.Fatalf("RSA-1_5 not reported as weak, or 3DES twice: %+v", fs)
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

// lintMutated builds ex, changes the signed XML with mutate, and lints it
// with or without the IdP's metadata.
func lintMutated(t *testing.T, ex Example, mutate func(string) string, metadata bool) *Report {
	t.Helper()
	input, in, opts := buildCase(t, ex.toCase())
	input = []byte(mutate(string(input)))
	if !metadata {
		in = &Inputs{}
	}
	res, err := Lint(input, in, opts)
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res[0].Err)
	}
	return res[0].Report
}

var (
	keyInfoRe     = regexp.MustCompile(`<ds:KeyInfo>.*?</ds:KeyInfo>`)
	digestValueRe = regexp.MustCompile(`<ds:DigestValue>[^<]*</ds:DigestValue>`)
	sigValueRe    = regexp.MustCompile(`<ds:SignatureValue>[^<]*</ds:SignatureValue>`)
)

// TestHonestSignatureVerdicts: no verdict calls a response fine whose
// signer was not checked, and each way a signature misleads is named.
func TestHonestSignatureVerdicts(t *testing.T) {
	same := func(s string) string { return s }
	// Signed by a key nobody vouched for, and no metadata to check it:
	// never "no problems found".
	for name, rep := range map[string]*Report{
		"an attacker's key, embedded":   lintMutated(t, Example{Key: "rotated"}, same, false),
		"an attacker's key, no KeyInfo": lintMutated(t, Example{Key: "rotated"}, func(s string) string { return keyInfoRe.ReplaceAllString(s, "") }, false),
		"the IdP's own key":             lintMutated(t, Example{}, same, false),
	} {
		if rep.Outcome != OutcomeSignerUnchecked || strings.Contains(rep.Verdict, "no problems found") || rep.Signer.Checked ||
			!slices.Contains(rep.Signer.Needs, InputMetadata) || !strings.HasPrefix(rep.Verdict, "signer not checked: ") {
			t.Errorf("%s without metadata: outcome %s, verdict %q, signer %+v", name, rep.Outcome, rep.Verdict, rep.Signer)
		}
	}
	// With the metadata, the IdP's own signature is checked, and fine.
	if rep := lintMutated(t, Example{}, same, true); rep.Outcome != OutcomePass || !rep.Signer.Checked {
		t.Errorf("with metadata: outcome %s, signer %+v", rep.Outcome, rep.Signer)
	}

	// An unsigned assertion hidden in the consumed assertion's signature
	// (a ds:Object) is not Advice.
	evil := `<ds:Object><saml2:Assertion ID="_evil" IssueInstant="2026-11-20T10:00:00.000Z" Version="2.0"><saml2:Issuer>http://www.okta.com/exk1fxph8bAbCdEf0h7</saml2:Issuer></saml2:Assertion></ds:Object></ds:Signature>`
	rep := lintMutated(t, Example{Sign: "assertion"}, func(s string) string { return strings.Replace(s, "</ds:Signature>", evil, 1) }, true)
	found := false
	for _, f := range findingsOf(rep, "saml/signature-wrapping") {
		found = found || f.Severity == Error && strings.Contains(f.Message, "inside a ds:Signature at /Response/Assertion[1]/Signature[1]/Object/Assertion[1]")
	}
	if !found || rep.Outcome != OutcomeWillFail {
		t.Errorf("an assertion in ds:Object: %s\n%s", rep.Outcome, wantOf(rep))
	}

	// Signed, then encrypted, linted without the key: its signature is
	// unknown until decrypted, never "unsigned".
	acs := edit("https://signin.aws.amazon.com/saml\"", "https://signin.aws.amazon.com/saml/acs/SAMLSPD9IMTW2LM46J042K\"")
	rep = lintMutated(t, Example{Sign: "assertion", Transform: "encrypt", Edits: acs}, same, true)
	if fs := findingsOf(rep, "saml/unsigned"); len(fs) > 0 {
		t.Errorf("an encrypted, signed assertion is called unsigned: %+v", fs)
	}
	if sk := skippedOf(rep, "saml/unsigned"); sk == nil || !slices.Contains(sk.Needs, InputKey) {
		t.Errorf("saml/unsigned is not skipped for the key: %+v", sk)
	}
	if rep.Outcome != OutcomeSignerUnchecked || !slices.Contains(rep.Signer.Needs, InputKey) {
		t.Errorf("encrypted without the key: outcome %s, signer %+v", rep.Outcome, rep.Signer)
	}
	// Signed and encrypted, the Response signed over it: checked.
	if rep := lintMutated(t, Example{Transform: "encrypt", Edits: acs}, same, true); rep.Outcome == OutcomeSignerUnchecked || !rep.Signer.Checked {
		t.Errorf("encrypted in a signed Response: outcome %s, signer %+v", rep.Outcome, rep.Signer)
	}

	// Placeholders where the values go cannot verify under any key:
	// malformed, with or without anchors.
	placeholders := func(s string) string {
		s = digestValueRe.ReplaceAllString(s, "<ds:DigestValue>DIGEST</ds:DigestValue>")
		return sigValueRe.ReplaceAllString(s, "<ds:SignatureValue>SIGNATURE</ds:SignatureValue>")
	}
	short := func(s string) string {
		return sigValueRe.ReplaceAllString(s, "<ds:SignatureValue>AAAA</ds:SignatureValue>")
	}
	for name, mutate := range map[string]func(string) string{"placeholders": placeholders, "a 3-byte SignatureValue": short} {
		for _, metadata := range []bool{false, true} {
			rep := lintMutated(t, Example{}, mutate, metadata)
			fs := findingsOf(rep, "saml/signature-invalid")
			if len(fs) != 2 || !strings.Contains(fs[0].Message, "is malformed") || rep.Outcome != OutcomeWillFail {
				t.Errorf("%s (metadata %v): %s\n%s", name, metadata, rep.Outcome, wantOf(rep))
			}
		}
	}

	// samlify's order: the Response signed, then the assertion swapped
	// for its encryption. The digest fails, and the cause is named.
	rep = lintMutated(t, Example{Sign: "response"}, func(s string) string {
		xml, err := testkit.EncryptSignedSample(s)
		if err != nil {
			t.Fatal(err)
		}
		return xml
	}, true)
	found = false
	for _, f := range findingsOf(rep, "saml/signature-invalid") {
		found = found || strings.Contains(f.Message, "the IdP encrypted the assertion after signing the Response")
	}
	if !found {
		t.Errorf("encrypted after signing the Response:\n%s", wantOf(rep))
	}
}

// TestProviderEncryptionHint: with the IdP's metadata given, the skipped
// encryption check asks for get-saml-provider's output, not for --metadata
// as if none were given.
func TestProviderEncryptionHint(t *testing.T) {
	acs := toACS("SAMLSPD9IMTW2LM46J042K")
	sk := skippedOf(lintExample(t, Example{Transform: "encrypt", Edits: acs}), "aws/provider-encryption")
	if sk == nil || !strings.Contains(sk.Because, "the metadata given is the IdP's") || !strings.Contains(sk.Because, "aws iam get-saml-provider") {
		t.Errorf("with IdP metadata: %+v", sk)
	}
	sk = skippedOf(lintExample(t, Example{Transform: "encrypt", Edits: acs, NoAnchors: true}), "aws/provider-encryption")
	if sk == nil || sk.Because != "" || !strings.Contains(sk.Reason, "get-saml-provider") {
		t.Errorf("without metadata: %+v", sk)
	}
}
