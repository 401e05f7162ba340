package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiffGolden: "why does it work for Alice and not for Bob" on captures
// of the golden corpus, in text and JSON; -update rewrites
// testdata/golden/diff.
func TestDiffGolden(t *testing.T) {
	t.Chdir(repo("testdata", "assertions", "golden"))
	meta := "../../metadata/okta-idp-metadata.xml"
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"provider-only-vs-clean", []string{"--metadata", meta, "role-provider-only.har#2", "clean-connect.form"}, 1},
		{"session-name-typo-vs-clean", []string{"--metadata", meta, "session-name-typo.b64", "clean-connect.form"}, 1},
		{"one-har-two-sign-ins", []string{"--metadata", meta, "role-provider-only.har#1", "role-provider-only.har#2"}, 1},
		{"same", []string{"--metadata", meta, "clean-connect.form", "clean-connect.form"}, 0},
		{"same-all", []string{"--all", "--metadata", meta, "clean-connect.form", "clean-connect.form"}, 0},
	}
	for _, c := range cases {
		for _, format := range []string{"text", "json"} {
			args := append([]string{"diff", "--format", format}, c.args...)
			code, out, errs := runCLI(t, "", args...)
			if code != c.code {
				t.Errorf("%s %s: exit %d, want %d (%s)", c.name, format, code, c.code, errs)
			}
			ext := map[string]string{"text": ".txt", "json": ".json"}[format]
			goldenAbs(t, filepath.Join("..", "..", "golden", "diff", c.name+ext), out)
		}
	}
}

func TestDiffCLI(t *testing.T) {
	t.Chdir(repo("testdata", "assertions", "golden"))
	// Noise stays out unless --all, and --all shows equal fields too.
	_, out, _ := runCLI(t, "", "diff", "--format", "json", "role-provider-only.har#2", "clean-connect.form")
	var doc struct {
		Differences []struct {
			Field string
			Same  bool
			Noise bool
		}
		OnlyA []struct{ Rule string } `json:"only_a"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	fields := map[string]bool{}
	for _, r := range doc.Differences {
		fields[r.Field] = true
		if r.Same || r.Noise {
			t.Errorf("without --all: row %+v", r)
		}
	}
	if !fields["Attribute Role"] || fields["Response ID"] {
		t.Errorf("rows %v: want Attribute Role, not Response ID", fields)
	}
	// The HAR also records AWS's error page for A: aws/capture-outcome.
	var onlyA []string
	for _, f := range doc.OnlyA {
		onlyA = append(onlyA, f.Rule)
	}
	if strings.Join(onlyA, " ") != "aws/role-missing-role-arn aws/capture-outcome" {
		t.Errorf("only_a %v", onlyA)
	}
	_, out, _ = runCLI(t, "", "diff", "--all", "role-provider-only.har#2", "clean-connect.form")
	if !strings.Contains(out, "Response ID") {
		t.Errorf("--all leaves out the IDs:\n%s", out)
	}

	// --redact masks both sides, in both formats.
	for _, format := range []string{"text", "json"} {
		_, out, _ = runCLI(t, "", "diff", "--redact", "--format", format, "role-provider-only.har#2", "clean-connect.form")
		if strings.Contains(out, "123456789012") || !strings.Contains(out, "1##########2") {
			t.Errorf("--redact %s:\n%s", format, out)
		}
		if format == "json" && !json.Valid([]byte(out)) {
			t.Errorf("--redact json is not JSON:\n%s", out)
		}
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"diff", "clean-connect.form"}, "diff takes two captures, got 1"},
		{[]string{"diff", "clean-connect.form", "clean-connect.form#2"}, "holds 1 capture; #2 is not one of them"},
		{[]string{"diff", "--format", "sarif", "clean-connect.form", "clean-connect.form"}, "expected text or json"},
		{[]string{"diff", "clean-connect.form", "missing.b64"}, "missing.b64"},
	} {
		code, _, errs := runCLI(t, "", c.args...)
		if code != 2 || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line containing %q", c.args, code, errs, c.want)
		}
	}
}
