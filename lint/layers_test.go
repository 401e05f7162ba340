package lint_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/samllint/samllint/internal/test/testkit"
)

const module = "github.com/samllint/samllint"

// layers orders the module's packages from the bottom up; a package may
// import only packages of its own layer or below. The longest prefix wins.
var layers = []struct {
	prefix string
	level  int
}{
	{"internal/base/", 0},
	{"saml", 1},
	{"okta", 1}, // Okta's configuration and what it predicts: no reads
	{"preflight", 3},
	{"lint", 2},
	{"internal/render/", 3},
	{"internal/reach", 3}, // the boundary's types: the standard library and lint
	{"trail", 3},          // CloudTrail's record, read from files: no SDK
	{"awsread", 4},
	{"oktaread", 4},
	{"record", 4},
	{"internal/reach/live", 4},
	{"internal/test/", 5}, // test support: anything but a front end
	{"internal/cli", 6},
	{"cmd/", 6},
	{"web", 6},
	{"release", 6},
}

// heavy are the dependencies only the account reads and the browser may
// pull in: the core, the page (also built as WebAssembly) and samllint
// itself never do (samllint-aws does: see internal/reach).
var heavy = []string{"github.com/aws/aws-sdk-go-v2", "github.com/chromedp/"}

// light are the packages above layer 3 that must not reach heavy ones.
var light = map[string]bool{module + "/web": true, module + "/internal/cli": true, module + "/cmd/samllint": true}

func level(pkg string) (int, bool) {
	if pkg == module {
		return 0, true // the module's doc, no code
	}
	rel, ok := strings.CutPrefix(pkg, module+"/")
	if !ok {
		return 0, false
	}
	best, lv := -1, 0
	for _, l := range layers {
		p := strings.TrimSuffix(l.prefix, "/")
		if (rel == p || strings.HasPrefix(rel, p+"/")) && len(p) > best {
			best, lv = len(p), l.level
		}
	}
	return lv, best >= 0
}

// TestLayers reads go list's dependency graph and fails on an import that
// points up: saml or lint reaching a renderer, a front end or a test
// helper, and the core or the page reaching the AWS SDK or chromedp.
func TestLayers(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "./...")
	cmd.Dir = testkit.Root()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, deps := fields[0], fields[1:]
		lv, ok := level(pkg)
		if !ok {
			t.Errorf("%s is in no layer: add it to layers in lint/layers_test.go and to docs/development.md", pkg)
			continue
		}
		seen++
		reported := map[string]bool{}
		for _, d := range deps {
			if dl, ok := level(d); ok && dl > lv {
				t.Errorf("%s depends on %s, which is above it", pkg, d)
			}
			if lv <= 3 || light[pkg] {
				for _, h := range heavy {
					if strings.HasPrefix(d, h) && !reported[h] {
						reported[h] = true
						t.Errorf("%s depends on %s (%s…): only awsread, record, internal/reach/live, test support and samllint-aws may", pkg, h, d)
					}
				}
			}
		}
	}
	if seen < 15 {
		t.Errorf("go list named %d of the module's packages; want them all", seen)
	}
}

// TestLayerOf: the table places packages where docs/development.md says.
func TestLayerOf(t *testing.T) {
	for pkg, want := range map[string]int{
		"internal/base/policy": 0, "saml": 1, "lint": 2, "lint/linttest": 2,
		"internal/render/page": 3, "awsread": 4, "internal/test/testkit": 5, "cmd/samllint": 6,
		"internal/reach": 3, "internal/reach/live": 4, "internal/cli": 6, "cmd/samllint-aws": 6,
	} {
		if got, ok := level(module + "/" + pkg); !ok || got != want {
			t.Errorf("%s: layer %d (%v), want %d", pkg, got, ok, want)
		}
	}
	if _, ok := level("github.com/beevik/etree"); ok {
		t.Error("a package outside the module was given a layer")
	}
}
