package lint

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Source names the document a finding's location is in.
type Source string

const (
	SourceResponse     Source = "response"           // the SAML message; Path is an XML path
	SourceCapture      Source = "capture"            // what the capture records beside it (HAR: URL, reply)
	SourceRelayState   Source = "relay-state"        // the RelayState
	SourceMetadata     Source = "metadata"           // the IdP metadata or IAM SAML provider
	SourceTrustPolicy  Source = "trust-policy"       // Path is a policy path, Statement[1].Condition…
	SourcePermissions  Source = "permissions-policy" // idem
	SourceSCP          Source = "scp"                // idem
	SourceBoundary     Source = "permissions-boundary"
	SourceConnectUsers Source = "connect-users"
	SourceConfig       Source = "config" // Line is the line in the config file
	SourceOkta         Source = "okta"   // File names the Okta app; Path is a path into what was read
)

// Location is where a finding points: a document, the file it came from
// when the user gave one, and a path into it.
type Location struct {
	Source Source `json:"source"`
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Path   string `json:"path"`
}

// String renders the location on one line: the XML path for the
// response, else the file and the path in it.
func (l Location) String() string {
	switch l.Source {
	case SourceResponse, "":
		return l.Path
	case SourceRelayState:
		return "RelayState"
	}
	file := l.File
	if l.Line > 0 {
		file += ":" + strconv.Itoa(l.Line)
	}
	switch {
	case file == "":
		return l.Path
	case l.Path == "":
		return file
	}
	return file + ": " + l.Path
}

func xmlAt(path string) Location { return Location{Source: SourceResponse, Path: path} }

// Finding is one problem: what, where, expected versus actual, and the fix
// written with the user's own values.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Location Location `json:"location"`
	Expected string   `json:"expected"`
	Actual   string   `json:"actual"`
	Fix      string   `json:"fix"`
	// Okta names the Okta field the cause lives in and its value, when
	// Okta's configuration was given (--from-okta).
	Okta string `json:"okta,omitempty"`
	// Suppressed is set on findings a config suppression silenced.
	Suppressed *Suppressed `json:"suppressed,omitempty"`

	order int // registry index, for stable ordering
	seq   int
	// deny marks a finding whose cause is an explicit Deny, which a
	// policy added beside it cannot override (fix says so).
	deny bool
}

// Skipped is a rule that did not run, or ran only in part and found
// nothing (a rule with findings is never also skipped), and what
// would let it run: the inputs to give (any one of them) and what they
// would check ("give Needs Reason"), and why it could not run as it was.
type Skipped struct {
	Rule  string `json:"rule"`
	Needs Needs  `json:"needs"`
	// Reason is what the inputs would check: "to check who signed the
	// response"; without Needs, why the rule did not run.
	Reason string `json:"reason"`
	// Because is what kept it from running, when Reason alone does not
	// say: "the capture shows no sign of AWS federation".
	Because string `json:"because,omitempty"`
}

// Needs are inputs of which any one would let a rule run.
type Needs []Input

// String names them for a person: "the IdP metadata … or the IdP's
// signing certificate (PEM)".
func (n Needs) String() string {
	parts := make([]string, len(n))
	for i, in := range n {
		parts[i] = in.String()
	}
	return strings.Join(parts, " or ")
}

// Outcome is the verdict of a report, typed.
type Outcome string

const (
	// OutcomePass: no finding in what was checked.
	OutcomePass Outcome = "pass"
	// OutcomeNotes: only info findings.
	OutcomeNotes Outcome = "notes"
	// OutcomeMayFail: warnings, no errors.
	OutcomeMayFail Outcome = "may-fail"
	// OutcomeWillFail: at least one error.
	OutcomeWillFail Outcome = "will-fail"
	// OutcomeSignerUnchecked: nothing found, but who signed the response
	// was not checked against a key IAM holds (Report.Signer says why),
	// so whether AWS accepts it is unknown.
	OutcomeSignerUnchecked Outcome = "signer-unchecked"
)

// Signer says whether who signed the response was checked against a
// trust anchor: the IdP metadata or certificate IAM holds.
type Signer struct {
	Checked bool `json:"checked"`
	// Reason and Needs say why not, and which input would check it.
	Reason string `json:"reason,omitempty"`
	Needs  Needs  `json:"needs,omitempty"`
	// Note qualifies a check: a certificate given on its own (--cert)
	// names no IdP, so it was trusted whatever the Issuer says.
	Note string `json:"note,omitempty"`
	// Predicted: the sign-in was predicted from configuration, so there is
	// no signature; the IdP's keys were compared with IAM's copy instead.
	Predicted bool `json:"predicted,omitempty"`
}

// Report is the outcome of linting one response.
type Report struct {
	Clock    Clock     `json:"clock"`
	Outcome  Outcome   `json:"outcome"`
	Verdict  string    `json:"verdict"`
	Findings []Finding `json:"findings"`
	// Suppressed holds the findings a config suppression silenced.
	Suppressed []Finding `json:"suppressed"`
	Skipped    []Skipped `json:"skipped"`
	Summary    Summary   `json:"summary"`
	// Signer says whether the signer was checked; when it was not and
	// nothing else was found, the outcome is OutcomeSignerUnchecked.
	Signer Signer `json:"signer"`
}

// Summary counts findings by severity.
type Summary struct {
	Errors     int `json:"errors"`
	Warnings   int `json:"warnings"`
	Infos      int `json:"infos"`
	Suppressed int `json:"suppressed"`
	RulesRun   int `json:"rules_run"`
	Skipped    int `json:"skipped"`
}

// Max returns the highest severity found, and false when there is none.
func (r *Report) Max() (Severity, bool) {
	if len(r.Findings) == 0 {
		return 0, false
	}
	m := Info
	for _, f := range r.Findings {
		m = max(m, f.Severity)
	}
	return m, true
}

// Fails reports whether a finding is at or above threshold.
func (r *Report) Fails(threshold Severity) bool {
	m, ok := r.Max()
	return ok && m >= threshold
}

func (r *Report) sort() {
	sort.SliceStable(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.order != b.order {
			return a.order < b.order
		}
		return a.seq < b.seq
	})
}

// recount derives the counts, outcome and verdict from the findings.
func (r *Report) recount() {
	s := &r.Summary
	s.Errors, s.Warnings, s.Infos = 0, 0, 0
	for _, f := range r.Findings {
		switch f.Severity {
		case Error:
			s.Errors++
		case Warning:
			s.Warnings++
		default:
			s.Infos++
		}
	}
	s.Suppressed, s.Skipped = len(r.Suppressed), len(r.Skipped)
	counts := fmt.Sprintf("%d %s, %d %s", s.Errors, plural(s.Errors, "error"), s.Warnings, plural(s.Warnings, "warning"))
	switch {
	case s.Errors > 0:
		r.Outcome, r.Verdict = OutcomeWillFail, "sign-in will fail: "+counts
	case s.Warnings > 0:
		r.Outcome, r.Verdict = OutcomeMayFail, "sign-in may fail: "+counts
	case !r.Signer.Checked && !r.Signer.Predicted:
		r.Outcome, r.Verdict = OutcomeSignerUnchecked, "signer not checked: "+r.Signer.Reason+"; no other problem found"
		if n := len(r.Skipped); n > 0 || s.Infos > 0 {
			r.Verdict += " in what was checked" + r.notes()
		}
	default:
		r.Outcome, r.Verdict = OutcomePass, "no problems found"
		var notes []string
		if s.Infos > 0 {
			r.Outcome = OutcomeNotes
			notes = append(notes, fmt.Sprintf("%d %s", s.Infos, plural(s.Infos, "note")))
		}
		if n := len(r.Skipped); n > 0 {
			r.Verdict += " in what was checked"
			notes = append(notes, fmt.Sprintf("%d %s skipped", n, plural(n, "check")))
		}
		if len(notes) > 0 {
			r.Verdict += " (" + strings.Join(notes, ", ") + ")"
		}
	}
}

// notes is " (2 notes, 3 checks skipped)", or "".
func (r *Report) notes() string {
	var notes []string
	if n := r.Summary.Infos; n > 0 {
		notes = append(notes, fmt.Sprintf("%d %s", n, plural(n, "note")))
	}
	if n := len(r.Skipped); n > 0 {
		notes = append(notes, fmt.Sprintf("%d %s skipped", n, plural(n, "check")))
	}
	if len(notes) == 0 {
		return ""
	}
	return " (" + strings.Join(notes, ", ") + ")"
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
