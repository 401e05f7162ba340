package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLintGolden lints every capture of testdata/assertions/golden with
// the flags its .case.yaml renders to (the same inputs lint/linttest
// gives the library) and compares text and JSON output with
// testdata/golden/lint; -update rewrites only those outputs.
func TestLintGolden(t *testing.T) {
	dir, cases := goldenCases(t)
	out, _ := filepath.Abs(repo("testdata", "golden", "lint"))
	t.Chdir(dir)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, text, errs := runCLI(t, "", append(append([]string{"lint"}, c.args...), c.input)...)
			if code == 2 {
				t.Fatalf("exit 2: %s", errs)
			}
			_, js, _ := runCLI(t, "", append(append([]string{"lint", "--format", "json"}, c.args...), c.input)...)
			var doc struct {
				Findings []struct{ Rule, Severity string } `json:"findings"`
			}
			if err := json.Unmarshal([]byte(js), &doc); err != nil {
				t.Fatal(err)
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
