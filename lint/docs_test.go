package lint

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
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

// TestDocLinks: every relative link in the README and docs/ names a file
// that exists and, for a #fragment, a heading that the file has (GitHub's
// anchors).
func TestDocLinks(t *testing.T) {
	root := filepath.Join("..")
	pages, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	pages = append(pages, filepath.Join(root, "README.md"))
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	checked := 0
	for _, page := range pages {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, frag, _ := strings.Cut(target, "#")
			path := page
			if file != "" {
				path = filepath.Join(filepath.Dir(page), filepath.FromSlash(file))
			}
			checked++
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s: link %s: no such file", page, target)
				continue
			}
			if frag != "" && strings.HasSuffix(path, ".md") && !hasAnchor(t, path, frag) {
				t.Errorf("%s: link %s: %s has no heading with that anchor", page, target, path)
			}
		}
	}
	if checked < 30 {
		t.Errorf("checked %d links; the README and docs hold more", checked)
	}
}

// hasAnchor reports whether a markdown file has a heading whose GitHub
// anchor is frag: lower case, punctuation but - and _ dropped, spaces as -.
func hasAnchor(t *testing.T, path, frag string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		title, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " ")
		if !ok || !strings.HasPrefix(line, "#") {
			continue
		}
		var a strings.Builder
		for _, r := range strings.ToLower(title) {
			switch {
			case r == ' ':
				a.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				a.WriteRune(r)
			}
		}
		if a.String() == frag {
			return true
		}
	}
	return false
}
