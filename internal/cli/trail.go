package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/samllint/samllint/internal/reach"
	"github.com/samllint/samllint/internal/render/format"
	"github.com/samllint/samllint/internal/render/redact"
	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/trail"
)

const trailUsage = `usage: samllint trail [flags] [FILE|DIR...]

Reads AWS's own record of sign-ins: CloudTrail's AssumeRoleWithSAML events
and Amazon Connect's GetFederationToken events, from CloudTrail log files
as delivered to S3 (gzipped or not; a directory is read whole), from
"aws cloudtrail lookup-events" output, or with --from-aws from CloudTrail's
event history itself (cloudtrail:LookupEvents, the last --since, 24h by
default, in us-east-1 and the --regions given). It prints one line per
sign-in attempt, oldest first: the time, the user, the role and provider,
what AWS answered, and for Connect the GetFederationToken that followed.
Then, for each failure, the problems samllint knows that can cause it, most
likely first, as "samllint explain" lists them: the record names the
error, not always its cause. With --from-aws, the causes the record's role,
provider, session and instance decide are checked against the account.

A capture given among the files, or with --capture FILE, is joined to its
event by the assertion's ID (sAMLAssertionID) and puts AWS's verdict beside samllint's; a captured
post AWS logged nothing for is said too, once the files reach past the
time CloudTrail may take to deliver it. It takes every input "samllint
lint" takes, for linting the captures.

Exit status: 0 no failed attempt, 1 a failed attempt (or AWS and samllint
disagree on a capture), 2 could not run.`

// cloudTrailDelivery is how long after a call its event may appear:
// CloudTrail delivers within about 5 minutes, which is not guaranteed
// (https://aws.amazon.com/cloudtrail/faqs/); samllint waits three times.
const cloudTrailDelivery = 15 * time.Minute

func trailCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("trail", trailUsage, stdout, stderr)
	var flags lintFlags
	flags.register(fs)
	since := fs.Duration("since", 24*time.Hour, "with --from-aws, read the events of this long before --end (or now)")
	regions := fs.String("regions", "", "with --from-aws, the regions to read besides us-east-1, comma-separated: those of regional sign-in endpoints and of Connect instances")
	formatName := fs.String("format", "text", "output format: text, json, sarif or github")
	redactOut := fs.Bool("redact", false, "mask names, e-mail addresses, account IDs, source IPs and user agents")
	user := fs.String("user", "", "only the attempts of this user: the session name or subject, exactly")
	role := fs.String("role", "", "only the attempts with this role ARN")
	start := fs.String("start", "", "only attempts at or after this time (RFC 3339)")
	end := fs.String("end", "", "only attempts before this time (RFC 3339)")
	var captures stringsFlag
	fs.Var(&captures, "capture", "a captured sign-in to join to its events by assertion ID (repeatable)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := checkFormat(*formatName, "text", "json", "sarif", "github"); err != nil {
		return err
	}
	if fs.NArg() == 0 && !flags.aws.from {
		return usageErr("trail needs CloudTrail files (log files as delivered to S3, or aws cloudtrail lookup-events output), or --from-aws to read CloudTrail's event history")
	}
	var from, to time.Time
	for _, t := range []struct {
		flag, v string
		dst     *time.Time
	}{{"start", *start, &from}, {"end", *end, &to}} {
		if t.v == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339, t.v)
		if err != nil {
			return usageErr("--%s %q: expected an RFC 3339 time such as 2026-11-20T10:00:00Z", t.flag, t.v)
		}
		*t.dst = v
	}
	opts, err := flags.clock.options()
	if err != nil {
		return err
	}
	in, err := flags.inputs.load(fs)
	if err != nil {
		return err
	}
	events, files, given, err := readTrail(fs.Args(), stderr)
	if err != nil {
		return err
	}
	captures = append(captures, given...)
	if flags.aws.from {
		reader, err := flags.aws.reader(fs, stderr)
		if err != nil {
			return err
		}
		opts.Resolver = reader
		now := opts.Now
		if now.IsZero() {
			now = opts.Wall
		}
		q := reach.EventQuery{Regions: []string{"us-east-1"}, Start: from, End: to, Interval: lookupInterval}
		if q.End.IsZero() {
			q.End = now
		}
		if q.Start.IsZero() {
			q.Start = q.End.Add(-*since)
		}
		switch {
		case !q.Start.Before(q.End):
			return usageErr("--start %s is not before --end %s", q.Start.Format(time.RFC3339), q.End.Format(time.RFC3339))
		case q.Start.Before(now.Add(-awsHistory)):
			return usageErr("--start %s is more than 90 days ago: CloudTrail's event history (LookupEvents) keeps 90 days; read older events from the trail's log files in S3", q.Start.Format(time.RFC3339))
		}
		for _, r := range strings.Split(*regions, ",") {
			if r = strings.TrimSpace(r); r != "" && !slices.Contains(q.Regions, r) {
				q.Regions = append(q.Regions, r)
			}
		}
		live, err := lookupEvents(reader, q, stderr)
		if err != nil {
			return err
		}
		for _, e := range live {
			if _, ok := files[e.ID]; !ok {
				files[e.ID] = "cloudtrail/" + e.Region // the event history, for SARIF and GitHub
			}
		}
		events = dedupe(append(events, live...))
	}
	if opts.Resolver, err = flags.okta.withOkta(fs, opts.Resolver); err != nil {
		return err
	}
	var kept []trail.Event
	for _, e := range events {
		switch {
		case !from.IsZero() && e.Time.Before(from), !to.IsZero() && !e.Time.Before(to):
		case *role != "" && e.RoleARN != *role && e.Name == trail.AssumeRoleWithSAML:
		default:
			kept = append(kept, e)
		}
	}
	attempts := trail.Attempts(kept)
	if *user != "" || *role != "" {
		var only []trail.Attempt
		for _, a := range attempts {
			if (*user == "" || a.User() == *user) && (*role == "" || a.SignIn != nil && a.SignIn.RoleARN == *role) {
				only = append(only, a)
			}
		}
		attempts = only
	}
	rep := trailReport{Attempts: attempts, Checked: map[int][]trail.Verdict{}, Files: files}
	if flags.aws.from {
		// What the account holds now, for each failure's own role,
		// provider and session.
		for i, a := range attempts {
			e := a.Failed()
			if e == nil {
				continue
			}
			v, err := trail.Check(a, trail.Diagnose(e), in, opts)
			var ce *reach.CredentialsError
			switch {
			case errors.As(err, &ce):
				return usageErr("--from-aws: %v", ce)
			case err != nil:
				return usageErr("%v", err)
			}
			rep.Checked[i] = v
		}
	}
	if len(captures) > 0 {
		if rep.Captures, err = joinCaptures(captures, in, opts, events, stdin, stderr); err != nil {
			return err
		}
	}
	var red *redact.Redactor
	if *redactOut {
		red = redact.New()
		for _, e := range events {
			for _, v := range []string{e.SessionName, e.Subject, e.SourceIdentity, e.NameQualifier} {
				red.Person(v)
			}
			red.Address(e.SourceIP)
			red.Address(e.UserAgent)
		}
	}
	var out string
	switch *formatName {
	case "sarif", "github":
		var b strings.Builder
		fails := rep.failures()
		var err error
		if *formatName == "sarif" {
			err = format.TrailSARIF(&b, fails, Version())
		} else {
			err = format.TrailGitHub(&b, fails)
		}
		if err != nil {
			return err
		}
		out = b.String()
		if red != nil {
			if *formatName == "sarif" {
				m, err := red.JSON([]byte(out), "  ")
				if err != nil {
					return err
				}
				out = string(m) + "\n"
			} else {
				out = red.String(out)
			}
		}
	case "json":
		b, err := json.MarshalIndent(rep.json(), "", "  ")
		if err != nil {
			return err
		}
		out = string(b) + "\n"
		if red != nil {
			m, err := red.JSON([]byte(out), "  ")
			if err != nil {
				return err
			}
			out = string(m) + "\n"
		}
	default:
		out = rep.text()
		if red != nil {
			out = red.String(out)
		}
	}
	io.WriteString(stdout, out)
	if rep.failed() {
		return &exitError{code: 1}
	}
	return nil
}

// stringsFlag is a flag given any number of times.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

// readTrail reads every file given, directories whole (files that are not
// CloudTrail's are skipped there, and named on stderr).
// A file given that is a capture, not CloudTrail's, is returned in
// captures: samllint trail sign-in.har --from-aws joins it to its event.
func readTrail(args []string, stderr io.Writer) (events []trail.Event, files map[string]string, captures []string, err error) {
	files = map[string]string{}
	read := func(path string, inDir bool) error {
		f, err := os.Open(path)
		if err != nil {
			return usageErr("cannot read %v", err)
		}
		defer f.Close()
		evs, err := trail.Read(path, f)
		var fe *trail.FormatError
		switch {
		case err != nil && errors.As(err, &fe) && notCapture(path) == "":
			captures = append(captures, path)
			return nil
		case err != nil && inDir && errors.As(err, &fe):
			sayf(stderr, "samllint: skipped %s: %s\n", path, fe.Why)
			return nil
		case err != nil:
			return usageErr("%v", err)
		}
		for _, e := range evs {
			if _, ok := files[e.ID]; !ok {
				files[e.ID] = path
			}
		}
		events = append(events, evs...)
		return nil
	}
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, nil, nil, usageErr("cannot read %v", err)
		}
		if !st.IsDir() {
			if err := read(a, false); err != nil {
				return nil, nil, nil, err
			}
			continue
		}
		err = walkFiles(a, func(p string) error { return read(p, true) })
		if err != nil {
			return nil, nil, nil, err
		}
	}
	return dedupe(events), files, captures, nil
}

// dedupe sorts events and keeps each once by its ID: a log file and a
// lookup of it, or a file and the live history, hold the same events.
func dedupe(events []trail.Event) []trail.Event {
	trail.Sort(events)
	seen := map[string]bool{}
	var out []trail.Event
	for _, e := range events {
		if e.ID != "" && seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		out = append(out, e)
	}
	return out
}

// lookupInterval is reach.EventQuery.Interval: zero, CloudTrail's
// documented rate, but in the tests.
var lookupInterval time.Duration

// awsHistory is how far back CloudTrail's event history reaches.
const awsHistory = 90 * 24 * time.Hour

// lookupEvents reads the live history, with a progress line on a
// terminal once it takes more than a second, and a line saying what was
// read when it took that long.
func lookupEvents(r reach.AWSReader, q reach.EventQuery, stderr io.Writer) ([]trail.Event, error) {
	began := time.Now()
	progress := isTerminalWriter(stderr)
	pages, n := 0, 0
	q.Page = func(region, name string, page, events int) {
		pages++
		n += events
		if progress && time.Since(began) > time.Second {
			fmt.Fprintf(stderr, "\rsamllint: reading CloudTrail in %s: %s, page %d, %d events so far…", region, name, page, n)
		}
	}
	events, err := r.LookupEvents(context.Background(), q)
	if progress && time.Since(began) > time.Second {
		fmt.Fprint(stderr, "\r\x1b[K")
	}
	var ce *reach.CredentialsError
	switch {
	case errors.As(err, &ce):
		return nil, usageErr("--from-aws: %v", ce)
	case err != nil:
		return nil, usageErr("--from-aws: %v", err)
	}
	if took := time.Since(began); took > time.Second {
		sayf(stderr, "samllint: read %d federation events from CloudTrail in %s (%d pages, %s)\n", len(events), strings.Join(q.Regions, ", "), pages, took.Round(100*time.Millisecond))
	}
	return events, nil
}

// capturedSignIn is one capture joined to AWS's record.
type capturedSignIn struct {
	Input       string
	AssertionID string
	Samllint    lint.Outcome
	Verdict     string
	Rules       []string
	Event       *trail.Event
	// Unlogged: AWS logged nothing for the assertion though the events
	// read reach past the post by the delivery delay.
	Unlogged, Unknown bool
}

func joinCaptures(files []string, in *lint.Inputs, opts lint.Options, events []trail.Event, stdin io.Reader, stderr io.Writer) ([]capturedSignIn, error) {
	byID := map[string]*trail.Event{}
	var last time.Time
	for i := range events {
		e := &events[i]
		if e.Name == trail.AssumeRoleWithSAML && e.AssertionID != "" {
			byID[e.AssertionID] = e
		}
		if e.Time.After(last) {
			last = e.Time
		}
	}
	var out []capturedSignIn
	for _, f := range files {
		name, r, err := openInput(f, stdin, stderr)
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return nil, usageErr("--capture %s: %v", f, err)
		}
		// A capture is judged when it was posted, as lint judges it:
		// --now sets the trail's window, not the sign-in's moment.
		o := opts
		o.Name, o.Now = name, time.Time{}
		results, err := lint.Lint(b, in, o)
		if err != nil {
			return nil, usageErr("--capture %s: %v", f, err)
		}
		for _, res := range results {
			if res.Err != nil || res.Response == nil || len(res.Response.Assertions) == 0 {
				continue
			}
			c := capturedSignIn{Input: fmt.Sprintf("%s#%d", name, res.Capture.Index), AssertionID: res.Response.Assertions[0].ID, Samllint: res.Report.Outcome, Verdict: res.Report.Verdict}
			for _, fd := range res.Report.Findings {
				if fd.Severity == lint.Error && fd.Suppressed == nil {
					c.Rules = append(c.Rules, fd.Rule)
				}
			}
			if e := byID[c.AssertionID]; e != nil {
				c.Event = e
			} else if res.Capture.SentAt != nil && !last.Before(res.Capture.SentAt.Add(cloudTrailDelivery)) {
				c.Unlogged = true
			} else {
				c.Unknown = true
			}
			out = append(out, c)
		}
	}
	return out, nil
}

type trailReport struct {
	// Files says where each event was read, by its ID.
	Files    map[string]string
	Attempts []trail.Attempt
	Captures []capturedSignIn
	// Checked are the verdicts of --from-aws on each failed attempt's
	// decidable candidates, by index in Attempts.
	Checked map[int][]trail.Verdict
}

func (r *trailReport) failed() bool {
	for _, a := range r.Attempts {
		if a.Failed() != nil {
			return true
		}
	}
	for _, c := range r.Captures {
		if c.Unlogged || c.Event != nil && c.Event.Failed() != (c.Samllint == lint.OutcomeWillFail) {
			return true
		}
	}
	return false
}

// arnName is the last part of an ARN: a role's or provider's name.
func arnName(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

func outcome(e *trail.Event) string {
	if e.Failed() {
		return e.ErrorCode + ": " + format.OneLine(e.ErrorMessage)
	}
	return "success"
}

func (r *trailReport) text() string {
	var b strings.Builder
	failed := 0
	for _, a := range r.Attempts {
		user := a.User()
		if user == "" {
			user = "(unnamed)"
		}
		format.Printf(&b, "%s  %s", a.Time().Format(time.RFC3339), user)
		if s := a.SignIn; s != nil {
			format.Printf(&b, "  role %s via %s (%s)  AssumeRoleWithSAML: %s", arnName(s.RoleARN), arnName(s.ProviderARN), s.Region, outcome(s))
		}
		if c := a.Connect; c != nil {
			if a.SignIn != nil {
				b.WriteString(";")
			}
			format.Printf(&b, "  Connect GetFederationToken (%s): %s", c.Region, outcome(c))
		} else if a.SignIn != nil && !a.SignIn.Failed() {
			b.WriteString("; no Connect GetFederationToken followed")
		}
		b.WriteString("\n")
		if a.Failed() != nil {
			failed++
		}
	}
	format.Printf(&b, "\n%d %s, %d failed.\n", len(r.Attempts), plural(len(r.Attempts), "attempt", "attempts"), failed)
	for ai, a := range r.Attempts {
		e := a.Failed()
		if e == nil {
			continue
		}
		d := trail.Diagnose(e)
		op := e.Action()
		format.Printf(&b, "\n%s %s: %s failed: %s\n", e.Time.Format(time.RFC3339), a.User(), op, outcome(e))
		for _, n := range d.Notes {
			format.Printf(&b, "  %s\n", n)
		}
		if !d.Known {
			b.WriteString("  This message is not in samllint's catalog; it is shown as AWS wrote it.\n")
		}
		for _, rule := range d.Shown {
			format.Printf(&b, "  The record shows it: %s (%s): %s (role %s, provider %s).\n", rule.ID, rule.Severity, rule.Title, e.RoleARN, e.ProviderARN)
		}
		if len(d.RuledOut) > 0 {
			ids := make([]string, len(d.RuledOut))
			for i, rule := range d.RuledOut {
				ids[i] = rule.ID
			}
			format.Printf(&b, "  The record rules out %s (from the role and provider it names).\n", strings.Join(ids, ", "))
		}
		switch len(d.Causes) {
		case 0:
			if len(d.Shown) == 0 {
				b.WriteString("  No problem samllint checks produces it.\n")
			}
		case 1:
			format.Printf(&b, "  It comes from one problem samllint checks:\n")
		default:
			format.Printf(&b, "  It can come from %d problems samllint checks, the most likely first; the record does not say which:\n", len(d.Causes))
		}
		for i, rule := range d.Causes {
			format.Printf(&b, "    %d. %s (%s): %s\n", i+1, rule.ID, rule.Severity, rule.Title)
		}
		if v := r.Checked[ai]; len(v) > 0 {
			b.WriteString("  Checked against what the account holds now, for this event's role, provider and session (it may have changed since):\n")
			for _, c := range v {
				switch {
				case c.Finding != nil:
					format.Printf(&b, "    %s: %s\n", c.Rule.ID, format.OneLine(c.Finding.Message))
					if c.Finding.Expected != "" || c.Finding.Actual != "" {
						format.Printf(&b, "      expected: %s\n      found:    %s\n", format.OneLine(c.Finding.Expected), format.OneLine(c.Finding.Actual))
					}
					if c.Finding.Fix != "" {
						format.Printf(&b, "      fix: %s\n", format.OneLine(c.Finding.Fix))
					}
				case c.Fine:
					format.Printf(&b, "    %s: not the cause now\n", c.Rule.ID)
				default:
					format.Printf(&b, "    %s: not checked: %s\n", c.Rule.ID, c.Why)
				}
			}
		} else if len(d.Causes) > 1 {
			var decidable []string
			for _, c := range d.Causes {
				if trail.Decidable(c.ID) {
					decidable = append(decidable, c.ID)
				}
			}
			if len(decidable) > 0 {
				format.Printf(&b, "  samllint explain %s says what tells them apart; --from-aws checks %s against the account for this event; a capture joined with --capture shows the rest.\n", d.Causes[0].ID, strings.Join(decidable, ", "))
			} else {
				format.Printf(&b, "  samllint explain %s says what tells them apart; a capture of the sign-in, joined with --capture, shows which.\n", d.Causes[0].ID)
			}
		}
	}
	for _, c := range r.Captures {
		verdict := c.Verdict
		if len(c.Rules) > 0 {
			verdict += " (" + strings.Join(c.Rules, ", ") + ")"
		}
		format.Printf(&b, "\n%s, assertion %s: samllint says %q; ", c.Input, c.AssertionID, verdict)
		switch {
		case c.Event != nil:
			format.Printf(&b, "AWS answered %s at %s.", outcome(c.Event), c.Event.Time.Format(time.RFC3339))
			switch awsFailed, ours := c.Event.Failed(), c.Samllint == lint.OutcomeWillFail; {
			case awsFailed && !ours:
				b.WriteString(" They disagree: AWS refused a sign-in samllint found nothing fatal in; samllint explain " + c.Event.ErrorCode + " lists what can cause it.")
			case !awsFailed && ours:
				b.WriteString(" They disagree: AWS accepted a sign-in samllint says fails; the findings above may be false, and a report would help (docs/rules.md).")
			default:
				b.WriteString(" They agree.")
			}
		case c.Unlogged:
			format.Printf(&b, "AWS logged no AssumeRoleWithSAML for this assertion in the files read, though they reach %s past the post "+
				"(a post to a regional sign-in endpoint is logged in that region: read its logs too). "+
				"AWS does not log some unauthenticated STS requests that are not valid enough to be trusted "+
				"(https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html): those rejected before logging, "+
				"for a signature, a response that does not parse, or a provider that does not exist, are the likely causes.", cloudTrailDelivery)
		default:
			format.Printf(&b, "no event for this assertion in the files read, which do not reach %s past the post (CloudTrail's delivery may take that long), or the capture has no post time.", cloudTrailDelivery)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// failures are the report's failed attempts for SARIF and GitHub: the
// cause when the record or the account showed it, else
// format.TrailUnexplained with the candidates.
func (r *trailReport) failures() []format.TrailFailure {
	var out []format.TrailFailure
	for ai, a := range r.Attempts {
		e := a.Failed()
		if e == nil {
			continue
		}
		d := trail.Diagnose(e)
		op := e.Action()
		f := format.TrailFailure{File: r.Files[e.ID], EventID: e.ID, Rule: format.TrailUnexplained, Severity: lint.Error,
			Title: fmt.Sprintf("%s at %s: %s failed", a.User(), e.Time.Format(time.RFC3339), op)}
		msg := "AWS answered " + outcome(e) + "."
		for _, v := range r.Checked[ai] {
			if v.Finding != nil {
				f.Rule, f.Severity = v.Rule.ID, v.Finding.Severity
				msg += fmt.Sprintf(" The account shows %s: %s Expected: %s. Found: %s. Fix: %s", v.Rule.ID, format.OneLine(v.Finding.Message), v.Finding.Expected, v.Finding.Actual, v.Finding.Fix)
				break
			}
		}
		if f.Rule == format.TrailUnexplained && len(d.Shown) > 0 {
			f.Rule, f.Severity = d.Shown[0].ID, d.Shown[0].Severity
			msg += " The record shows " + d.Shown[0].ID + ": " + d.Shown[0].Title + "."
		}
		if f.Rule == format.TrailUnexplained && len(d.Causes) > 0 {
			ids := make([]string, len(d.Causes))
			for i, c := range d.Causes {
				ids[i] = c.ID
			}
			msg += " Candidates, most likely first: " + strings.Join(ids, ", ") + "."
		}
		f.Message = format.OneLine(msg)
		out = append(out, f)
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// json is the report as --format json writes it.
func (r *trailReport) json() any {
	type cause struct {
		Rule     string        `json:"rule"`
		Severity lint.Severity `json:"severity"`
		Title    string        `json:"title"`
	}
	type checked struct {
		Rule    string        `json:"rule"`
		Result  string        `json:"result"` // shows, fine, not-checked
		Finding *lint.Finding `json:"finding,omitempty"`
		Why     string        `json:"why,omitempty"`
	}
	type diagnosis struct {
		Call   string   `json:"call"`
		Known  bool     `json:"known"`
		Causes []cause  `json:"causes"`
		Notes  []string `json:"notes,omitempty"`
		// Shown: what the record itself shows; RuledOut: what it rules out.
		Shown    []string `json:"shown,omitempty"`
		RuledOut []string `json:"ruled_out,omitempty"`
		// Checked: --from-aws's verdicts, on what the account holds now.
		Checked []checked `json:"checked,omitempty"`
	}
	type attempt struct {
		Time      time.Time    `json:"time"`
		User      string       `json:"user"`
		Failed    bool         `json:"failed"`
		SignIn    *trail.Event `json:"sign_in,omitempty"`
		Connect   *trail.Event `json:"connect,omitempty"`
		Diagnosis *diagnosis   `json:"diagnosis,omitempty"`
	}
	type capture struct {
		Input       string       `json:"input"`
		AssertionID string       `json:"assertion_id"`
		Samllint    lint.Outcome `json:"samllint"`
		Rules       []string     `json:"rules,omitempty"`
		Event       *trail.Event `json:"event,omitempty"`
		AWS         string       `json:"aws"`
		Agree       *bool        `json:"agree,omitempty"`
	}
	out := struct {
		Attempts []attempt `json:"attempts"`
		Captures []capture `json:"captures,omitempty"`
		Failed   int       `json:"failed"`
	}{Attempts: []attempt{}}
	for ai, a := range r.Attempts {
		at := attempt{Time: a.Time(), User: a.User(), SignIn: a.SignIn, Connect: a.Connect}
		if e := a.Failed(); e != nil {
			out.Failed++
			at.Failed = true
			d := trail.Diagnose(e)
			jd := &diagnosis{Call: e.Name, Known: d.Known, Causes: []cause{}, Notes: d.Notes}
			for _, c := range d.Causes {
				jd.Causes = append(jd.Causes, cause{c.ID, c.Severity, c.Title})
			}
			for _, c := range d.Shown {
				jd.Shown = append(jd.Shown, c.ID)
			}
			for _, c := range d.RuledOut {
				jd.RuledOut = append(jd.RuledOut, c.ID)
			}
			for _, v := range r.Checked[ai] {
				c := checked{Rule: v.Rule.ID, Result: "not-checked", Finding: v.Finding, Why: v.Why}
				switch {
				case v.Finding != nil:
					c.Result = "shows"
				case v.Fine:
					c.Result = "fine"
				}
				jd.Checked = append(jd.Checked, c)
			}
			at.Diagnosis = jd
		}
		out.Attempts = append(out.Attempts, at)
	}
	for _, c := range r.Captures {
		jc := capture{Input: c.Input, AssertionID: c.AssertionID, Samllint: c.Samllint, Rules: c.Rules, Event: c.Event}
		switch {
		case c.Event != nil:
			jc.AWS = "success"
			if c.Event.Failed() {
				jc.AWS = "failed"
			}
			agree := c.Event.Failed() == (c.Samllint == lint.OutcomeWillFail)
			jc.Agree = &agree
		case c.Unlogged:
			jc.AWS = "not-logged"
		default:
			jc.AWS = "unknown"
		}
		out.Captures = append(out.Captures, jc)
	}
	sort.SliceStable(out.Captures, func(i, j int) bool { return out.Captures[i].Input < out.Captures[j].Input })
	return out
}
