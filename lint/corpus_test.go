package lint

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/samllint/samllint/saml"
)

// TestCorpusValidIdPs: real responses from several IdPs, linted at their
// IssueInstant with their paired certificate, produce no error.
func TestCorpusValidIdPs(t *testing.T) {
	g := "russellhaering__gosaml2__providertests__testdata__"
	cases := []struct{ idp, file, cert, key string }{
		{"okta", g + "okta_response.xml", g + "okta_cert.pem", ""},
		{"adfs", g + "adfs_response.b64", g + "adfs_idp_signing_cert.pem", ""},
		{"auth0", g + "auth0_response.xml", g + "auth0_cert.pem", ""},
		{"oracle", g + "oam_response.xml", g + "oam_cert.pem", ""},
		{"ping", g + "pingfed__pfed11_response_01.b64", g + "pingfed__idp.signing.cert", ""},
		{"onelogin", g + "onelogin_response.xml", g + "onelogin_cert.pem", ""},
		{"google", "crewjam__saml__testdata__TestSPCanHandlePlaintextResponse_response", "crewjam__saml__testdata__TestSPCanHandlePlaintextResponse_IDPMetadata", ""},
		{"shibboleth", "crewjam__saml__testdata__SP_SamlResponse", "crewjam__saml__testdata__SP_IDPMetadata", "crewjam__saml__testdata__sp_key.pem"},
		{"okta-encrypted", g + "oktaenc_response.b64", g + "oktaenc_idp_signing_cert.pem", g + "oktaenc_sp_encryption_key.pem"},
	}
	for _, c := range cases {
		t.Run(c.idp, func(t *testing.T) {
			var anchors *saml.Anchors
			var err error
			b := testdata(t, "corpus", c.cert)
			if filepath.Ext(c.cert) == ".pem" || filepath.Ext(c.cert) == ".cert" {
				anchors, err = saml.LoadCertificates(b, c.cert)
			} else {
				anchors, err = saml.LoadMetadata(b, c.cert)
			}
			if err != nil {
				t.Fatal(err)
			}
			var keys []any
			if c.key != "" {
				if keys, err = saml.LoadPrivateKeys(testdata(t, "corpus", c.key)); err != nil {
					t.Fatal(err)
				}
			}
			msgs, err := saml.Read(testdata(t, "corpus", c.file), saml.Options{Anchors: anchors, DecryptionKeys: keys})
			if err != nil || msgs[0].Err != nil {
				t.Fatal(err, msgs[0].Err)
			}
			m := msgs[0]
			rep, err := Run(m, Options{Now: m.Response.IssueInstant.Time.Add(time.Second), Anchors: anchors})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Findings {
				if f.Severity == Error {
					t.Errorf("%s: %s at %s (expected %s, actual %s)", f.Rule, f.Message, f.Path, f.Expected, f.Actual)
				}
			}
		})
	}
}
