package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/lint/policy"
	"github.com/samllint/samllint/saml"
)

// lintFlags are the flags of "samllint lint"; scripts and CI depend on
// their names.
type lintFlags struct {
	format, now, relay, failOn string
	atIssue, aws               bool
	skew                       time.Duration
	expect                     lint.Expect
	trust                      trustFlags
	trustPolicy, connectUsers  string
	permissions                multiFlag
	relaySet                   bool
	config                     string
	showSuppressed, redact     bool
	jobs                       int
}

func (lf *lintFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&lf.format, "format", "text", "output format: text, json, sarif or github (workflow annotations)")
	fs.StringVar(&lf.now, "now", "", "evaluation time, RFC 3339 (default: the current time)")
	fs.BoolVar(&lf.atIssue, "at-issue", false, "evaluate each response at its own IssueInstant (for captures made earlier)")
	fs.StringVar(&lf.relay, "relay-state", "", "the RelayState sent with the response (overrides one found in the input)")
	fs.StringVar(&lf.failOn, "fail-on", "error", "exit 1 when a finding is at or above: error, warning, info or none")
	fs.DurationVar(&lf.skew, "skew", lint.DefaultSkew, "clock-skew allowance for NotBefore/NotOnOrAfter")
	fs.BoolVar(&lf.aws, "aws", false, "run the AWS rules even when the capture shows no sign of AWS")
	fs.StringVar(&lf.expect.Recipient, "recipient", "", "expected Recipient (ACS URL)")
	fs.StringVar(&lf.expect.Audience, "audience", "", "expected Audience")
	fs.StringVar(&lf.expect.Issuer, "issuer", "", "expected Issuer (IdP entity ID)")
	fs.StringVar(&lf.expect.Account, "account", "", "expected AWS account ID")
	fs.StringVar(&lf.expect.Region, "region", "", "expected AWS region of the Connect instance")
	fs.StringVar(&lf.expect.ConnectInstance, "connect-instance", "", "expected Amazon Connect instance ID")
	fs.StringVar(&lf.trustPolicy, "trust-policy", "", "the role's trust policy: policy JSON, aws iam get-role output, CloudFormation or Terraform JSON")
	fs.Var(&lf.permissions, "permissions-policy", "a permissions policy of the role: policy JSON, aws iam get-role-policy or get-policy-version output (repeatable)")
	fs.StringVar(&lf.connectUsers, "connect-users", "", "aws connect list-users (or describe-user) output, to check the Connect user exists")
	fs.StringVar(&lf.config, "config", "", "config file (default: .samllint.yaml, .yml or .json in the working directory or a parent)")
	fs.BoolVar(&lf.showSuppressed, "show-suppressed", false, "also show findings the config suppresses")
	fs.BoolVar(&lf.redact, "redact", false, "mask names, e-mail addresses, account IDs, attribute values and signatures in the output")
	fs.IntVar(&lf.jobs, "jobs", 0, "inputs linted at once (default: the number of CPUs)")
	lf.trust.register(fs)
}

// wrongPolicyError: a trust policy given as a permissions policy, or the
// reverse.
type wrongPolicyError struct{ holds, expected string }

func (e *wrongPolicyError) Error() string {
	return "it holds a " + e.holds + "; expected " + e.expected
}

// addTrustPolicy loads a role's trust policy (policy JSON, get-role
// output, CloudFormation, Terraform) into opts, with the permissions a
// CloudFormation or Terraform role carries beside it.
func addTrustPolicy(opts *lint.Options, b []byte, name string) error {
	f, err := policy.Load(b, name)
	if err != nil {
		return err
	}
	if f.Trust == nil {
		return &wrongPolicyError{"permissions policy (no Principal)", "the role's trust policy"}
	}
	opts.TrustPolicy, opts.TrustRole = f.Trust, f.Role
	opts.Permissions = append(opts.Permissions, f.Permissions...)
	return nil
}

// addPermissionsPolicy loads a role's permissions policy into opts.
func addPermissionsPolicy(opts *lint.Options, b []byte, name string) error {
	f, err := policy.Load(b, name)
	if err != nil {
		return err
	}
	if len(f.Permissions) == 0 {
		return &wrongPolicyError{"trust policy", "a permissions policy"}
	}
	opts.Permissions = append(opts.Permissions, f.Permissions...)
	return nil
}

// loadIAM reads the policy and Connect-user flags into opts.
func (lf *lintFlags) loadIAM(opts *lint.Options) error {
	if lf.trustPolicy != "" {
		b, err := os.ReadFile(lf.trustPolicy)
		if err != nil {
			return usageErr("--trust-policy: %v", err)
		}
		if err := addTrustPolicy(opts, b, lf.trustPolicy); err != nil {
			var wrong *wrongPolicyError
			if errors.As(err, &wrong) {
				return usageErr("--trust-policy %s: %w", lf.trustPolicy, err)
			}
			return usageErr("--trust-policy: %w", err)
		}
	}
	for _, pp := range lf.permissions {
		b, err := os.ReadFile(pp)
		if err != nil {
			return usageErr("--permissions-policy: %v", err)
		}
		if err := addPermissionsPolicy(opts, b, pp); err != nil {
			var wrong *wrongPolicyError
			if errors.As(err, &wrong) {
				return usageErr("--permissions-policy %s: %w", pp, err)
			}
			return usageErr("--permissions-policy: %w", err)
		}
	}
	if lf.connectUsers != "" {
		b, err := os.ReadFile(lf.connectUsers)
		if err != nil {
			return usageErr("--connect-users: %v", err)
		}
		users, err := lint.ParseConnectUsers(b)
		if err != nil {
			return usageErr("--connect-users %s: %v", lf.connectUsers, err)
		}
		opts.ConnectUsers = users
	}
	return nil
}

const lintUsage = `usage: samllint [lint] [flags] [FILE...|-]

Lints captured SAML responses (any form "samllint decode" accepts) and reports
every reason the sign-in to AWS or Amazon Connect fails or is at risk: where,
expected versus actual, and the fix.

Exit status: 0 no finding at or above --fail-on; 1 findings at or above it;
2 could not run (bad flag, unreadable or undecodable input).

Flags:`

func lintCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var lf lintFlags
	lf.register(fs)
	if err := parseFlags(fs, lintUsage, args, stderr); err != nil {
		return err
	}
	switch lf.format {
	case "text", "json", "sarif", "github":
	default:
		return usageErr("--format %q: expected text, json, sarif or github", lf.format)
	}
	failOn, err := lint.ParseSeverity(lf.failOn)
	if err != nil {
		return usageErr("--fail-on: %v", err)
	}
	lf.relaySet = isSet(fs, "relay-state")
	opts, keys, err := lf.options()
	if err != nil {
		return err
	}
	cfg, err := lf.loadConfig(&opts)
	if err != nil {
		return err
	}
	inputs, err := expandInputs(fs.Args())
	if err != nil {
		return err
	}
	b := &batch{opts: opts, keys: keys, atIssue: lf.atIssue, cfg: cfg, stdin: stdin, stderr: stderr, jobs: lf.jobs, keepXML: lf.redact}
	out := &output{showSuppressed: lf.showSuppressed, redact: lf.redact}
	if cfg != nil {
		out.configPath = cfg.Path
	}
	// Text and GitHub annotations stream, result by result; JSON and
	// SARIF are single documents, written once every result is in.
	var ts *textStream
	switch lf.format {
	case "text", "github":
		ts = &textStream{w: stdout, out: out, github: lf.format == "github", color: colorOK(stdout)}
	}
	code := 0
	err = b.run(inputs, func(r result) {
		switch {
		case r.Err != nil:
			code = 2
		case code == 0:
			if max, ok := r.Report.Max(); ok && max >= failOn {
				code = 1
			}
		}
		if ts != nil {
			ts.add(r)
		} else {
			out.results = append(out.results, r)
		}
	})
	if err != nil {
		return err
	}
	if cfg != nil {
		out.notices = cfg.Notices(b.evalTime())
	}
	switch lf.format {
	case "json":
		err = writeLintJSON(stdout, out)
	case "sarif":
		err = writeSARIF(stdout, out)
	default:
		ts.finish()
	}
	if err != nil {
		return err
	}
	for _, n := range out.notices {
		if n.Severity >= failOn && code == 0 {
			code = 1
		}
	}
	if code == 2 {
		for _, r := range append(out.results, ts.failed()...) {
			if r.Err != nil {
				fmt.Fprintf(stderr, "samllint: %s: %s\n", r.label(), oneLine(r.Err.Error()))
			}
		}
		return &exitError{code: 2, err: fmt.Errorf("some input could not be linted")}
	}
	if code == 1 {
		return &exitError{code: 1}
	}
	return nil
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// result is one linted capture, or why it could not be linted.
type result struct {
	Input   string
	Capture *saml.Capture
	Report  *lint.Report
	Err     error
	resp    *saml.Response
	issuer  string // for config suppressions, kept when resp is dropped
}

// output is everything a run prints, whatever the format.
type output struct {
	results        []result
	notices        []lint.Finding // about the config itself
	configPath     string
	showSuppressed bool
	redact         bool
}

// redactor learns every message of the run, for --redact.
func (o *output) redactor() *saml.Redactor {
	r := saml.NewRedactor()
	for _, res := range o.results {
		r.Learn(res.resp, res.Capture)
	}
	return r
}

// findings returns a result's findings, with the suppressed ones when
// --show-suppressed asks for them.
func (o *output) findings(r result) []lint.Finding {
	if !o.showSuppressed || len(r.Report.Suppressed) == 0 {
		return r.Report.Findings
	}
	return append(append([]lint.Finding{}, r.Report.Findings...), r.Report.Suppressed...)
}

func (r result) label() string {
	if r.Capture != nil && r.Capture.Source != "" {
		return r.Input + ": " + r.Capture.Source
	}
	return r.Input
}

func lintOne(name string, m *saml.Message, opts lint.Options, atIssue bool, rules []*lint.Rule) result {
	res := result{Input: name, Capture: m.Capture, resp: m.Response}
	if m.Err != nil {
		res.Err = m.Err
		return res
	}
	if atIssue {
		if !m.Response.IssueInstant.OK {
			res.Err = fmt.Errorf("--at-issue: the Response has no usable IssueInstant (%q); give --now", m.Response.IssueInstant.Raw)
			return res
		}
		opts.Now = m.Response.IssueInstant.Time
	}
	res.Report, res.Err = lint.RunRules(rules, m, opts)
	return res
}

func colorOK(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f) && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}

func paint(on bool, code, s string) string {
	if !on {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
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

// textStream prints text (or GitHub annotations) result by result,
// keeping only a summary row per result, so a HAR of thousands of
// sign-ins is linted in constant memory.
type textStream struct {
	w             io.Writer
	out           *output
	github, color bool
	n             int
	rows          []summaryRow
	errs          []result
	red           *saml.Redactor
}

type summaryRow struct {
	label, verdict          string
	errors, warnings, infos int
	failed                  bool
}

func (t *textStream) print(text string, r *result) {
	if t.out.redact {
		if t.red == nil {
			t.red = saml.NewRedactor()
		}
		if r != nil {
			t.red.Learn(r.resp, r.Capture)
		}
		text = t.red.String(text)
	}
	io.WriteString(t.w, text)
}

func (t *textStream) add(r result) {
	var buf strings.Builder
	if t.github {
		writeGitHubResult(&buf, r)
	} else {
		if t.n > 0 {
			buf.WriteString("\n")
		}
		writeResultText(&buf, t.out, r, t.color && !t.out.redact)
	}
	t.print(buf.String(), &r)
	row := summaryRow{label: r.label(), failed: r.Err != nil}
	if r.Err != nil {
		t.errs = append(t.errs, r)
	} else {
		s := r.Report.Summary
		row.errors, row.warnings, row.infos, row.verdict = s.Errors, s.Warnings, s.Infos, strings.SplitN(r.Report.Verdict, ":", 2)[0]
	}
	t.rows = append(t.rows, row)
	t.n++
}

func (t *textStream) failed() []result {
	if t == nil {
		return nil
	}
	return t.errs
}

func (t *textStream) finish() {
	var buf strings.Builder
	for _, n := range t.out.notices {
		if t.github {
			writeAnnotation(&buf, t.out.configPath, n)
			continue
		}
		fmt.Fprintf(&buf, "\n%s %s: %s\n", paint(t.color, sevColor(n.Severity), fmt.Sprintf("%-7s", n.Severity)), n.Rule, n.Message)
		writeFindingBody(&buf, n)
	}
	if !t.github && len(t.rows) > 1 {
		writeSummaryTable(&buf, t.rows)
	}
	t.print(buf.String(), nil)
}

func writeResultText(w io.Writer, out *output, r result, color bool) {
	head := r.label()
	if r.Capture != nil && (r.Capture.Method != "" || r.Capture.URL != "") && r.Capture.Source != "" {
		head += " — " + strings.TrimSpace(r.Capture.Method+" "+r.Capture.URL)
	}
	fmt.Fprintln(w, paint(color, "1", head))
	if r.Err != nil {
		fmt.Fprintf(w, "could not lint: %s\n", oneLine(r.Err.Error()))
		return
	}
	rep := r.Report
	verdictColor := "1;32"
	if rep.Summary.Errors > 0 {
		verdictColor = "1;31"
	} else if rep.Summary.Warnings > 0 {
		verdictColor = "1;33"
	}
	v := rep.Verdict
	if n := len(rep.Suppressed); n > 0 {
		v += fmt.Sprintf(" (%d suppressed)", n)
	}
	fmt.Fprintf(w, "%s (evaluated at %s)\n", paint(color, verdictColor, v), rep.EvaluatedAt.Format(time.RFC3339))
	if r.Capture != nil && r.Capture.Reply != nil && r.Capture.Reply.ErrorText != "" {
		fmt.Fprintf(w, "AWS answered: %q\n", r.Capture.Reply.ErrorText)
	}
	for _, f := range out.findings(r) {
		sev := fmt.Sprintf("%-7s", f.Severity)
		if f.Suppressed != nil {
			sev = "suppressed " + f.Severity.String()
		}
		fmt.Fprintf(w, "\n%s %s: %s\n", paint(color, sevColor(f.Severity), sev), f.Rule, f.Message)
		writeFindingBody(w, f)
		if f.Suppressed != nil {
			fmt.Fprintf(w, "  suppressed because: %s\n", f.Suppressed.Reason)
		}
	}
	if len(rep.Skipped) > 0 {
		fmt.Fprintf(w, "\nskipped %d %s:\n", len(rep.Skipped), pluralWord(len(rep.Skipped), "check", "checks"))
		// Rules skipped for one reason share a line.
		var reasons []string
		byReason := map[string][]string{}
		for _, s := range rep.Skipped {
			if byReason[s.Reason] == nil {
				reasons = append(reasons, s.Reason)
			}
			byReason[s.Reason] = append(byReason[s.Reason], s.Rule)
		}
		for _, why := range reasons {
			fmt.Fprintf(w, "  %s: %s\n", strings.Join(byReason[why], ", "), why)
		}
	}
}

func writeFindingBody(w io.Writer, f lint.Finding) {
	fmt.Fprintf(w, "  at:       %s\n", f.Path)
	fmt.Fprintf(w, "  expected: %s\n", f.Expected)
	fmt.Fprintf(w, "  actual:   %s\n", f.Actual)
	fmt.Fprintf(w, "  fix:      %s\n", f.Fix)
}

// writeSummaryTable ends a batch with one line per capture.
func writeSummaryTable(w io.Writer, rows []summaryRow) {
	fmt.Fprintf(w, "\nSummary of %d captures:\n", len(rows))
	width := 5
	for _, r := range rows {
		width = max(width, len(r.label))
	}
	fmt.Fprintf(w, "  %-*s  %6s %8s %5s  %s\n", width, "input", "errors", "warnings", "infos", "verdict")
	var e, wn, in, failed int
	for _, r := range rows {
		if r.failed {
			failed++
			fmt.Fprintf(w, "  %-*s  %6s %8s %5s  could not lint\n", width, r.label, "-", "-", "-")
			continue
		}
		e, wn, in = e+r.errors, wn+r.warnings, in+r.infos
		fmt.Fprintf(w, "  %-*s  %6d %8d %5d  %s\n", width, r.label, r.errors, r.warnings, r.infos, r.verdict)
	}
	fmt.Fprintf(w, "  %-*s  %6d %8d %5d", width, "total", e, wn, in)
	if failed > 0 {
		fmt.Fprintf(w, "  (%d could not be linted)", failed)
	}
	fmt.Fprintln(w)
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// The JSON document: one result per capture, and every finding and skipped
// check in flat lists that name their input and capture.
type jsonResult struct {
	Input       string        `json:"input"`
	Capture     int           `json:"capture"`
	Source      string        `json:"source,omitempty"`
	Chain       string        `json:"chain,omitempty"`
	RelayState  *string       `json:"relay_state,omitempty"`
	EvaluatedAt *time.Time    `json:"evaluated_at,omitempty"`
	Verdict     string        `json:"verdict"`
	Summary     *lint.Summary `json:"summary,omitempty"`
	Error       string        `json:"error,omitempty"`
}

type jsonFinding struct {
	Input   string `json:"input"`
	Capture int    `json:"capture"`
	lint.Finding
}

type jsonSkipped struct {
	Input   string `json:"input"`
	Capture int    `json:"capture"`
	lint.Skipped
}

func writeLintJSON(w io.Writer, out *output) error {
	doc := struct {
		Version  int            `json:"version"`
		Results  []jsonResult   `json:"results"`
		Findings []jsonFinding  `json:"findings"`
		Skipped  []jsonSkipped  `json:"skipped"`
		Notices  []lint.Finding `json:"notices"`
	}{Version: 1, Results: []jsonResult{}, Findings: []jsonFinding{}, Skipped: []jsonSkipped{}, Notices: out.notices}
	if doc.Notices == nil {
		doc.Notices = []lint.Finding{}
	}
	for _, r := range out.results {
		jr := jsonResult{Input: r.Input}
		if c := r.Capture; c != nil {
			jr.Capture, jr.Source, jr.Chain, jr.RelayState = c.Index, c.Source, c.ChainString(), c.RelayState
		}
		if r.Err != nil {
			jr.Verdict = "could not lint"
			jr.Error = oneLine(r.Err.Error())
			doc.Results = append(doc.Results, jr)
			continue
		}
		t := r.Report.EvaluatedAt
		jr.EvaluatedAt, jr.Verdict, jr.Summary = &t, r.Report.Verdict, &r.Report.Summary
		doc.Results = append(doc.Results, jr)
		for _, f := range out.findings(r) {
			doc.Findings = append(doc.Findings, jsonFinding{Input: r.Input, Capture: jr.Capture, Finding: f})
		}
		for _, s := range r.Report.Skipped {
			doc.Skipped = append(doc.Skipped, jsonSkipped{Input: r.Input, Capture: jr.Capture, Skipped: s})
		}
	}
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	text := []byte(buf.String())
	if out.redact {
		var err error
		if text, err = redactJSON(text, out.redactor(), "  "); err != nil {
			return err
		}
	}
	_, err := w.Write(text)
	return err
}

func rulesCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rules", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "text, or markdown (docs/rules.md)")
	if err := parseFlags(fs, "", args, stderr); err != nil {
		return err
	}
	switch *format {
	case "markdown":
		fmt.Fprint(stdout, lint.Markdown(lint.Rules()))
	case "text":
		for _, r := range lint.Rules() {
			fmt.Fprintf(stdout, "%-32s %-8s %s\n", r.ID, r.Severity, r.Title)
		}
	default:
		return usageErr("--format %q: expected text or markdown", *format)
	}
	return nil
}

func explainCmd(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageErr("usage: samllint explain RULE, or samllint explain \"<error text you saw>\"")
	}
	if len(args) > 1 || strings.Contains(args[0], " ") {
		text := strings.Join(args, " ")
		rules := lint.Diagnose(text)
		if len(rules) == 0 {
			return usageErr("no rule is known to produce %q; samllint rules lists them all", text)
		}
		fmt.Fprint(stdout, lint.ExplainSymptom(text, rules))
		return nil
	}
	r := lint.Lookup(args[0])
	if r == nil {
		var ids []string
		for _, x := range lint.Rules() {
			ids = append(ids, x.ID)
		}
		near := ""
		for _, id := range ids {
			if strings.HasSuffix(id, "/"+args[0]) || strings.Contains(id, args[0]) {
				near = id
				break
			}
		}
		if near != "" {
			return usageErr("unknown rule %q; did you mean %s?", args[0], near)
		}
		return usageErr("unknown rule %q; samllint rules lists them", args[0])
	}
	fmt.Fprint(stdout, lint.Explain(r))
	return nil
}
