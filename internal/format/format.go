// Package format renders samllint's results: text, JSON, SARIF, GitHub
// annotations and the serve page's JSON for lint; and the outputs of
// decode, diff and fix. Detection is lint's; this package only presents,
// from typed values, so no front end parses another's prose.
package format

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/samllint/samllint/internal/redact"
	"github.com/samllint/samllint/lint"
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
}

// redactor learns every message of the run.
func (r *Run) redactor() *redact.Redactor {
	red := redact.New()
	for _, res := range r.Results {
		red.Learn(res.Response, res.Capture)
	}
	return red
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
func (g NeedGroup) Sentence(name func(lint.Needs) string) string {
	s := g.Reason()
	if len(g.Needs) > 0 {
		s = "give " + name(g.Needs) + " " + s
	}
	if len(g.Because) > 0 {
		s += " (" + strings.Join(g.Because, "; ") + ")"
	}
	return s
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
