package format

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/samllint/samllint/internal/test/testkit"
	"github.com/samllint/samllint/lint"
)

// TestTextEscapesCapture: what the text report echoes from a capture
// cannot drive the terminal. A HAR whose reply redirects to a URL carrying
// OSC and CSI sequences, and a Recipient with an 8-bit CSI and a
// right-to-left override, print as escapes; samllint's own colours still
// print as colours, and JSON keeps the values exact.
func TestTextEscapesCapture(t *testing.T) {
	evil := "https://eu-west-2.signin.aws.amazon.com/saml\u009b31m\u202e"
	xml := strings.ReplaceAll(string(testkit.UnsignedSample(t)), `Recipient="https://signin.aws.amazon.com/saml"`, `Recipient="`+evil+`"`)
	signed, err := testkit.SignResponse(testkit.LoadKeyPair(t, "idp"), []byte(xml), testkit.SignOptions{Assertion: true, Response: true})
	if err != nil {
		t.Fatal(err)
	}
	har, _ := json.Marshal(map[string]any{"log": map[string]any{"entries": []any{map[string]any{
		"startedDateTime": "2026-11-20T10:00:05.000Z",
		"request": map[string]any{"method": "POST", "url": "https://signin.aws.amazon.com/saml",
			"postData": map[string]any{"params": []any{map[string]string{"name": "SAMLResponse", "value": base64.StdEncoding.EncodeToString(signed)}}}},
		"response": map[string]any{"status": 302, "statusText": "Found", "redirectURL": "https://x.example/\x1b]0;pwned\x07\x1b[31m"},
	}}}})
	results, err := lint.Lint(har, nil, lint.Options{Name: "evil.har"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	text := NewText(&out)
	text.Color = true
	for _, r := range results {
		text.Result(r)
	}
	text.Finish(nil)
	s := out.String()
	for _, raw := range []string{"\x1b]", "\x07", "\x1b[31m", "\u009b", "\u202e"} {
		if strings.Contains(s, raw) {
			t.Errorf("raw %q from the capture reached the terminal:\n%s", raw, s)
		}
	}
	for _, esc := range []string{`\x1b]0;pwned\x07`, `\u009b`, `\u202e`} {
		if !strings.Contains(s, esc) {
			t.Errorf("want %s shown escaped:\n%s", esc, s)
		}
	}
	if !strings.Contains(s, "\x1b[1;31m") && !strings.Contains(s, "\x1b[1;33m") {
		t.Errorf("samllint's own colours are gone:\n%q", s)
	}
	var js bytes.Buffer
	if err := JSON(&js, &Run{Results: results}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), `\u009b31m\u202e`) && !strings.Contains(js.String(), "\u009b31m\u202e") {
		t.Errorf("JSON does not keep the value exact:\n%s", js.String())
	}
}
