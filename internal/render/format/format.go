// Package format renders samllint's results: text, JSON, SARIF, GitHub
// annotations and the serve page's JSON for lint; and the outputs of
// decode, diff and fix. Detection is lint's; this package only presents,
// from typed values, so no front end parses another's prose.
package format

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/samllint/samllint/internal/render/redact"
	"github.com/samllint/samllint/lint"
)

// A Writer writes lint results in one output format, result by result, so
// that memory does not grow with the number of sign-ins; Finish writes the
// run's notices and whatever closes the document.
type Writer interface {
	Result(*lint.Result)
	Finish(notices []lint.Finding) error
}

var (
	_ Writer = (*Text)(nil)
	_ Writer = (*GitHub)(nil)
	_ Writer = (*JSONWriter)(nil)
	_ Writer = (*SARIFWriter)(nil)
)

// Run is what one run of samllint reports: every result, in input order,
// and what the config itself deserves to be told.
type Run struct {
	Results        []*lint.Result
	Notices        []lint.Finding
	ConfigPath     string
	ShowSuppressed bool
	// Redact masks names, addresses, account IDs, attribute and signature
	// values, the same way across the run.
	Redact bool
	// Context, when set, stops the writers between results once it is
	// done (a server's client left, or its deadline passed): they return
	// its error.
	Context context.Context
	// Version names the samllint that wrote the run, for the page's footer.
	Version string
}

// stopped is the run's context's error, if it is done.
func (r *Run) stopped() error {
	if r == nil || r.Context == nil {
		return nil
	}
	return r.Context.Err()
}

// redactor learns every message of the run.
func (r *Run) redactor() (*redact.Redactor, error) {
	red := redact.New()
	for _, res := range r.Results {
		if err := r.stopped(); err != nil {
			return nil, err
		}
		red.Learn(res.Response, res.Capture)
	}
	return red, nil
}

// findings returns a result's findings, with the suppressed ones when
// asked for.
func (r *Run) findings(res *lint.Result) []lint.Finding {
	if !r.ShowSuppressed || len(res.Report.Suppressed) == 0 {
		return res.Report.Findings
	}
	return append(append([]lint.Finding{}, res.Report.Findings...), res.Report.Suppressed...)
}

// Label names a result: the input, the capture's number within it when
// it holds several (as "samllint diff FILE#N" picks it), and where in the
// input the capture was found.
func Label(res *lint.Result) string {
	c := res.Capture
	if c == nil || c.Source == "" {
		return res.Input
	}
	return res.Input + "#" + strconv.Itoa(c.Index) + " (" + c.Source + ")"
}

// SentTo is "POST https://…" when the capture records where it went.
func SentTo(res *lint.Result) string {
	if c := res.Capture; c != nil && c.Source != "" {
		return strings.TrimSpace(c.Method + " " + c.URL)
	}
	return ""
}

// NeedGroup is a set of skipped rules that one input would unlock, with
// what it would check and what kept them from running.
type NeedGroup struct {
	Needs   lint.Needs
	Reasons []string
	Because []string
	Rules   []string
}

// Reason is the group's reasons as one phrase.
func (g NeedGroup) Reason() string { return strings.Join(g.Reasons, "; ") }

// Sentence is the group as one sentence, with the inputs named by name:
// "give --metadata FILE to check who signed the response (because …)".
//
// When the account read was asked for and failed (Because), the sentence
// starts with why, and offers only the files that stand in for the read:
// "needs iam:GetRole on … (AccessDenied): give --trust-policy FILE to …".
func (g NeedGroup) Sentence(name func(lint.Needs) string) string {
	s := g.Reason()
	if len(g.Because) == 0 {
		if len(g.Needs) > 0 {
			s = "give " + name(g.Needs) + " " + s
		}
		return s
	}
	var files lint.Needs
	for _, n := range g.Needs {
		if n != lint.InputAWSRead {
			files = append(files, n)
		}
	}
	why := strings.Join(g.Because, "; ")
	if len(files) == 0 {
		return why + " (" + strings.TrimPrefix(s, "to ") + ")"
	}
	return why + ": give " + name(files) + " " + s
}

// GroupSkipped groups skipped rules by the inputs that unlock them, as
// name renders them (the CLI's flags or the page's fields, so that two
// inputs one field takes are one group), in the order first skipped.
func GroupSkipped(skipped []lint.Skipped, name func(lint.Needs) string) []NeedGroup {
	var out []NeedGroup
	index := map[string]int{}
	for _, s := range skipped {
		key := name(s.Needs)
		if len(s.Needs) == 0 {
			key = "reason:" + s.Reason + s.Because
		}
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, NeedGroup{Needs: s.Needs})
		}
		g := &out[i]
		if !slices.Contains(g.Reasons, s.Reason) {
			g.Reasons = append(g.Reasons, s.Reason)
		}
		if s.Because != "" && !slices.Contains(g.Because, s.Because) {
			g.Because = append(g.Because, s.Because)
		}
		g.Rules = append(g.Rules, s.Rule)
	}
	return out
}

// SignerUnchecked names, in SARIF and GitHub annotations, a capture whose
// signer was not checked against a key IAM holds, with nothing worse
// found: without it a CI run given no metadata would pass a capture
// signed by anyone in silence. It is not a rule of the registry (nothing
// is wrong with the capture); the report's Signer says it.
const SignerUnchecked = "samllint/signer-unchecked"

// signerNote is the SignerUnchecked annotation of a result, when it
// deserves one: its signer was not checked and it has no error.
func signerNote(r *lint.Result) (lint.Finding, bool) {
	if r.Err != nil || r.Report.Signer.Checked || r.Report.Summary.Errors > 0 {
		return lint.Finding{}, false
	}
	fix := "Give the IdP metadata IAM holds to check who signed it."
	if n := r.Report.Signer.Needs; len(n) > 0 {
		fix = "Give " + Flags(n) + " to check who signed it."
	}
	return lint.Finding{Rule: SignerUnchecked, Severity: lint.Info,
		Message:  "signer not checked: " + r.Report.Signer.Reason,
		Location: lint.Location{Source: lint.SourceResponse},
		Expected: "a signature that verifies with the IdP metadata or certificate IAM holds", Actual: "not checked",
		Fix: fix}, true
}

// Flags renders inputs as the CLI's flags: "--trust-policy FILE".
func Flags(needs lint.Needs) string {
	var parts []string
	for _, n := range needs {
		parts = append(parts, n.Give())
	}
	return strings.Join(parts, " or ")
}

// Fields renders inputs as the page's field names, each once; an input
// the page has no field for (what --from-aws reads) is left out.
func Fields(needs lint.Needs) string {
	seen := map[string]bool{}
	var parts []string
	for _, n := range needs {
		if f := n.Field(); f != "" && !seen[f] {
			seen[f] = true
			parts = append(parts, "the “"+f+"” field")
		}
	}
	return strings.Join(parts, " or ")
}

// Line is s on one line: a carriage return or line feed in it prints as
// \r or \n. Text from an input (a file name, a value, a page's text) goes
// through Line wherever it is printed, so that it never starts a line of
// its own: not a forged finding, and not a GitHub workflow command
// ("::stop-commands::" would silence samllint's own annotations).
func Line(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return lineBreaks.Replace(s)
}

var lineBreaks = strings.NewReplacer("\r", `\r`, "\n", `\n`)

// Printf is fmt.Fprintf for a report's own lines: every string, error
// and Stringer argument is made one Line, so the only line breaks written
// are the format's own.
func Printf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, format, lineArgs(args)...)
}

// Println is fmt.Fprintln with Printf's arguments.
func Println(w io.Writer, args ...any) {
	fmt.Fprintln(w, lineArgs(args)...)
}

func lineArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			out[i] = Line(v)
		case error:
			out[i] = Line(v.Error())
		case fmt.Stringer:
			out[i] = Line(v.String())
		default:
			out[i] = a
		}
	}
	return out
}

// Clean makes text from a capture safe to print on a terminal: control
// characters (C0 but tab and newline, DEL, C1) and bidirectional
// overrides are shown as escapes, so a crafted HAR cannot retitle the
// terminal, recolour it, or reorder what is read. JSON output is exact.
func Clean(s string) string {
	if !needsClean(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r <= 0x9f, isBidi(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func needsClean(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\n' && c != '\t' || c == 0x7f || c >= 0x80 {
			if c >= 0x80 {
				// Decode only non-ASCII runs: most text is plain ASCII.
				for _, r := range s[i:] {
					if r >= 0x80 && r <= 0x9f || isBidi(r) || r == utf8.RuneError || r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
						return true
					}
				}
				return false
			}
			return true
		}
	}
	return false
}

func isBidi(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c ||
		unicode.Is(unicode.Bidi_Control, r)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// masked redacts s with a streaming writer's redactor, made on first use:
// what the run has learnt, plus, in a scope of its own, what res holds
// (so masking costs what one result holds, not the whole run).
func masked(red **redact.Redactor, res *lint.Result, s string) string {
	if *red == nil {
		*red = redact.New()
	}
	r := *red
	if res != nil {
		r = r.Scope()
		r.Learn(res.Response, res.Capture)
	}
	return r.String(s)
}
