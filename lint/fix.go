package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/samllint/samllint/internal/base/policy"
	"github.com/samllint/samllint/saml"
)

// Plan is what "samllint fix" proposes, with the user's own values: the
// trust policy to apply (the one given, corrected and merged, never a
// replacement written from nothing), the statement to add when no trust
// policy was given, the permissions to add, and the IdP settings to
// change.
type Plan struct {
	// Trust is the corrected trust policy, when one was given and needs
	// changing.
	Trust *FixedPolicy `json:"trust_policy,omitempty"`
	// TrustStatement is the statement the role's trust policy must hold,
	// when no trust policy was given to merge it into.
	TrustStatement *StatementToAdd `json:"trust_statement,omitempty"`
	// Permissions is an inline policy to add to the role, when the
	// permissions given do not allow connect:GetFederationToken.
	Permissions *FixedPolicy `json:"permissions_policy,omitempty"`
	// PermissionsStatement is the statement the role's permissions need,
	// when none were given to check.
	PermissionsStatement *StatementToAdd `json:"permissions_statement,omitempty"`
	IdP                  []IdPChange     `json:"idp_settings"`
	Notes                []string        `json:"notes"`
}

// FixedPolicy is a full policy document and how to apply it.
type FixedPolicy struct {
	Document map[string]any `json:"document"`
	Changes  []string       `json:"changes"`
	Command  string         `json:"command"`
	File     string         `json:"file"`
}

// StatementToAdd is a policy statement to merge into a policy samllint
// was not given, with a complete policy document holding it alone, as
// IAM takes it from a file.
type StatementToAdd struct {
	Statement any            `json:"statement"`
	Why       string         `json:"why"`
	Document  map[string]any `json:"document"`
	Command   string         `json:"command"`
	File      string         `json:"file"`
}

// policyDocument is a complete IAM policy document holding statements.
func policyDocument(statements ...any) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": statements}
}

// IdPChange is one setting to change in the IdP, with the findings that
// call for it. Where a finding offers alternatives, its fix says so.
type IdPChange struct {
	Setting Setting  `json:"setting"`
	Where   string   `json:"where"`
	Rules   []string `json:"rules"`
	Changes []string `json:"changes"`
}

// Fix builds the corrections for what the policies and the IdP get wrong
// in one linted capture. Re-linting with the corrected documents clears
// the trust and GetFederationToken findings. in is the inputs given;
// what a Resolver added for this capture (r.Inputs) is used instead.
func Fix(r *Result, in *Inputs) *Plan {
	plan := &Plan{IdP: []IdPChange{}, Notes: []string{}}
	if r.Report == nil || r.Response == nil {
		return plan
	}
	if r.Inputs != nil {
		in = r.Inputs
	}
	if in == nil {
		in = &Inputs{}
	}
	rep := r.Report
	c := newFacts(&saml.Message{Capture: r.Capture, Response: r.Response}, in, rep.Clock)
	role := or(roleName(c.roleARN), "<role>")
	if c.aws && c.providerARN != "" {
		if in.trust == nil {
			st := c.trustStatement()
			plan.TrustStatement = &StatementToAdd{Statement: st, Document: policyDocument(st), File: "trust-policy.json",
				Command: "aws iam update-assume-role-policy --role-name " + role + " --policy-document file://trust-policy.json",
				Why:     "no trust policy was given: the role's trust policy must hold this statement. The document holds it alone, and applying it replaces the whole trust policy: if the role trusts others too, give --trust-policy (aws iam get-role --role-name " + role + ") to have it checked and merged instead"}
		} else {
			doc, changes, notes := fixTrust(c)
			plan.Notes = append(plan.Notes, notes...)
			if doc != nil {
				plan.Trust = &FixedPolicy{Document: doc, Changes: changes, File: "trust-policy.json",
					Command: "aws iam update-assume-role-policy --role-name " + role + " --policy-document file://trust-policy.json"}
			}
		}
	}
	if c.connect && len(in.permissions) == 0 {
		st := c.gftStatement()
		plan.PermissionsStatement = &StatementToAdd{Statement: st, Document: policyDocument(st), File: "connect-federation.json",
			Command: "aws iam put-role-policy --role-name " + role + " --policy-name ConnectFederation --policy-document file://connect-federation.json",
			Why:     "no permissions policy was given: the role needs this statement; if it has none, add the document as an inline policy of its own, or give --permissions-policy to have it checked"}
	} else if c.connect && !gftAllowed(rep, in) {
		plan.Permissions = &FixedPolicy{
			Document: policyDocument(c.gftStatement()),
			Changes:  []string{"allow connect:GetFederationToken on " + c.federationResource("${aws:userid}")},
			File:     "connect-federation.json",
			Command:  "aws iam put-role-policy --role-name " + role + " --policy-name ConnectFederation --policy-document file://connect-federation.json",
		}
		for _, f := range rep.Findings {
			if f.Rule == missingGetFederationToken.ID && f.deny {
				plan.Notes = append(plan.Notes, f.Message+": remove or narrow it, or the new statement has no effect")
			}
		}
	}
	bySetting := map[Setting]int{}
	for _, f := range rep.Findings {
		rule := Lookup(f.Rule)
		if rule == nil || rule.Setting == SettingNone {
			continue
		}
		i, ok := bySetting[rule.Setting]
		if !ok {
			i = len(plan.IdP)
			bySetting[rule.Setting] = i
			plan.IdP = append(plan.IdP, IdPChange{Setting: rule.Setting, Where: c.where(rule.Setting)})
		}
		ch := &plan.IdP[i]
		if !slices.Contains(ch.Rules, f.Rule) {
			ch.Rules = append(ch.Rules, f.Rule)
		}
		if !slices.Contains(ch.Changes, f.Fix) {
			ch.Changes = append(ch.Changes, f.Fix)
		}
	}
	return plan
}

func gftAllowed(rep *Report, in *Inputs) bool {
	if len(in.permissions) == 0 {
		return false
	}
	for _, f := range rep.Findings {
		if f.Rule == missingGetFederationToken.ID {
			return false
		}
	}
	for _, s := range rep.Skipped {
		if s.Rule == missingGetFederationToken.ID {
			return false
		}
	}
	return true
}

// fixTrust returns the corrected trust policy (nil when nothing changes),
// what changed, and what it would not change on its own.
func fixTrust(c *facts) (map[string]any, []string, []string) {
	if c.in.trust == nil {
		return map[string]any{"Version": "2012-10-17", "Statement": []any{c.trustStatement()}},
			[]string{"a new trust policy: no --trust-policy was given"}, nil
	}
	doc := deepCopy(c.in.trust.Raw)
	stmts := statementList(doc)
	var changes, notes []string
	tc := c.trust(actionSAML)
	need := []string{actionSAML}
	if c.sendsTags() {
		need = append(need, "sts:TagSession")
	}
	if c.assertion != nil && c.assertion.Attribute(AttrSourceIdentity) != nil {
		need = append(need, "sts:SetSourceIdentity")
	}
	// Explicit Denies that stop this sign-in go first: nothing else helps.
	var keep []any
	for i, raw := range stmts {
		m := tc.matches[i]
		if m.Denies() {
			changes = append(changes, "removed "+m.Statement.Path+", an explicit Deny of this sign-in (review before applying)")
			continue
		}
		keep = append(keep, raw)
	}
	target := -1
	for _, m := range tc.principal {
		if m.Statement.HasAction {
			target = m.Statement.Index - 1
			break
		}
	}
	if target < 0 {
		keep = append(keep, c.trustStatement())
		changes = append(changes, "added a statement trusting "+c.providerARN)
	} else {
		st := stmts[target].(map[string]any)
		s := c.in.trust.Statements[target]
		for _, a := range need {
			if !policy.ActionMatches(s, a) {
				st["Action"] = appendAny(st["Action"], a)
				changes = append(changes, fmt.Sprintf("%s: allow %s", s.Path, a))
			}
		}
		for _, cr := range tc.principal[indexOf(tc.principal, target)].Failed() {
			got := cr.Got
			positive := !strings.Contains(cr.Operator, "Not") && !cr.Unknown && cr.Operator != "Null"
			if len(got) != 1 || !positive {
				notes = append(notes, fmt.Sprintf("%s: %s is not met by this assertion; change it or the IdP by hand", s.Path, cr.Describe()))
				continue
			}
			cond := st["Condition"].(map[string]any)[cr.Operator].(map[string]any)
			cond[cr.Key] = appendAny(cond[cr.Key], got[0])
			changes = append(changes, fmt.Sprintf("%s: %s also accepts %q", s.Path, cr.Key, got[0]))
		}
	}
	if len(changes) == 0 {
		return nil, nil, notes
	}
	doc["Statement"] = keep
	if v, _ := doc["Version"].(string); v != "2012-10-17" {
		doc["Version"] = "2012-10-17"
		changes = append(changes, `set "Version": "2012-10-17"`)
	}
	return doc, changes, notes
}

func indexOf(ms []policy.Match, stmtIdx int) int {
	for i, m := range ms {
		if m.Statement.Index-1 == stmtIdx {
			return i
		}
	}
	return 0
}

func statementList(doc map[string]any) []any {
	switch t := doc["Statement"].(type) {
	case []any:
		return t
	case map[string]any:
		return []any{t}
	}
	return nil
}

func appendAny(v any, s string) any {
	switch t := v.(type) {
	case nil:
		return s
	case string:
		return []any{t, s}
	case []any:
		return append(t, s)
	}
	return []any{v, s}
}

func deepCopy(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out map[string]any
	_ = dec.Decode(&out)
	return out
}
