package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocsUpToDate: docs/rules.md is generated from the registry.
func TestDocsUpToDate(t *testing.T) {
	path := filepath.Join("..", "docs", "rules.md")
	want := Markdown(Rules())
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatal("docs/rules.md is stale: run go test ./lint -update (or samllint rules --format markdown > docs/rules.md)")
	}
	for _, r := range Rules() {
		if !strings.Contains(want, "\n## "+r.ID+"\n") {
			t.Errorf("no section for %s", r.ID)
		}
	}
}

func TestExplain(t *testing.T) {
	out := Explain(Lookup("aws/role-missing-role-arn"))
	for _, want := range []string{"aws/role-missing-role-arn (error)", "Your request included an invalid SAML", "bad: ", "-- bad/want --", "+ >arn:aws:iam::123456789012:saml-provider/Okta<", "docs/rules.md#awsrole-missing-role-arn"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain output lacks %q:\n%s", want, out)
		}
	}
	if Lookup("aws/nope") != nil {
		t.Error("Lookup of an unknown ID")
	}
}

func TestValidateRejects(t *testing.T) {
	ok := *Lookup("saml/expired")
	cases := map[string]func(r *Rule){
		"bad id":           func(r *Rule) { r.ID = "SL0001" },
		"no fix":           func(r *Rule) { r.Fix = "" },
		"fix period":       func(r *Rule) { r.Fix = "do it" },
		"no example file":  func(r *Rule) { r.ID = "saml/no-such-rule" },
		"title dot":        func(r *Rule) { r.Title = "expired." },
		"no check":         func(r *Rule) { r.Check = nil },
		"no refs":          func(r *Rule) { r.References = nil },
		"private citation": func(r *Rule) { r.Why += " [catalog TM-02]" },
		"catalog key":      func(r *Rule) { r.Why += " [IAM-TS]" },
		"no URL":           func(r *Rule) { r.References = []string{"the IAM user guide"} },
	}
	for name, mut := range cases {
		r := ok
		mut(&r)
		if validate([]*Rule{&r}) == nil {
			t.Errorf("%s: validate accepted it", name)
		}
	}
	if validate([]*Rule{&ok, &ok}) == nil {
		t.Error("duplicate IDs accepted")
	}
	if err := validate([]*Rule{&ok}); err != nil {
		t.Errorf("the rule itself: %v", err)
	}
}

// TestExampleFiles: every example file belongs to a registered rule.
func TestExampleFiles(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("examples", "*", "*.txtar"))
	for _, f := range files {
		id := strings.TrimSuffix(filepath.ToSlash(strings.TrimPrefix(f, "examples"+string(filepath.Separator))), ".txtar")
		if Lookup(id) == nil {
			t.Errorf("%s: no rule %s", f, id)
		}
	}
	if len(files) != len(registry) {
		t.Errorf("%d example files for %d rules", len(files), len(registry))
	}
}

// TestREADMERuleTable: the README's rule table is the registry's, between
// its markers; -update rewrites it.
func TestREADMERuleTable(t *testing.T) {
	path := filepath.Join("..", "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- rules:begin -->\n", "<!-- rules:end -->"
	s := string(b)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatal("README.md has no rules:begin / rules:end markers")
	}
	want := s[:i+len(begin)] + RuleTable(Rules(), "docs/rules.md") + s[j:]
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if s != want {
		t.Error("README.md's rule table is stale: run go test ./lint -update")
	}
}
