package lint

import (
	"context"
	"io"
	"time"

	"github.com/samllint/samllint/saml"
)

// Options are how a run goes, besides the inputs. Nothing else is read:
// no clock, no network, no environment, but through a Resolver the
// caller gives.
type Options struct {
	// Resolver, when set, supplies each capture's inputs from elsewhere
	// (the AWS account) before its signatures are checked, since the
	// metadata IAM holds is the trust anchor.
	Resolver Resolver
	// Now is the evaluation time. When zero it is chosen per response:
	// its IssueInstant if AtIssue, else the time the capture says the
	// browser posted it, else Wall for a response issued moments ago,
	// else IssueInstant + 1 minute. Report.Clock says which and why.
	Now     time.Time
	AtIssue bool
	// Wall is the caller's clock, used only to judge a fresh paste; zero
	// never uses one.
	Wall time.Time
	// Skew is the clock-skew allowance for NotBefore/NotOnOrAfter; zero
	// means the config's, or DefaultSkew. AWS does not document its own.
	Skew time.Duration
	// Limits bound decoding; a zero field means saml.DefaultLimits' (the
	// saml functions fill them in).
	Limits saml.Limits
	// Name is the input's name (a path): results carry it, and config
	// suppressions match it.
	Name string
	// Skip are rules not to run, each with why: a predicted sign-in
	// (package preflight) carries no signature, and values it could not
	// predict.
	Skip map[string]string
	// Predicted marks a sign-in built from the IdP's configuration, not
	// captured: it has no signer to check.
	Predicted bool
}

// DefaultSkew is the clock-skew allowance when none is given.
const DefaultSkew = 300 * time.Second

// Result is one linted capture, or why it could not be linted.
type Result struct {
	Input    string
	Capture  *saml.Capture
	Response *saml.Response // nil when Err is set
	Report   *Report        // nil when Err is set
	// Inputs are what the capture was linted with: the run's, and what
	// Options.Resolver added for it.
	Inputs *Inputs
	// Err says why the capture could not be linted: a *saml.DecodeError,
	// or a *saml.KindError (wrapping saml.ErrNotResponse) for a message
	// that decodes but is no SAML 2.0 Response, such as metadata.
	Err error
}

// Lint is the whole pipeline on one input: it decodes every message in it
// (any form saml.Decode accepts), parses and verifies each against the
// inputs' trust anchors, runs every enabled rule, and applies the
// config's severities and suppressions. The error, a *saml.DecodeError,
// is set only when nothing in the input could be decoded; a capture that
// cannot be linted (one of several in a HAR, or a message of another kind
// such as metadata) is a Result with Err.
func Lint(input []byte, in *Inputs, opts Options) ([]*Result, error) {
	return LintContext(context.Background(), input, in, opts)
}

// LintContext is Lint that gives up once ctx is done: it checks ctx
// between captures and stages, and every few thousand elements while
// parsing, and then returns ctx's error (errors.Is context.Canceled or
// context.DeadlineExceeded).
func LintContext(ctx context.Context, input []byte, in *Inputs, opts Options) ([]*Result, error) {
	caps, err := saml.DecodeLimits(input, opts.Limits)
	if err != nil {
		return nil, err
	}
	out := make([]*Result, 0, len(caps))
	for _, c := range caps {
		res, err := lintCapture(ctx, c, in, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	return out, nil
}

// LintStream is Lint for large inputs: a HAR or SAML-tracer export is read
// entry by entry, and each result handed to fn as soon as it is ready, so
// memory does not grow with the number of sign-ins. An error from fn
// stops the stream and is returned.
func LintStream(r io.Reader, in *Inputs, opts Options, fn func(*Result) error) error {
	return LintStreamContext(context.Background(), r, in, opts, fn)
}

// LintStreamContext is LintStream that gives up once ctx is done, as
// LintContext does, and returns ctx's error.
func LintStreamContext(ctx context.Context, r io.Reader, in *Inputs, opts Options, fn func(*Result) error) error {
	return saml.DecodeStreamContext(ctx, r, opts.Limits, func(c *saml.Capture) error {
		res, err := lintCapture(ctx, c, in, opts)
		if err != nil {
			return err
		}
		return fn(res)
	})
}

// LintCapture lints one decoded capture.
func LintCapture(c *saml.Capture, in *Inputs, opts Options) *Result {
	res, _ := lintCapture(context.Background(), c, in, opts)
	return res
}

// lintCapture lints one capture; the error is ctx's alone.
func lintCapture(ctx context.Context, c *saml.Capture, in *Inputs, opts Options) (*Result, error) {
	res := &Result{Input: opts.Name, Capture: c}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if c.Err != nil {
		res.Err = c.Err
		return res, nil
	}
	r, err := saml.ParseCapture(c, saml.ParseOptions{Context: ctx, Limits: opts.Limits, DecryptionKeys: in.Keys()})
	if cerr := ctx.Err(); cerr != nil {
		return nil, cerr
	}
	if err != nil {
		res.Err = err
		return res, nil
	}
	if opts.Resolver != nil && r.Exceeded == nil {
		in, err = opts.Resolver.Resolve(ctx, TargetOf(&saml.Message{Capture: c, Response: r}, in), in)
		if err != nil {
			return nil, err
		}
	}
	if err := saml.VerifyContext(ctx, r, in.Anchors()); err != nil {
		return nil, err
	}
	res.Response, res.Inputs = r, in
	res.Report = run(rulesFor(in), &saml.Message{Capture: c, Response: r}, in, opts)
	if cfg := in.Config(); cfg != nil {
		cfg.suppress(res.Report, opts.Name, issuerOf(r), expiryClock(opts, res.Report.Clock))
	}
	return res, ctx.Err()
}

func rulesFor(in *Inputs) []*Rule {
	if cfg := in.Config(); cfg != nil {
		return cfg.enabledRules()
	}
	return registry
}

// RunNotices are the config's notices for a run (see Config.Notices),
// judged at the time its suppressions expired against: the time given,
// else the caller's clock, else the first result's. first may be nil; nil
// without a config.
func RunNotices(in *Inputs, opts Options, first *Result) []Finding {
	cfg := in.Config()
	if cfg == nil {
		return nil
	}
	var c Clock
	if first != nil && first.Report != nil {
		c = first.Report.Clock
	}
	return cfg.Notices(expiryClock(opts, c))
}

// expiryClock is the time suppressions expire against: the time given,
// else the caller's clock, else the capture's.
func expiryClock(opts Options, c Clock) time.Time {
	switch {
	case !opts.Now.IsZero():
		return opts.Now
	case !opts.Wall.IsZero():
		return opts.Wall
	}
	return c.Time
}

func issuerOf(r *saml.Response) string {
	if a := r.Consumed(); a != nil && a.Issuer != nil {
		return a.Issuer.Value
	}
	if r.Issuer != nil {
		return r.Issuer.Value
	}
	return ""
}

// run evaluates rules on one parsed message.
func run(rules []*Rule, m *saml.Message, in *Inputs, opts Options) *Report {
	clock := chooseClock(opts, m.Capture, m.Response)
	skew := opts.Skew
	if skew == 0 && in.Config() != nil {
		skew = in.Config().skew
	}
	if skew == 0 {
		skew = DefaultSkew
	}
	facts := newFacts(m, in, clock)
	rep := &Report{Clock: clock, Findings: []Finding{}, Suppressed: []Finding{}, Skipped: []Skipped{}}
	seq := 0
	ex := m.Response.Exceeded
	for _, rule := range rules {
		if rule.Check == nil {
			continue
		}
		if ex != nil && !rule.PastLimits {
			// Past a count no IdP reaches, the response was not modelled:
			// the size is the verdict, whatever the capture's scope.
			rep.Skipped = append(rep.Skipped, Skipped{Rule: rule.ID, Reason: "not checked", Because: "the response holds " + ex.String()})
			continue
		}
		if why, ok := opts.Skip[rule.ID]; ok {
			rep.Skipped = append(rep.Skipped, Skipped{Rule: rule.ID, Reason: "not checked", Because: why})
			continue
		}
		if rule.Scope == ScopeOkta && !in.Has(InputOkta) && idpOf(facts.issuer()) != IdPOkta {
			// Not Okta's response, and no Okta configuration: the rule
			// has nothing to say, and asking for --from-okta would mislead.
			continue
		}
		if sk := facts.unmet(rule); sk != nil && ex == nil {
			rep.Skipped = append(rep.Skipped, *sk)
			continue
		}
		p := &Pass{Rule: rule, Response: m.Response, Capture: m.Capture, Inputs: in, Clock: clock, Skew: skew, facts: facts}
		rule.Check(p)
		// A rule is reported either by its findings or as skipped: one
		// that found something while part of it could not run is not
		// also listed as needing more, which reads as "not checked".
		if p.skipped != nil && len(p.findings) == 0 {
			rep.Skipped = append(rep.Skipped, *p.skipped)
			continue
		}
		rep.Summary.RulesRun++
		order := ruleIndex(rule.ID)
		if o := in.Okta(); o != nil && len(p.findings) > 0 {
			_, u := p.oktaUser()
			for i := range p.findings {
				oktaCause(rule, &p.findings[i], o, u, in)
			}
		}
		for _, f := range p.findings {
			f.order, f.seq = order, seq
			seq++
			rep.Findings = append(rep.Findings, f)
		}
	}
	rep.Signer = signerOf(m.Response, in)
	if opts.Predicted {
		rep.Signer = Signer{Predicted: true, Reason: "a sign-in predicted from configuration carries no signature"}
	}
	rep.sort()
	rep.recount()
	return rep
}

// signerOf says whether the response's signer was checked against a trust
// anchor: the consumed assertion (or, encrypted, the Response holding it)
// is covered by a signature that verifies with one.
func signerOf(r *saml.Response, in *Inputs) Signer {
	if r.Exceeded != nil {
		return Signer{Reason: "the response was not read"}
	}
	cv := r.Coverage()
	if cv.Trusted {
		for _, p := range cv.Via {
			if a := p.Signature.Check.Anchor; p.Signature.Check.Verdict == saml.Valid && a != nil && a.EntityID == "" {
				return Signer{Checked: true, Note: "checked against " + a.Source + ", a certificate that names no IdP: it is trusted whatever the Issuer says"}
			}
		}
		return Signer{Checked: true}
	}
	anchors := !in.Anchors().Empty()
	if cv.Assertion == nil && undecrypted(r) > 0 {
		for _, s := range r.Signatures {
			if s.ParentPath == r.Path && s.Check != nil && s.Check.Verdict == saml.Valid {
				return Signer{Checked: true}
			}
		}
		if anchors {
			return Signer{Reason: "the assertion is encrypted, and its signature cannot be checked until it is decrypted", Needs: Needs{InputKey}}
		}
	}
	switch {
	case len(r.Signatures) == 0:
		return Signer{Reason: "the response carries no signature"}
	case !anchors:
		return Signer{Reason: "no IdP metadata or certificate was given to check it against the key IAM holds", Needs: Needs{InputMetadata, InputCertificate}}
	}
	return Signer{Reason: "no signature that verifies with a certificate you gave covers the assertion"}
}

// Pass is what a rule's check function sees: the inputs, and Report.
type Pass struct {
	Rule     *Rule
	Response *saml.Response
	Capture  *saml.Capture
	Inputs   *Inputs
	Clock    Clock
	Skew     time.Duration

	facts    *facts
	findings []Finding
	skipped  *Skipped
}

// Report records a finding for the pass's rule at its default severity.
func (p *Pass) Report(f Finding) { p.ReportAt(p.Rule.Severity, f) }

// ReportAt records a finding with an explicit severity (a config's
// re-grading applies to the rule's default severity only).
func (p *Pass) ReportAt(sev Severity, f Finding) {
	f.Rule = p.Rule.ID
	f.Severity = sev
	p.findings = append(p.findings, f)
}

// Skip marks the rule (or the part of it that could not run) as skipped,
// with the inputs that would let it run and what they would check
// ("to check …").
func (p *Pass) Skip(reason string, needs ...Input) {
	p.skipped = &Skipped{Rule: p.Rule.ID, Needs: needs, Reason: reason, Because: p.Inputs.unread(needs...)}
}

// SkipBecause is Skip, saying also what kept the rule from running.
func (p *Pass) SkipBecause(because, reason string, needs ...Input) {
	p.skipped = &Skipped{Rule: p.Rule.ID, Needs: needs, Reason: reason, Because: because}
}

// Now is the evaluation time.
func (p *Pass) Now() time.Time { return p.Clock.Time }

// Assertion is the assertion a service provider consumes, or nil.
func (p *Pass) Assertion() *saml.Assertion { return p.facts.assertion }

// Attribute is the consumed assertion's first attribute with exactly this
// Name, or nil (also when there is no assertion).
func (p *Pass) Attribute(name string) *saml.Attribute {
	if p.facts.assertion == nil {
		return nil
	}
	return p.facts.assertion.Attribute(name)
}
