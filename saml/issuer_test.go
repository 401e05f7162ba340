package saml

import (
	"encoding/pem"
	"strings"
	"testing"

	"github.com/samllint/samllint/internal/test/testkit"
)

// TestIssuerBinding: a signature verifies only with the certificates of
// the metadata whose entityID its Issuer names. Another IdP's key, given
// with its own metadata, is OtherIssuer and covers nothing; a PEM
// certificate, which names no IdP, is trusted for any Issuer.
func TestIssuerBinding(t *testing.T) {
	const okta = "http://www.okta.com/exk1fxph8bAbCdEf0h7"
	idp, other, third := testkit.LoadKeyPair(t, "idp"), testkit.LoadKeyPair(t, "idp-rotated"), testkit.LoadKeyPair(t, "idp-expired")
	load := func(t *testing.T, name string, md []byte) *Anchors {
		a, err := LoadMetadata(md, name)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := func(t *testing.T) *Anchors { return load(t, "idp-a.xml", testkit.Metadata(okta, idp.Cert)) }
	b := func(t *testing.T) *Anchors {
		return load(t, "idp-b.xml", testkit.Metadata("http://evil.example", other.Cert))
	}
	c := func(t *testing.T) *Anchors {
		return load(t, "idp-c.xml", testkit.Metadata("https://idp-c.example/saml", third.Cert))
	}
	pem := func(t *testing.T, p testkit.KeyPair) *Anchors {
		an, err := LoadCertificates(pemEncode(p.Cert.Raw), "b.pem")
		if err != nil {
			t.Fatal(err)
		}
		return an
	}
	unsigned := testkit.UnsignedSample(t)
	sign := func(t *testing.T, p testkit.KeyPair, o testkit.SignOptions) []byte {
		b, err := testkit.SignResponse(p, unsigned, o)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	both, assertionOnly := testkit.SignOptions{Assertion: true, Response: true}, testkit.SignOptions{Assertion: true}
	for _, tc := range []struct {
		name     string
		signer   testkit.KeyPair
		how      testkit.SignOptions
		anchors  func(t *testing.T) *Anchors
		want     string
		covered  bool
		mentions string
	}{
		{"two IdPs, signed by the other", other, both, func(t *testing.T) *Anchors { return merged(a(t), b(t)) }, "other-issuer,other-issuer", false, `entityID "http://evil.example"`},
		{"two IdPs, assertion only, signed by the other", other, assertionOnly, func(t *testing.T) *Anchors { return merged(a(t), b(t)) }, "other-issuer", false, okta},
		{"three IdPs, signed by the third", third, both, func(t *testing.T) *Anchors { return merged(b(t), a(t), c(t)) }, "other-issuer,other-issuer", false, "idp-c.xml"},
		{"three IdPs, signed by the Issuer's", idp, both, func(t *testing.T) *Anchors { return merged(b(t), c(t), a(t)) }, "valid,valid", true, "idp-a.xml"},
		{"two IdPs, assertion only, signed by the Issuer's", idp, assertionOnly, func(t *testing.T) *Anchors { return merged(a(t), b(t)) }, "valid", true, "idp-a.xml"},
		// Only the other IdP's metadata: the Issuer names none given, so
		// that one is bound (as AWS binds the Role's provider), and
		// saml/issuer-mismatch says the Issuer is not its entityID.
		{"only the other IdP's metadata", other, both, b, "valid,valid", true, "idp-b.xml"},
		{"a PEM certificate trusts any Issuer", other, both, func(t *testing.T) *Anchors { return merged(a(t), pem(t, other)) }, "valid,valid", true, "b.pem"},
		{"signed by nobody's key", third, both, func(t *testing.T) *Anchors { return merged(a(t), b(t)) }, "untrusted,untrusted", false, "embedded certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := readVerified(t, sign(t, tc.signer, tc.how), tc.anchors(t))
			checkSignatures(t, r, tc.want, tc.covered)
			if d := r.Signatures[0].Check.Detail; !strings.Contains(d, tc.mentions) {
				t.Errorf("detail %q does not mention %q", d, tc.mentions)
			}
			if got := r.Signatures[0].Check.Issuer; got != okta {
				t.Errorf("bound to issuer %q, want %q", got, okta)
			}
		})
	}
}

func merged(as ...*Anchors) *Anchors {
	out := &Anchors{}
	for _, a := range as {
		out.Add(a)
	}
	return out
}

func pemEncode(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
