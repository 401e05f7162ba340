package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
