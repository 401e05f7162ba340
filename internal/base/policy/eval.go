package policy

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/samllint/samllint/internal/base/lazyre"
)

// Request is what a policy is asked about.
type Request struct {
	Action string
	// Resource is the resource ARN for identity policies; "" for trust
	// policies, which are attached to the resource itself.
	Resource string
	// Principal is the federated principal (the SAML provider ARN) for
	// trust policies; "" for identity policies.
	Principal string
	// Context holds condition keys, lower-cased, with their values.
	Context map[string][]string
	// Partial says Context holds only the keys samllint can know: a key
	// it lacks (aws:SourceIp, aws:PrincipalTag/…) is unknown, not absent,
	// and a condition on it is Unknown.
	Partial bool
}

// NewContext builds a Context from case-insensitive keys.
func NewContext(kv map[string][]string) map[string][]string {
	out := make(map[string][]string, len(kv))
	for k, v := range kv {
		if v != nil {
			out[strings.ToLower(k)] = v
		}
	}
	return out
}

// Decision is the outcome of evaluating policies for a request.
type Decision int

const (
	ImplicitDeny Decision = iota
	Allow
	ExplicitDeny
)

func (d Decision) String() string {
	return [...]string{"implicit deny", "allow", "explicit deny"}[d]
}

// CondResult is one condition's outcome.
type CondResult struct {
	Condition
	OK bool
	// Unknown: samllint does not evaluate this operator, or (in a Partial
	// request) cannot know the key's value; OK is false.
	Unknown bool
	// Got is the request's value(s) for the key.
	Got []string
}

// Match says how a statement relates to a request, part by part.
type Match struct {
	Doc        *Document
	Statement  *Statement
	Principal  bool
	Action     bool
	Resource   bool
	Conditions []CondResult
}

// Applies reports whether every part matches.
func (m Match) Applies() bool {
	if !m.Principal || !m.Action || !m.Resource {
		return false
	}
	for _, c := range m.Conditions {
		if !c.OK {
			return false
		}
	}
	return true
}

// Denies reports whether the statement is a Deny that applies.
func (m Match) Denies() bool { return m.Statement.Effect == "Deny" && m.Applies() }

// FirstDeny is the first Deny that applies: the statement an explicit
// deny rests on.
func FirstDeny(matches []Match) (Match, bool) {
	for _, m := range matches {
		if m.Denies() {
			return m, true
		}
	}
	return Match{}, false
}

// Undecided reports whether the statement would apply but for conditions
// samllint cannot decide (Unknown), and returns them.
func (m Match) Undecided() ([]CondResult, bool) {
	if !m.Principal || !m.Action || !m.Resource {
		return nil, false
	}
	var unknown []CondResult
	for _, c := range m.Conditions {
		switch {
		case c.Unknown:
			unknown = append(unknown, c)
		case !c.OK:
			return nil, false
		}
	}
	return unknown, len(unknown) > 0
}

// FirstUndecidedDeny is the first Deny that would apply but for
// conditions samllint cannot decide.
func FirstUndecidedDeny(matches []Match) (Match, []CondResult, bool) {
	for _, m := range matches {
		if m.Statement.Effect != "Deny" {
			continue
		}
		if unknown, ok := m.Undecided(); ok {
			return m, unknown, true
		}
	}
	return Match{}, nil, false
}

// Failed returns the conditions that did not hold.
func (m Match) Failed() []CondResult {
	var out []CondResult
	for _, c := range m.Conditions {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

// Evaluate applies IAM's rule: an explicit Deny wins, else an Allow
// allows, else the request is implicitly denied. Matches lists every
// statement with how each part fared, for diagnosis.
func Evaluate(docs []*Document, req Request) (Decision, []Match) {
	dec := ImplicitDeny
	var all []Match
	for _, d := range docs {
		for _, s := range d.Statements {
			m := match(d, s, req)
			all = append(all, m)
			if m.Applies() {
				switch {
				case s.Effect == "Deny":
					dec = ExplicitDeny
				case dec == ImplicitDeny:
					dec = Allow
				}
			}
		}
	}
	return dec, all
}

func match(d *Document, s *Statement, req Request) Match {
	m := Match{Doc: d, Statement: s, Principal: true, Resource: true}
	if req.Principal != "" {
		m.Principal = principalMatches(s, req.Principal)
	}
	m.Action = ActionMatches(s, req.Action)
	if req.Resource != "" {
		m.Resource = resourceMatches(d, s, req)
	}
	for _, c := range s.Conditions {
		r := evalCondition(substituted(d, c, req.Context), req.Context)
		if _, known := req.Context[strings.ToLower(c.Key)]; req.Partial && !known {
			r.OK, r.Unknown = false, true
		}
		m.Conditions = append(m.Conditions, r)
	}
	return m
}

// substituted returns the condition with policy variables in its values
// replaced from ctx, as IAM does in Version 2012-10-17 documents: a trust
// policy may test "aws:RequestTag/Email": "${saml:sub}". A value whose
// variable has no value and no default matches nothing.
func substituted(d *Document, c Condition, ctx map[string][]string) Condition {
	if d.Version != "2012-10-17" {
		return c
	}
	like := strings.Contains(c.Operator, "Like")
	var vals []string
	changed := false
	for _, v := range c.Values {
		if !strings.Contains(v, "${") {
			vals = append(vals, v)
			continue
		}
		changed = true
		if out, ok := expand(v, ctx, like); ok {
			vals = append(vals, out)
		}
	}
	if !changed {
		return c
	}
	c.Values = vals
	return c
}

// expand substitutes the variables of one pattern. In glob patterns the
// substituted text is escaped, and ${*}, ${?} and ${$} stand for the
// literal characters.
func expand(pattern string, ctx map[string][]string, glob bool) (string, bool) {
	missing := false
	out := variableRe.ReplaceAllStringFunc(pattern, func(v string) string {
		key := strings.TrimSpace(v[2 : len(v)-1])
		switch key {
		case "*", "?", "$":
			if glob {
				return "\x00" + key // a literal wildcard character, kept from Glob
			}
			return key
		}
		def, hasDef := "", false
		if k, d, ok := strings.Cut(key, ","); ok {
			// ${aws:PrincipalTag/team, 'default'}
			d = strings.TrimSpace(d)
			if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
				key, def, hasDef = strings.TrimSpace(k), d[1:len(d)-1], true
			}
		}
		val := def
		if vals := ctx[strings.ToLower(key)]; len(vals) == 1 {
			val = vals[0]
		} else if !hasDef {
			missing = true
			return ""
		}
		if glob {
			return escapeGlob(val)
		}
		return val
	})
	return out, !missing
}

func principalMatches(s *Statement, arn string) bool {
	if s.Principal != nil {
		return s.Principal.All || contains(s.Principal.Federated, arn)
	}
	if s.NotPrincipal != nil {
		return !s.NotPrincipal.All && !contains(s.NotPrincipal.Federated, arn)
	}
	return false
}

// ActionMatches reports whether the statement's Action (or NotAction)
// covers action; names are case-insensitive, with * and ? wildcards.
func ActionMatches(s *Statement, action string) bool {
	if s.HasAction {
		for _, a := range s.Action {
			if Glob(strings.ToLower(a), strings.ToLower(action)) {
				return true
			}
		}
		return false
	}
	for _, a := range s.NotAction {
		if Glob(strings.ToLower(a), strings.ToLower(action)) {
			return false
		}
	}
	return true
}

func resourceMatches(d *Document, s *Statement, req Request) bool {
	pats, negate := s.Resource, false
	if !s.HasResource {
		pats, negate = s.NotResource, true
	}
	for _, p := range pats {
		if ResourceMatches(d, p, req.Resource, req.Context) {
			return !negate
		}
	}
	return negate
}

var variableRe = lazyre.New(`\$\{([^}]*)\}`)

// ResourceMatches matches one Resource pattern, substituting policy
// variables from ctx. Variables work only in Version 2012-10-17 documents;
// elsewhere they are literal text. A variable with no value in ctx makes
// the pattern match nothing, as in IAM.
func ResourceMatches(d *Document, pattern, resource string, ctx map[string][]string) bool {
	if d.Version == "2012-10-17" && strings.Contains(pattern, "${") {
		var ok bool
		if pattern, ok = expand(pattern, ctx, true); !ok {
			return false
		}
	}
	return Glob(pattern, resource)
}

func escapeGlob(s string) string {
	return strings.NewReplacer("*", "\x00*", "?", "\x00?").Replace(s)
}

// Glob matches IAM-style patterns: * any run, ? any one character. A NUL
// byte before * or ? makes it literal.
func Glob(pattern, s string) bool {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == 0 && i+1 < len(pattern):
			i++
			b.WriteString(regexp.QuoteMeta(string(pattern[i])))
		case c == '*':
			b.WriteString("(?s:.*)")
		case c == '?':
			b.WriteString("(?s:.)")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	return err == nil && re.MatchString(s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// evalCondition implements the operators SAML trust and Connect
// permission policies use: String*, StringLike/NotLike, Arn*, Null and
// Bool, with ForAnyValue:/ForAllValues: and …IfExists.
func evalCondition(c Condition, ctx map[string][]string) CondResult {
	got, present := ctx[strings.ToLower(c.Key)]
	r := CondResult{Condition: c, Got: got}
	op := c.Operator
	set := ""
	if i := strings.Index(op, ":"); i >= 0 {
		set, op = op[:i], op[i+1:]
	}
	ifExists := strings.HasSuffix(op, "IfExists")
	op = strings.TrimSuffix(op, "IfExists")
	if op == "Null" {
		want := len(c.Values) > 0 && strings.EqualFold(c.Values[0], "true")
		r.OK = want == !present
		return r
	}
	cmp, negated, ok := comparer(op)
	if !ok || set != "" && set != "ForAnyValue" && set != "ForAllValues" {
		r.Unknown = true
		return r
	}
	if !present {
		switch {
		case ifExists, set == "ForAllValues":
			r.OK = true
		case set == "ForAnyValue":
			r.OK = false
		default:
			r.OK = negated
		}
		return r
	}
	anyValue := func(v string) bool {
		for _, want := range c.Values {
			if cmp(want, v) {
				return true
			}
		}
		return false
	}
	switch set {
	case "ForAllValues":
		r.OK = true
		for _, v := range got {
			if anyValue(v) == negated {
				r.OK = false
			}
		}
	default: // ForAnyValue, and plain operators on (possibly multi-valued) keys
		hit := false
		for _, v := range got {
			if anyValue(v) {
				hit = true
			}
		}
		r.OK = hit != negated
	}
	return r
}

// comparer returns the positive comparison for an operator and whether the
// operator negates it.
func comparer(op string) (func(want, got string) bool, bool, bool) {
	eq := func(w, g string) bool { return w == g }
	fold := strings.EqualFold
	like := func(w, g string) bool { return Glob(w, g) }
	switch op {
	case "StringEquals":
		return eq, false, true
	case "StringNotEquals":
		return eq, true, true
	case "StringEqualsIgnoreCase":
		return fold, false, true
	case "StringNotEqualsIgnoreCase":
		return fold, true, true
	case "StringLike", "ArnLike", "ArnEquals":
		return like, false, true
	case "StringNotLike", "ArnNotLike", "ArnNotEquals":
		return like, true, true
	case "Bool":
		return fold, false, true
	}
	return nil, false, false
}

// Describe renders a condition as it reads in the policy.
func (c Condition) Describe() string {
	vals := c.Values
	if len(vals) == 1 {
		return fmt.Sprintf("%s %s %q", c.Operator, c.Key, vals[0])
	}
	return fmt.Sprintf("%s %s %q", c.Operator, c.Key, vals)
}
