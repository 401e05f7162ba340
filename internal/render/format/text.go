package format

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/samllint/samllint/internal/render/redact"
	"github.com/samllint/samllint/lint"
)

// Text writes the human report result by result, keeping only a summary
// row of each, so a HAR of thousands of sign-ins prints in constant
// memory. Finish ends it with the config's notices and, for a batch, a
// summary table.
type Text struct {
	w              io.Writer
	Color          bool
	mark           string         // see paint
	marks          *regexp.Regexp // matches painted markers
	Redact         bool
	ShowSuppressed bool
	// SkipFailed leaves out a result that could not be linted, which the
	// caller has said on standard error (a run of one input).
	SkipFailed bool

	n    int
	rows []summaryRow // the first maxRows results
	// more totals the results past maxRows, which the summary counts
	// without listing: memory stays flat over a HAR of any length.
	more                      summaryRow
	nMore, nMoreFailed, total int
	red                       *redact.Redactor
}

type summaryRow struct {
	label                   string
	outcome                 lint.Outcome
	errors, warnings, infos int
	failed                  bool
}

// NewText starts a text report on w.
func NewText(w io.Writer) *Text { return &Text{w: w} }

func (t *Text) print(s string, res *lint.Result) {
	if t.Redact {
		s = masked(&t.red, res, s)
	}
	s = Clean(s)
	if t.marks != nil {
		s = t.marks.ReplaceAllString(s, "\x1b[${1}m")
	}
	io.WriteString(t.w, s)
}

// Result prints one result.
func (t *Text) Result(res *lint.Result) {
	if t.SkipFailed && res.Err != nil {
		return
	}
	var b strings.Builder
	if t.n > 0 {
		b.WriteString("\n")
	}
	t.write(&b, res)
	t.print(b.String(), res)
	row := summaryRow{label: Label(res), failed: res.Err != nil}
	if res.Err == nil {
		s := res.Report.Summary
		row.errors, row.warnings, row.infos, row.outcome = s.Errors, s.Warnings, s.Infos, res.Report.Outcome
	}
	t.total++
	if len(t.rows) < maxRows {
		t.rows = append(t.rows, row)
	} else {
		t.nMore++
		t.more.errors, t.more.warnings, t.more.infos = t.more.errors+row.errors, t.more.warnings+row.warnings, t.more.infos+row.infos
		if row.failed {
			t.nMoreFailed++
		}
	}
	t.n++
}

// paint colours s. The escape codes cannot be written as they are: the
// text is cleaned of every control character afterwards, so that a
// capture cannot colour or retitle the terminal. paint writes markers
// carrying a random per-run mark instead, which print turns into escape
// codes after cleaning; a capture cannot know the mark to forge one.
func (t *Text) paint(code, s string) string {
	if !t.Color || t.Redact {
		return s
	}
	if t.mark == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		t.mark = "\uE000" + hex.EncodeToString(b[:]) + ":"
		t.marks = regexp.MustCompile(regexp.QuoteMeta(t.mark) + `([0-9;]+)\x{E001}`)
	}
	return t.mark + code + "\uE001" + s + t.mark + "0\uE001"
}

func sevColor(s lint.Severity) string {
	switch s {
	case lint.Error:
		return "1;31"
	case lint.Warning:
		return "1;33"
	}
	return "36"
}

func (t *Text) write(w io.Writer, res *lint.Result) {
	head := Label(res)
	if to := SentTo(res); to != "" {
		head += " — " + to
	}
	Println(w, t.paint("1", head))
	if res.Err != nil {
		Printf(w, "could not lint: %s\n", OneLine(res.Err.Error()))
		return
	}
	rep := res.Report
	color := "1;32"
	switch rep.Outcome {
	case lint.OutcomeWillFail:
		color = "1;31"
	case lint.OutcomeMayFail, lint.OutcomeSignerUnchecked:
		color = "1;33"
	}
	v := rep.Verdict
	if n := len(rep.Suppressed); n > 0 {
		v += fmt.Sprintf(" (%d suppressed)", n)
	}
	Println(w, t.paint(color, v))
	if rep.Outcome == lint.OutcomeSignerUnchecked && len(rep.Signer.Needs) > 0 {
		Printf(w, "give %s to check who signed it\n", Flags(rep.Signer.Needs))
	}
	if rep.Signer.Note != "" {
		Printf(w, "signer %s\n", rep.Signer.Note)
	}
	Printf(w, "evaluated at %s: %s\n", clockTime(rep.Clock), rep.Clock.Reason)
	if c := res.Capture; c != nil && c.Reply != nil {
		reply := fmt.Sprintf("%d %s", c.Reply.Status, c.Reply.StatusText)
		if c.Reply.Location != "" {
			reply += " → " + c.Reply.Location
		}
		Printf(w, "the server answered: %s\n", strings.TrimSpace(reply))
		if c.Reply.ErrorText != "" {
			Printf(w, "its page says: %q\n", c.Reply.ErrorText)
		}
	}
	findings := rep.Findings
	if t.ShowSuppressed {
		findings = append(append([]lint.Finding{}, findings...), rep.Suppressed...)
	}
	for _, f := range findings {
		sev := fmt.Sprintf("%-7s", f.Severity)
		if f.Suppressed != nil {
			sev = "suppressed " + f.Severity.String()
		}
		Printf(w, "\n%s %s: %s\n", t.paint(sevColor(f.Severity), sev), f.Rule, f.Message)
		findingBody(w, f)
		if f.Suppressed != nil {
			Printf(w, "  suppressed because: %s\n", f.Suppressed.Reason)
		}
	}
	if len(rep.Skipped) > 0 {
		Printf(w, "\nskipped %d %s:\n", len(rep.Skipped), plural(len(rep.Skipped), "check", "checks"))
		for _, g := range GroupSkipped(rep.Skipped, Flags) {
			Printf(w, "  %s: %s\n", g.Sentence(Flags), strings.Join(g.Rules, ", "))
		}
	}
}

func clockTime(c lint.Clock) string {
	if c.Time.IsZero() {
		return "no time"
	}
	return c.Time.Format(time.RFC3339)
}

func findingBody(w io.Writer, f lint.Finding) {
	Printf(w, "  at:       %s\n", f.Location)
	Printf(w, "  expected: %s\n", f.Expected)
	Printf(w, "  actual:   %s\n", f.Actual)
	if f.Okta != "" {
		Printf(w, "  okta:     %s\n", f.Okta)
	}
	Printf(w, "  fix:      %s\n", f.Fix)
}

// Finish prints the config's notices and, after more than one result, a
// summary table.
func (t *Text) Finish(notices []lint.Finding) error {
	var b strings.Builder
	for _, n := range notices {
		Printf(&b, "\n%s %s: %s\n", t.paint(sevColor(n.Severity), fmt.Sprintf("%-7s", n.Severity)), n.Rule, n.Message)
		findingBody(&b, n)
	}
	if t.total > 1 {
		t.summary(&b)
	}
	t.print(b.String(), nil)
	return nil
}

func (t *Text) summary(w io.Writer) {
	Printf(w, "\nSummary of %d captures:\n", t.total)
	width := 5
	for _, r := range t.rows {
		width = max(width, len(r.label))
	}
	Printf(w, "  %-*s  %6s %8s %5s  %s\n", width, "input", "errors", "warnings", "infos", "verdict")
	var e, wn, in, failed int
	for _, r := range t.rows {
		if r.failed {
			failed++
			Printf(w, "  %-*s  %6s %8s %5s  could not lint\n", width, r.label, "-", "-", "-")
			continue
		}
		e, wn, in = e+r.errors, wn+r.warnings, in+r.infos
		Printf(w, "  %-*s  %6d %8d %5d  %s\n", width, r.label, r.errors, r.warnings, r.infos, outcomeWords[r.outcome])
	}
	if t.nMore > 0 {
		e, wn, in, failed = e+t.more.errors, wn+t.more.warnings, in+t.more.infos, failed+t.nMoreFailed
		Printf(w, "  %-*s  %6d %8d %5d  (%d more, not listed)\n", width, "…", t.more.errors, t.more.warnings, t.more.infos, t.nMore)
	}
	Printf(w, "  %-*s  %6d %8d %5d", width, "total", e, wn, in)
	if failed > 0 {
		Printf(w, "  (%d could not be linted)", failed)
	}
	Println(w)
}

// maxRows is the most results the summary lists one by one.
const maxRows = 1000

var outcomeWords = map[lint.Outcome]string{
	lint.OutcomePass: "no problems found", lint.OutcomeNotes: "no problems found",
	lint.OutcomeMayFail: "sign-in may fail", lint.OutcomeWillFail: "sign-in will fail",
}

// OneLine folds an error's text onto one line, as every front end prints it.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
