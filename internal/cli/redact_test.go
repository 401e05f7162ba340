package cli

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/samllint/samllint/saml"
)

// originals collects what must never survive --redact: e-mail addresses,
// the NameID, attribute values, account IDs and signature values.
func originals(t *testing.T, input []byte) []string {
	msgs, err := saml.Read(input, saml.Options{})
	if err != nil {
		return nil
	}
	var out []string
	for _, m := range msgs {
		if m.Err != nil {
			continue
		}
		x := string(m.Capture.XML)
		out = append(out, regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}`).FindAllString(x, -1)...)
		out = append(out, regexp.MustCompile(`\b\d{12}\b`).FindAllString(x, -1)...)
		for _, a := range m.Response.Assertions {
			if a.Subject != nil && a.Subject.NameID != nil && len(a.Subject.NameID.Value) >= 4 {
				out = append(out, a.Subject.NameID.Value)
			}
			for _, at := range a.Attributes {
				if !strings.HasPrefix(at.Name, "https://aws.amazon.com/SAML/Attributes/Role") && !strings.HasSuffix(at.Name, "SessionDuration") {
					for _, v := range at.Values {
						if len(v.Value) >= 4 {
							out = append(out, v.Value)
						}
					}
				}
			}
		}
		for _, s := range regexp.MustCompile(`<ds:SignatureValue>([^<]+)<`).FindAllStringSubmatch(x, -1) {
			out = append(out, strings.Join(strings.Fields(s[1]), "")[:40])
		}
		for _, s := range regexp.MustCompile(`<ds:X509Certificate>([^<]+)<`).FindAllStringSubmatch(x, -1) {
			out = append(out, strings.Join(strings.Fields(s[1]), "")[100:160])
		}
	}
	return out
}

// TestRedactEverywhere: for every golden case and every output format,
// --redact leaves no original e-mail, name, attribute value, account ID
// or signature value in the output.
func TestRedactEverywhere(t *testing.T) {
	dir, cases := goldenCases(t)
	t.Chdir(dir)
	for _, c := range cases {
		data, _ := os.ReadFile(c.input)
		secrets := originals(t, data)
		if len(secrets) == 0 {
			continue
		}
		for _, cmd := range [][]string{
			{"lint", "--format", "text"}, {"lint", "--format", "json"}, {"lint", "--format", "sarif"}, {"lint", "--format", "github"},
			{"decode"}, {"decode", "--format", "json"},
		} {
			args := append(append([]string{}, cmd...), "--redact")
			if cmd[0] == "lint" {
				args = append(args, c.args...)
			}
			code, out, errs := runCLI(t, "", append(args, c.input)...)
			if code == 2 {
				t.Fatalf("%s %v: %s", c.name, cmd, errs)
			}
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("%s %v: %q survives --redact", c.name, cmd, s)
				}
			}
			// Masking must not break the document it masks.
			if slices.Contains(cmd, "json") || slices.Contains(cmd, "sarif") {
				if !json.Valid([]byte(out)) {
					t.Errorf("%s %v: --redact output is not valid JSON", c.name, cmd)
				}
			}
		}
	}
	// What stays readable: ARN shape, region, account first and last digits.
	_, out, _ := runCLI(t, "", "lint", "--redact", "--at-issue", "role-cross-account.b64")
	for _, want := range []string{"arn:aws:iam::1##########2:role/ConnectAgent", "provider in 2##########1"} {
		if !strings.Contains(out, want) {
			t.Errorf("redacted output lacks %q:\n%s", want, out)
		}
	}
}
