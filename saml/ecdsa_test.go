package saml

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	dsig "github.com/russellhaering/goxmldsig"
	"github.com/samllint/samllint/internal/test/testkit"
)

// TestECDSAWithXmlsec1: an ECDSA signature as XML Signature 1.1 writes it
// (r‖s) verifies, on P-256 and P-384, as xmlsec1 verifies it; one that
// xmlsec1 itself made verifies too. goxmldsig's DER form verifies, and is
// named, since xmlsec1 refuses it.
func TestECDSAWithXmlsec1(t *testing.T) {
	needXmlsec1(t)
	unsigned := testkit.UnsignedSample(t)
	for _, c := range []struct{ key, method string }{
		{"idp-ecdsa-p256", dsig.ECDSASHA256SignatureMethod},
		{"idp-ecdsa-p384", dsig.ECDSASHA384SignatureMethod},
	} {
		t.Run(c.key, func(t *testing.T) {
			kp := testkit.LoadKeyPair(t, c.key)
			certPEM := filepath.Join(safeTemp(t), "cert.pem")
			keyPEM := filepath.Join(filepath.Dir(certPEM), "key.pem")
			os.WriteFile(certPEM, testkit.Testdata(t, "keys", c.key+".crt"), 0o644)
			os.WriteFile(keyPEM, testkit.Testdata(t, "keys", c.key+".key"), 0o644)
			anchors, err := LoadCertificates(testkit.Testdata(t, "keys", c.key+".crt"), c.key+".crt")
			if err != nil {
				t.Fatal(err)
			}
			check := func(t *testing.T, xml []byte, wantForm string, xmlsecOK bool) {
				t.Helper()
				r := readVerified(t, xml, anchors)
				file := filepath.Join(safeTemp(t), "m.xml")
				os.WriteFile(file, xml, 0o644)
				for i, s := range r.Signatures {
					if s.Check.Verdict != Valid || s.ValueForm != wantForm {
						t.Errorf("signature %d: %s (%s), form %q; want valid, %q", i+1, s.Check.Verdict, s.Check.Detail, s.ValueForm, wantForm)
					}
					if ok, out := xmlsecVerify(file, certPEM, i+1); ok != xmlsecOK {
						t.Errorf("signature %d: xmlsec1 OK=%v, want %v\n%s", i+1, ok, xmlsecOK, out)
					}
				}
			}
			both := testkit.SignOptions{Assertion: true, Response: true, Method: c.method}
			standard, err := testkit.SignResponse(kp, unsigned, both)
			if err != nil {
				t.Fatal(err)
			}
			check(t, standard, ECDSAConcat, true)

			der := both
			der.ECDSADER = true
			goxmldsigDER, err := testkit.SignResponse(kp, unsigned, der)
			if err != nil {
				t.Fatal(err)
			}
			check(t, goxmldsigDER, ECDSADER, false)

			// xmlsec1 signs the template of an assertion-only signature
			// itself: its digest and value replace ours.
			one, err := testkit.SignResponse(kp, unsigned, testkit.SignOptions{Assertion: true, Method: c.method})
			if err != nil {
				t.Fatal(err)
			}
			tmpl := filepath.Join(safeTemp(t), "tmpl.xml")
			os.WriteFile(tmpl, []byte(blank(string(one), "DigestValue", "SignatureValue")), 0o644)
			out, err := exec.Command("xmlsec1", "--sign", "--privkey-pem", keyPEM+","+certPEM,
				"--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion", tmpl).Output()
			if err != nil {
				t.Fatalf("xmlsec1 --sign: %v", err)
			}
			check(t, out, ECDSAConcat, true)
		})
	}
}

// blank empties the text of every ds:<name> element in xml.
func blank(xml string, names ...string) string {
	for _, n := range names {
		open, end := "<ds:"+n+">", "</ds:"+n+">"
		for i := 0; ; {
			j := strings.Index(xml[i:], open)
			if j < 0 {
				break
			}
			j += i + len(open)
			k := strings.Index(xml[j:], end)
			xml = xml[:j] + xml[j+k:]
			i = j
		}
	}
	return xml
}
