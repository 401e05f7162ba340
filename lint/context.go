package lint

import (
	"strings"

	"github.com/samllint/samllint/saml"
)

// context holds what several rules derive from the same inputs, computed
// once per run.
type context struct {
	m         *saml.Message
	r         *saml.Response
	opts      *Options
	assertion *saml.Assertion

	aws     bool
	connect bool
	relay   *relayInfo // nil when there is no RelayState
	roles   []*RolePair

	trustChecks map[string]*trustCheck

	// Best knowledge of the user's own values, for fixes.
	account, partition, region, instance string
	providerARN, roleARN                 string
}

func newContext(m *saml.Message, opts *Options) *context {
	c := &context{m: m, r: m.Response, opts: opts, assertion: m.Response.Consumed()}
	rs := opts.RelayState
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
	c.aws = opts.AWS || c.awsSignal()
	c.connect = opts.Expect.ConnectInstance != "" || c.relay != nil && isConnectRelay(c.relay.URL)
	c.learn()
	return c
}

// isConnectRelay: the RelayState is meant for Amazon Connect (a bare
// instance ID counts: the user meant Connect and forgot the URL).
func isConnectRelay(u string) bool {
	l := strings.ToLower(u)
	return strings.Contains(l, "connect") || strings.Contains(l, "awsapps.com") || uuidRe.MatchString(strings.TrimSpace(l))
}

// awsSignal: AWS attributes, an AWS endpoint or audience, or an AWS URL.
func (c *context) awsSignal() bool {
	if c.opts.Expect.Account != "" || c.opts.Expect.Region != "" {
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
func (c *context) learn() {
	e := c.opts.Expect
	c.account, c.region, c.instance = e.Account, e.Region, e.ConnectInstance
	for _, p := range c.roles {
		role, prov, ok := p.Pair()
		if !ok {
			if len(p.Roles) == 1 && c.roleARN == "" {
				c.roleARN = p.Roles[0].Raw
			}
			if len(p.Providers) == 1 && c.providerARN == "" {
				c.providerARN = p.Providers[0].Raw
			}
			continue
		}
		if c.roleARN == "" || role.Account == e.Account {
			c.roleARN, c.providerARN = role.Raw, prov.Raw
		}
	}
	if arn := parseRoleARN(c.roleARN); arn != nil {
		if c.account == "" {
			c.account = arn.Account
		}
		c.partition = arn.Partition
	} else if arn := parseProviderARN(c.providerARN); arn != nil {
		if c.account == "" {
			c.account = arn.Account
		}
		c.partition = arn.Partition
	}
	if c.relay != nil && c.relay.OK {
		if c.region == "" && regions[c.relay.Region] {
			c.region = c.relay.Region
		}
		if c.instance == "" && uuidRe.MatchString(c.relay.Instance) {
			c.instance = c.relay.Instance
		}
	}
	if c.partition == "" {
		c.partition = "aws"
	}
}

func (c *context) outOfScope(s Scope) string {
	switch s {
	case ScopeAWS:
		if !c.aws {
			return "the capture shows no sign of AWS federation (no AWS attributes, endpoint or audience); pass --aws to check it anyway"
		}
	case ScopeConnect:
		if !c.connect {
			return "no Amazon Connect RelayState or instance; give --relay-state or --connect-instance to check the Connect hop"
		}
	}
	return ""
}

// or returns v, or a placeholder naming what the user should put there.
func or(v, placeholder string) string {
	if v == "" {
		return placeholder
	}
	return v
}

func (c *context) accountOr() string  { return or(c.account, "<account-id>") }
func (c *context) regionOr() string   { return or(c.region, "<region>") }
func (c *context) instanceOr() string { return or(c.instance, "<instance-id>") }

func (c *context) providerOr() string {
	if c.providerARN != "" {
		return c.providerARN
	}
	return "arn:" + c.partition + ":iam::" + c.accountOr() + ":saml-provider/<provider-name>"
}

func (c *context) roleOr() string {
	if c.roleARN != "" {
		return c.roleARN
	}
	return "arn:" + c.partition + ":iam::" + c.accountOr() + ":role/<role-name>"
}

// issuerName is a short name of the IdP for fixes ("Okta", "Entra ID"...).
func (c *context) idp() string {
	iss := ""
	if c.r.Issuer != nil {
		iss = c.r.Issuer.Value
	} else if c.assertion != nil && c.assertion.Issuer != nil {
		iss = c.assertion.Issuer.Value
	}
	l := strings.ToLower(iss)
	switch {
	case strings.Contains(l, "okta"):
		return "Okta"
	case strings.Contains(l, "sts.windows.net") || strings.Contains(l, "microsoftonline"):
		return "Entra ID"
	case strings.Contains(l, "/adfs/"):
		return "AD FS"
	case strings.Contains(l, "google.com"):
		return "Google Workspace"
	case strings.Contains(l, "onelogin"):
		return "OneLogin"
	case strings.Contains(l, "jumpcloud"):
		return "JumpCloud"
	case strings.Contains(l, "ping"):
		return "PingFederate/PingOne"
	case isKeycloak(l):
		return "Keycloak"
	}
	return "the IdP"
}
