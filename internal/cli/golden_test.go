package cli

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/samllint/samllint/internal/test/testkit"
	"github.com/samllint/samllint/lint/linttest"
)

// TestLintGolden lints every capture of testdata/assertions/golden with
// the flags its .case.yaml renders to (the same inputs lint/linttest
// gives the library) and compares text and JSON output with
// testdata/golden/lint; -update rewrites only those outputs.
func TestLintGolden(t *testing.T) {
	dir, cases := goldenCases(t)
	out, _ := filepath.Abs(repo("testdata", "golden", "lint"))
	t.Chdir(dir)
	skipped := map[string]bool{}
	ran := 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ran++
			code, text, errs := runCLI(t, "", append(append([]string{"lint"}, c.args...), c.input)...)
			if code == 2 {
				t.Fatalf("exit 2: %s", errs)
			}
			_, js, _ := runCLI(t, "", append(append([]string{"lint", "--format", "json"}, c.args...), c.input)...)
			var doc struct {
				Findings []struct{ Rule, Severity string } `json:"findings"`
				Skipped  []struct {
					Rule, Reason, Because string
					Needs                 []string
				} `json:"skipped"`
			}
			if err := json.Unmarshal([]byte(js), &doc); err != nil {
				t.Fatal(err)
			}
			for _, s := range doc.Skipped {
				line := fmt.Sprintf("%s\n  needs:   %s\n  reason:  %s\n", s.Rule, strings.Join(s.Needs, " or "), s.Reason)
				if s.Because != "" {
					line += "  because: " + s.Because + "\n"
				}
				skipped[line] = true
			}
			wantCode := 0
			for _, f := range doc.Findings {
				if f.Severity == "error" {
					wantCode = 1
				}
			}
			if code != wantCode {
				t.Errorf("exit %d, want %d", code, wantCode)
			}
			if !strings.Contains(c.name, "clean") && len(doc.Findings) == 0 {
				t.Error("a golden capture of a problem produced no finding")
			}
			goldenAbs(t, filepath.Join(out, c.name+".txt"), text)
			goldenAbs(t, filepath.Join(out, c.name+".json"), js)
		})
	}
	// Every way a rule was skipped across the cases, once: what the other
	// goldens leave out (testkit.StableSkipped). Only a run of every case
	// (no -run filter on them) knows them all.
	if ran < len(cases) || t.Failed() {
		return
	}
	lines := slices.Sorted(maps.Keys(skipped))
	goldenAbs(t, filepath.Join(filepath.Dir(out), "skipped.txt"), "# Each rule skipped in testdata/golden/lint, with the inputs that would run it and why\n# (go test ./internal/cli -run TestLintGolden -update rewrites it).\n\n"+strings.Join(lines, "\n"))
}

// fullSkipped are the goldens that keep the skipped section as printed,
// rule by rule; the rest keep only the inputs that would run more checks
// (testkit.StableSkipped), so that a new rule rewrites a handful of files.
var fullSkipped = map[string]bool{"lint/clean-connect.txt": true, "lint/clean-connect.json": true, "golden/skipped.txt": true}

func goldenAbs(t *testing.T, path, got string) {
	t.Helper()
	if !fullSkipped[filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path)] {
		got = testkit.StableSkipped(path, got)
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./... -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("output differs from %s (run go test ./... -update and review the diff)\n--- got ---\n%s", path, got)
	}
}

// goldenCases lists the golden captures with the flags their .case.yaml
// renders to.
func goldenCases(t *testing.T) (dir string, cases []struct {
	name, input string
	args        []string
}) {
	t.Helper()
	dir, _ = filepath.Abs(repo("testdata", "assertions", "golden"))
	files, _ := filepath.Glob(filepath.Join(dir, "*.case.yaml"))
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".case.yaml")
		c, err := linttest.ReadCase(f)
		if err != nil {
			t.Fatal(err)
		}
		input, err := c.CaptureFile(dir, name)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct {
			name, input string
			args        []string
		}{name, input, c.Args()})
	}
	if len(cases) < 30 {
		t.Fatalf("only %d golden cases", len(cases))
	}
	return dir, cases
}
