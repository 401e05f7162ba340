package lint

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/samllint/samllint/lint/policy"
	"github.com/samllint/samllint/saml"
)

// Expect holds values the user pins; rules compare the capture with them.
type Expect struct {
	Recipient       string `json:"recipient,omitempty"`
	Audience        string `json:"audience,omitempty"`
	Issuer          string `json:"issuer,omitempty"`
	Account         string `json:"account,omitempty"`
	Region          string `json:"region,omitempty"`
	ConnectInstance string `json:"connect_instance,omitempty"`
}

// Options are everything a run depends on besides the capture. Nothing
// else is read: no clock, no network, no environment.
type Options struct {
	// Now is the evaluation time. Required: rules never read the clock.
	Now time.Time
	// Skew is the clock-skew allowance for NotBefore/NotOnOrAfter; zero
	// means DefaultSkew. AWS does not document its own [failure-modes §18.5].
	Skew time.Duration
	// RelayState overrides the RelayState found beside the message.
	RelayState *string
	// Anchors are the trust anchors the signatures were verified against
	// (nil: none given). Run does not re-verify; saml.Read did.
	Anchors *saml.Anchors
	Expect  Expect
	// AWS forces the AWS rules on for captures with no AWS signal.
	AWS bool

	// TrustPolicy is the role's trust policy (--trust-policy), and
	// TrustRole what its export says about the role, if anything.
	TrustPolicy *policy.Document
	TrustRole   *policy.Role
	// Permissions are the role's permission policies (--permissions-policy).
	Permissions []*policy.Document
	// ConnectUsers are the user names of the Connect instance
	// (--connect-users); nil when not given.
	ConnectUsers []string
}

// DefaultSkew is the clock-skew allowance when Options.Skew is zero.
const DefaultSkew = 300 * time.Second

// Finding is one problem: what, where, expected versus actual, and the fix
// written with the user's own values.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Path     string   `json:"path"`
	Expected string   `json:"expected"`
	Actual   string   `json:"actual"`
	Fix      string   `json:"fix"`
	// Suppressed is set on findings a config suppression silenced.
	Suppressed *Suppressed `json:"suppressed,omitempty"`

	order int // registry index, for stable ordering
	seq   int
}

// Skipped is a rule that did not run for want of an input, and which input.
type Skipped struct {
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

// Report is the outcome of one Run.
type Report struct {
	EvaluatedAt time.Time `json:"evaluated_at"`
	Verdict     string    `json:"verdict"`
	Findings    []Finding `json:"findings"`
	Skipped     []Skipped `json:"skipped"`
	Summary     Summary   `json:"summary"`
	// Suppressed holds the findings a config suppressed (Config.Suppress).
	Suppressed []Finding `json:"-"`
}

// Summary counts findings by severity.
type Summary struct {
	Errors     int `json:"errors"`
	Warnings   int `json:"warnings"`
	Infos      int `json:"infos"`
	Suppressed int `json:"suppressed"`
	RulesRun   int `json:"rules_run"`
}

// Max returns the highest severity found, and false when there is none.
func (r *Report) Max() (Severity, bool) {
	if len(r.Findings) == 0 {
		return 0, false
	}
	m := Info
	for _, f := range r.Findings {
		if f.Severity > m {
			m = f.Severity
		}
	}
	return m, true
}

// ErrNoTime is returned when Options.Now is zero.
var ErrNoTime = errors.New("lint: Options.Now is required (rules never read the clock)")

// Run lints one parsed message with every rule in the registry.
func Run(m *saml.Message, opts Options) (*Report, error) {
	return RunRules(registry, m, opts)
}

// RunRules is Run with an explicit rule list.
func RunRules(rules []*Rule, m *saml.Message, opts Options) (*Report, error) {
	if opts.Now.IsZero() {
		return nil, ErrNoTime
	}
	if m == nil || m.Response == nil {
		return nil, fmt.Errorf("lint: message has no parsed response: %w", messageErr(m))
	}
	if opts.Skew == 0 {
		opts.Skew = DefaultSkew
	}
	ctx := newContext(m, &opts)
	rep := &Report{EvaluatedAt: opts.Now.UTC(), Findings: []Finding{}, Skipped: []Skipped{}}
	seq := 0
	for i, rule := range rules {
		if why := ctx.outOfScope(rule.Scope); why != "" {
			rep.Skipped = append(rep.Skipped, Skipped{Rule: rule.ID, Reason: why})
			continue
		}
		p := &Pass{Rule: rule, Response: m.Response, Capture: m.Capture, Options: &opts, ctx: ctx}
		rule.Check(p)
		if p.skipped != "" {
			rep.Skipped = append(rep.Skipped, Skipped{Rule: rule.ID, Reason: p.skipped})
			if len(p.findings) == 0 {
				continue
			}
		}
		rep.Summary.RulesRun++
		for _, f := range p.findings {
			f.order, f.seq = i, seq
			seq++
			rep.Findings = append(rep.Findings, f)
		}
	}
	sort.SliceStable(rep.Findings, func(i, j int) bool {
		a, b := rep.Findings[i], rep.Findings[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.order != b.order {
			return a.order < b.order
		}
		return a.seq < b.seq
	})
	rep.recount()
	return rep, nil
}

// recount derives the summary counts and verdict from the findings.
func (rep *Report) recount() {
	rep.Summary.Errors, rep.Summary.Warnings, rep.Summary.Infos = 0, 0, 0
	for _, f := range rep.Findings {
		switch f.Severity {
		case Error:
			rep.Summary.Errors++
		case Warning:
			rep.Summary.Warnings++
		default:
			rep.Summary.Infos++
		}
	}
	rep.Summary.Suppressed = len(rep.Suppressed)
	rep.Verdict = verdict(rep.Summary)
}

func messageErr(m *saml.Message) error {
	if m != nil && m.Err != nil {
		return m.Err
	}
	return errors.New("nothing to lint")
}

func verdict(s Summary) string {
	counts := fmt.Sprintf("%d %s, %d %s", s.Errors, plural(s.Errors, "error"), s.Warnings, plural(s.Warnings, "warning"))
	switch {
	case s.Errors > 0:
		return "sign-in will fail: " + counts
	case s.Warnings > 0:
		return "sign-in may fail: " + counts
	case s.Infos > 0:
		return fmt.Sprintf("no problems found (%d %s)", s.Infos, plural(s.Infos, "note"))
	}
	return "no problems found"
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// Pass is what a rule's check function sees: the inputs, and Report.
type Pass struct {
	Rule     *Rule
	Response *saml.Response
	Capture  *saml.Capture
	Options  *Options

	ctx      *context
	findings []Finding
	skipped  string
}

// Report records a finding for the pass's rule at its default severity.
func (p *Pass) Report(f Finding) {
	p.ReportAt(p.Rule.Severity, f)
}

// ReportAt records a finding with an explicit severity.
func (p *Pass) ReportAt(sev Severity, f Finding) {
	f.Rule = p.Rule.ID
	f.Severity = sev
	p.findings = append(p.findings, f)
}

// Skip marks the rule (or the part that could not run) as skipped, saying
// what input would let it run.
func (p *Pass) Skip(what string) { p.skipped = what }

// Assertion is the assertion a service provider consumes, or nil.
func (p *Pass) Assertion() *saml.Assertion { return p.ctx.assertion }

// Attribute is the consumed assertion's first attribute with exactly this
// Name, or nil (also when there is no assertion).
func (p *Pass) Attribute(name string) *saml.Attribute {
	if p.ctx.assertion == nil {
		return nil
	}
	return p.ctx.assertion.Attribute(name)
}

// Now is the evaluation time.
func (p *Pass) Now() time.Time { return p.Options.Now }

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, s := range parts {
		if s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, sep)
}
