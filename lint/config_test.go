package lint

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const goodConfig = `# team config
expect:
  recipient: https://signin.aws.amazon.com/saml
  account: "123456789012"
skew: 2m
rules:
  disable: [connect/*, saml/weak-algorithm]
  enable: [connect/relay-state-invalid]
  severity:
    aws/destination: error
suppressions:
  - rule: saml/certificate-expired
    reason: rotation scheduled with the IdP team
    expires: 2027-01-31
    match:
      input: "legacy/*.b64"
  - rule: aws/audience
    reason: test IdP
    match:
      issuer: http://www.okta.com/other
`

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig([]byte(goodConfig), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range c.enabledRules() {
		ids = append(ids, r.ID)
		if r.ID == "aws/destination" && r.Severity != Error {
			t.Error("severity override not applied")
		}
	}
	joined := strings.Join(ids, " ")
	if strings.Contains(joined, "saml/weak-algorithm") || strings.Contains(joined, "connect/user-name") || !strings.Contains(joined, "connect/relay-state-invalid") {
		t.Errorf("enabled rules: %s", joined)
	}
	if Lookup("aws/destination").Severity != Warning {
		t.Error("the registry was modified")
	}
	in := &Inputs{Expect: Expect{Account: "999999999999"}}
	in.SetConfig(c)
	if e := in.expect(); e.Recipient != "https://signin.aws.amazon.com/saml" || e.Account != "999999999999" || c.skew != 2*time.Minute {
		t.Errorf("pins given and from the config: %+v, skew %v", e, c.skew)
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"expect:\n  recipent: x\n", `c.yaml:2: unknown key "recipent"`},
		{"rules:\n  disable:\n    - aws/role-missing\n", `c.yaml:3: unknown rule "aws/role-missing"`},
		{"rules:\n  disable: [nope/*]\n", `unknown rule "nope/*"`},
		{"rules:\n  severity:\n    saml/expired: fatal\n", `c.yaml:3: severity "fatal"`},
		{"suppressions:\n  - rule: saml/expired\n", "c.yaml:2: suppression 1 (saml/expired) has no reason"},
		{"suppressions:\n  - rule: saml/expird\n    reason: x\n", `c.yaml:2: suppression 1: unknown rule "saml/expird"`},
		{"suppressions:\n  - rule: saml/expired\n    reason: x\n    expires: next year\n", `expires "next year"`},
		{"skew: soon\n", `c.yaml:1: skew "soon"`},
		{"expect: [\n", "c.yaml"},
	}
	for _, c := range cases {
		_, err := ParseConfig([]byte(c.yaml), "c.yaml")
		var ce *ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: err = %v, want %q", c.yaml, err, c.want)
		}
	}
}

func TestSuppressions(t *testing.T) {
	c, err := ParseConfig([]byte(goodConfig), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	mk := func() *Report {
		rep := &Report{Findings: []Finding{{Rule: "saml/certificate-expired", Severity: Error, Location: xmlAt("/Response/Signature[1]")}, {Rule: "aws/recipient", Severity: Error}}}
		rep.recount()
		return rep
	}
	before := time.Date(2027, 1, 31, 23, 0, 0, 0, time.UTC)
	rep := mk()
	c.suppress(rep, "legacy/okta.b64", "http://www.okta.com/x", before)
	if len(rep.Findings) != 1 || len(rep.Suppressed) != 1 || rep.Summary.Errors != 1 || rep.Summary.Suppressed != 1 {
		t.Fatalf("suppress: %+v", rep)
	}
	if rep.Suppressed[0].Suppressed.Reason != "rotation scheduled with the IdP team" {
		t.Errorf("reason: %+v", rep.Suppressed[0])
	}
	rep = mk()
	c.suppress(rep, "current/okta.b64", "", before)
	if len(rep.Suppressed) != 0 {
		t.Error("input glob ignored")
	}
	notices := c.Notices(before)
	if want := "disables connect/* (8 rules); disables saml/weak-algorithm; suppresses saml/certificate-expired where it matches"; len(notices) == 0 || !strings.Contains(notices[0].Message, want) {
		t.Errorf("the rules-off notice does not say %q: %+v", want, notices)
	}
	if len(notices) != 2 || notices[0].Rule != "config/rules-off" || notices[1].Rule != "config/suppression-unused" || !strings.Contains(notices[1].Location.String(), "c.yaml:17") {
		t.Errorf("notices before expiry: %+v", notices)
	}
	after := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	rep = mk()
	c.suppress(rep, "legacy/okta.b64", "", after)
	if len(rep.Suppressed) != 0 {
		t.Error("an expired suppression still applies")
	}
	notices = c.Notices(after)
	if len(notices) != 3 || notices[1].Rule != "config/suppression-expired" || notices[1].Severity != Warning {
		t.Errorf("notices after expiry: %+v", notices)
	}
}

func TestFindConfig(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b")
	os.MkdirAll(deep, 0o755)
	if FindConfig(deep) != "" {
		t.Skip("a config above the temp dir")
	}
	os.WriteFile(filepath.Join(root, ".samllint.yaml"), []byte("skew: 1m\n"), 0o644)
	if got := FindConfig(deep); got != filepath.Join(root, ".samllint.yaml") {
		t.Errorf("found %q", got)
	}
}

// TestRequireKeepsSignatureRules: a config that disables, lowers or
// suppresses the signature rules cannot let a wrapped (forged) response
// pass a run that requires them; the attempt is an error notice.
func TestRequireKeepsSignatureRules(t *testing.T) {
	for name, cfg := range map[string]string{
		"disabled":   "rules:\n  disable: [saml/*]\n",
		"lowered":    "rules:\n  severity:\n    saml/signature-wrapping: info\n",
		"suppressed": "suppressions:\n  - rule: saml/signature-wrapping\n    reason: trust me\n",
	} {
		t.Run(name, func(t *testing.T) {
			forged := Example{Transform: "wrap-assertion", Files: map[string]string{"config.yaml": cfg}}
			input, in, opts := buildCase(t, forged.toCase())
			if rep := lintOnce(t, input, in, opts); rep.Outcome == OutcomeWillFail {
				t.Fatalf("without a requirement the config should let it pass, for this test to mean anything: %s", rep.Verdict)
			}
			input, in, opts = buildCase(t, forged.toCase())
			if err := in.Config().Require([]string{RequireSignature}, "--require-rules signature"); err != nil {
				t.Fatal(err)
			}
			rep := lintOnce(t, input, in, opts)
			if fs := findingsOf(rep, "saml/signature-wrapping"); len(fs) == 0 || fs[0].Severity != Error {
				t.Errorf("the wrapped response's finding is gone: %s\n%s", rep.Verdict, wantOf(rep))
			}
			notices := &Report{Findings: in.Config().Notices(opts.Now)}
			if fs := findingsOf(notices, "config/rule-required"); len(fs) == 0 || fs[0].Severity != Error {
				t.Errorf("no config/rule-required error: %s", wantOf(notices))
			}
		})
	}
	var c Config
	if err := c.Require([]string{"saml/nonsense"}, "--require-rules"); err == nil {
		t.Error("an unknown rule is required without complaint")
	}
}

func lintOnce(t *testing.T, input []byte, in *Inputs, opts Options) *Report {
	t.Helper()
	res, err := Lint(input, in, opts)
	if err != nil || len(res) != 1 || res[0].Err != nil {
		t.Fatalf("lint: %v %+v", err, res)
	}
	return res[0].Report
}
