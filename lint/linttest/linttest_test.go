package linttest

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGoldenCorpus runs samllint's own golden captures through linttest,
// as a user's test would run theirs.
func TestGoldenCorpus(t *testing.T) {
	Run(t, filepath.Join("..", "..", "testdata", "assertions", "golden"),
		Options{Update: *update, WantDir: filepath.Join("..", "..", "testdata", "golden", "linttest")})
}

func TestCaseErrors(t *testing.T) {
	dir := t.TempDir()
	sample, _ := os.ReadFile(filepath.Join("..", "..", "testdata", "assertions", "okta-connect.b64"))
	os.WriteFile(filepath.Join(dir, "a.b64"), sample, 0o644)
	for _, c := range []struct{ yaml, want string }{
		{"now: yesterday\n", "now:"},
		{"at_issue: true\nnow: 2026-11-20T10:00:00Z\n", "exclude each other"},
		{"at_issue: true\nmetdata: [x]\n", "field metdata not found"},
		{"at_issue: true\ntrust_policy: missing.json\n", "missing.json"},
	} {
		os.WriteFile(filepath.Join(dir, "a.case.yaml"), []byte(c.yaml), 0o644)
		_, err := Lint(filepath.Join(dir, "a.case.yaml"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.yaml, err, c.want)
		}
	}
}

// TestCaseArgs: a case renders as the flags that reproduce it.
func TestCaseArgs(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "assertions", "golden")
	c, err := ReadCase(filepath.Join(dir, "iam-clean.case.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(c.Args(), " ")
	want := "--at-issue --metadata ../../metadata/okta-idp-metadata.xml --trust-policy iam/role-good.json --permissions-policy iam/connect-good.json --connect-users iam/users.json"
	if got != want {
		t.Errorf("args:\n%s\nwant\n%s", got, want)
	}
}
