package lint

import (
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"github.com/samllint/samllint/internal/test/testkit"
)

// lintXML lints a signed response as it is, with the sample's metadata,
// at its IssueInstant.
func lintXML(t *testing.T, xml string) *Report {
	t.Helper()
	in := &Inputs{}
	if err := in.Add(InputMetadata, "okta-idp-metadata.xml", testdata(t, "metadata", "okta-idp-metadata.xml")); err != nil {
		t.Fatal(err)
	}
	res, err := Lint([]byte(base64.StdEncoding.EncodeToString([]byte(xml))), in, Options{AtIssue: true})
	if err != nil {
		t.Fatal(err)
	}
	return res[0].Report
}

// The expected values and fixes that once sent admins the wrong way, one
// test each, with a row that must be caught and a row that must not be.

const (
	instance = "4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34"
	caRelay  = "https://ca-central-1.console.aws.amazon.com/connect/federate/" + instance
	acsUUID  = "SAMLSPD9IMTW2LM46J042K"
)

func dest(v string) Edit {
	return Edit{`Destination="https://signin.aws.amazon.com/saml"`, `Destination="` + v + `"`}
}

// only returns the one finding of rule, failing otherwise.
func only(t *testing.T, rep *Report, rule string) Finding {
	t.Helper()
	fs := findingsOf(rep, rule)
	if len(fs) != 1 {
		t.Fatalf("%d %s findings, want 1:\n%s", len(fs), rule, wantOf(rep))
	}
	return fs[0]
}

// A Recipient that is not an AWS endpoint is the fault; the Destination
// that is one is right, and is what the Recipient should be.
func TestDestinationNotBlamedForRecipient(t *testing.T) {
	okta := recip("https://example.okta.com/sso/saml2/0oa1")
	catchesNot(t, "aws/destination", []row{
		{"Recipient the IdP's URL", Example{Edits: okta}, 0},
		{"Recipient the audience", Example{Edits: recip("urn:amazon:webservices")}, 0},
	})
	if f := only(t, lintExample(t, Example{Edits: okta, RelayState: caRelay}), "aws/recipient"); f.Expected != "https://signin.aws.amazon.com/saml" {
		t.Errorf("aws/recipient expects %q, want the Destination in use", f.Expected)
	}
	catches(t, "aws/destination", []row{{"Destination regional, Recipient global", Example{Edits: []Edit{dest("https://eu-west-2.signin.aws.amazon.com/saml")}}, Warning}})
	if f := only(t, lintExample(t, Example{Edits: []Edit{dest("https://eu-west-2.signin.aws.amazon.com/saml")}}), "aws/destination"); f.Expected != "https://signin.aws.amazon.com/saml" {
		t.Errorf("aws/destination expects %q, want the Recipient", f.Expected)
	}
}

// The endpoint in use is kept, without its fault; the fix says SAML:aud.
func TestRecipientKeepsEndpointInUse(t *testing.T) {
	for _, c := range []struct{ name, recipient, want string }{
		{"trailing slash, Connect in another region", "https://signin.aws.amazon.com/saml/", "https://signin.aws.amazon.com/saml"},
		{"regional, trailing slash", "https://eu-west-2.signin.aws.amazon.com/saml/", "https://eu-west-2.signin.aws.amazon.com/saml"},
		{"http", "http://signin.aws.amazon.com/saml", "https://signin.aws.amazon.com/saml"},
		{"upper case host", "https://SIGNIN.aws.amazon.com/saml", "https://signin.aws.amazon.com/saml"},
		{"provider-specific, trailing slash", "https://signin.aws.amazon.com/saml/acs/" + acsUUID + "/", "https://signin.aws.amazon.com/saml/acs/" + acsUUID},
	} {
		t.Run(c.name, func(t *testing.T) {
			ex := Example{Edits: append(recip(c.recipient), dest(c.recipient)), RelayState: caRelay}
			rep := lintExample(t, ex)
			for _, rule := range []string{"aws/recipient", "aws/destination"} {
				f := only(t, rep, rule)
				if f.Expected != c.want || !strings.Contains(f.Fix, c.want) || !strings.Contains(f.Fix, "SAML:aud") {
					t.Errorf("%s: expected %q, fix %q; want %s and SAML:aud", rule, f.Expected, f.Fix, c.want)
				}
			}
		})
	}
	catchesNot(t, "aws/recipient", []row{{"global, Connect in another region", Example{RelayState: caRelay}, 0}})
}

// An encrypted assertion needs its provider-specific path, in whatever
// region Connect recommends.
func TestRegionMismatchKeepsProviderPath(t *testing.T) {
	files := map[string]string{"metadata.json": getSAMLProvider(t, "Required", 1, acsUUID), "key.pem": string(testdata(t, "keys", "idp.key"))}
	rep := lintExample(t, Example{Transform: "encrypt", Edits: toACS(acsUUID), RelayState: caRelay, Files: files})
	f := only(t, rep, "connect/region-mismatch")
	if want := "https://ca-central-1.signin.aws.amazon.com/saml/acs/" + acsUUID; f.Expected != want || !strings.Contains(f.Fix, want) {
		t.Errorf("expected %q, fix %q; want %s", f.Expected, f.Fix, want)
	}
	// The Recipient without the provider's path is named too, once decrypted.
	rep = lintExample(t, Example{Transform: "encrypt", Edits: []Edit{dest("https://signin.aws.amazon.com/saml/acs/" + acsUUID)}, Files: files})
	if fs := findingsOf(rep, "saml/assertion-encrypted"); len(fs) != 1 || !strings.HasSuffix(fs[0].Location.Path, "/@Recipient") || fs[0].Expected != "https://signin.aws.amazon.com/saml/acs/"+acsUUID {
		t.Errorf("Recipient not provider-specific: %+v", fs)
	}
	catchesNot(t, "connect/region-mismatch", []row{{"encrypted, instance in us-east-1", Example{Transform: "encrypt", Edits: toACS(acsUUID), RelayState: sampleRelay, Files: files}, 0}})
}

// A region AWS does not list is never called valid, nor its endpoint
// suggested.
func TestNoEndpointForUnknownRegion(t *testing.T) {
	bad := Example{RelayState: "https://us-east-7.console.aws.amazon.com/connect/federate/" + instance}
	catchesNot(t, "connect/region-mismatch", []row{{"us-east-7", bad, 0}})
	catches(t, "connect/relay-state-invalid", []row{{"us-east-7", bad, 0}})
	for _, f := range lintExample(t, bad).Findings {
		if strings.Contains(f.Expected+f.Fix, "us-east-7.signin") {
			t.Errorf("%s suggests a sign-in endpoint in us-east-7: %s / %s", f.Rule, f.Expected, f.Fix)
		}
	}
	notes(t, "connect/region-mismatch", []row{{"ca-central-1", Example{RelayState: caRelay}, 0}})
}

// A RelayState without a region is us-east-1's console: no expected value
// that means the same as what was sent.
func TestRegionlessRelayState(t *testing.T) {
	regionless := "https://console.aws.amazon.com/connect/federate/" + instance
	f := only(t, lintExample(t, Example{RelayState: regionless}), "connect/relay-state-invalid")
	if f.Severity != Warning || strings.Contains(f.Expected, "us-east-1") {
		t.Errorf("regionless: %s, expected %q", f.Severity, f.Expected)
	}
	elsewhere := Example{RelayState: regionless, Files: map[string]string{"config.yaml": "expect:\n  region: eu-west-2\n"}}
	if f := only(t, lintExample(t, elsewhere), "connect/relay-state-invalid"); f.Expected != federateURL("eu-west-2", instance) || f.Severity != Error {
		t.Errorf("regionless, instance in eu-west-2: %s %q", f.Severity, f.Expected)
	}
	catchesNot(t, "connect/relay-state-invalid", []row{{"regionless, instance in us-east-1", Example{RelayState: regionless, Files: map[string]string{"config.yaml": "expect:\n  region: us-east-1\n"}}, 0}})
}

// The second-level status code says why the IdP refused.
func TestStatusSecondLevel(t *testing.T) {
	refused := Example{Edits: edit(`<saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>`,
		`<saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Requester"><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:RequestDenied"/></saml2p:StatusCode>`)}
	if f := only(t, lintExample(t, refused), "saml/status-not-success"); !strings.Contains(f.Message, "RequestDenied (Requester)") {
		t.Errorf("message %q", f.Message)
	}
	catchesNot(t, "saml/status-not-success", []row{{"Success", Example{}, 0}})
}

// Re-indented after signing: the key is right, and the message says so.
func TestReindentedMessage(t *testing.T) {
	padded := strings.Replace(string(testkit.SampleXML(t)), ">jane.doe@example.com</saml2:AttributeValue>", ">\n        jane.doe@example.com\n      </saml2:AttributeValue>", 1)
	fs := findingsOf(lintXML(t, padded), "saml/signature-invalid")
	if len(fs) == 0 {
		t.Fatal("not reported")
	}
	for _, f := range fs {
		if !strings.Contains(f.Message, "re-indented after it was signed (whitespace around values)") || strings.Contains(f.Fix, "Compare") {
			t.Errorf("%s / %s", f.Message, f.Fix)
		}
	}
	edited := Example{EditsSigned: edit(">jane.doe@example.com</saml2:AttributeValue>", ">john.doe@example.com</saml2:AttributeValue>")}
	for _, f := range findingsOf(lintExample(t, edited), "saml/signature-invalid") {
		if strings.Contains(f.Message, "re-indented") {
			t.Errorf("an edit called re-indenting: %s", f.Message)
		}
	}
}

// A duplicate ID is named; the fix reads as English whatever the IdP.
func TestDuplicateIDNamed(t *testing.T) {
	dup := Example{EditsSigned: edit(`<saml2p:Status>`, `<saml2p:Extensions><x xmlns="urn:x" ID="_a1b2c3assertion"/></saml2p:Extensions><saml2p:Status>`),
		Edits: edit(`>http://www.okta.com/exk1fxph8bAbCdEf0h7<`, `>https://idp.example.org/<`), NoAnchors: true}
	fs := findingsOf(lintExample(t, dup), "saml/signature-wrapping")
	if len(fs) == 0 {
		t.Fatal("not reported")
	}
	for _, f := range fs {
		if !strings.Contains(f.Message, `"_a1b2c3assertion"`) || strings.Contains(f.Fix, "a genuine the") {
			t.Errorf("%s / %s", f.Message, f.Fix)
		}
	}
	catchesNot(t, "saml/signature-wrapping", []row{{"unique IDs", Example{}, 0}})
}

// What a certificate or digest value is, said for what it is.
func TestSignatureValueWords(t *testing.T) {
	notCert := Example{NoAnchors: true, EditsSigned: []Edit{{"<ds:X509Certificate>", "<ds:X509Certificate>blahblah"}}}
	rep := lintExample(t, notCert)
	if s := skippedOf(rep, "saml/signature-invalid"); s == nil || !strings.Contains(s.Because, "is not a certificate") {
		t.Errorf("skipped: %+v", s)
	}
	xml := regexp.MustCompile(`<ds:DigestValue>[^<]*</ds:DigestValue>`).ReplaceAllString(string(testkit.SampleXML(t)), "<ds:DigestValue></ds:DigestValue>")
	for _, f := range findingsOf(lintXML(t, xml), "saml/signature-invalid") {
		if !strings.Contains(f.Actual, "DigestValue of Reference[1] is empty") {
			t.Errorf("empty DigestValue: %s", f.Actual)
		}
	}
}

// Times that contradict each other get their own finding, and no clock is
// blamed for them.
func TestTimeOrder(t *testing.T) {
	inverted := Example{Edits: edit(`<saml2:Conditions NotBefore="2026-11-20T09:55:00.000Z"`, `<saml2:Conditions NotBefore="2026-11-20T11:55:00.000Z"`)}
	catches(t, "saml/time-order", []row{
		{"inverted window", inverted, 0},
		{"issued after NotOnOrAfter", Example{Edits: edit(`ID="_a1b2c3assertion" IssueInstant="2026-11-20T10:00:00.000Z"`, `ID="_a1b2c3assertion" IssueInstant="2027-10-20T10:00:00.000Z"`)}, 0},
	})
	catchesNot(t, "saml/time-order", []row{{"the window IdPs write", Example{}, 0}, {"IssueInstant at NotBefore", Example{Edits: edit(`ID="_a1b2c3assertion" IssueInstant="2026-11-20T10:00:00.000Z"`, `ID="_a1b2c3assertion" IssueInstant="2026-11-20T09:55:00.000Z"`)}, 0}})
	rep := lintExample(t, Example{Edits: inverted.Edits, After: "2h"})
	for _, rule := range []string{"saml/expired", "saml/not-yet-valid"} {
		if fs := findingsOf(rep, rule); len(fs) > 0 {
			t.Errorf("inverted window also blamed on a clock: %s %s", rule, fs[0].Message)
		}
	}
	// Eleven months ahead of the evaluation time: the IdP clock or the
	// evaluation time is wrong.
	future := Example{Edits: edit(`ID="_a1b2c3assertion" IssueInstant="2026-11-20T10:00:00.000Z"`, `ID="_a1b2c3assertion" IssueInstant="2027-10-20T10:00:00.000Z"`)}
	if f := only(t, lintExample(t, future), "saml/not-yet-valid"); f.Severity != Warning || !strings.HasSuffix(f.Location.Path, "Assertion[1]/@IssueInstant") {
		t.Errorf("future IssueInstant: %s at %s", f.Severity, f.Location)
	}
	catchesNot(t, "saml/not-yet-valid", []row{{"issued within the skew", Example{After: "-4m"}, 0}})
}

// A value that is no time is not told to end in Z.
func TestTimeNotATime(t *testing.T) {
	bad := Example{Edits: edit(`IssueInstant="2026-11-20T10:00:00.000Z" Version="2.0"><saml2:Issuer xmlns:saml2`, `IssueInstant="16=7:00:00" Version="2.0"><saml2:Issuer xmlns:saml2`)}
	f := only(t, lintExample(t, bad), "saml/time-invalid")
	if !strings.Contains(f.Message, "is not a time") || strings.Contains(f.Fix, "ending in Z") {
		t.Errorf("%s / %s", f.Message, f.Fix)
	}
	zoneless := Example{Edits: edit(`IssueInstant="2026-11-20T10:00:00.000Z" Version="2.0"><saml2:Issuer xmlns:saml2`, `IssueInstant="2026-11-20T10:00:00" Version="2.0"><saml2:Issuer xmlns:saml2`)}
	if f := only(t, lintExample(t, zoneless), "saml/time-invalid"); f.Expected != "2026-11-20T10:00:00Z" {
		t.Errorf("zoneless: expected %q", f.Expected)
	}
	catchesNot(t, "saml/time-invalid", []row{{"UTC with Z", Example{}, 0}})
}

// The pair keeps the IdP's order: AWS takes either.
func TestRolePairOrderKept(t *testing.T) {
	spaced := Example{Edits: role(" " + provA + " , " + roleA + " ")}
	f := only(t, lintExample(t, spaced), "aws/role-arn-malformed")
	if f.Expected != provA+","+roleA {
		t.Errorf("expected %q, want the provider first as sent", f.Expected)
	}
	catchesNot(t, "aws/role-arn-malformed", []row{{"provider first, no spaces", Example{Edits: role(provA + "," + roleA)}, 0}})
}

// A signer the metadata does not hold: a rotation, or not your IdP.
func TestUnknownSignerBothReadings(t *testing.T) {
	for _, f := range findingsOf(lintExample(t, Example{Key: "rotated"}), "saml/signature-untrusted") {
		if !strings.Contains(f.Fix, "rotated") || !strings.Contains(f.Fix, "not signed by your IdP") {
			t.Errorf("fix %q", f.Fix)
		}
	}
	catchesNot(t, "saml/signature-untrusted", []row{{"the metadata's key", Example{}, 0}})
}

// "Signed nothing here" is said only when a signature shows who signed.
func TestSignedNothingOnlyWhenKnown(t *testing.T) {
	md := testkit.Metadata("http://www.okta.com/exk1fxph8bAbCdEf0h7", testkit.LoadKeyPair(t, "idp").Cert, testkit.LoadKeyPair(t, "idp-expired").Cert)
	files := map[string]string{"metadata.xml": string(md)}
	tampered := Example{Files: files, EditsSigned: edit(">jane.doe@example.com</saml2:AttributeValue>", ">john.doe@example.com</saml2:AttributeValue>")}
	for _, f := range findingsOf(lintExample(t, tampered), "saml/certificate-expired") {
		if strings.Contains(f.Message, "signed nothing") {
			t.Errorf("every signature tampered with, yet: %s", f.Message)
		}
	}
	notes(t, "saml/certificate-expired", []row{{"signed by the current key", Example{Files: files}, 0}})
}

// An error Response without an assertion is not also called unsigned.
func TestErrorResponseNotUnsigned(t *testing.T) {
	catchesNot(t, "saml/unsigned", []row{{"refusal without assertion", Example{Sign: "none", Transform: "remove-assertion"}, 0}})
	catches(t, "saml/unsigned", []row{{"assertion, no signature", Example{Sign: "none"}, 0}})
}

// 3DES on an AWS capture is aws/provider-encryption's error, reported
// once: not also skipped, and not contradicted by saml/weak-algorithm.
func TestTripleDESOnAWS(t *testing.T) {
	rep := lintExample(t, Example{Transform: "encrypt-weak", Files: map[string]string{"key.pem": string(testdata(t, "keys", "idp.key"))}})
	only(t, rep, "aws/provider-encryption")
	if s := skippedOf(rep, "aws/provider-encryption"); s != nil {
		t.Errorf("reported and skipped: %+v", s)
	}
	for _, f := range findingsOf(rep, "saml/weak-algorithm") {
		if strings.Contains(f.Actual, "tripledes") {
			t.Errorf("weak-algorithm names 3DES on an AWS capture: %s", f.Actual)
		}
	}
	if w := Lookup("saml/weak-algorithm"); strings.Contains(w.Title, "or 3DES encryption") || !strings.Contains(w.Why, "aws/provider-encryption") {
		t.Errorf("saml/weak-algorithm's docs disagree with aws/provider-encryption: %s / %s", w.Title, w.Why)
	}
}

// No rule is both reported and listed as skipped, in any example.
func TestFindingsOrSkipped(t *testing.T) {
	for _, r := range Rules() {
		if r.Check == nil {
			continue
		}
		ex, err := exampleOf(r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []exampleCase{ex.bad, ex.good} {
			input, in, opts := buildCase(t, c)
			res, err := Lint(input, in, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range res[0].Report.Skipped {
				if len(findingsOf(res[0].Report, s.Rule)) > 0 {
					t.Errorf("%s example: %s reported and skipped (%s)", r.ID, s.Rule, s.Reason)
				}
			}
		}
	}
}
