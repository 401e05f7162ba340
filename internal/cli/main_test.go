package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samllint/samllint/internal/test/testkit"
)

var update = testkit.Update

func repo(parts ...string) string { return filepath.Join(append([]string{"..", ".."}, parts...)...) }

func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// golden compares got with testdata/golden/name, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenAbs(t, repo("testdata", "golden", name), got)
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

func TestHelp(t *testing.T) {
	code, out, _ := runCLI(t, "", "help")
	if code != 0 || !strings.Contains(out, "usage: samllint") {
		t.Errorf("help: exit %d, %q", code, out)
	}
	// Every command answers -h with its own usage, on standard output,
	// once, exactly as testdata/golden/help/<command>.txt has it; with no
	// flag, no "Flags:" heading.
	for name := range commands {
		for _, h := range []string{"-h", "--help"} {
			code, out, errs := runCLI(t, "", name, h)
			if code != 0 || errs != "" {
				t.Errorf("%s %s: exit %d, stderr %q", name, h, code, errs)
			}
			if strings.Count(out, "usage: samllint") != 1 || strings.HasSuffix(strings.TrimSpace(out), "Flags:") {
				t.Errorf("%s %s: the usage is not printed exactly once:\n%s", name, h, out)
			}
			golden(t, "help/"+name+".txt", out)
		}
	}
	code, out, _ = runCLI(t, "", "help", "explain")
	if code != 0 || !strings.Contains(out, "usage: samllint explain RULE") {
		t.Errorf("help explain: exit %d, %q", code, out)
	}
	code, _, errs := runCLI(t, "", "rules", "--frobnicate")
	if code != 2 || !strings.Contains(errs, "flag provided but not defined: -frobnicate") || strings.Count(errs, "\n") != 1 {
		t.Errorf("a bad flag: exit %d, %q", code, errs)
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := runCLI(t, "", args...)
		if code != 0 || !strings.HasPrefix(out, "samllint ") {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
}
