package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestSARIFValidates: the SARIF output of every golden case, and of a
// batch with suppressions and an undecodable input, validates against the
// official SARIF 2.1.0 schema (testdata/sarif/).
func TestSARIFValidates(t *testing.T) {
	schemaPath, _ := filepath.Abs(repo("testdata", "sarif", "sarif-schema-2.1.0.json"))
	c := jsonschema.NewCompiler()
	schema, err := c.Compile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	dir, cases := goldenCases(t)
	t.Chdir(dir)
	validate := func(t *testing.T, out string) map[string]any {
		t.Helper()
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Fatalf("SARIF does not validate: %v", err)
		}
		var doc map[string]any
		json.Unmarshal([]byte(out), &doc)
		return doc
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, out, errs := runCLI(t, "", append(append([]string{"lint", "--format", "sarif"}, c.args...), c.input)...)
			if out == "" {
				t.Fatal(errs)
			}
			validate(t, out)
		})
	}
	t.Run("rules metadata", func(t *testing.T) {
		_, out, _ := runCLI(t, "", "lint", "--format", "sarif", "--at-issue", "iam-clean.form")
		doc := validate(t, out)
		rules := doc["runs"].([]any)[0].(map[string]any)["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)
		r := rules[0].(map[string]any)
		for _, k := range []string{"id", "name", "shortDescription", "fullDescription", "help", "helpUri", "defaultConfiguration"} {
			if r[k] == nil {
				t.Errorf("rule metadata lacks %s", k)
			}
		}
		if !strings.Contains(r["help"].(map[string]any)["markdown"].(string), "### Why") {
			t.Error("help.markdown is not the rule's documentation")
		}
	})
	t.Run("suppressed and broken inputs", func(t *testing.T) {
		cfg := filepath.Join(t.TempDir(), "c.yaml")
		os.WriteFile(cfg, []byte("suppressions:\n  - rule: aws/role-missing-role-arn\n    reason: known, ticket OPS-1\n"), 0o644)
		bad := filepath.Join(t.TempDir(), "bad.txt")
		os.WriteFile(bad, []byte("%%%"), 0o644)
		_, out, _ := runCLI(t, "", "lint", "--format", "sarif", "--config", cfg, "--show-suppressed", "--at-issue", "role-provider-only.har", bad)
		doc := validate(t, out)
		if !strings.Contains(out, `"justification": "known, ticket OPS-1"`) || !strings.Contains(out, `"executionSuccessful": false`) {
			t.Errorf("suppression or failed input missing:\n%s", out)
		}
		_ = doc
	})
}

func TestGitHubFormat(t *testing.T) {
	dir, _ := filepath.Abs(repo("testdata", "assertions", "golden"))
	t.Chdir(dir)
	code, out, _ := runCLI(t, "", "lint", "--format", "github", "--at-issue", "role-only.b64", "sha1.xml")
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	if !regexp.MustCompile(`(?m)^::error file=role-only\.b64,title=aws/role-missing-provider-arn::the Role value names the role but no SAML provider%0Aat /Response`).MatchString(out) {
		t.Errorf("no error annotation:\n%s", out)
	}
	if !strings.Contains(out, "::warning file=sha1.xml,title=saml/weak-algorithm::") {
		t.Errorf("no warning annotation:\n%s", out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(line, "::") {
			t.Errorf("a line that is not a workflow command: %q", line)
		}
	}
}
