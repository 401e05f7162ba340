package lint

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/samllint/samllint/internal/base/policy"
	"github.com/samllint/samllint/saml"
)

const actionSAML = "sts:AssumeRoleWithSAML"

// samlKeys maps the attribute names STS copies into saml:* condition keys,
// as the IAM guide's tables list them ("Mapping SAML attributes to AWS
// trust policy context keys", refIAMAssert). The X.500 table names its
// attributes by bare OID, with two typos (2.4.5.42, 0.9.2342.19200300100.…);
// the printed names and the urn:oid: forms IdPs send are all mapped, as
// treating a mapped claim as absent would be a false error. Keys are
// lower-case: IAM compares condition key names case-insensitively.
var samlKeys = map[string]string{}

func init() {
	edu := map[string]string{
		"1.3.6.1.4.1.5923.1.1.1.1": "edupersonaffiliation", "1.3.6.1.4.1.5923.1.1.1.2": "edupersonnickname",
		"1.3.6.1.4.1.5923.1.1.1.3": "edupersonorgdn", "1.3.6.1.4.1.5923.1.1.1.4": "edupersonorgunitdn",
		"1.3.6.1.4.1.5923.1.1.1.5": "edupersonprimaryaffiliation", "1.3.6.1.4.1.5923.1.1.1.6": "edupersonprincipalname",
		"1.3.6.1.4.1.5923.1.1.1.7": "edupersonentitlement", "1.3.6.1.4.1.5923.1.1.1.8": "edupersonprimaryorgunitdn",
		"1.3.6.1.4.1.5923.1.1.1.9": "edupersonscopedaffiliation", "1.3.6.1.4.1.5923.1.1.1.10": "edupersontargetedid",
		"1.3.6.1.4.1.5923.1.1.1.11": "edupersonassurance", "1.3.6.1.4.1.5923.1.2.1.2": "eduorghomepageuri",
		"1.3.6.1.4.1.5923.1.2.1.3": "eduorgidentityauthnpolicyuri", "1.3.6.1.4.1.5923.1.2.1.4": "eduorglegalname",
		"1.3.6.1.4.1.5923.1.2.1.5": "eduorgsuperioruri", "1.3.6.1.4.1.5923.1.2.1.6": "eduorgwhitepagesuri",
		"2.5.4.3": "cn",
	}
	for oid, key := range edu {
		samlKeys["urn:oid:"+oid] = "saml:" + key
	}
	for name, key := range map[string]string{
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name":              "name",
		"http://schemas.xmlsoap.org/claims/CommonName":                            "commonname",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname":         "givenname",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname":           "surname",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress":      "mail",
		"http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid": "uid",
	} {
		samlKeys[name] = "saml:" + key
	}
	for _, oids := range []struct {
		key   string
		names []string
	}{
		{"commonname", []string{"2.5.4.3"}},
		{"surname", []string{"2.5.4.4", "urn:oid:2.5.4.4"}},
		{"givenname", []string{"2.4.5.42", "2.5.4.42", "urn:oid:2.5.4.42"}},
		{"x500uniqueidentifier", []string{"2.5.4.45", "urn:oid:2.5.4.45"}},
		{"uid", []string{"0.9.2342.19200300100.1.1", "0.9.2342.19200300.100.1.1", "urn:oid:0.9.2342.19200300.100.1.1"}},
		{"mail", []string{"0.9.2342.19200300100.1.3", "0.9.2342.19200300.100.1.3", "urn:oid:0.9.2342.19200300.100.1.3"}},
		{"organizationstatus", []string{"0.9.2342.19200300.100.1.45", "urn:oid:0.9.2342.19200300.100.1.45"}},
	} {
		for _, n := range oids.names {
			samlKeys[n] = "saml:" + oids.key
		}
	}
}

// requestContext is what STS evaluates the trust policy against for this
// assertion: saml:aud from the Recipient (not the Audience), saml:iss,
// saml:sub and its type, saml:doc and saml:namequalifier from the provider,
// mapped attributes, and the session's tags and names (refSAMLKeys,
// refIAMAssert).
// It is built once per response; callers only read it.
func (c *facts) requestContext() map[string][]string {
	if c.reqCtx == nil {
		c.reqCtx = c.buildRequestContext()
	}
	return c.reqCtx
}

func (c *facts) buildRequestContext() map[string][]string {
	kv := map[string][]string{}
	a := c.assertion
	if a == nil {
		return kv
	}
	if a.Subject != nil {
		for _, sc := range a.Subject.Confirmations {
			if sc.Method == saml.MethodBearer && sc.Recipient != "" {
				kv["saml:aud"] = []string{sc.Recipient}
				break
			}
		}
		if n := a.Subject.NameID; n != nil && !n.Encrypted {
			kv["saml:sub"] = []string{n.Value}
			// STS drops the SAML 2.0 prefix of every 2.0 format
			// (persistent, transient, entity, encrypted, kerberos) and
			// keeps 1.1 formats whole.
			if n.Format != "" {
				kv["saml:sub_type"] = []string{strings.TrimPrefix(n.Format, "urn:oasis:names:tc:SAML:2.0:nameid-format:")}
			}
		}
	}
	issuer := ""
	if a.Issuer != nil {
		issuer = a.Issuer.Value
	} else if c.r.Issuer != nil {
		issuer = c.r.Issuer.Value
	}
	if issuer != "" {
		kv["saml:iss"] = []string{issuer}
	}
	if prov := parseProviderARN(c.providerARN); prov != nil {
		doc := prov.Account + "/" + prov.Name
		kv["saml:doc"] = []string{doc}
		sum := sha1.Sum([]byte(issuer + doc))
		kv["saml:namequalifier"] = []string{base64.StdEncoding.EncodeToString(sum[:])}
		kv["aws:federatedprovider"] = []string{prov.Raw}
	}
	var tagKeys []string
	for _, at := range a.Attributes {
		vals := at.Strings()
		switch {
		case samlKeys[at.Name] != "":
			// "Include only one claim per AWS context key; if you include
			// more than one, only one claim will be mapped": the first.
			if _, dup := kv[samlKeys[at.Name]]; !dup {
				kv[samlKeys[at.Name]] = vals
			}
		case strings.HasPrefix(at.Name, AttrPrincipalTag):
			key := strings.TrimPrefix(at.Name, AttrPrincipalTag)
			kv["aws:requesttag/"+strings.ToLower(key)] = vals
			tagKeys = append(tagKeys, key)
		case at.Name == AttrTransitiveTagKeys:
			kv["sts:transitivetagkeys"] = vals
		case at.Name == AttrSourceIdentity:
			kv["sts:sourceidentity"] = vals
		case at.Name == AttrRoleSessionName:
			kv["sts:rolesessionname"] = vals
		}
	}
	if tagKeys != nil {
		kv["aws:tagkeys"] = tagKeys
	}
	return kv
}

// trustCheck is the trust policy's answer for one STS action, with the
// statements sorted by how far they got.
type trustCheck struct {
	action    string
	decision  policy.Decision
	matches   []policy.Match
	principal []policy.Match // Allow statements trusting the provider
	withAct   []policy.Match // ... that also allow the action
}

func (c *facts) trust(action string) *trustCheck {
	if c.trustChecks == nil {
		c.trustChecks = map[string]*trustCheck{}
	}
	if tc := c.trustChecks[action]; tc != nil {
		return tc
	}
	tc := &trustCheck{action: action}
	req := policy.Request{Action: action, Principal: c.providerARN, Context: c.requestContext()}
	tc.decision, tc.matches = policy.Evaluate([]*policy.Document{c.in.trust}, req)
	for _, m := range tc.matches {
		if m.Statement.Effect != "Allow" || !m.Principal {
			continue
		}
		tc.principal = append(tc.principal, m)
		if m.Action {
			tc.withAct = append(tc.withAct, m)
		}
	}
	c.trustChecks[action] = tc
	return tc
}

// trustStatement is the statement a SAML role's trust policy needs for
// this assertion (refTrust).
// policyStatement is a policy statement as samllint writes one, in the
// conventional key order.
type policyStatement struct {
	Effect    string `json:"Effect"`
	Principal any    `json:"Principal,omitempty"`
	Action    any    `json:"Action"`
	Resource  any    `json:"Resource,omitempty"`
	Condition any    `json:"Condition,omitempty"`
}

func (c *facts) trustStatement() policyStatement {
	actions := []any{actionSAML}
	if c.sendsTags() {
		actions = append(actions, "sts:TagSession")
	}
	if c.assertion != nil && c.assertion.Attribute(AttrSourceIdentity) != nil {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	st := policyStatement{Effect: "Allow", Principal: map[string]any{"Federated": c.providerOr()}, Action: oneOrList(actions)}
	if aud := c.requestContext()["saml:aud"]; len(aud) > 0 {
		st.Condition = map[string]any{"StringEquals": map[string]any{"SAML:aud": aud[0]}}
	}
	return st
}

func (c *facts) sendsTags() bool {
	if c.assertion == nil {
		return false
	}
	for _, at := range c.assertion.Attributes {
		if strings.HasPrefix(at.Name, AttrPrincipalTag) || at.Name == AttrTransitiveTagKeys {
			return true
		}
	}
	return false
}

// federationResource is the resource connect:GetFederationToken is called
// on: the user named by ${aws:userid}, role-id:RoleSessionName (IAM's
// policy-variables page and refConnect).
func (c *facts) federationResource(userid string) string {
	return "arn:" + c.partition + ":connect:" + c.regionOr() + ":" + c.accountOr() + ":instance/" + c.instanceOr() + "/user/" + userid
}

func (c *facts) gftStatement() policyStatement {
	return policyStatement{Effect: "Allow", Action: "connect:GetFederationToken", Resource: c.federationResource("${aws:userid}")}
}

func oneOrList(v []any) any {
	if len(v) == 1 {
		return v[0]
	}
	return v
}

// compactJSON renders a policy fragment on one line for a finding's fix.
func compactJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // keep <account-id> placeholders readable
	_ = enc.Encode(v)
	return strings.TrimSpace(b.String())
}
