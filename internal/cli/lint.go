package cli

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/samllint/samllint/internal/render/format"
	"github.com/samllint/samllint/lint"
)

const lintUsage = `usage: samllint [lint] [flags] [FILE[#N]...|DIR...|-] [flags]

Lints captured SAML responses (any form "samllint decode" accepts; a HAR
yields one result per SAML message) and reports every reason the sign-in to
AWS or Amazon Connect fails or is at risk: where, expected versus actual,
and the fix. Directories are walked; files are picked by their content.
FILE#N lints only the N-th capture of FILE, as every report numbers them.
Flags go before or after the inputs; -- ends them.

The evaluation time is --now, or each response's IssueInstant with
--at-issue, else when the capture says it was posted (a HAR records it),
else now for a response issued moments ago, else IssueInstant + 1 minute.
Every result says which was used and why.

Exit status: 0 no finding at or above --fail-on; 1 findings at or above it;
2 could not run (bad flag, unreadable or undecodable input).`

func lintCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("lint", lintUsage, stdout, stderr)
	var flags lintFlags
	flags.register(fs)
	var rf reportFlags
	rf.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := rf.check(); err != nil {
		return err
	}
	in, opts, err := flags.load(fs, stderr)
	if err != nil {
		return err
	}
	files, skipped, err := expandInputs(fs.Args(), rf.jobs)
	if err != nil {
		return err
	}
	reportSkipped(stderr, skipped)
	b := &batch{in: in, opts: opts, stdin: stdin, stderr: stderr, jobs: rf.jobs, keep: rf.redact}
	return rf.report(b, files, stdout, stderr)
}

// reportFlags are how a report is written: what lint and record print.
type reportFlags struct {
	format, failOn         string
	showSuppressed, redact bool
	jobs                   int
	threshold              lint.Severity
}

func (rf *reportFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&rf.format, "format", "text", "output format: text, json, sarif or github (workflow annotations)")
	fs.StringVar(&rf.failOn, "fail-on", "error", "exit 1 when a finding is at or above: error, warning, info or none")
	fs.BoolVar(&rf.showSuppressed, "show-suppressed", false, "also show findings the config suppresses")
	fs.BoolVar(&rf.redact, "redact", false, "mask names, e-mail addresses, account IDs, attribute values and signatures in the output")
	fs.IntVar(&rf.jobs, "jobs", 0, "inputs linted at once (default: the number of CPUs)")
}

func (rf *reportFlags) check() error {
	if err := checkFormat(rf.format, "text", "json", "sarif", "github"); err != nil {
		return err
	}
	t, err := lint.ParseSeverity(rf.failOn)
	if err != nil {
		return usageErr("--fail-on: %v", err)
	}
	rf.threshold = t
	return nil
}

// report lints the inputs through b and writes the report as lint does,
// returning the exit status as an error.
func (rf *reportFlags) report(b *batch, files []string, stdout, stderr io.Writer) error {
	in, opts := b.in, b.opts
	run := &format.Run{ShowSuppressed: rf.showSuppressed, Redact: rf.redact}
	if cfg := in.Config(); cfg != nil {
		run.ConfigPath = cfg.Path
	}
	// Each result is written whole, in one write: a writer's many small
	// writes straight to stdout cost a system call each, on the goroutine
	// that orders the results.
	buf := bufio.NewWriterSize(stdout, 64<<10)
	var out format.Writer
	switch rf.format {
	case "text":
		text := format.NewText(buf)
		text.Color, text.Redact, text.ShowSuppressed = colorOK(stdout), rf.redact, rf.showSuppressed
		text.SkipFailed = len(files) == 1
		out = text
	case "github":
		github := format.NewGitHub(buf)
		github.Redact, github.ConfigPath = rf.redact, run.ConfigPath
		out = github
	case "json":
		out = format.NewJSON(buf, run)
	case "sarif":
		out = format.NewSARIF(buf, run, Version())
	}
	failed, fails := 0, false
	err := b.run(files, func(r *lint.Result) {
		if r.Err != nil {
			failed++
			sayf(stderr, "samllint: %s: %s\n", format.Label(r), format.OneLine(r.Err.Error()))
		} else if r.Report.Fails(rf.threshold) {
			fails = true
		}
		out.Result(r)
		_ = buf.Flush() // as the writers' own write errors, not fatal; the last flush's is
	})
	if err != nil {
		return err
	}
	run.Notices = lint.RunNotices(in, opts, nil) // the CLI always gives its clock
	err = out.Finish(run.Notices)
	if ferr := buf.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	for _, n := range run.Notices {
		fails = fails || n.Severity >= rf.threshold
	}
	switch {
	case failed > 0 && len(files) > 1:
		return &exitError{code: 2, err: fmt.Errorf("%d of the captures could not be linted", failed)}
	case failed > 0:
		return &exitError{code: 2}
	case fails:
		return &exitError{code: 1}
	}
	return nil
}

func rulesCmd(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("rules", "usage: samllint rules [--format text|markdown]\n\nLists the rules: ID, default severity, title. --format markdown prints docs/rules.md.", stdout, stderr)
	formatName := fs.String("format", "text", "text, or markdown (docs/rules.md)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("rules takes no arguments, got %q", fs.Arg(0))
	}
	switch *formatName {
	case "markdown":
		fmt.Fprint(stdout, lint.Markdown(lint.Rules()))
	case "text":
		for _, r := range lint.Rules() {
			fmt.Fprintf(stdout, "%-38s %-8s %s\n", r.ID, r.Severity, r.Title)
		}
	default:
		return usageErr("--format %q: expected text or markdown", *formatName)
	}
	return nil
}

const explainUsage = `usage: samllint explain RULE
       samllint explain "ERROR TEXT OR CODE"

With a rule ID, prints the rule's documentation: why it breaks sign-in, the
fix, what users see, and its example. With the text of an error you saw (or
an error code such as AccessDenied or ExpiredTokenException), lists the
rules that cause it, most likely first, and what to capture to tell them
apart.`

func explainCmd(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("explain", explainUsage, stdout, stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	args = fs.Args()
	if len(args) == 0 {
		return usageErr("explain needs a rule ID or an error text (samllint explain -h)")
	}
	text := strings.Join(args, " ")
	if r := lint.Lookup(text); r != nil {
		fmt.Fprint(stdout, lint.Explain(r))
		return nil
	}
	if ans := lint.Diagnose(text); len(ans.Causes) > 0 || len(ans.Notes) > 0 {
		io.WriteString(stdout, format.Clean(lint.ExplainSymptom(text, ans)))
		return nil
	}
	if near := lint.NearestRule(text); near != "" {
		return usageErr("unknown rule %q; did you mean %s?", text, near)
	}
	return usageErr("no rule is known to produce %q; samllint rules lists the rules, and samllint explain takes the exact error text", text)
}

// reportSkipped says which files a directory walk left out, one line per
// reason, naming at most three.
func reportSkipped(stderr io.Writer, skipped []skippedFile) {
	var order []string
	byWhy := map[string][]string{}
	for _, s := range skipped {
		if byWhy[s.why] == nil {
			order = append(order, s.why)
		}
		byWhy[s.why] = append(byWhy[s.why], s.path)
	}
	for _, why := range order {
		paths := byWhy[why]
		if len(paths) == 1 {
			sayf(stderr, "samllint: skipped %s: %s\n", paths[0], why)
			continue
		}
		names := strings.Join(paths[:min(3, len(paths))], ", ")
		if len(paths) > 3 {
			names += fmt.Sprintf(" and %d more", len(paths)-3)
		}
		sayf(stderr, "samllint: skipped %d files, %s: %s\n", len(paths), why, names)
	}
}
