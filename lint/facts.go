package lint

import (
	"slices"
	"strings"

	"github.com/samllint/samllint/internal/base/policy"
	"github.com/samllint/samllint/saml"
)

// facts holds what several rules derive from the same inputs, computed
// once per response.
type facts struct {
	m         *saml.Message
	r         *saml.Response
	in        *Inputs
	expect    Expect
	clock     Clock
	assertion *saml.Assertion

	aws     bool
	connect bool
	relay   *relayInfo // nil when there is no RelayState
	roles   []*rolePair

	trustChecks map[string]*trustCheck
	reqCtx      map[string][]string // see requestContext

	// Best knowledge of the user's own values, for fixes.
	account, partition, region, instance string
	arnPartition                         string // partition as the ARNs say it, "" when none does
	providerARN, roleARN                 string
	roleName                             *string
}

func newFacts(m *saml.Message, in *Inputs, clock Clock) *facts {
	c := &facts{m: m, r: m.Response, in: in, expect: in.expect(), clock: clock, assertion: m.Response.Consumed()}
	var rs *string
	if in != nil {
		rs = in.RelayState
	}
	if rs == nil && m.Capture != nil {
		rs = m.Capture.RelayState
	}
	if rs != nil {
		c.relay = parseRelay(*rs)
	}
	if a := c.assertion; a != nil {
		if at := a.Attribute(AttrRole); at != nil {
			for _, v := range at.Values {
				c.roles = append(c.roles, parseRoleValue(v.Value, v.Path))
			}
		}
	}
	c.aws = in.Has(InputAWS) || c.awsSignal()
	c.connect = c.expect.ConnectInstance != "" || c.relay != nil && isConnectRelay(c.relay.URL)
	c.learn()
	return c
}

// unmet says why a rule cannot run here, or nil: out of scope, or an input
// it needs is missing.
func (c *facts) unmet(r *Rule) *Skipped {
	switch r.Scope {
	case ScopeAWS:
		if !c.aws {
			return &Skipped{Rule: r.ID, Needs: Needs{InputAWS}, Reason: "to run the AWS federation rules", Because: "the capture shows no sign of AWS federation: no AWS attribute, endpoint or audience"}
		}
	case ScopeOkta:
		if !c.aws {
			return &Skipped{Rule: r.ID, Needs: Needs{InputAWS}, Reason: "to run the AWS federation rules", Because: "the capture shows no sign of AWS federation: no AWS attribute, endpoint or audience"}
		}
	case ScopeConnect:
		if !c.connect {
			return &Skipped{Rule: r.ID, Needs: Needs{InputRelayState, InputConnectInstance}, Reason: "to check the Amazon Connect hop", Because: "no Amazon Connect RelayState or instance"}
		}
	}
	for _, need := range r.Needs {
		switch need {
		case InputTime:
			if c.clock.Source == ClockNone {
				return &Skipped{Rule: r.ID, Needs: Needs{InputTime}, Reason: "to check the times", Because: "the response has no usable IssueInstant and the capture no post time, so nothing dates it"}
			}
		case InputMetadata, InputCertificate:
			if !c.in.Has(InputMetadata) {
				return &Skipped{Rule: r.ID, Needs: Needs{InputMetadata, InputCertificate}, Reason: "to check who signed the response", Because: c.in.unread(InputMetadata)}
			}
		case InputOkta:
			if !c.in.Has(need) {
				return &Skipped{Rule: r.ID, Needs: Needs{InputOkta}, Reason: "to check the Okta app's settings behind the Role values (group mapping, \"Join all roles\")"}
			}
		case InputAWSRead:
			if !c.in.Has(need) {
				return &Skipped{Rule: r.ID, Needs: Needs{InputAWSRead}, Reason: "to check what the AWS account itself holds"}
			}
		default:
			if !c.in.Has(need) {
				why := "to check " + need.String()
				if h := need.Hint(); h != "" {
					why += " (" + strings.Replace(h, "ROLE", c.roleNameOr("ROLE"), 1) + ")"
				}
				return &Skipped{Rule: r.ID, Needs: Needs{need}, Reason: why, Because: c.in.unread(need)}
			}
		}
	}
	return nil
}

// isConnectRelay: the RelayState is meant for Amazon Connect (a bare
// instance ID counts: the user meant Connect and forgot the URL).
func isConnectRelay(u string) bool {
	l := strings.ToLower(u)
	return strings.Contains(l, "connect") || strings.Contains(l, "awsapps.com") || uuidRe.MatchString(strings.TrimSpace(l))
}

// awsSignal: AWS attributes, an AWS endpoint or audience, or an AWS URL.
func (c *facts) awsSignal() bool {
	if c.expect.Account != "" || c.expect.Region != "" {
		return true
	}
	if strings.Contains(c.r.Destination, "signin.aws") || strings.Contains(c.r.Destination, "signin.amazonaws") {
		return true
	}
	if c.m.Capture != nil && strings.Contains(c.m.Capture.URL, "signin.aws") {
		return true
	}
	if c.relay != nil && strings.Contains(c.relay.URL, "console.a") {
		return true
	}
	for _, a := range c.r.Assertions {
		for _, at := range a.Attributes {
			if strings.Contains(strings.ToLower(at.Name), "amazon") {
				return true
			}
		}
		if a.Conditions != nil {
			for _, au := range a.Conditions.Audiences {
				if strings.HasPrefix(au.Value, "urn:amazon:") || strings.Contains(au.Value, "signin.aws") {
					return true
				}
			}
		}
		if a.Subject != nil {
			for _, sc := range a.Subject.Confirmations {
				if strings.Contains(sc.Recipient, "signin.aws") || strings.Contains(sc.Recipient, "signin.amazonaws") {
					return true
				}
			}
		}
	}
	return false
}

// learn fills in the user's values from the pins, the Role attribute and
// the RelayState, in that order of trust.
func (c *facts) learn() {
	e := c.expect
	c.account, c.region, c.instance = e.Account, e.Region, e.ConnectInstance
	if role, prov := c.pick(); role != nil {
		c.roleARN, c.providerARN = role.Raw, prov.Raw
	} else {
		for _, p := range c.roles {
			if len(p.Roles) == 1 && c.roleARN == "" {
				c.roleARN = p.Roles[0].Raw
			}
			if len(p.Providers) == 1 && c.providerARN == "" {
				c.providerARN = p.Providers[0].Raw
			}
		}
	}
	if a := parseRoleARN(c.roleARN); a != nil {
		if c.account == "" {
			c.account = a.Account
		}
		c.partition = a.Partition
	} else if a := parseProviderARN(c.providerARN); a != nil {
		if c.account == "" {
			c.account = a.Account
		}
		c.partition = a.Partition
	}
	if c.relay != nil && c.relay.OK {
		if c.region == "" && regions[c.relay.Region] {
			c.region = c.relay.Region
		}
		if c.instance == "" && uuidRe.MatchString(c.relay.Instance) {
			c.instance = c.relay.Instance
		}
	}
	c.arnPartition = c.partition
	if c.partition == "" {
		c.partition = "aws"
	}
}

// pick chooses the Role pair the other inputs are about, when the Role
// attribute lists several (the role picker, often across accounts): the
// pair naming the exported role (get-role's Arn), else the pair whose
// provider the trust policy trusts, else one in the pinned account, else
// the first. Judging a trust policy against another role's pair gives
// false findings and a fix that adds a cross-account principal.
func (c *facts) pick() (role, prov *iamARN) {
	var pairs [][2]*iamARN
	for _, p := range c.roles {
		if r, pr, ok := p.Pair(); ok {
			pairs = append(pairs, [2]*iamARN{r, pr})
		}
	}
	if len(pairs) == 0 {
		return nil, nil
	}
	find := func(ok func(r, pr *iamARN) bool) bool {
		for _, p := range pairs {
			if ok(p[0], p[1]) {
				role, prov = p[0], p[1]
				return true
			}
		}
		return false
	}
	if c.in != nil && c.in.role != nil && c.in.role.ARN != "" {
		if find(func(r, _ *iamARN) bool { return r.Raw == c.in.role.ARN }) {
			return role, prov
		}
		// The same role spelled in other case or path: judge it, and let
		// aws/trust-principal say the spelling fails.
		if exported := parseRoleARN(c.in.role.ARN); exported != nil &&
			find(func(r, _ *iamARN) bool {
				return r.Account == exported.Account && strings.EqualFold(r.Name, exported.Name)
			}) {
			return role, prov
		}
	}
	if c.in != nil && c.in.trust != nil && find(func(_, pr *iamARN) bool { return trusts(c.in.trust, pr.Raw) }) {
		return role, prov
	}
	if c.expect.Account != "" && find(func(r, _ *iamARN) bool { return r.Account == c.expect.Account }) {
		return role, prov
	}
	return pairs[0][0], pairs[0][1]
}

// trusts reports whether an Allow statement names the provider as its
// Federated principal.
func trusts(d *policy.Document, provider string) bool {
	return slices.Contains(federated(d), provider)
}

// federated are the Federated principals of the Allow statements.
func federated(d *policy.Document) []string {
	var out []string
	for _, s := range d.Statements {
		if s.Effect == "Allow" && s.Principal != nil {
			out = append(out, s.Principal.Federated...)
		}
	}
	return out
}

// providerUUIDOr is the IAM SAML provider's unique identifier, from
// get-saml-provider output or the provider-specific endpoint, or a placeholder.
func (c *facts) providerUUIDOr() string {
	if prov := c.in.Provider(); prov != nil && prov.UUID != "" {
		return prov.UUID
	}
	return "<provider-id>"
}

// knownPartition is the partition the Role ARNs name, or "" when no ARN
// says (c.partition then defaults to aws).
func (c *facts) knownPartition() string { return c.arnPartition }

// signInFor is the global SAML sign-in endpoint of a partition.
func signInFor(partition string) string {
	switch partition {
	case "aws-us-gov":
		return "https://signin.amazonaws-us-gov.com/saml"
	case "aws-cn":
		return "https://signin.amazonaws.cn/saml"
	}
	return "https://signin.aws.amazon.com/saml"
}

// roleNameOr is the role's name from the Role attribute, or placeholder.
func (c *facts) roleNameOr(placeholder string) string {
	if c.roleName == nil {
		n := roleName(c.roleARN)
		c.roleName = &n
	}
	return or(*c.roleName, placeholder)
}

// or returns v, or a placeholder naming what the user should put there.
func or(v, placeholder string) string {
	if v == "" {
		return placeholder
	}
	return v
}

func (c *facts) accountOr() string  { return or(c.account, "<account-id>") }
func (c *facts) regionOr() string   { return or(c.region, "<region>") }
func (c *facts) instanceOr() string { return or(c.instance, "<instance-id>") }

func (c *facts) providerOr() string {
	if c.providerARN != "" {
		return c.providerARN
	}
	return "arn:" + c.partition + ":iam::" + c.accountOr() + ":saml-provider/<provider-name>"
}

func (c *facts) roleOr() string {
	if c.roleARN != "" {
		return c.roleARN
	}
	return "arn:" + c.partition + ":iam::" + c.accountOr() + ":role/<role-name>"
}

// issuer is the IdP's entity ID as the response names it.
func (c *facts) issuer() string {
	if c.r.Issuer != nil {
		return c.r.Issuer.Value
	}
	if c.assertion != nil && c.assertion.Issuer != nil {
		return c.assertion.Issuer.Value
	}
	return ""
}

// undecrypted counts the EncryptedAssertions not decrypted.
func undecrypted(r *saml.Response) int {
	n := 0
	for _, ea := range r.EncryptedAssertions {
		if !ea.Decrypted {
			n++
		}
	}
	return n
}
