package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/samllint/samllint/internal/base/lazyre"
	"github.com/samllint/samllint/internal/base/policy"
)

const (
	notAuthTrust = "Not authorized to perform sts:AssumeRoleWithSAML (service: AWSSecurityTokenService; status code: 403; error code: AccessDenied)"
)

func (p *Pass) needTrust() bool {
	if p.facts.providerARN == "" {
		p.SkipBecause("the Role attribute names no SAML provider ARN: fix the aws/role-* findings first", "not checked")
		return false
	}
	return true
}

func roleName(arn string) string {
	if a := parseRoleARN(arn); a != nil {
		return a.Name
	}
	return ""
}

func trustWhere(p *Pass, path string) Location {
	return policyAt(SourceTrustPolicy, p.Inputs.trust, path)
}

// policyAt locates a path in a policy document: the file, and where in it
// the document sits when the file holds more (get-role output, a template).
func policyAt(src Source, d *policy.Document, path string) Location {
	return Location{Source: src, File: d.Label(), Path: path}
}

func trustFix(p *Pass, what string) string {
	return what + " Apply the corrected policy with aws iam update-assume-role-policy --role-name " + or(roleName(p.facts.roleARN), "<role>") +
		" --policy-document file://trust-policy.json (samllint fix prints it)."
}

var trustPrincipal = &Rule{
	ID: "aws/trust-principal", Severity: Error, Scope: ScopeAWS, Needs: []Input{InputTrustPolicy},
	Title: "the trust policy does not trust the SAML provider in the Role attribute",
	Why: "STS lets the SAML provider assume the role only if the role's trust policy has an Allow statement with " +
		"Principal {\"Federated\": \"<provider ARN>\"}, byte for byte. Otherwise: \"" + notAuthTrust + "\".",
	Fix:        "Add a statement trusting the provider named in the Role attribute, or point the Role attribute at the provider the policy trusts.",
	References: []string{refTrust, refIAMTS},
	Symptoms:   []string{"Not authorized to perform sts:AssumeRoleWithSAML", "AccessDenied", "Specified provider doesn't exist"},
	Rank:       3,
	Check: func(p *Pass) {
		if !p.needTrust() {
			return
		}
		c := p.facts
		tc := c.trust(actionSAML)
		if len(tc.principal) > 0 {
			return
		}
		var trusted []string
		for _, m := range tc.matches {
			s := m.Statement
			if s.Effect != "Allow" || s.Principal == nil {
				continue
			}
			for _, f := range s.Principal.Federated {
				trusted = append(trusted, "Federated "+f)
			}
			for _, a := range s.Principal.AWS {
				trusted = append(trusted, "AWS "+a)
			}
			for _, sv := range s.Principal.Service {
				trusted = append(trusted, "Service "+sv)
			}
		}
		msg := "no Allow statement trusts " + c.providerARN
		for _, t := range trusted {
			if f := strings.TrimPrefix(t, "Federated "); f != t && strings.EqualFold(f, c.providerARN) {
				msg += " (the policy names it with different case: ARNs are case-sensitive)"
			}
		}
		p.Report(Finding{Message: msg, Location: trustWhere(p, "Statement"),
			Expected: `Principal {"Federated": "` + c.providerARN + `"}`, Actual: or(strings.Join(trusted, "; "), "(no principal trusted)"),
			Fix: trustFix(p, "Add this statement to the trust policy: "+compactJSON(c.trustStatement())+".")})
	},
}

var roleMismatch = &Rule{
	ID: "aws/role-mismatch", Severity: Error, Scope: ScopeAWS, Setting: SettingRole, Needs: []Input{InputTrustPolicy},
	Advice: []string{"a Role value naming"},
	Title:  "the Role attribute does not name the exported role exactly",
	Why: "STS looks the role up by the ARN in the Role value, compared case-sensitively and with its path: " +
		"arn:aws:iam::111122223333:role/connectagent or …:role/ConnectAgent for a role at path /team/ names another role, which " +
		"does not exist, and STS answers \"" + notAuthTrust + "\" (IAM's troubleshooting lists a misspelled or wrongly cased role " +
		"first). When no Role value names the role you exported at all, its trust policy says nothing about this sign-in: that is a " +
		"warning about the inputs.",
	Fix:        "Make the Role value name the role ARN exactly as aws iam get-role prints it (Role.Arn), path and case included.",
	References: []string{refIAMTS, "AWS IAM: IAM identifiers (ARNs and paths) — https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html"},
	Symptoms:   []string{"Not authorized to perform sts:AssumeRoleWithSAML", "AccessDenied"},
	Rank:       4,
	Check: func(p *Pass) {
		r := p.Inputs.role
		if r == nil || r.ARN == "" {
			return // a bare trust policy names no role to compare with
		}
		exported := parseRoleARN(r.ARN)
		var values []string
		var where string
		for _, rp := range p.facts.roles {
			values = append(values, rp.Value)
			if where == "" {
				where = rp.Path
			}
			for _, role := range rp.Roles {
				switch {
				case role.Raw == r.ARN:
					return
				case exported == nil || role.Account != exported.Account || role.Partition != exported.Partition || !strings.EqualFold(role.Name, exported.Name):
					continue
				}
				var why string
				switch {
				case role.Name != exported.Name && role.Path != exported.Path:
					why = "the name's letter case and the path differ"
				case role.Name != exported.Name:
					why = "the name's letter case differs; role names in the Role value are case-sensitive"
				default:
					why = fmt.Sprintf("the path differs (%s, the role's is %s); the ARN of a role includes its path", role.Path, exported.Path)
				}
				p.Report(Finding{Message: "the Role value names " + role.Raw + ", which is not the role " + r.ARN + ": " + why, Location: xmlAt(rp.Path),
					Expected: strings.Replace(rp.Value, role.Raw, r.ARN, 1), Actual: rp.Value,
					Fix: "Change the role ARN in " + p.facts.idp() + "'s role mapping to exactly " + r.ARN + " (" + p.facts.where(SettingRole) + ")."})
				return
			}
		}
		if len(values) == 0 {
			return // aws/role-attribute-missing says it
		}
		msg := fmt.Sprintf("none of the %d Role values names the exported role %s", len(values), r.ARN)
		if len(values) == 1 {
			msg = "the Role value does not name the exported role " + r.ARN
		}
		// Advice, not a value: which role the user should get is the
		// admin's call, and the inputs may be what is wrong.
		p.ReportAt(Warning, Finding{Message: msg + ", so its trust policy says nothing about this sign-in", Location: xmlAt(where),
			Expected: "a Role value naming " + r.ARN, Actual: strings.Join(values, " | "),
			Fix: "Export the role the user signs in with (aws iam get-role --role-name " + or(roleName(p.facts.roleARN), "<role>") + "), or assign the user " + r.ARN + " in " + p.facts.idp() + "."})
	},
}

var trustAction = &Rule{
	ID: "aws/trust-action", Severity: Error, Scope: ScopeAWS, Needs: []Input{InputTrustPolicy},
	Title: "the statement trusting the provider does not allow sts:AssumeRoleWithSAML",
	Why: "The statement that trusts the SAML provider must allow sts:AssumeRoleWithSAML; sts:AssumeRole or " +
		"sts:AssumeRoleWithWebIdentity (OIDC) are other actions. Otherwise: \"" + notAuthTrust + "\".",
	Fix:        "Allow sts:AssumeRoleWithSAML in the statement that trusts the SAML provider.",
	References: []string{refTrust, refIAMTS},
	Symptoms:   []string{"Not authorized to perform sts:AssumeRoleWithSAML", "AccessDenied"},
	Rank:       3,
	Check: func(p *Pass) {
		if !p.needTrust() {
			return
		}
		tc := p.facts.trust(actionSAML)
		if len(tc.principal) == 0 || len(tc.withAct) > 0 {
			return
		}
		s := tc.principal[0].Statement
		actual := strings.Join(s.Action, ", ")
		if !s.HasAction {
			actual = "NotAction " + strings.Join(s.NotAction, ", ")
		}
		p.Report(Finding{Message: fmt.Sprintf("%s trusts the provider but does not allow %s", s.Path, actionSAML), Location: trustWhere(p, s.Path+".Action"),
			Expected: actionSAML, Actual: actual,
			Fix: trustFix(p, "Set the statement's Action to include "+actionSAML+": "+compactJSON(p.facts.trustStatement())+".")})
	},
}

// failedOn splits a statement's failed conditions into those on key and
// the others.
func failedOn(m policy.Match, key string) (onKey, other []policy.CondResult) {
	for _, cr := range m.Failed() {
		if strings.EqualFold(cr.Key, key) && !cr.Unknown {
			onKey = append(onKey, cr)
		} else {
			other = append(other, cr)
		}
	}
	return onKey, other
}

var trustAudience = &Rule{
	ID: "aws/trust-audience", Severity: Error, Scope: ScopeAWS, Needs: []Input{InputTrustPolicy},
	Title: "the trust policy's SAML:aud does not accept the Recipient",
	Why: "STS fills SAML:aud from the assertion's Recipient, not from its Audience. A trust policy pinned to " +
		"https://signin.aws.amazon.com/saml refuses a response posted to a regional (https://<region>.signin.aws.amazon.com/saml) " +
		"or provider-specific (…/saml/acs/<id>) endpoint, and the reverse: \"" + notAuthTrust + "\".",
	Fix:        "List every sign-in endpoint the IdP posts to in SAML:aud, or match them with StringLike.",
	References: []string{refSAMLKeys, refConnect},
	Symptoms:   []string{"Not authorized to perform sts:AssumeRoleWithSAML", "AccessDenied"},
	Rank:       3,
	Check: func(p *Pass) {
		if !p.needTrust() {
			return
		}
		tc := p.facts.trust(actionSAML)
		if tc.decision != policy.ImplicitDeny || len(tc.withAct) == 0 {
			return
		}
		recipient := "(no Recipient)"
		if aud := p.facts.requestContext()["saml:aud"]; len(aud) > 0 {
			recipient = aud[0]
		}
		for _, m := range tc.withAct {
			onAud, other := failedOn(m, "saml:aud")
			if len(onAud) == 0 || len(other) > 0 {
				continue
			}
			cr := onAud[0]
			p.Report(Finding{Message: "SAML:aud does not accept the Recipient the response is posted to", Location: trustWhere(p, cr.Path),
				Expected: "SAML:aud accepting " + recipient, Actual: cr.Describe(),
				Fix: trustFix(p, fmt.Sprintf("Add %s to the condition: \"%s\": {\"SAML:aud\": %s}.", recipient, cr.Operator, compactJSON(appendValue(cr.Values, recipient))))})
			return
		}
	},
}

func appendValue(vals []string, v string) []string {
	for _, x := range vals {
		if x == v {
			return vals
		}
	}
	return append(append([]string{}, vals...), v)
}

var trustCondition = &Rule{
	ID: "aws/trust-condition", Severity: Error, Scope: ScopeAWS, Needs: []Input{InputTrustPolicy},
	Title: "another trust-policy condition is not met by this assertion",
	Why: "Trust policies may test saml:iss, saml:sub, saml:sub_type (persistent, transient, … with the SAML 2.0 prefix dropped), " +
		"saml:namequalifier, saml:doc, the eduPerson, eduOrg, Active Directory and X.500 attributes IAM maps to saml:* keys, and " +
		"the session tags, with policy variables such as ${saml:sub} in the values; STS evaluates them against the assertion, and " +
		"one that fails denies: \"" + notAuthTrust + "\".",
	Fix: "Make the IdP send what the condition expects, or widen the condition.",
	References: []string{refSAMLKeys, refIAMAssert + "#saml-attribute-mapping", refPolicyEv,
		"AWS IAM: Policy variables — https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html"},
	Symptoms: []string{"Not authorized to perform sts:AssumeRoleWithSAML", "AccessDenied"},
	Rank:     3,
	Check: func(p *Pass) {
		if !p.needTrust() {
			return
		}
		tc := p.facts.trust(actionSAML)
		if tc.decision == policy.ExplicitDeny {
			for _, m := range tc.matches {
				if m.Denies() {
					p.Report(Finding{Message: fmt.Sprintf("%s explicitly denies this sign-in", m.Statement.Path), Location: trustWhere(p, m.Statement.Path),
						Expected: "no Deny statement matching the request", Actual: "Deny " + strings.Join(m.Statement.Action, ", "),
						Fix: trustFix(p, "Remove or narrow the Deny statement "+m.Statement.Path+" (an explicit Deny overrides every Allow).")})
				}
			}
			return
		}
		if tc.decision == policy.Allow || len(tc.withAct) == 0 {
			return
		}
		// The statement closest to allowing: fewest failed conditions, but
		// leave those failing only on saml:aud to aws/trust-audience.
		var best *policy.Match
		for i := range tc.withAct {
			m := &tc.withAct[i]
			_, other := failedOn(*m, "saml:aud")
			if len(other) == 0 {
				return
			}
			if best == nil || len(m.Failed()) < len(best.Failed()) {
				best = m
			}
		}
		for _, cr := range best.Failed() {
			if strings.EqualFold(cr.Key, "saml:aud") && !cr.Unknown {
				continue // aws/trust-audience
			}
			got := cr.Got
			msg := fmt.Sprintf("the condition %s is not met", cr.Describe())
			sev := Error
			if cr.Unknown {
				msg = fmt.Sprintf("samllint cannot evaluate the operator %s (misspelt? IAM knows StringEquals, StringLike, …)", cr.Operator)
				sev = Warning
			}
			fix := "Make " + p.facts.idp() + " send the value the condition expects, or change the condition"
			if len(got) == 1 && !cr.Unknown {
				fix += fmt.Sprintf(": this assertion would need \"%s\": {\"%s\": %s}", cr.Operator, cr.Key, compactJSON(appendValue(cr.Values, got[0])))
			}
			p.ReportAt(sev, Finding{Message: msg, Location: trustWhere(p, cr.Path), Expected: cr.Describe(), Actual: gives(cr), Fix: trustFix(p, fix+".")})
		}
	},
}

// gives says what the request holds for a failed condition's key.
func gives(cr policy.CondResult) string {
	if len(cr.Got) == 0 {
		return "the assertion gives no " + cr.Key
	}
	return "the assertion gives " + cr.Key + " = " + strings.Join(quoteAll(cr.Got), ", ")
}

func quoteAll(v []string) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

var trustTagSession = &Rule{
	ID: "aws/trust-tag-session", Severity: Error, Scope: ScopeAWS, Needs: []Input{InputTrustPolicy},
	Title: "session tags or SourceIdentity sent, but sts:TagSession / sts:SetSourceIdentity not allowed for them",
	Why: "A role trusted by an IdP that passes PrincipalTag or TransitiveTagKeys attributes must also allow sts:TagSession, and one " +
		"that receives SourceIdentity must allow sts:SetSourceIdentity. STS evaluates each as a request of its own, with the " +
		"tags (aws:RequestTag/…, aws:TagKeys, sts:TransitiveTagKeys) and sts:SourceIdentity in the context, so a statement " +
		"that allows sts:TagSession only for some tags denies the others. Otherwise: \"" + notAuthTrust + "\".",
	Fix: "Allow sts:TagSession (and sts:SetSourceIdentity when SourceIdentity is sent) for the provider, with conditions the tags this IdP sends meet, or stop sending the attributes.",
	References: []string{refTags, "AWS IAM: Controlling access for session tags — https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required",
		"AWS IAM: sts:SetSourceIdentity — https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html"},
	Symptoms: []string{"Not authorized to perform sts:AssumeRoleWithSAML", "AccessDenied"},
	Rank:     3,
	Check: func(p *Pass) {
		if !p.needTrust() {
			return
		}
		c := p.facts
		saml := c.trust(actionSAML)
		if len(saml.withAct) == 0 {
			return // aws/trust-principal and aws/trust-action say it
		}
		check := func(action, why string) {
			tc := c.trust(action)
			switch {
			case tc.decision == policy.Allow:
				return
			case tc.decision == policy.ExplicitDeny:
				if m, ok := policy.FirstDeny(tc.matches); ok {
					p.Report(Finding{Message: fmt.Sprintf("%s, but %s denies %s", why, m.Statement.Path, action), Location: trustWhere(p, m.Statement.Path),
						Expected: action + " allowed for " + c.providerARN, Actual: "Deny " + strings.Join(m.Statement.Action, ", "),
						Fix: trustFix(p, "Remove or narrow the Deny statement "+m.Statement.Path+".")})
				}
				return
			case len(tc.withAct) == 0:
				p.Report(Finding{Message: why + " but the trust policy does not allow " + action, Location: trustWhere(p, saml.principal[0].Statement.Path+".Action"),
					Expected: action + " allowed for " + c.providerARN, Actual: strings.Join(saml.principal[0].Statement.Action, ", "),
					Fix: trustFix(p, "Add "+action+" to the Action of the statement trusting the provider: "+compactJSON(c.trustStatement())+".")})
				return
			case saml.decision != policy.Allow:
				return // conditions shared with sts:AssumeRoleWithSAML: aws/trust-condition says it
			}
			// Allowed only under conditions this assertion's tags fail: those
			// of the statement closest to allowing.
			best := tc.withAct[0]
			for _, m := range tc.withAct[1:] {
				if len(m.Failed()) < len(best.Failed()) {
					best = m
				}
			}
			for _, cr := range best.Failed() {
				p.Report(Finding{Message: fmt.Sprintf("%s, but the trust policy allows %s only when %s", why, action, cr.Describe()), Location: trustWhere(p, cr.Path),
					Expected: cr.Describe(), Actual: gives(cr),
					Fix: trustFix(p, "Make "+c.idp()+" send tags this condition accepts, or widen the condition on "+action+".")})
			}
		}
		if c.sendsTags() {
			check("sts:TagSession", "the assertion sends session tags (PrincipalTag/TransitiveTagKeys)")
		}
		if c.assertion != nil && c.assertion.Attribute(AttrSourceIdentity) != nil {
			check("sts:SetSourceIdentity", "the assertion sends SourceIdentity")
		}
	},
}

var connectARNPatternRe = lazyre.New(`^arn:([^:]*):connect:([^:]*):([^:]*):instance/([^/]*)(/.*)?$`)

var missingGetFederationToken = &Rule{
	ID: "connect/missing-get-federation-token", Severity: Error, Scope: ScopeConnect, Needs: []Input{InputPermissionsPolicy},
	Title: "the role may not call connect:GetFederationToken for this user",
	Why: "After AWS federation the Connect console calls connect:GetFederationToken on " +
		"arn:aws:connect:<region>:<account>:instance/<instance-id>/user/${aws:userid}. Without an Allow for that action and resource the " +
		"console loads, then fails: \"Access denied, Please contact your AWS account administrator for assistance.\" " +
		"sts:GetFederationToken is a different action.",
	Fix:        "Allow connect:GetFederationToken on the instance's user/${aws:userid} resource in the role's permissions.",
	References: []string{refConnect, refConnectTS},
	Symptoms: []string{"Access denied, Please contact your AWS account administrator for assistance", "the Connect console loads, then fails",
		"is not authorized to perform: connect:GetFederationToken", "because no identity-based policy allows the connect:GetFederationToken action", "AccessDeniedException",
		"GetFederationToken"},
	Rank: 5,
	Check: func(p *Pass) {
		c := p.facts
		if len(p.Inputs.permissions) == 0 {
			p.Skip("to check connect:GetFederationToken", InputPermissionsPolicy)
			return
		}
		req, ok := gftRequest(p)
		if !ok {
			return
		}
		dec, matches := policy.Evaluate(p.Inputs.permissions, req)
		if m, unknown, ok := policy.FirstUndecidedDeny(matches); ok && dec != policy.ExplicitDeny {
			reportUndecided(p, SourcePermissions, m, unknown, m.Statement.Path+"'s Deny")
		}
		if dec == policy.ImplicitDeny {
			for _, m := range matches {
				if unknown, ok := m.Undecided(); ok && m.Statement.Effect == "Allow" {
					reportUndecided(p, SourcePermissions, m, unknown, m.Statement.Path+"'s Allow")
					return
				}
			}
		}
		want := compactJSON(c.gftStatement())
		fix := "Add to the role's permissions (aws iam put-role-policy --role-name " + or(roleName(c.roleARN), "<role>") + " --policy-name ConnectFederation --policy-document file://connect-federation.json; samllint fix prints it): " + want + "."
		switch dec {
		case policy.Allow:
			return
		case policy.ExplicitDeny:
			if m, ok := policy.FirstDeny(matches); ok {
				p.Report(Finding{Message: m.Statement.Path + " explicitly denies connect:GetFederationToken for this user", Location: policyAt(SourcePermissions, m.Doc, m.Statement.Path),
					Expected: "no Deny matching connect:GetFederationToken on " + req.Resource, Actual: "Deny " + strings.Join(m.Statement.Action, ", "),
					Fix: "Remove or narrow that Deny statement (an explicit Deny overrides every Allow).", deny: true})
				return
			}
		}
		// Diagnose the statements that allow the action but miss the resource.
		for _, m := range matches {
			if m.Statement.Effect != "Allow" || !m.Action {
				continue
			}
			if !m.Resource {
				why, path := resourceMistake(c, m)
				p.Report(Finding{Message: "connect:GetFederationToken is allowed on the wrong resource: " + why, Location: policyAt(SourcePermissions, m.Doc, m.Statement.Path+path),
					Expected: "arn:" + c.partition + ":connect:" + c.region + ":" + c.account + ":instance/" + c.instance + "/user/${aws:userid}",
					Actual:   strings.Join(m.Statement.Resource, ", "), Fix: fix})
				return
			}
			if failed := m.Failed(); len(failed) > 0 {
				p.Report(Finding{Message: "connect:GetFederationToken is allowed only under a condition this session does not meet", Location: policyAt(SourcePermissions, m.Doc, m.Statement.Path+".Condition"),
					Expected: "a condition this user's session meets (connect:InstanceId = " + c.instance + ")", Actual: failed[0].Describe(), Fix: fix})
				return
			}
		}
		actual := "no statement allows connect:GetFederationToken"
		for _, d := range p.Inputs.permissions {
			for _, s := range d.Statements {
				for _, a := range s.Action {
					if strings.EqualFold(a, "sts:GetFederationToken") {
						actual = "sts:GetFederationToken (an STS action, not Connect's) in " + d.Label() + ": " + s.Path
					}
				}
			}
		}
		p.Report(Finding{Message: "the role's permissions do not allow connect:GetFederationToken", Location: policyAt(SourcePermissions, p.Inputs.permissions[0], ""),
			Expected: "connect:GetFederationToken on " + c.federationResource("${aws:userid}"), Actual: actual, Fix: fix})
	},
}

var scpOrBoundaryDenies = &Rule{
	ID: "connect/scp-or-boundary-denies", Severity: Error, Scope: ScopeConnect, Reads: []Input{InputSCP, InputPermissionsBoundary},
	Title: "a service control policy or the permissions boundary blocks connect:GetFederationToken",
	Why: "Even when the role's permissions allow connect:GetFederationToken, the call is denied if an AWS Organizations service " +
		"control policy denies it (a region-restriction SCP whose aws:RequestedRegion list leaves out the instance's region is the " +
		"usual one) or if the role's permissions boundary does not allow it: a boundary caps what the role may do. The Connect " +
		"console then loads and fails with \"Access denied, Please contact your AWS account administrator for assistance.\" " +
		"Neither shows in the role itself, so give the SCPs (--scp, aws organizations describe-policy) and the boundary " +
		"(--permissions-boundary).",
	Fix: "Add the instance's region (or connect:GetFederationToken) to the SCP's exceptions, and allow connect:GetFederationToken in the permissions boundary.",
	References: []string{refPolicyEv, "AWS Organizations: SCP examples, deny access based on the requested Region — https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html#example-scp-deny-region",
		"AWS IAM: Permissions boundaries for IAM entities — https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html", refConnect},
	Symptoms: []string{"Access denied, Please contact your AWS account administrator for assistance", "the Connect console loads, then fails",
		"with an explicit deny in a service control policy", "because no permissions boundary allows the connect:GetFederationToken action", "is not authorized to perform: connect:GetFederationToken",
		"AccessDeniedException", "GetFederationToken"},
	Rank: 6,
	Check: func(p *Pass) {
		c := p.facts
		scps, boundary := p.Inputs.scpDocs(), p.Inputs.boundaryDoc()
		var read *SCPRead
		if a := p.Inputs.AWSRead(); a != nil {
			read = a.SCP
		}
		if len(scps) == 0 && boundary == nil && read == nil {
			p.Skip("to check what the organization's SCPs and the role's permissions boundary allow", InputSCP, InputPermissionsBoundary, InputAWSRead)
			return
		}
		req, ok := gftRequest(p)
		if !ok {
			return
		}
		if read != nil && read.Exempt != "" {
			scps = nil // no SCP applies to this account
			if boundary == nil {
				p.SkipBecause(read.Exempt, "to check the organization's SCPs (none applies)", InputSCP)
				return
			}
		}
		if why := p.Inputs.unread(InputSCP); why != "" && read == nil && len(scps) == 0 {
			p.SkipBecause(why, "to check the organization's SCPs", InputSCP)
		} else if why := p.Inputs.unread(InputPermissionsBoundary); why != "" && boundary == nil {
			p.SkipBecause(why, "to check the role's permissions boundary", InputPermissionsBoundary)
		}
		// at names where an SCP is attached, when it was read level by level.
		denied := func(m policy.Match, at string) {
			where := scpName(m.Doc)
			if at != "" {
				where += ", attached to " + at + ","
			}
			p.Report(Finding{Message: fmt.Sprintf("the service control policy %s denies connect:GetFederationToken in %s", where, c.region), Location: policyAt(SourceSCP, m.Doc, m.Statement.Path),
				Expected: "no SCP Deny matching connect:GetFederationToken in " + c.region, Actual: denyWhy(m),
				Fix: scpDenyFix(p, m, at)})
		}
		undecided := false
		warnUndecided := func(src Source, m policy.Match, unknown []policy.CondResult, what string) {
			if !undecided {
				undecided = true
				reportUndecided(p, src, m, unknown, what)
			}
		}
		// Read level by level: an action must be allowed at every level,
		// the root, each OU and the account, and denied at none.
		if read != nil && read.Exempt == "" {
			for _, l := range p.Inputs.scpLevels {
				dec, matches := policy.Evaluate(l.docs, req)
				if m, ok := policy.FirstDeny(matches); ok && dec == policy.ExplicitDeny {
					denied(m, l.label())
					return
				}
				if m, unknown, ok := policy.FirstUndecidedDeny(matches); ok {
					warnUndecided(SourceSCP, m, unknown, "the Deny of "+scpName(m.Doc)+", attached to "+l.label()+",")
				}
				if dec == policy.ImplicitDeny && allowUndecided(matches) {
					continue // an Allow that may hold: the warning above, or below, says so
				}
				if dec == policy.ImplicitDeny {
					at := l.label()
					attached := "no SCP attached"
					if len(l.names) > 0 {
						attached = strings.Join(l.names, ", ") + ", none allowing it"
					}
					p.Report(Finding{Message: "no service control policy attached to " + at + " allows connect:GetFederationToken, so that level denies it",
						Location: Location{Source: SourceSCP, File: "SCPs attached to " + at},
						Expected: "an SCP attached to " + at + " that allows connect:GetFederationToken (FullAWSAccess, or an allow-list SCP naming it)", Actual: attached,
						Fix: "Ask the organization's administrators to add connect:GetFederationToken to an allow-list SCP attached to " + at + ", or to attach FullAWSAccess there (an action must be allowed at the root, every OU and the account)."})
					return
				}
			}
		}
		if len(scps) > 0 {
			dec, matches := policy.Evaluate(scps, req)
			if m, ok := policy.FirstDeny(matches); ok && dec == policy.ExplicitDeny {
				denied(m, "")
				return
			}
			if m, unknown, ok := policy.FirstUndecidedDeny(matches); ok {
				warnUndecided(SourceSCP, m, unknown, "the Deny of "+scpName(m.Doc))
			}
			// Files may be only some of a level's SCPs, and the
			// FullAWSAccess SCP that allows everything is rarely exported:
			// only an allow-list SCP that leaves the action out is a sign.
			if dec == policy.ImplicitDeny && read == nil && allowList(scps) {
				var names []string
				for _, d := range scps {
					names = append(names, d.Label())
				}
				p.ReportAt(Warning, Finding{Message: "none of the service control policies given allows connect:GetFederationToken: if they are all the SCPs of one level (an allow-list, FullAWSAccess detached), that level denies it",
					Location: policyAt(SourceSCP, scps[0], ""), Expected: "an SCP at every level that allows connect:GetFederationToken", Actual: "allow-list SCPs without it: " + strings.Join(names, ", "),
					Fix: "Check the SCPs attached at each level (samllint --from-aws reads them all); add connect:GetFederationToken to the allow-list SCP of any level that lacks FullAWSAccess."})
			}
		}
		if boundary != nil {
			dec, matches := policy.Evaluate([]*policy.Document{boundary}, req)
			if m, unknown, ok := policy.FirstUndecidedDeny(matches); ok && dec != policy.ExplicitDeny {
				warnUndecided(SourceBoundary, m, unknown, "the permissions boundary's Deny")
			}
			if dec == policy.ImplicitDeny && allowUndecided(matches) {
				return
			}
			switch dec {
			case policy.Allow:
			case policy.ExplicitDeny:
				if m, ok := policy.FirstDeny(matches); ok {
					p.Report(Finding{Message: "the permissions boundary denies connect:GetFederationToken", Location: policyAt(SourceBoundary, m.Doc, m.Statement.Path),
						Expected: "a boundary that allows connect:GetFederationToken on " + req.Resource, Actual: denyWhy(m),
						Fix: "Remove or narrow " + m.Statement.Path + " of the boundary policy."})
					return
				}
			default:
				p.Report(Finding{Message: "the permissions boundary does not allow connect:GetFederationToken, so the role cannot use it whatever its own policies say", Location: policyAt(SourceBoundary, boundary, ""),
					Expected: "connect:GetFederationToken on " + c.federationResource("${aws:userid}") + " allowed by the boundary", Actual: "no boundary statement allows it",
					Fix: "Add to the permissions boundary: " + compactJSON(c.gftStatement()) + ", or remove the boundary from the role (aws iam delete-role-permissions-boundary --role-name " + or(roleName(c.roleARN), "<role>") + ")."})
			}
		}
	},
}

// scpDenyFix is the fix a Deny statement of an SCP calls for: a region
// guard gets the region exempted, a Deny of the action itself is removed
// or scoped. at names where the SCP is attached, when known.
func scpDenyFix(p *Pass, m policy.Match, at string) string {
	c := p.facts
	where := m.Statement.Path + " of " + scpName(m.Doc)
	if at != "" {
		where += ", attached to " + at + ","
	}
	for _, cond := range m.Conditions {
		if strings.EqualFold(cond.Key, "aws:RequestedRegion") {
			return "Ask the organization's administrators to add " + c.region + " to the regions that " + where + " allows, or to exempt connect:GetFederationToken from that statement."
		}
	}
	return "Ask the organization's administrators to remove " + where + " or to scope it so that it leaves connect:GetFederationToken for the role " + c.roleOr() + " alone."
}

// scpName is an SCP as a finding names it: "RegionGuard (p-region01)",
// or the file it was given in.
func scpName(d *policy.Document) string { return strings.TrimPrefix(d.Label(), "SCP ") }

// allowUndecided reports whether an Allow might apply but for conditions
// samllint cannot decide.
func allowUndecided(matches []policy.Match) bool {
	for _, m := range matches {
		if _, ok := m.Undecided(); ok && m.Statement.Effect == "Allow" {
			return true
		}
	}
	return false
}

// unknownKeys names the keys (or operators) of conditions samllint could
// not decide: "aws:SourceIp".
func unknownKeys(conds []policy.CondResult) string {
	var keys []string
	for _, c := range conds {
		if !slices.Contains(keys, c.Key) {
			keys = append(keys, c.Key)
		}
	}
	return strings.Join(keys, " and ")
}

// reportUndecided warns of a statement (what) whose effect on
// connect:GetFederationToken depends on condition keys a capture does not
// show: never silent, never an error.
func reportUndecided(p *Pass, src Source, m policy.Match, unknown []policy.CondResult, what string) {
	keys := unknownKeys(unknown)
	p.ReportAt(Warning, Finding{Message: fmt.Sprintf("whether %s applies to connect:GetFederationToken depends on %s, which a capture does not show", what, keys),
		Location: policyAt(src, m.Doc, m.Statement.Path+".Condition"), Expected: "a statement whose conditions samllint can decide", Actual: denyWhy(m),
		Fix: "Check that condition against the user's sign-in (" + keys + "): if it leaves connect:GetFederationToken " + map[bool]string{true: "denied", false: "unallowed"}[m.Statement.Effect == "Deny"] + ", the Connect console fails; scope the statement so that it does not."})
}

// allowList reports whether any SCP given allows something: an allow-list
// strategy, where a level allows only what its SCPs name.
func allowList(docs []*policy.Document) bool {
	for _, d := range docs {
		for _, st := range d.Statements {
			if st.Effect == "Allow" {
				return true
			}
		}
	}
	return false
}

// label names an SCP level for a person: "the root r-ab12",
// "OU ou-ab12-34cd (Sales)", "account 111122223333".
func (l SCPLevel) label() string {
	var s string
	switch l.Type {
	case "ROOT":
		s = "the root " + l.ID
	case "ORGANIZATIONAL_UNIT":
		s = "OU " + l.ID
	default:
		s = "account " + l.ID
	}
	if l.Name != "" {
		s += " (" + l.Name + ")"
	}
	return s
}

// denyWhy renders a matching Deny statement: its actions and conditions.
func denyWhy(m policy.Match) string {
	what := m.Statement.Effect + " " + strings.Join(m.Statement.Action, ", ")
	if len(m.Statement.NotAction) > 0 {
		what = m.Statement.Effect + " NotAction " + strings.Join(m.Statement.NotAction, ", ")
	}
	for _, c := range m.Conditions {
		switch {
		case c.Unknown:
			what += "; " + c.Describe() + " (a value samllint cannot know)"
		default:
			what += "; " + c.Describe() + " (this call has " + strings.Join(c.Got, ", ") + ")"
		}
	}
	return what
}

// gftRequest is the connect:GetFederationToken call the Connect console
// makes for this session, as the role's policies, the SCPs and the
// boundary see it. False (the rule skipped, saying why) when the
// instance, its region or the account is unknown.
func gftRequest(p *Pass) (policy.Request, bool) {
	c := p.facts
	if c.instance == "" || c.region == "" || c.account == "" {
		p.SkipBecause("the Connect instance, its region or the account is unknown: the RelayState names the instance and region, the Role attribute the account", "to check the Connect user's federation", InputRelayState, InputConnectInstance)
		return policy.Request{}, false
	}
	userid := "AROAROLEID:" + sessionNameOf(c)
	return policy.Request{Action: "connect:GetFederationToken", Resource: c.federationResource(userid), Partial: true,
		Context: policy.NewContext(map[string][]string{
			"aws:userid": {userid}, "connect:InstanceId": {c.instance}, "aws:RequestedRegion": {c.region},
			"aws:PrincipalArn": {c.roleOr()}, "aws:PrincipalAccount": {c.account}, "aws:PrincipalType": {"AssumedRole"},
		})}, true
}

func sessionNameOf(c *facts) string {
	if c.assertion != nil {
		if at := c.assertion.Attribute(AttrRoleSessionName); at != nil && len(at.Values) > 0 {
			return at.Values[0].Value
		}
	}
	return "user"
}

// resourceMistake names why a Resource that should cover the federation
// resource does not.
func resourceMistake(c *facts, m policy.Match) (string, string) {
	s := m.Statement
	for _, r := range s.Resource {
		if strings.Contains(r, "${") && m.Doc.Version != "2012-10-17" {
			return fmt.Sprintf("policy variables work only with \"Version\": \"2012-10-17\" (this document has %q), so ${aws:userid} is taken literally", m.Doc.Version), ".Resource"
		}
		p := connectARNPatternRe.FindStringSubmatch(r)
		if p == nil {
			continue
		}
		switch {
		case p[2] != c.region && !policy.Glob(p[2], c.region):
			return fmt.Sprintf("it names region %s, the instance is in %s", p[2], c.region), ".Resource"
		case p[3] != c.account && !policy.Glob(p[3], c.account):
			return fmt.Sprintf("it names account %s, the role is in %s", p[3], c.account), ".Resource"
		case p[4] != c.instance && !policy.Glob(p[4], c.instance):
			return fmt.Sprintf("it names instance %s, the RelayState names %s", p[4], c.instance), ".Resource"
		case p[5] == "":
			return "it is the instance ARN without /user/${aws:userid}", ".Resource"
		case strings.Contains(p[5], "${aws:username}"):
			return "${aws:username} does not exist for assumed-role (SAML) sessions; use ${aws:userid}", ".Resource"
		}
	}
	return "it does not match " + c.federationResource("${aws:userid}"), ".Resource"
}

var connectUserUnknown = &Rule{
	ID: "connect/user-unknown", Severity: Error, Scope: ScopeConnect, Setting: SettingSessionName, Needs: []Input{InputConnectUsers},
	Advice: []string{"one of the instance's user names"},
	Title:  "no Connect user is named exactly the RoleSessionName",
	Why: "Connect signs the session in as the user whose name equals the RoleSessionName, case-sensitively. With no such user: " +
		"\"Access Denied. Your account has been authenticated, but has not been onboarded to this application.\".",
	Fix:        "Create the Connect user with exactly the RoleSessionName, or make the IdP send the existing user's name.",
	References: []string{refConnectTS, "AWS CLI: connect list-users — https://docs.aws.amazon.com/cli/latest/reference/connect/list-users.html"},
	Symptoms:   []string{"has not been onboarded to this application", "Access Denied. Your account has been authenticated", "UserNotFoundException"},
	Rank:       2,
	Check: func(p *Pass) {
		if p.Inputs.users == nil {
			p.Skip("to check the user exists (aws connect list-users --instance-id "+p.facts.instanceOr()+" > users.json)", InputConnectUsers)
			return
		}
		at := p.Attribute(AttrRoleSessionName)
		if at == nil || len(at.Values) == 0 {
			return
		}
		v := at.Values[0]
		if slices.Contains(p.Inputs.users, v.Value) {
			return
		}
		suggest := ""
		for _, u := range p.Inputs.users {
			if strings.EqualFold(u, v.Value) {
				suggest = u
			}
		}
		if suggest == "" && len(p.Inputs.users) > 0 {
			if n, d := nearest(v.Value, p.Inputs.users); d <= len(v.Value)/3 {
				suggest = n
			}
		}
		msg := fmt.Sprintf("no Connect user is named %q", v.Value)
		fix := fmt.Sprintf("Create a Connect user named %s in instance %s, or map RoleSessionName in %s to the existing user name.", v.Value, p.facts.instanceOr(), p.facts.idp())
		if suggest != "" {
			msg += fmt.Sprintf("; closest is %q (user names are case-sensitive)", suggest)
			fix = fmt.Sprintf("Make %s send %s as RoleSessionName (%s), or rename the Connect user to %s.", p.facts.idp(), suggest, p.facts.where(SettingSessionName), v.Value)
		}
		want := "one of the instance's user names"
		if strings.EqualFold(suggest, v.Value) {
			want = suggest // only the case differs: the user is known
		}
		p.Report(Finding{Message: msg, Location: xmlAt(v.Path), Expected: want, Actual: v.Value, Fix: fix})
	},
}
