package cli

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestLintExitCodesAndFailOn(t *testing.T) {
	md := repo("testdata", "metadata", "okta-idp-metadata.xml")
	clean := repo("testdata", "assertions", "golden", "clean-connect.form")
	warn := repo("testdata", "assertions", "golden", "sha1.xml")
	bad := repo("testdata", "assertions", "okta-role-provider-only.b64")
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"--at-issue", "--metadata", md, clean}, 0},
		{[]string{"--at-issue", "--metadata", md, bad}, 1},
		{[]string{"--at-issue", "--metadata", md, "--fail-on", "none", bad}, 0},
		{[]string{"--at-issue", "--metadata", md, warn}, 0},
		{[]string{"--at-issue", "--metadata", md, "--fail-on", "warning", warn}, 1},
		{[]string{"--at-issue", "--metadata", md, clean, bad}, 1},
		{[]string{"--now", "2026-11-20T10:01:00Z", "--metadata", md, "--format", "json", bad}, 1},
		{[]string{"--now", "yesterday", bad}, 2},
		{[]string{"--now", "2026-11-20T10:01:00Z", "--at-issue", bad}, 2},
		{[]string{"--fail-on", "fatal", bad}, 2},
		{[]string{"--format", "xml", bad}, 2},
		{[]string{"--at-issue", repo("testdata", "corpus", "CompassSecurity__SAMLRaider__scripts__samltest__xxe_test.xml")}, 2},
	}
	for _, c := range cases {
		code, _, errs := runCLI(t, "", append([]string{"lint"}, c.args...)...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d (%s)", c.args, code, c.code, errs)
		}
		if code == 2 && (!strings.HasPrefix(errs, "samllint: ") || strings.Count(strings.TrimSpace(errs), "\n") > 1) {
			t.Errorf("%v: stderr should be samllint: lines, got %q", c.args, errs)
		}
	}
	// plain "samllint FILE" is lint
	code, out, _ := runCLI(t, "", "--at-issue", "--metadata", md, bad)
	if code != 1 || !strings.Contains(out, "aws/role-missing-role-arn") {
		t.Errorf("default command: exit %d\n%s", code, out)
	}
}

func TestLintJSONShape(t *testing.T) {
	md := repo("testdata", "metadata", "okta-idp-metadata.xml")
	_, out, _ := runCLI(t, "", "lint", "--format", "json", "--at-issue", "--metadata", md,
		repo("testdata", "assertions", "okta-connect.har"), repo("testdata", "assertions", "golden", "unsigned.txt"))
	var doc struct {
		Version int `json:"version"`
		Results []struct {
			Input, Verdict string
			Capture        int
		} `json:"results"`
		Findings []map[string]any `json:"findings"`
		Skipped  []map[string]any `json:"skipped"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != 2 || len(doc.Results) != 3 {
		t.Fatalf("want 3 results (two HAR captures, one file), got %+v", doc.Results)
	}
	if doc.Results[1].Capture != 2 || !strings.HasPrefix(doc.Results[1].Verdict, "sign-in will fail") {
		t.Errorf("second HAR capture: %+v", doc.Results[1])
	}
	for _, f := range doc.Findings {
		for _, k := range []string{"input", "capture", "rule", "severity", "message", "location", "expected", "actual", "fix"} {
			if _, ok := f[k]; !ok {
				t.Errorf("finding lacks %q: %v", k, f)
			}
		}
	}
	if strings.Contains(out, "null") {
		t.Error("null in JSON output")
	}
	if strings.Contains(out, "order") || strings.Contains(out, "\"seq\"") {
		t.Error("internal fields leaked into JSON")
	}
}

func TestLintColor(t *testing.T) {
	// Not a terminal: no escape codes whatever NO_COLOR says.
	md := repo("testdata", "metadata", "okta-idp-metadata.xml")
	_, out, _ := runCLI(t, "", "lint", "--at-issue", "--metadata", md, repo("testdata", "assertions", "okta-role-provider-only.b64"))
	if strings.Contains(out, "\x1b[") {
		t.Error("colour codes in non-terminal output")
	}
	if colorOK(os.Stdout) && os.Getenv("NO_COLOR") != "" {
		t.Error("NO_COLOR ignored")
	}
}

func TestRulesAndExplain(t *testing.T) {
	code, out, _ := runCLI(t, "", "rules")
	if code != 0 || !strings.Contains(out, "aws/role-missing-role-arn") || strings.Count(out, "\n") < 30 {
		t.Errorf("rules: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "", "explain", "connect/relay-state-invalid")
	if code != 0 || !strings.Contains(out, "connect/federate/<instance-id>") {
		t.Errorf("explain: exit %d\n%s", code, out)
	}
	code, _, errs := runCLI(t, "", "explain", "relay-state-invalid")
	if code != 2 || !strings.Contains(errs, "did you mean connect/relay-state-invalid") {
		t.Errorf("explain near-miss: exit %d %q", code, errs)
	}
	md, err := os.ReadFile(repo("docs", "rules.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, out, _ = runCLI(t, "", "rules", "--format", "markdown")
	if out != string(md) {
		t.Error("samllint rules --format markdown differs from docs/rules.md")
	}
}

// TestCaptureClock: a HAR records when each message was posted, and that
// is the evaluation time without any flag. A sign-in AWS accepted a week
// (or a year) ago lints clean; one posted 7 minutes after issue is too
// old, whenever it is linted.
func TestCaptureClock(t *testing.T) {
	md := repo("testdata", "metadata", "okta-idp-metadata.xml")
	_, out, _ := runCLI(t, "", "lint", "--format", "json", "--metadata", md, repo("testdata", "assertions", "okta-connect.har"))
	var doc struct {
		Results []struct {
			Clock   struct{ Time, Source string }
			Outcome string
		}
		Findings []struct {
			Capture int
			Rule    string
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	// The first sign-in is clean, and the HAR shows AWS accepted it (a
	// note); the second is refused, as its reply page says.
	if len(doc.Results) != 2 || doc.Results[0].Clock.Source != "posted" || doc.Results[0].Clock.Time != "2026-11-20T10:00:01Z" || doc.Results[0].Outcome != "notes" {
		t.Errorf("the accepted sign-in: %+v", doc.Results)
	}
	for _, f := range doc.Findings {
		if f.Rule != "aws/capture-outcome" && (f.Capture == 1 || f.Rule != "aws/role-missing-role-arn") {
			t.Errorf("unexpected finding %+v", f)
		}
	}
	code, out, _ := runCLI(t, "", "lint", "--metadata", md, repo("testdata", "assertions", "golden", "too-old.har"))
	if code != 1 || !strings.Contains(out, "aws/assertion-too-old: issued 7m before the evaluation time") || !strings.Contains(out, "when the browser posted it") {
		t.Errorf("too-old.har: exit %d\n%s", code, out)
	}
	// A base64 paste records no post time: judged at IssueInstant + 1
	// minute, never "expired" for being old.
	code, out, _ = runCLI(t, "", "lint", "--metadata", md, repo("testdata", "assertions", "okta-connect.b64"))
	if code != 0 || !strings.Contains(out, "IssueInstant + 1 minute: the capture is") || strings.Contains(out, "saml/expired") {
		t.Errorf("an old paste: exit %d\n%s", code, out)
	}
}
