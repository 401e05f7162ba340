package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
