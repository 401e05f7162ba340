package cli

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/samllint/samllint/internal/test/testkit"
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
	return runActionEnv(t, bin, dir, inputs, nil)
}

// runActionEnv is runAction with more environment (PATH, say); with bin
// empty the install step downloads, and its failure is returned.
func runActionEnv(t *testing.T, bin, dir string, inputs map[string]string, extra []string) (int, string, map[string]string) {
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
		env = append(env, extra...)
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
			return code, out, outputs
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
		// Paths and flags on several lines, as a "paths: |" block gives them.
		{"multi-line inputs", map[string]string{"paths": "captures/okta-connect.b64\ncaptures/okta-role-provider-only.b64\n", "args": "--metadata captures/okta-idp-metadata.xml\n--now 2026-11-20T10:01:00Z\n"}, 1, []string{"aws/role-missing-role-arn"}},
		// No metadata: nothing is wrong, but who signed is unknown; the
		// pull request and code scanning are told.
		{"signer not checked", map[string]string{"paths": "captures/okta-connect.b64", "args": "--now 2026-11-20T10:01:00Z"}, 0, []string{"samllint/signer-unchecked"}},
		{"a version that is not a tag", map[string]string{"paths": "captures/okta-connect.b64", "version": "v0.1.0/../../evil/releases/download/v9"}, 2, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			os.MkdirAll(filepath.Join(repoDir, "out"), 0o755)
			code, out, outputs := runAction(t, bin, repoDir, c.inputs)
			if code != c.code || c.inputs["version"] == "" && outputs["exit-code"] != string(rune('0'+c.code)) {
				t.Fatalf("exit %d (output exit-code %q), want %d\n%s", code, outputs["exit-code"], c.code, out)
			}
			if c.code == 2 {
				if c.inputs["version"] != "" && !strings.Contains(out, "is not a release tag") {
					t.Errorf("a bad version is not named:\n%s", out)
				}
				return
			}
			if c.name == "signer not checked" && !strings.Contains(out, "::warning file=captures/okta-connect.b64,title=samllint/signer-unchecked::signer not checked") {
				t.Errorf("no warning that the signer was not checked:\n%s", out)
			}
			if slices.Contains(c.rules, "aws/role-missing-role-arn") && !strings.Contains(out, "::error file=captures/okta-role-provider-only.b64") {
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

// buildSamllint builds the CLI once per test that needs the binary.
func buildSamllint(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "samllint")
	build := exec.Command("go", "build", "-o", bin, "./cmd/samllint")
	build.Dir = testkit.Root()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestActionConfigCannotSilence: a pull request that adds a config
// disabling the signature rules beside a forged capture fails the step,
// and the log says what the config turns off; only the action's own
// input lets the config do it.
func TestActionConfigCannotSilence(t *testing.T) {
	bin := buildSamllint(t)
	dir := t.TempDir()
	forged, err := testkit.WrapAssertion(testkit.SampleXML(t))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "forged.xml"), forged, 0o644)
	os.WriteFile(filepath.Join(dir, ".samllint.yaml"), []byte("rules:\n  disable: [saml/*]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "idp.xml"), testkit.Testdata(t, "metadata", "okta-idp-metadata.xml"), 0o644)
	args := "--metadata idp.xml --now 2026-11-20T10:01:00Z"
	code, out, _ := runAction(t, bin, dir, map[string]string{"paths": "forged.xml", "args": args, "upload-sarif": "false"})
	if code != 1 || !strings.Contains(out, "saml/signature-wrapping") || !strings.Contains(out, "title=config/rule-required") ||
		!regexp.MustCompile(`::notice file=\.samllint\.yaml,title=config/rules-off::the config turns off what samllint checks: disables saml/\*`).MatchString(out) {
		t.Errorf("a config disabling saml/* beside a forged capture: exit %d\n%s", code, out)
	}
	code, out, _ = runAction(t, bin, dir, map[string]string{"paths": "forged.xml", "args": args, "upload-sarif": "false", "allow-disabled-signature-rules": "true"})
	if code != 0 || strings.Contains(out, "signature-wrapping") || !strings.Contains(out, "config/rules-off") {
		t.Errorf("allowed to disable them: exit %d\n%s", code, out)
	}
}

// TestActionInstall: the install step downloads the release archive and
// checks it against checksums.txt with sha256sum, or with shasum -a 256
// where there is none (macOS), and refuses an archive that does not match.
func TestActionInstall(t *testing.T) {
	bin := buildSamllint(t)
	release := t.TempDir()
	const version = "v0.1.0"
	name := "samllint_" + version + "_linux_amd64.tar.gz"
	var archive bytes.Buffer
	gz := gzip.NewWriter(&archive)
	tw := tar.NewWriter(gz)
	exe, _ := os.ReadFile(bin)
	tw.WriteHeader(&tar.Header{Name: "samllint", Mode: 0o755, Size: int64(len(exe))})
	tw.Write(exe)
	tw.Close()
	gz.Close()
	os.WriteFile(filepath.Join(release, name), archive.Bytes(), 0o644)
	sum := sha256.Sum256(archive.Bytes())
	good := hex.EncodeToString(sum[:]) + "  " + name + "\n"
	// A curl that serves the release from the directory: -o FILE URL.
	tools := t.TempDir()
	os.WriteFile(filepath.Join(tools, "curl"), []byte("#!/bin/bash\nwhile [ $# -gt 0 ]; do case $1 in -o) out=$2; shift 2;; -*) shift;; *) url=$1; shift;; esac; done\ncp \""+release+"/${url##*/}\" \"$out\"\n"), 0o755)
	// A PATH as on macOS: every tool the step uses, but no sha256sum.
	macos := t.TempDir()
	for _, tool := range []string{"bash", "grep", "tar", "gzip", "mkdir", "shasum", "perl", "cat", "cp", "unzip", "env"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		os.Symlink(p, filepath.Join(macos, tool))
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "c.b64"), testkit.Testdata(t, "assertions", "okta-connect.b64"), 0o644)
	inputs := map[string]string{"paths": "c.b64", "args": "--now 2026-11-20T10:01:00Z", "version": version, "upload-sarif": "false"}
	for _, c := range []struct {
		name, path, checksums string
		code                  int
	}{
		{"Linux, sha256sum", tools + ":" + os.Getenv("PATH"), good, 0},
		{"macOS, shasum", tools + ":" + macos, good, 0},
		{"a tampered archive", tools + ":" + os.Getenv("PATH"), strings.Repeat("0", 64) + "  " + name + "\n", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			os.WriteFile(filepath.Join(release, "checksums.txt"), []byte(c.checksums), 0o644)
			code, out, outputs := runActionEnv(t, "", dir, inputs, []string{"PATH=" + c.path})
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s", code, c.code, out)
			}
			if c.code == 0 && outputs["exit-code"] != "0" {
				t.Errorf("the lint step did not run the installed binary: %v\n%s", outputs, out)
			}
		})
	}
}
