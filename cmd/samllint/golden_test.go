package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/samllint/samllint/lint"
)

// TestLintGolden lints every capture of testdata/assertions/golden with the
// flags in its .flags file (pinned evaluation time, metadata, ...) and
// compares text and JSON output with testdata/golden/lint; -update rewrites
// only those outputs. Together the captures must exercise every rule.
func TestLintGolden(t *testing.T) {
	dir, err := filepath.Abs(repo("testdata", "assertions", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := filepath.Abs(repo("testdata", "golden", "lint"))
	flagFiles, _ := filepath.Glob(filepath.Join(dir, "*.flags"))
	if len(flagFiles) < 30 {
		t.Fatalf("only %d golden captures", len(flagFiles))
	}
	t.Chdir(dir)
	seen := map[string]bool{}
	for _, ff := range flagFiles {
		name := strings.TrimSuffix(filepath.Base(ff), ".flags")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(ff)
			if err != nil {
				t.Fatal(err)
			}
			var args []string
			for _, line := range strings.Split(string(b), "\n") {
				if !strings.HasPrefix(line, "#") {
					args = append(args, strings.Fields(line)...)
				}
			}
			inputs, _ := filepath.Glob(name + ".*")
			var input string
			for _, in := range inputs {
				if !strings.HasSuffix(in, ".flags") && !strings.HasSuffix(in, ".case.yaml") {
					input = in
				}
			}
			code, text, errs := runCLI(t, "", append(append([]string{"lint"}, args...), input)...)
			if code == 2 {
				t.Fatalf("exit 2: %s", errs)
			}
			_, js, _ := runCLI(t, "", append(append([]string{"lint", "--format", "json"}, args...), input)...)
			var doc struct {
				Findings []struct{ Rule, Severity string } `json:"findings"`
			}
			if err := json.Unmarshal([]byte(js), &doc); err != nil {
				t.Fatal(err)
			}
			wantCode := 0
			for _, f := range doc.Findings {
				seen[f.Rule] = true
				if f.Severity == "error" {
					wantCode = 1
				}
			}
			if code != wantCode {
				t.Errorf("exit %d, want %d", code, wantCode)
			}
			if !strings.Contains(name, "clean") && len(doc.Findings) == 0 {
				t.Error("a golden capture of a problem produced no finding")
			}
			goldenAbs(t, filepath.Join(out, name+".txt"), text)
			goldenAbs(t, filepath.Join(out, name+".json"), js)
		})
	}
	var missing []string
	for _, r := range lint.Rules() {
		if !seen[r.ID] {
			missing = append(missing, r.ID)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("no golden capture exercises %v", missing)
	}
}

func goldenAbs(t *testing.T, path, got string) {
	t.Helper()
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
