package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/samllint/samllint/lint/policy"
	"github.com/samllint/samllint/saml"
)

// Plan is what "samllint fix" proposes: corrected policy documents, ready
// for aws iam, and the IdP settings to change, all with the user's values.
type Plan struct {
	Trust       *FixedPolicy `json:"trust_policy,omitempty"`
	Permissions *FixedPolicy `json:"permissions_policy,omitempty"`
	IdP         []IdPChange  `json:"idp_settings"`
	Notes       []string     `json:"notes"`
	Report      *Report      `json:"-"`
}

// FixedPolicy is a full policy document and how to apply it.
type FixedPolicy struct {
	Document map[string]any `json:"document"`
	Changes  []string       `json:"changes"`
	Command  string         `json:"command"`
	File     string         `json:"file"`
}

// IdPChange is one setting to change in the IdP.
type IdPChange struct {
	Rule    string `json:"rule"`
	Setting string `json:"setting"`
	Change  string `json:"change"`
}

// settingOf maps the rules whose fix lives in the IdP to that setting.
var settingOf = map[string]string{
	"aws/role-attribute-missing": "role", "aws/role-missing-role-arn": "role", "aws/role-missing-provider-arn": "role",
	"aws/role-arn-malformed": "role", "aws/role-account-mismatch": "role",
	"aws/role-session-name-missing": "session-name", "aws/role-session-name-invalid": "session-name",
	"connect/user-name": "session-name", "connect/user-unknown": "session-name",
	"aws/recipient": "acs", "aws/destination": "acs", "connect/region-mismatch": "acs", "saml/subject-confirmation": "acs",
	"aws/audience": "audience", "connect/relay-state-invalid": "relay-state",
	"aws/session-duration-invalid": "session-duration",
	"saml/signature-untrusted":     "certificate", "saml/certificate-expired": "certificate", "saml/issuer-mismatch": "certificate",
}

// Fix lints m and builds the corrections for what the policies and the IdP
// get wrong. Re-linting with the corrected documents clears the trust and
// GetFederationToken findings.
func Fix(m *saml.Message, opts Options) (*Plan, error) {
	rep, err := Run(m, opts)
	if err != nil {
		return nil, err
	}
	if opts.Skew == 0 {
		opts.Skew = DefaultSkew
	}
	c := newContext(m, &opts)
	plan := &Plan{Report: rep, IdP: []IdPChange{}, Notes: []string{}}
	role := or(roleName(c.roleARN), "<role>")
	if c.aws && c.providerARN != "" {
		doc, changes, notes := fixTrust(c)
		plan.Notes = append(plan.Notes, notes...)
		if doc != nil {
			plan.Trust = &FixedPolicy{Document: doc, Changes: changes, File: "trust-policy.json",
				Command: "aws iam update-assume-role-policy --role-name " + role + " --policy-document file://trust-policy.json"}
		}
	}
	if c.connect && !gftAllowed(rep, opts) {
		plan.Permissions = &FixedPolicy{
			Document: map[string]any{"Version": "2012-10-17", "Statement": []any{c.gftStatement()}},
			Changes:  []string{"allow connect:GetFederationToken on " + c.federationResource("${aws:userid}")},
			File:     "connect-federation.json",
			Command:  "aws iam put-role-policy --role-name " + role + " --policy-name ConnectFederation --policy-document file://connect-federation.json",
		}
		for _, f := range rep.Findings {
			if f.Rule == missingGetFederationToken.ID && strings.Contains(f.Message, "explicitly denies") {
				plan.Notes = append(plan.Notes, f.Message+": remove or narrow it, or the new statement has no effect")
			}
		}
	}
	for _, f := range rep.Findings {
		if s := settingOf[f.Rule]; s != "" {
			plan.IdP = append(plan.IdP, IdPChange{Rule: f.Rule, Setting: c.where(s), Change: f.Fix})
		}
	}
	return plan, nil
}

func gftAllowed(rep *Report, opts Options) bool {
	if len(opts.Permissions) == 0 {
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
func fixTrust(c *context) (map[string]any, []string, []string) {
	if c.opts.TrustPolicy == nil {
		return map[string]any{"Version": "2012-10-17", "Statement": []any{c.trustStatement()}},
			[]string{"a new trust policy: no --trust-policy was given"}, nil
	}
	doc := deepCopy(c.opts.TrustPolicy.Raw)
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
		if m.Statement.Effect == "Deny" && m.Applies() {
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
		s := c.opts.TrustPolicy.Statements[target]
		for _, a := range need {
			if !policy.ActionMatches(s, a) {
				st["Action"] = appendAny(st["Action"], a)
				changes = append(changes, fmt.Sprintf("%s: allow %s", s.Path, a))
			}
		}
		ctx := c.requestContext()
		for _, cr := range tc.principal[indexOf(tc.principal, target)].Failed() {
			got := ctx[strings.ToLower(cr.Key)]
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

// PrettyJSON renders a document as aws iam expects it in a file.
func PrettyJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
	return b.String()
}
