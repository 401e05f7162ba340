package lint

import (
	"path/filepath"
	"testing"
	"time"
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
			in := &Inputs{}
			kind := InputMetadata
			if filepath.Ext(c.cert) == ".pem" || filepath.Ext(c.cert) == ".cert" {
				kind = InputCertificate
			}
			if err := in.Add(kind, c.cert, testdata(t, "corpus", c.cert)); err != nil {
				t.Fatal(err)
			}
			if c.key != "" {
				if err := in.Add(InputKey, c.key, testdata(t, "corpus", c.key)); err != nil {
					t.Fatal(err)
				}
			}
			results, err := Lint(testdata(t, "corpus", c.file), in, Options{AtIssue: true})
			if err != nil || results[0].Err != nil {
				t.Fatal(err, results[0].Err)
			}
			rep := results[0].Report
			if rep.Clock.Source != ClockIssued {
				t.Errorf("clock %+v", rep.Clock)
			}
			_ = time.Second
			for _, f := range rep.Findings {
				if f.Severity == Error {
					t.Errorf("%s: %s at %s (expected %s, actual %s)", f.Rule, f.Message, f.Location, f.Expected, f.Actual)
				}
			}
		})
	}
}
