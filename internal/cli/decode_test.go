package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecodeText(t *testing.T) {
	code, out, errs := runCLI(t, "", "decode", "--metadata", repo("testdata", "metadata", "okta-idp-metadata.xml"), repo("testdata", "assertions", "okta-connect.b64"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"  decoded                      base64 → xml",
		"  Issuer (Response)            http://www.okta.com/exk1fxph8bAbCdEf0h7",
		"  NameID                       jane.doe@example.com",
		"  SubjectConfirmation[1] Recipient\n                               https://signin.aws.amazon.com/saml",
		"  Audiences                    urn:amazon:webservices",
		"arn:aws:iam::123456789012:role/ConnectAgent,arn:aws:iam::123456789012:saml-provider/Okta",
		"  Signature[2] verdict         valid — verifies with trusted certificate",
		"the consumed assertion /Response/Assertion[1] is covered by the response and assertion signatures",
		"XML (indented for reading",
		"  <saml2:Assertion",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	golden(t, "decode-okta-connect.txt", out)
}

func TestDecodeJSONHAR(t *testing.T) {
	code, out, errs := runCLI(t, "", "decode", "--format", "json", "--metadata", repo("testdata", "metadata", "okta-idp-metadata.xml"), repo("testdata", "assertions", "okta-connect.har"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Messages []struct {
			Chain   string `json:"chain"`
			Capture struct {
				RelayState *string `json:"relay_state"`
			} `json:"capture"`
			Response *struct {
				Signatures []struct {
					Check struct{ Verdict string } `json:"check"`
				} `json:"signatures"`
			} `json:"response"`
			Coverage struct{ Covered bool } `json:"coverage"`
		} `json:"messages"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Messages) != 2 || doc.Messages[0].Chain != "har → form → url-decode → base64 → xml" || !doc.Messages[1].Coverage.Covered {
		t.Errorf("messages = %+v", doc.Messages)
	}
	if strings.Contains(out, "null") {
		t.Error("JSON output contains null; lists must be []")
	}
	golden(t, "decode-okta-connect-har.json", out)
}

func TestDecodeStdinAndDefaultCommand(t *testing.T) {
	b64, err := os.ReadFile(repo("testdata", "assertions", "okta-connect.b64"))
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"decode", "--no-xml"}, {"decode", "--no-xml", "-"}} {
		code, out, errs := runCLI(t, string(b64), args...)
		if code != 0 || !strings.Contains(out, "jane.doe@example.com") || strings.Contains(out, "XML (indented") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	dir := t.TempDir()
	sp := filepath.Join(dir, "aws.xml")
	os.WriteFile(sp, []byte(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:amazon:webservices"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>`), 0o644)
	cases := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"garbage", "%%%not a saml response", []string{"decode"}, "<stdin>: url-decode: a malformed percent-escape"},
		{"empty", "", []string{"decode"}, "empty input"},
		{"authn request", `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`, []string{"decode"}, "AuthnRequest"},
		{"missing file", "", []string{"decode", filepath.Join(dir, "nope")}, "cannot read input"},
		{"bad format", "", []string{"decode", "--format", "yaml"}, `--format "yaml": expected text or json`},
		{"unknown flag", "", []string{"decode", "--frobnicate"}, "flag provided but not defined"},
		{"two inputs", "", []string{"decode", "a", "b"}, "decode takes one input"},
		{"sp metadata", "", []string{"decode", "--metadata", sp, "x"}, "service-provider metadata"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, errs := runCLI(t, c.stdin, c.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(errs, c.want) {
				t.Errorf("stderr %q lacks %q", errs, c.want)
			}
			lines := strings.Split(strings.TrimRight(errs, "\n"), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "samllint: ") {
				t.Errorf("error line %q should start with samllint:", last)
			}
			if len(lines) != 1 {
				t.Errorf("error spans %d lines: %q", len(lines), errs)
			}
		})
	}
}
