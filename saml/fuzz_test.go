package saml

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Seeds are kept under 12 KB: larger ones stall the coverage-guided
// mutator for tens of seconds without finding more.
//
// FuzzDecode feeds arbitrary bytes through the whole pipeline (decode,
// parse, verify, coverage): it must return or fail with a one-line error,
// never panic or hang.
func FuzzDecode(f *testing.F) {
	xml := sampleXML(f)
	f.Add(xml)
	f.Add([]byte(base64.StdEncoding.EncodeToString(xml)))
	f.Add([]byte("SAMLResponse=" + base64.URLEncoding.EncodeToString(xml) + "&RelayState=x"))
	f.Add([]byte(`{"log":{"entries":[{"request":{"method":"POST","url":"https://signin.aws.amazon.com/saml","postData":{"params":[{"name":"SAMLResponse","value":"PHg%2B"},{"name":"RelayState","value":"x"}]}},"response":{"status":200,"content":{"mimeType":"text/html","text":"<p>Your request included an invalid SAML response</p>"}}}]}}`))
	f.Add([]byte(`{"requests":[{"post":[["SAMLResponse","PHg+"]]}]}`))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`))
	f.Add([]byte("<html><form><input name=SAMLResponse value=PHg+></form></html>"))
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "corpus", "*"))
	for _, p := range files {
		if strings.HasSuffix(p, ".tsv") || strings.HasSuffix(p, ".md") {
			continue
		}
		if b, err := os.ReadFile(p); err == nil && len(b) < 12<<10 {
			f.Add(b)
		}
	}
	anchors := sampleAnchors(f)
	lim := Limits{MaxInput: 1 << 20, MaxXML: 1 << 20, MaxDepth: 64}
	f.Fuzz(func(t *testing.T, in []byte) {
		msgs, err := Read(in, Options{Limits: lim, Anchors: anchors})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error: %q", err)
			}
			return
		}
		for _, m := range msgs {
			if m.Err != nil {
				if strings.Contains(m.Err.Error(), "\n") {
					t.Fatalf("multi-line error: %q", m.Err)
				}
				continue
			}
			m.Response.Coverage()
		}
	})
}

// FuzzSignatures mutates the signed and encrypted fixtures (pretty base64,
// Advice, forged algorithms, RSA-1_5 and 3DES, namespaced IDs…) and runs
// decryption, verification and coverage on each: they must not panic or
// hang, and a covered assertion must be covered by a signature that verifies.
func FuzzSignatures(f *testing.F) {
	for _, fx := range fixtures(f) {
		if len(fx.xml) < 12<<10 {
			f.Add(fx.xml)
		}
	}
	anchors, err := LoadCertificates(testdata(f, "keys", "idp.crt"), "idp.crt")
	if err != nil {
		f.Fatal(err)
	}
	keys, err := LoadPrivateKeys(testdata(f, "keys", "idp.key"))
	if err != nil {
		f.Fatal(err)
	}
	lim := Limits{MaxInput: 1 << 20, MaxXML: 1 << 20, MaxDepth: 64}
	f.Fuzz(func(t *testing.T, xml []byte) {
		r, err := ParseWith(xml, ParseOptions{Limits: lim, DecryptionKeys: keys})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error: %q", err)
			}
			return
		}
		Verify(r, anchors)
		cv := r.Coverage()
		if cv.Covered && len(cv.Via) == 0 {
			t.Fatalf("covered, yet by no signature: %+v", cv)
		}
		for _, p := range cv.Via {
			if !p.Signature.Check.Verdict.Verifies() {
				t.Fatalf("covered by a signature that does not verify: %s", p.Signature.Check.Verdict)
			}
		}
	})
}
