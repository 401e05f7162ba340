package cli

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/samllint/samllint/internal/test/testkit"
)

// payloads are the classes of bytes that drive a terminal or reorder
// what is read: none may reach standard output or error raw.
var payloads = map[string]string{
	"ESC":           "\x1b[31mred",
	"OSC":           "\x1b]0;PWNED\x07",
	"BEL":           "ding\x07",
	"C1":            "\u009b31m",
	"bidi override": "\u202emoc.elgoog@nimda",
	"bidi isolate":  "\u2066x\u2069",
	"bidi mark":     "a\u200fb",
	"arabic mark":   "a\u061cb",
	"DEL":           "a\x7fb",
	// A line break would let an input start a line of its own: a GitHub
	// workflow command, which the Action's log would obey.
	"LF":   "x\n::notice title=Security review::Approved by samllint - safe to merge",
	"CR":   "x\r::stop-commands::pwned",
	"CRLF": "x\r\n::add-mask::samllint",
}

// workflowCommand is the first line of s that starts a GitHub workflow
// command samllint did not write: its own are annotations on a file.
func workflowCommand(s string) string {
	for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if strings.HasPrefix(line, "::") && !ownAnnotation.MatchString(line) {
			return line
		}
	}
	return ""
}

var ownAnnotation = regexp.MustCompile(`^::(error|warning|notice) file=[^:]*(,line=\d+)?,title=samllint[^:]*::|^::(error|warning|notice) file=[^:]*(,line=\d+)?,title=(saml|aws|connect|config)/[a-z0-9-]+( in [^:]*)?::`)

// rawControl reports the first byte sequence of a payload class in s.
func rawControl(s string) string {
	for i, r := range s {
		switch {
		case r == 0x1b || r == 0x07 || r == 0x7f || r == '\r', r >= 0x80 && r <= 0x9f,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e || r == 0x200f, r == 0x061c:
			return s[max(0, i-20):min(len(s), i+20)]
		}
	}
	return ""
}

// TestEscapesEverywhere: whatever a capture, a file name or an argument
// carries, every command and output format writes it escaped.
func TestEscapesEverywhere(t *testing.T) {
	dir := t.TempDir()
	sample := string(testkit.UnsignedSample(t))
	commands := [][]string{
		{"lint"}, {"lint", "--format", "json"}, {"lint", "--format", "sarif"}, {"lint", "--format", "github"},
		{"lint", "--redact"}, {"decode"}, {"decode", "--format", "json"}, {"fix"}, {"fix", "--format", "json"},
	}
	for class, p := range payloads {
		// In the capture: the RoleSessionName, as a user's own value.
		value := strings.Replace(sample, ">jane.doe@example.com</saml2:AttributeValue>", ">"+p+"</saml2:AttributeValue>", 1)
		capture := filepath.Join(dir, strings.ReplaceAll(class, " ", "-")+".b64")
		os.WriteFile(capture, []byte(base64.StdEncoding.EncodeToString([]byte(value))), 0o644)
		// In a file name, linted alone and within a directory.
		named := filepath.Join(dir, "names-"+strings.ReplaceAll(class, " ", "-"))
		os.MkdirAll(named, 0o755)
		odd := filepath.Join(named, "capture"+p+".b64")
		os.WriteFile(odd, []byte(base64.StdEncoding.EncodeToString([]byte(sample))), 0o644)
		os.WriteFile(filepath.Join(named, "notes"+p+".txt"), []byte("not a capture"), 0o644)
		// In the input itself, echoed by an error.
		pem := filepath.Join(dir, "pem-"+strings.ReplaceAll(class, " ", "-"))
		os.WriteFile(pem, []byte("-----BEGIN "+p+"-----\n"), 0o644)
		broken := filepath.Join(dir, "xml-"+strings.ReplaceAll(class, " ", "-"))
		os.WriteFile(broken, []byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><a `+p+`/></samlp:Response>`), 0o644)

		for _, input := range []string{capture, odd, named, pem, broken} {
			for _, cmd := range commands {
				if input == named && cmd[0] != "lint" {
					continue // decode and fix take one file
				}
				args := append(append([]string{}, cmd...), "--now", "2026-11-20T10:01:00Z", input)
				if cmd[0] == "decode" {
					args = append(append([]string{}, cmd...), input)
				}
				_, stdout, stderr := runCLI(t, "", args...)
				for what, out := range map[string]string{"stdout": stdout, "stderr": stderr} {
					if raw := rawControl(out); raw != "" {
						t.Errorf("%s in %s, samllint %s: raw on %s: %q", class, filepath.Base(input), strings.Join(cmd, " "), what, raw)
					}
					if line := workflowCommand(out); line != "" {
						t.Errorf("%s in %s, samllint %s: %s starts a workflow command: %q", class, filepath.Base(input), strings.Join(cmd, " "), what, line)
					}
				}
			}
		}
		// An argument echoed back.
		_, stdout, stderr := runCLI(t, "", "explain", "Not authorized to perform sts:AssumeRoleWithSAML "+p)
		if raw, line := rawControl(stdout+stderr), workflowCommand(stdout+stderr); raw != "" || line != "" {
			t.Errorf("%s, samllint explain: raw %q, or a workflow command %q", class, raw, line)
		}
		_, stdout, stderr = runCLI(t, "", "diff", "--now", "2026-11-20T10:01:00Z", capture, odd)
		if raw, line := rawControl(stdout+stderr), workflowCommand(stdout+stderr); raw != "" || line != "" {
			t.Errorf("%s, samllint diff: raw %q, or a workflow command %q", class, raw, line)
		}
	}
}
