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
	if len(notices) != 1 || notices[0].Rule != "config/suppression-unused" || !strings.Contains(notices[0].Location.String(), "c.yaml:17") {
		t.Errorf("notices before expiry: %+v", notices)
	}
	after := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	rep = mk()
	c.suppress(rep, "legacy/okta.b64", "", after)
	if len(rep.Suppressed) != 0 {
		t.Error("an expired suppression still applies")
	}
	notices = c.Notices(after)
	if len(notices) != 2 || notices[0].Rule != "config/suppression-expired" || notices[0].Severity != Warning {
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
