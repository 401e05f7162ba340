package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samllint/samllint/lint"
)

// TestFlagsAnywhere: flags go before or after the inputs, for every
// command; "--" ends them, so a file named like a flag can be given.
func TestFlagsAnywhere(t *testing.T) {
	b64 := repo("testdata", "assertions", "okta-connect.b64")
	md := repo("testdata", "metadata", "okta-idp-metadata.xml")
	for _, args := range [][]string{
		{b64, "--metadata", md, "--at-issue"},
		{"lint", b64, "--metadata", md, "--at-issue"},
		{"--at-issue", b64, "--metadata", md},
		{"fix", b64, "--at-issue", "--metadata", md},
		{"decode", b64, "--metadata", md, "--no-xml"},
		{"diff", b64, b64, "--at-issue", "--metadata", md},
	} {
		code, out, errs := runCLI(t, "", args...)
		if code != 0 || errs != "" || strings.Contains(out, "signer not checked") {
			t.Errorf("%v: exit %d, stderr %q\n%.300s", args, code, errs, out)
		}
	}
	dir := t.TempDir()
	odd := filepath.Join(dir, "-odd.b64")
	data, _ := os.ReadFile(b64)
	os.WriteFile(odd, data, 0o644)
	t.Chdir(dir)
	if code, _, errs := runCLI(t, "", "lint", "--at-issue", "--", "-odd.b64"); code != 0 || errs != "" {
		t.Errorf("a file after --: exit %d, %q", code, errs)
	}
	if code, _, errs := runCLI(t, "", "lint", "--at-issue", "-odd.b64"); code != 2 || !strings.Contains(errs, "flag provided but not defined: -odd.b64") {
		t.Errorf("without --: exit %d, %q", code, errs)
	}
}

// TestPickCapture: FILE#N, as every report names a capture, works
// wherever a capture is read.
func TestPickCapture(t *testing.T) {
	har := repo("testdata", "assertions", "okta-connect.har")
	md := repo("testdata", "metadata", "okta-idp-metadata.xml")
	code, out, _ := runCLI(t, "", "lint", "--metadata", md, har+"#2")
	if code != 1 || !strings.Contains(out, "okta-connect.har#2 (HAR entry 3)") || strings.Contains(out, "#1 (") {
		t.Errorf("lint FILE#2: exit %d\n%.400s", code, out)
	}
	code, out, _ = runCLI(t, "", "decode", "--no-xml", har+"#1")
	if code != 0 || !strings.HasPrefix(out, "message 1: HAR entry 2") || strings.Contains(out, "HAR entry 3") {
		t.Errorf("decode FILE#1: exit %d\n%.400s", code, out)
	}
	code, out, _ = runCLI(t, "", "fix", "--format", "json", "--metadata", md, har+"#2")
	var doc struct {
		Plans []struct{ Capture int } `json:"plans"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 || len(doc.Plans) != 1 || doc.Plans[0].Capture != 2 {
		t.Errorf("fix FILE#2: exit %d, %v, %s", code, err, out)
	}
	for _, cmd := range []string{"lint", "decode", "fix"} {
		code, _, errs := runCLI(t, "", cmd, har+"#3")
		if code != 2 || !strings.Contains(errs, "holds 2 captures; #3 is not one of them") {
			t.Errorf("%s FILE#3: exit %d, %q", cmd, code, errs)
		}
	}
}

// TestMistypedCommand: a word close to a command is not taken for a file.
func TestMistypedCommand(t *testing.T) {
	for _, args := range [][]string{{"lnt", "x.b64"}, {"decod", "x"}, {"expalin", "AccessDenied"}} {
		code, _, errs := runCLI(t, "", args...)
		if code != 2 || !strings.Contains(errs, "unknown command") || !strings.Contains(errs, "did you mean") {
			t.Errorf("%v: exit %d, %q", args, code, errs)
		}
	}
	if _, _, errs := runCLI(t, "", "nosuchfile.b64"); strings.Contains(errs, "unknown command") {
		t.Errorf("a missing file is taken for a command: %q", errs)
	}
}

// TestBatchSkipsInputs: a directory holding metadata, keys, certificates,
// policies and YAML beside the captures lints the captures and skips the
// rest, each kind once, by name.
func TestBatchSkipsInputs(t *testing.T) {
	code, _, errs := runCLI(t, "", "--at-issue", repo("testdata", "assertions", "golden"))
	if code != 1 || strings.Contains(errs, "could not be linted") || strings.Contains(errs, "not a SAML 2.0 Response") {
		t.Errorf("exit %d:\n%s", code, errs)
	}
	for _, want := range []string{"SAML metadata (give it with --metadata)", "an IAM policy (give it with --trust-policy", "Amazon Connect users (give them with --connect-users)", "YAML"} {
		if strings.Count(errs, want) != 1 {
			t.Errorf("skipped %q: %d lines\n%s", want, strings.Count(errs, want), errs)
		}
	}
	if n := strings.Count(errs, "\n"); n > 10 {
		t.Errorf("%d lines on stderr", n)
	}
}

// TestFixWrite: without policies given, fix --write writes complete policy
// documents the policy loader takes, and says what it wrote.
func TestFixWrite(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCLI(t, "", "fix", "--at-issue", "--write", dir, "--relay-state", sampleRelayState,
		repo("testdata", "assertions", "okta-connect.b64"))
	if code != 0 || errs != "" {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for file, kind := range map[string]lint.Input{"trust-policy.json": lint.InputTrustPolicy, "connect-federation.json": lint.InputPermissionsPolicy} {
		path := filepath.Join(dir, file)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s not written: %v", file, err)
			continue
		}
		if !strings.Contains(out, "wrote "+path) {
			t.Errorf("fix does not say it wrote %s:\n%s", path, out)
		}
		// The apply command applies the file written, not one beside it.
		if !strings.Contains(out, "--policy-document file://"+filepath.ToSlash(path)+"\n") {
			t.Errorf("no apply command names file://%s:\n%s", path, out)
		}
		if !strings.HasPrefix(string(b), "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [") {
			t.Errorf("%s is not a complete policy document:\n%s", file, b)
		}
		if err := (&lint.Inputs{}).Add(kind, file, b); err != nil {
			t.Errorf("the policy loader refuses %s: %v", file, err)
		}
	}
	// What fix prints is the same complete document.
	if !strings.Contains(out, "\"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Principal\"") {
		t.Errorf("the printed trust policy is not a complete document:\n%s", out)
	}
}

const sampleRelayState = "https://us-east-1.console.aws.amazon.com/connect/federate/4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34"

// TestDevNullIsNoTerminal: /dev/null is a character device, not a
// terminal: samllint < /dev/null gets no paste prompt, only the one-line
// error for empty input.
func TestDevNullIsNoTerminal(t *testing.T) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Skip(err)
	}
	defer null.Close()
	var out, errb bytes.Buffer
	code := run([]string{"lint"}, null, &out, &errb)
	if code != 2 || strings.Contains(errb.String(), "Paste the SAMLResponse") || strings.Count(errb.String(), "\n") != 1 ||
		!strings.Contains(errb.String(), "empty input") {
		t.Errorf("samllint < %s: exit %d, stderr %q", os.DevNull, code, errb.String())
	}
}
