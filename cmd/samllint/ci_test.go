package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/samllint/samllint/lint/linttest"
	"github.com/samllint/samllint/saml"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

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

func TestConfigCLI(t *testing.T) {
	dir := t.TempDir()
	sample, _ := filepath.Abs(repo("testdata", "assertions", "okta-role-provider-only.b64"))
	t.Chdir(dir)
	write := func(s string) { os.WriteFile(filepath.Join(dir, ".samllint.yaml"), []byte(s), 0o644) }

	// Found from the working directory; suppression hides the error.
	write("suppressions:\n  - rule: aws/role-missing-role-arn\n    reason: tracked in OPS-1\n  - rule: saml/expired\n    reason: old capture\n")
	code, out, _ := runCLI(t, "", "lint", "--at-issue", sample)
	if code != 0 || strings.Contains(out, "error   aws/role-missing-role-arn") || !strings.Contains(out, "(1 suppressed)") {
		t.Errorf("suppressed run: exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "config/suppression-unused: the suppression of saml/expired matched nothing") {
		t.Errorf("unused suppression not reported:\n%s", out)
	}
	_, out, _ = runCLI(t, "", "lint", "--at-issue", "--show-suppressed", sample)
	if !strings.Contains(out, "suppressed error aws/role-missing-role-arn") || !strings.Contains(out, "suppressed because: tracked in OPS-1") {
		t.Errorf("--show-suppressed:\n%s", out)
	}
	// Expired: applies no more, and warns.
	write("suppressions:\n  - rule: aws/role-missing-role-arn\n    reason: tracked in OPS-1\n    expires: 2026-11-01\n")
	code, out, _ = runCLI(t, "", "lint", "--now", "2026-11-20T10:01:00Z", sample)
	if code != 1 || !strings.Contains(out, "config/suppression-expired") || !strings.Contains(out, "error   aws/role-missing-role-arn") {
		t.Errorf("expired suppression: exit %d\n%s", code, out)
	}
	// Severity override and disabled rules.
	write("rules:\n  disable: [saml/*, aws/assertion-too-old]\n  severity:\n    aws/role-missing-role-arn: warning\n")
	code, out, _ = runCLI(t, "", "lint", "--now", "2026-11-20T12:00:00Z", sample)
	if code != 0 || !strings.Contains(out, "warning aws/role-missing-role-arn") || strings.Contains(out, "saml/expired") {
		t.Errorf("overrides: exit %d\n%s", code, out)
	}
	// Unknown key: exit 2 with the line.
	write("rules:\n  disable: [saml/*]\n  sevrity: {}\n")
	code, _, errs := runCLI(t, "", "lint", "--at-issue", sample)
	if code != 2 || !strings.Contains(errs, `.samllint.yaml:3: unknown key "sevrity"`) {
		t.Errorf("unknown key: exit %d %q", code, errs)
	}
	// decode takes no config, so a broken one beside the capture is not its business.
	if code, _, errs := runCLI(t, "", "decode", sample); code != 0 {
		t.Errorf("decode read the config: exit %d %q", code, errs)
	}
	// --config wins over the file found.
	other := filepath.Join(dir, "other.yaml")
	os.WriteFile(other, []byte("rules:\n  disable: [aws/*]\n"), 0o644)
	code, _, _ = runCLI(t, "", "lint", "--config", other, "--at-issue", sample)
	if code != 0 {
		t.Errorf("--config: exit %d", code)
	}
}

// originals collects what must never survive --redact: e-mail addresses,
// the NameID, attribute values, account IDs and signature values.
func originals(t *testing.T, input []byte) []string {
	msgs, err := saml.Read(input, saml.Options{})
	if err != nil {
		return nil
	}
	var out []string
	for _, m := range msgs {
		if m.Err != nil {
			continue
		}
		x := string(m.Capture.XML)
		out = append(out, regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}`).FindAllString(x, -1)...)
		out = append(out, regexp.MustCompile(`\b\d{12}\b`).FindAllString(x, -1)...)
		for _, a := range m.Response.Assertions {
			if a.Subject != nil && a.Subject.NameID != nil && len(a.Subject.NameID.Value) >= 4 {
				out = append(out, a.Subject.NameID.Value)
			}
			for _, at := range a.Attributes {
				if !strings.HasPrefix(at.Name, "https://aws.amazon.com/SAML/Attributes/Role") && !strings.HasSuffix(at.Name, "SessionDuration") {
					for _, v := range at.Values {
						if len(v.Value) >= 4 {
							out = append(out, v.Value)
						}
					}
				}
			}
		}
		for _, s := range regexp.MustCompile(`<ds:SignatureValue>([^<]+)<`).FindAllStringSubmatch(x, -1) {
			out = append(out, strings.Join(strings.Fields(s[1]), "")[:40])
		}
		for _, s := range regexp.MustCompile(`<ds:X509Certificate>([^<]+)<`).FindAllStringSubmatch(x, -1) {
			out = append(out, strings.Join(strings.Fields(s[1]), "")[100:160])
		}
	}
	return out
}

// TestRedactEverywhere: for every golden case and every output format,
// --redact leaves no original e-mail, name, attribute value, account ID
// or signature value in the output.
func TestRedactEverywhere(t *testing.T) {
	dir, cases := goldenCases(t)
	t.Chdir(dir)
	for _, c := range cases {
		data, _ := os.ReadFile(c.input)
		secrets := originals(t, data)
		if len(secrets) == 0 {
			continue
		}
		for _, cmd := range [][]string{
			{"lint", "--format", "text"}, {"lint", "--format", "json"}, {"lint", "--format", "sarif"}, {"lint", "--format", "github"},
			{"decode"}, {"decode", "--format", "json"},
		} {
			args := append(append([]string{}, cmd...), "--redact")
			if cmd[0] == "lint" {
				args = append(args, c.args...)
			}
			code, out, errs := runCLI(t, "", append(args, c.input)...)
			if code == 2 {
				t.Fatalf("%s %v: %s", c.name, cmd, errs)
			}
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("%s %v: %q survives --redact", c.name, cmd, s)
				}
			}
			// Masking must not break the document it masks.
			if slices.Contains(cmd, "json") || slices.Contains(cmd, "sarif") {
				if !json.Valid([]byte(out)) {
					t.Errorf("%s %v: --redact output is not valid JSON", c.name, cmd)
				}
			}
		}
	}
	// What stays readable: ARN shape, region, account first and last digits.
	_, out, _ := runCLI(t, "", "lint", "--redact", "--at-issue", "role-cross-account.b64")
	for _, want := range []string{"arn:aws:iam::1##########2:role/ConnectAgent", "provider in 2##########1"} {
		if !strings.Contains(out, want) {
			t.Errorf("redacted output lacks %q:\n%s", want, out)
		}
	}
}

func TestBatch(t *testing.T) {
	dir, _ := filepath.Abs(repo("testdata", "assertions", "golden"))
	t.Chdir(dir)
	code, out, _ := runCLI(t, "", "lint", "--at-issue", "--jobs", "1", ".")
	if code != 2 { // the directory holds the iam/ policy files too, which are not captures
		t.Logf("exit %d", code)
	}
	_, one, _ := runCLI(t, "", "lint", "--format", "json", "--at-issue", "--jobs", "1", "role-only.b64", "sha1.xml", "*.form")
	_, two, _ := runCLI(t, "", "lint", "--format", "json", "--at-issue", "--jobs", "2", "role-only.b64", "sha1.xml", "*.form")
	if one != two {
		t.Error("output differs between --jobs 1 and --jobs 2")
	}
	var doc struct{ Results []struct{ Input string } }
	json.Unmarshal([]byte(one), &doc)
	if len(doc.Results) < 4 || doc.Results[0].Input != "role-only.b64" || doc.Results[1].Input != "sha1.xml" || !strings.HasSuffix(doc.Results[2].Input, ".form") {
		t.Errorf("inputs out of order: %+v", doc.Results)
	}
	_, text, _ := runCLI(t, "", "lint", "--at-issue", "role-only.b64", "sha1.xml")
	if !strings.Contains(text, "Summary of 2 captures:") || !regexp.MustCompile(`role-only\.b64\s+1\s+0\s+0\s+sign-in will fail`).MatchString(text) {
		t.Errorf("summary table:\n%s", text)
	}
	_ = out
}

func TestBatchDirectory(t *testing.T) {
	dir := t.TempDir()
	sample, _ := os.ReadFile(repo("testdata", "assertions", "okta-connect.b64"))
	raw, _ := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(sample), nil)))
	os.MkdirAll(filepath.Join(dir, "b", "c"), 0o755)
	os.WriteFile(filepath.Join(dir, "a.b64"), sample, 0o644)
	os.WriteFile(filepath.Join(dir, "b", "c", "d.xml"), raw, 0o644)
	os.WriteFile(filepath.Join(dir, "b", "notes.md"), []byte("# not a capture"), 0o644)
	os.WriteFile(filepath.Join(dir, ".hidden.b64"), []byte("x"), 0o644)
	code, out, errs := runCLI(t, "", "lint", "--format", "json", "--at-issue", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct{ Results []struct{ Input string } }
	json.Unmarshal([]byte(out), &doc)
	if len(doc.Results) != 2 || !strings.HasSuffix(doc.Results[0].Input, "a.b64") || !strings.HasSuffix(doc.Results[1].Input, filepath.Join("b", "c", "d.xml")) {
		t.Errorf("walk: %+v", doc.Results)
	}
	code, _, errs = runCLI(t, "", "lint", filepath.Join(dir, "b", "*.nothing"))
	if code != 2 || !strings.Contains(errs, "matches no file") {
		t.Errorf("empty glob: exit %d %q", code, errs)
	}
}
