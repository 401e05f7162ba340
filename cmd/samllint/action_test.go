package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/samllint/samllint/internal/testkit"
)

// action is the part of action.yml the test runs.
type action struct {
	Inputs map[string]struct{ Default string } `yaml:"inputs"`
	Runs   struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID   string            `yaml:"id"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			Env  map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

var exprRe = regexp.MustCompile(`\$\{\{\s*([^}]+?)\s*\}\}`)

// runAction runs action.yml's shell steps as the runner would, in dir,
// with the inputs given (the others at their defaults) and the binary
// just built in place of the release download. It returns the lint step's
// exit status, its output and the step outputs.
func runAction(t *testing.T, bin, dir string, inputs map[string]string) (int, string, map[string]string) {
	t.Helper()
	b, err := os.ReadFile(repo("action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("action.yml runs %q, want composite", a.Runs.Using)
	}
	values := map[string]string{"runner.os": "Linux", "runner.arch": "X64"}
	for k, v := range a.Inputs {
		values["inputs."+k] = v.Default
	}
	for k, v := range inputs {
		if _, ok := a.Inputs[k]; !ok {
			t.Fatalf("action.yml has no input %q", k)
		}
		values["inputs."+k] = v
	}
	outputs := map[string]string{}
	code, out := 0, ""
	for _, st := range a.Runs.Steps {
		if st.Run == "" {
			continue // uses: steps (the SARIF upload) are GitHub's own
		}
		ghOut := filepath.Join(t.TempDir(), "output")
		env := append(os.Environ(), "GITHUB_OUTPUT="+ghOut, "RUNNER_TEMP="+t.TempDir(), "SAMLLINT_BIN="+bin)
		for k, v := range st.Env {
			env = append(env, k+"="+exprRe.ReplaceAllStringFunc(v, func(m string) string {
				key := exprRe.FindStringSubmatch(m)[1]
				val, ok := values[key]
				if !ok {
					t.Fatalf("step %s: unknown expression %s", st.ID, m)
				}
				return val
			}))
		}
		cmd := exec.Command("bash", "-e", "-c", st.Run)
		cmd.Dir, cmd.Env = dir, env
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		err := cmd.Run()
		code, out = 0, buf.String()
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(ghOut)
		for _, line := range strings.Split(string(got), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				outputs[k] = v
				values["steps."+st.ID+".outputs."+k] = v
			}
		}
		if st.ID == "install" && code != 0 {
			t.Fatalf("install step: exit %d\n%s", code, out)
		}
	}
	return code, out, outputs
}

// TestAction: the action's shell steps, run on a fixture repository with
// the binary just built, write SARIF that validates, annotate the
// pull request, and fail the step exactly when samllint would.
func TestAction(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "samllint")
	build := exec.Command("go", "build", "-o", bin, "./cmd/samllint")
	build.Dir = testkit.Root()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	repoDir := t.TempDir()
	for _, f := range []string{"assertions/okta-role-provider-only.b64", "assertions/okta-connect.b64", "metadata/okta-idp-metadata.xml"} {
		b, err := os.ReadFile(repo("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(repoDir, "captures", filepath.Base(f))
		os.MkdirAll(filepath.Dir(dst), 0o755)
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	schema, err := jsonschema.NewCompiler().Compile(mustAbs(t, repo("testdata", "sarif", "sarif-schema-2.1.0.json")))
	if err != nil {
		t.Fatal(err)
	}
	args := "--metadata captures/okta-idp-metadata.xml --now 2026-11-20T10:01:00Z"
	for _, c := range []struct {
		name   string
		inputs map[string]string
		code   int
		rules  []string // in the SARIF results
	}{
		{"failing capture", map[string]string{"paths": "captures/okta-role-provider-only.b64", "args": args}, 1, []string{"aws/role-missing-role-arn"}},
		{"clean capture", map[string]string{"paths": "captures/okta-connect.b64", "args": args}, 0, nil},
		{"failing, fail-on none", map[string]string{"paths": "captures/okta-role-provider-only.b64", "args": args, "fail-on": "none"}, 0, []string{"aws/role-missing-role-arn"}},
		{"a directory", map[string]string{"paths": "captures", "args": args, "sarif-file": "out/report.sarif"}, 1, []string{"aws/role-missing-role-arn"}},
		{"a missing capture", map[string]string{"paths": "captures/nope.b64"}, 2, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			os.MkdirAll(filepath.Join(repoDir, "out"), 0o755)
			code, out, outputs := runAction(t, bin, repoDir, c.inputs)
			if code != c.code || outputs["exit-code"] != string(rune('0'+c.code)) {
				t.Fatalf("exit %d (output exit-code %q), want %d\n%s", code, outputs["exit-code"], c.code, out)
			}
			if c.code == 2 {
				return
			}
			if c.rules != nil && !strings.Contains(out, "::error file=captures/okta-role-provider-only.b64") {
				t.Errorf("no annotation on the failing capture:\n%s", out)
			}
			sarif, err := os.ReadFile(filepath.Join(repoDir, outputs["sarif-file"]))
			if err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(sarif))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(inst); err != nil {
				t.Fatalf("the action's SARIF does not validate: %v", err)
			}
			var doc struct {
				Runs []struct {
					Results []struct{ RuleID string } `json:"results"`
				} `json:"runs"`
			}
			json.Unmarshal(sarif, &doc)
			var got []string
			for _, r := range doc.Runs[0].Results {
				got = append(got, r.RuleID)
			}
			if strings.Join(got, " ") != strings.Join(c.rules, " ") {
				t.Errorf("SARIF results %q, want %q", got, c.rules)
			}
		})
	}
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
