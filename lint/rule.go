package lint

import (
	"fmt"
	"strings"

	"github.com/samllint/samllint/internal/base/lazyre"
)

// Severity is how badly a finding breaks the sign-in.
type Severity int

const (
	// Info: worth knowing; sign-in works.
	Info Severity = iota
	// Warning: fails in some setups, or AWS's behaviour is undocumented.
	Warning
	// Error: sign-in fails.
	Error
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "info"
}

// MarshalText makes severities "error", "warning", "info" in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads what MarshalText writes.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil || v > Error {
		return fmt.Errorf("severity %q: expected error, warning or info", b)
	}
	*s = v
	return nil
}

// ParseSeverity reads "error", "warning", "info" (and "none", which is
// above every severity, for a failure threshold).
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "error":
		return Error, nil
	case "warning":
		return Warning, nil
	case "info":
		return Info, nil
	case "none":
		return Error + 1, nil
	}
	return 0, fmt.Errorf("severity %q: expected error, warning, info or none", s)
}

// Scope says when a rule applies.
type Scope int

const (
	// ScopeSAML rules apply to every SAML response.
	ScopeSAML Scope = iota
	// ScopeAWS rules apply when the capture targets AWS federation.
	ScopeAWS
	// ScopeConnect rules apply when a Connect RelayState or instance is given.
	ScopeConnect
	// ScopeConfig rules are about the config file itself; Config.Notices
	// reports them once every capture has run.
	ScopeConfig
	// ScopeOkta rules read Okta's configuration (--from-okta); without it
	// they are listed as skipped only for a response Okta issued.
	ScopeOkta
)

// Rule is one check: its documentation and its check function. Rule docs,
// "samllint explain", docs/rules.md and SARIF metadata are rendered from
// these fields and from the rule's example file, examples/<id>.txtar.
type Rule struct {
	ID       string // namespace/kebab-name; a public contract, never reused
	Severity Severity
	Scope    Scope
	Title    string // one line, no final period
	// Why explains how the problem breaks the sign-in, quoting the error
	// the user sees; References lists where to read more.
	Why string
	// Fix says how to repair it in general; findings carry a fix written
	// with the user's own values.
	Fix string
	// Needs are the inputs the rule cannot run without. When one is
	// missing the rule is skipped, and the report says which to give.
	Needs []Input
	// Reads are inputs the rule uses when given, any of which lets it
	// run (it reports itself skipped without them): explain names them.
	Reads []Input
	// Setting is where in the IdP's console the fix is made, if there.
	Setting Setting
	// References are documents a user can open: "title — URL".
	References []string
	// Symptoms are the error texts and codes users see when this rule's
	// problem breaks the sign-in; "samllint explain <text>" searches them.
	Symptoms []string
	// Rank orders rules sharing a symptom, most common cause first; zero
	// sorts last.
	Rank int
	// Confirm says what to capture to confirm the rule, when more than the
	// SAMLResponse and the rule's Needs.
	Confirm string
	// Trust marks the rules that judge whether the response is the IdP's
	// own: turned off, they let a forged response pass. A run may require
	// them whatever its config says (Config.Require).
	Trust bool
	// PastLimits marks a rule that still runs on a response past one of
	// saml.Limits' counts, which is not modelled further: the one that
	// reports the size. Every other rule is then skipped.
	PastLimits bool
	// Advice lists how the Expected of this rule's findings begins where
	// it describes what is expected ("a signature that verifies") rather
	// than giving a value to put at the finding's location. TestRoundTrip
	// puts every other Expected in place and checks the finding clears;
	// these it checks are indeed not values.
	Advice []string
	// Check examines one response. Nil only for ScopeConfig rules.
	Check func(*Pass)
}

var (
	idRe    = lazyre.New(`^(saml|aws|connect|okta|config)/[a-z0-9]+(-[a-z0-9]+)*$`)
	titleRe = lazyre.New(`^[a-z0-9A-Z].*[^.]$`)
	urlRe   = lazyre.New(`https://\S+`)
	// catalogRe finds bracketed source tags such as "[IAM-TS]" or
	// "[TM-02]": citations of a catalog users do not have. Rule texts cite
	// URLs (References) instead.
	catalogRe = lazyre.New(`\[[^\]]*(?:\b[A-Z]{2,}(?:-[A-Z0-9]+)+|§)[^\]]*\]`)
)

// validate checks a rule list: unique well-formed IDs, complete
// documentation, references a user can open, an example file.
func validate(rules []*Rule) error {
	seen := map[string]bool{}
	for _, r := range rules {
		switch {
		case !idRe.MatchString(r.ID):
			return fmt.Errorf("rule %q: ID must be namespace/kebab-name", r.ID)
		case seen[r.ID]:
			return fmt.Errorf("rule %q registered twice", r.ID)
		case !titleRe.MatchString(r.Title) || strings.Contains(r.Title, "\n"):
			return fmt.Errorf("rule %s: title must be one line without a final period", r.ID)
		case r.Why == "" || r.Fix == "":
			return fmt.Errorf("rule %s: Why and Fix are required", r.ID)
		case !strings.HasSuffix(strings.TrimSpace(r.Fix), "."):
			return fmt.Errorf("rule %s: Fix must end with a period", r.ID)
		case len(r.References) == 0:
			return fmt.Errorf("rule %s: at least one reference is required", r.ID)
		case (r.Check == nil) != (r.Scope == ScopeConfig):
			return fmt.Errorf("rule %s: a check function is required (and only config rules have none)", r.ID)
		}
		for _, ref := range r.References {
			if !urlRe.MatchString(ref) && !strings.HasPrefix(ref, "docs/") {
				return fmt.Errorf("rule %s: reference %q has no URL a user can open", r.ID, ref)
			}
		}
		if catalogRe.MatchString(r.Why + r.Fix + strings.Join(r.References, " ")) {
			return fmt.Errorf("rule %s: Why cites something users cannot open; put it in References", r.ID)
		}
		if _, err := exampleOf(r.ID); err != nil {
			return fmt.Errorf("rule %s: %w", r.ID, err)
		}
		seen[r.ID] = true
	}
	return nil
}

// Rules returns the registry, in its order.
func Rules() []*Rule { return append([]*Rule(nil), registry...) }

// Lookup finds a rule by ID.
func Lookup(id string) *Rule {
	for _, r := range registry {
		if r.ID == id {
			return r
		}
	}
	return nil
}

func ruleIndex(id string) int {
	for i, r := range registry {
		if r.ID == id {
			return i
		}
	}
	return len(registry)
}
