package cli

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samllint/samllint/internal/test/testkit"
)

// TestIssuerBoundSigner: given every IdP's metadata, as a batch run or
// the Action is, a response that claims one IdP and carries another's
// signature fails, naming both; signed by its own IdP it passes.
func TestIssuerBoundSigner(t *testing.T) {
	const okta = "http://www.okta.com/exk1fxph8bAbCdEf0h7"
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	idp, evil := testkit.LoadKeyPair(t, "idp"), testkit.LoadKeyPair(t, "idp-rotated")
	a := write("idp-a.xml", testkit.Metadata(okta, idp.Cert))
	b := write("idp-b.xml", testkit.Metadata("http://evil.example", evil.Cert))
	capture := func(p testkit.KeyPair, o testkit.SignOptions) string {
		x, err := testkit.SignResponse(p, testkit.UnsignedSample(t), o)
		if err != nil {
			t.Fatal(err)
		}
		return write(p.Cert.Subject.CommonName+".b64", []byte(base64.StdEncoding.EncodeToString(x)))
	}
	for _, o := range []testkit.SignOptions{{Assertion: true, Response: true}, {Assertion: true}} {
		forged := capture(evil, o)
		code, out, errs := runCLI(t, "", "lint", "--at-issue", "--metadata", a, "--metadata", b, forged)
		if code != 1 || !strings.Contains(out, "saml/signature-untrusted: <") || !strings.Contains(out, `"http://evil.example"`) || !strings.Contains(out, okta) {
			t.Errorf("signed with the other IdP's key (%+v): exit %d\n%s%s", o, code, out, errs)
		}
		_, dec, _ := runCLI(t, "", "decode", "--metadata", a, "--metadata", b, forged)
		if !strings.Contains(dec, "other-issuer") || strings.Contains(dec, "verifies with trusted certificate") {
			t.Errorf("decode calls the other IdP's signature trusted:\n%s", dec)
		}
		genuine := capture(idp, o)
		if code, out, _ := runCLI(t, "", "lint", "--at-issue", "--metadata", b, "--metadata", a, genuine); strings.Contains(out, "signature-untrusted") || code == 2 {
			t.Errorf("signed by its own IdP, with two IdPs' metadata: exit %d\n%s", code, out)
		}
	}
}
