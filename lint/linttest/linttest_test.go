package linttest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samllint/samllint/internal/test/testkit"
)

var update = testkit.Update

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
		{"at_issue: true\nmetdata: [x]\n", `a.case.yaml:2: unknown key "metdata"; expected one of capture, now, at_issue,`},
		{"at_issue: yes please\n", `a.case.yaml:1: the value "yes please" is not true or false`},
		{"metadata:\n  a: b\n", `a.case.yaml:2: a mapping is not a list`},
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

// TestIdPShapes: the golden corpus holds each IdP's shape (Entra and AD
// FS's default namespace and assertion-only signing, Google's
// response-only signing, Keycloak, JumpCloud, OneLogin, Ping, IAM
// Identity Center, Salesforce) twice: correct, which must pass (notes
// allowed), and with a typical fault, which must be named by the rule its
// note gives as "(want RULE)".
func TestIdPShapes(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "assertions", "golden")
	files, _ := filepath.Glob(filepath.Join(dir, "idp-*.case.yaml"))
	shapes := map[string]bool{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".case.yaml")
		t.Run(name, func(t *testing.T) {
			b, _ := os.ReadFile(f)
			note, _, _ := strings.Cut(string(b), "\n")
			out, err := Lint(f)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Outcome  string                            `json:"outcome"`
				Findings []struct{ Rule, Severity string } `json:"findings"`
			}
			if err := json.Unmarshal(firstResult(t, out), &doc); err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(name, "-clean") {
				shapes[strings.TrimSuffix(strings.TrimPrefix(name, "idp-"), "-clean")] = true
				if doc.Outcome != "pass" && doc.Outcome != "notes" {
					t.Errorf("a correct response: %s, %+v", doc.Outcome, doc.Findings)
				}
				return
			}
			_, want, ok := strings.Cut(note, "(want ")
			if !ok {
				t.Fatalf("the note %q names no rule", note)
			}
			want = strings.TrimSuffix(want, ")")
			for _, f := range doc.Findings {
				if f.Rule == want && f.Severity != "info" {
					return
				}
			}
			t.Errorf("%s not reported: %+v", want, doc.Findings)
		})
	}
	for _, s := range []string{"entra", "adfs", "google", "keycloak", "jumpcloud", "onelogin", "ping", "identity-center", "salesforce"} {
		if !shapes[s] {
			t.Errorf("no clean %s shape in the corpus", s)
		}
	}
}

// firstResult is the first result object of a linttest report.
func firstResult(t *testing.T, out []byte) []byte {
	var results []json.RawMessage
	if err := json.Unmarshal(out, &results); err != nil || len(results) == 0 {
		t.Fatalf("unreadable report: %v\n%s", err, out)
	}
	return results[0]
}
