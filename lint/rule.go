// Package lint checks a decoded SAML response, and what the user has beside
// it, against everything that makes a sign-in to AWS or Amazon Connect fail.
//
// A rule is one *Rule value in the explicit registry list (registry.go).
// Run evaluates every applicable rule and collects all findings; its error
// means only that the engine could not run.
package lint

import (
	"fmt"
	"regexp"
	"strings"
)

// Severity is how badly a finding breaks the sign-in.
type Severity int

const (
	// Info: worth knowing; sign-in works.
	Info Severity = iota
	// Warning: fails in some setups, or soon.
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

// ParseSeverity reads "error", "warning", "info" (and "none", which is
// above every severity, for --fail-on).
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
)

// Rule is one check: its documentation and its check function. Rule docs,
// "samllint explain", docs/rules.md and SARIF metadata are all rendered
// from these fields.
type Rule struct {
	ID       string // namespace/kebab-name; a public contract, never reused
	Severity Severity
	Scope    Scope
	Title    string // one line, no final period
	// Why explains how the problem breaks the sign-in, quoting the error the
	// user sees and citing its source in docs/failure-modes (as [KEY]).
	Why string
	// Fix says how to repair it in general; findings carry a fix written
	// with the user's own values.
	Fix        string
	Bad, Good  Example
	References []string
	// Symptoms are the error texts users see when this rule's problem
	// breaks the sign-in; "samllint explain <text>" searches them.
	Symptoms []string
	// Rank orders rules sharing a symptom, most common cause first (the
	// ranking of failure-modes §21); zero sorts last.
	Rank int
	// Confirm says what to capture to confirm the rule; empty means the
	// SAMLResponse itself.
	Confirm string
	Check   func(*Pass)
}

// Example is a rule's bad or good case: edits to the signed sample
// response (testdata/assertions/okta-connect.b64) plus the inputs beside it.
// TestRuleExamples runs every rule's examples.
type Example struct {
	Note  string
	Edits []Edit
	// RelayState, when set, is the RelayState the example is linted with.
	RelayState string
	// After is how long after the response's IssueInstant the example is
	// evaluated; zero means one minute.
	After string
	// NoAnchors lints the example without the sample's IdP metadata.
	NoAnchors bool
	// Transform names a change edits cannot express, applied by the
	// example test: see Transforms.
	Transform string
	// Trust and Permissions are policy documents (JSON) linted beside the
	// response; Users the Connect instance's user names.
	Trust, Permissions string
	Users              []string
}

// Transforms describes the named example transforms.
var Transforms = map[string]string{
	"remove-assertion": "the Assertion element is removed",
	"strip-signatures": "every ds:Signature is removed",
	"rotated-key":      "the response is signed by a key whose certificate is not in the metadata",
	"wrap-assertion":   "the signed Assertion is moved into samlp:Extensions and an edited copy takes its place",
	"sha1":             "the response is re-signed with rsa-sha1 and sha1 digests",
	"encrypt":          "the Assertion is replaced by an EncryptedAssertion",
	"inflate":          "the Role attribute gets thousands of extra values, past 100,000 base64 characters",
}

// Edit replaces the first occurrence of Old with New.
type Edit struct{ Old, New string }

var (
	idRe    = regexp.MustCompile(`^(saml|aws|connect)/[a-z0-9]+(-[a-z0-9]+)*$`)
	titleRe = regexp.MustCompile(`^[a-z0-9A-Z].*[^.]$`)
)

// Validate checks the registry: unique well-formed IDs and complete
// documentation. A test and the CLI call it.
func Validate(rules []*Rule) error {
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
		case r.Bad.Note == "" || r.Good.Note == "":
			return fmt.Errorf("rule %s: a bad and a good example are required", r.ID)
		case len(r.References) == 0:
			return fmt.Errorf("rule %s: at least one reference is required", r.ID)
		case r.Check == nil:
			return fmt.Errorf("rule %s: no check function", r.ID)
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
