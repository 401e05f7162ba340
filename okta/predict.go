package okta

import (
	"encoding/xml"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/samllint/samllint/internal/base/lazyre"
)

// The AWS attributes a prediction fills, by their SAML names.
const (
	AttrRole            = "https://aws.amazon.com/SAML/Attributes/Role"
	AttrSessionName     = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
	AttrSessionDuration = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
)

// Documentation of the behaviour modelled, cited where it is used.
const (
	DocAWSApp     = "https://help.okta.com/en-us/content/topics/deploymentguides/aws/aws-configure-aws-app.htm"
	DocAWSInvalid = "https://support.okta.com/help/s/article/invalid-saml-response-with-aws-account-federation-app"
	DocAWSGroups  = "https://support.okta.com/help/s/article/Troubleshooting-SAML-AWS-IAM-Group-Matching-Login-Error-in-Okta"
	DocExpression = "https://developer.okta.com/docs/reference/okta-expression-language/"
	DocCustomSAML = "https://help.okta.com/en-us/content/topics/apps/apps_app_integration_wizard_saml.htm"
)

// Prediction is the assertion Okta's documented behaviour gives one user:
// predicted from configuration, not observed.
type Prediction struct {
	User   string // the app username
	Issuer string // the metadata's entityID
	// Recipient is the ACS: SubjectConfirmationData's Recipient and the
	// Response's Destination.
	Recipient, Destination, Audience string
	RelayState                       string
	NameID                           string
	Roles                            []Role
	Attributes                       []Attribute // every attribute sent, Role included
	// Unknown are the attributes samllint cannot predict, and why: the
	// rules that read them are skipped.
	Unknown []Unknown
	// Dropped are the user's groups group mapping leaves out though they
	// look meant for AWS; Hidden are roles "Join all roles" being off
	// leaves out.
	Dropped []Dropped
	Hidden  []Hidden
}

// Role is one predicted Role value and the Okta setting it came from.
type Role struct {
	Value string
	From  string
}

// Attribute is one attribute of the predicted assertion.
type Attribute struct {
	Name   string
	Values []string
}

// Unknown is an attribute Okta computes in a way samllint does not.
type Unknown struct {
	Attribute string
	Why       string
}

// Dropped is a group of the user the group filter does not match.
type Dropped struct {
	Group string
	Why   string
}

// Hidden are SAML roles of a group assigned to the app that the user does
// not get, since "Join all roles" is off.
type Hidden struct {
	Group string
	Roles []string
}

// Predict builds the assertion fields for one assigned user.
func (o *Org) Predict(u *User) *Prediction {
	p := &Prediction{User: u.Login(), Issuer: EntityID(o.Metadata), NameID: u.Login()}
	if o.IsAWSApp() {
		o.predictAWS(u, p)
	} else {
		o.predictCustom(u, p)
	}
	return p
}

// environments are the AWS app's "AWS Environment" choices: the ACS and
// audience each sets (DocAWSApp).
var environments = map[string][2]string{
	"":           {"https://signin.aws.amazon.com/saml", "urn:amazon:webservices"},
	"aws.amazon": {"https://signin.aws.amazon.com/saml", "urn:amazon:webservices"},
	"aws.us_gov": {"https://signin.amazonaws-us-gov.com/saml", "urn:amazon:webservices:govcloud"},
	"aws.us-gov": {"https://signin.amazonaws-us-gov.com/saml", "urn:amazon:webservices:govcloud"},
	"aws.china":  {"https://signin.amazonaws.cn/saml", "urn:amazon:webservices:cn-north-1"},
	"aws.cn":     {"https://signin.amazonaws.cn/saml", "urn:amazon:webservices:cn-north-1"},
}

func (o *Org) predictAWS(u *User, p *Prediction) {
	s := o.App.Settings.App
	if env, ok := environments[s.AWSEnvironmentType]; ok {
		p.Recipient, p.Destination, p.Audience = env[0], env[0], env[1]
	} else {
		p.Unknown = append(p.Unknown, Unknown{"Recipient", fmt.Sprintf("the AWS Environment %q is not one samllint knows", s.AWSEnvironmentType)})
	}
	if so := o.App.Settings.SignOn; so != nil {
		// The "ACS URL" field (for a regional endpoint) and the other
		// overrides win over the AWS Environment's.
		p.RelayState = so.DefaultRelayState
		p.Recipient = first(so.RecipientOverride, so.SSOACSURLOverride, p.Recipient)
		p.Destination = first(so.DestinationOverride, so.SSOACSURLOverride, p.Destination)
		p.Audience = first(so.AudienceOverride, p.Audience)
	}
	if s.UseGroupMapping {
		o.groupMapping(u, p)
	} else {
		o.samlRoles(u, p)
	}
	if p.Roles != nil {
		vals := make([]string, len(p.Roles))
		for i, r := range p.Roles {
			vals[i] = r.Value
		}
		p.Attributes = append(p.Attributes, Attribute{AttrRole, vals})
	}
	// Okta sends the app username as RoleSessionName (DocAWSApp,
	// "Application username format").
	p.Attributes = append(p.Attributes, Attribute{AttrSessionName, []string{u.Login()}})
	if s.SessionDuration > 0 {
		p.Attributes = append(p.Attributes, Attribute{AttrSessionDuration, []string{strconv.Itoa(s.SessionDuration)}})
	}
}

// samlRoles is the AWS app without group mapping: each SAML role of the
// user, as a role of the account of the Identity Provider ARN, paired
// with that ARN. "Join all roles" adds the roles of every group assigned
// to the app the user is in; without it, the user's own assignment's
// roles only (DocAWSApp). A user with no role gets the Identity Provider
// ARN alone, the "invalid SAML response" Okta's knowledge base lists
// (DocAWSInvalid).
func (o *Org) samlRoles(u *User, p *Prediction) {
	provider := o.App.Settings.App.IdentityProviderARN
	parts := strings.SplitN(provider, ":", 6)
	if provider == "" || len(parts) != 6 || parts[0] != "arn" {
		p.Unknown = append(p.Unknown, Unknown{AttrRole, fmt.Sprintf("the app's Identity Provider ARN is %q, not an ARN, so no role ARN can be made from it", provider)})
		return
	}
	type named struct{ role, from string }
	var roles []named
	seen := map[string]bool{}
	add := func(role, from string) {
		if !seen[role] {
			seen[role] = true
			roles = append(roles, named{role, from})
		}
	}
	for _, r := range u.Profile.SAMLRoles {
		from := "the user's SAML roles"
		if u.Scope == "GROUP" {
			from = "the SAML roles of the group the user is assigned through"
		}
		add(r, from)
	}
	member := map[string]bool{}
	for _, g := range u.Groups {
		member[g.ID] = true
	}
	groups := append([]GroupAssignment(nil), o.Groups...)
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].Priority < groups[j].Priority })
	for _, g := range groups {
		if !member[g.ID] {
			continue
		}
		var missing []string
		for _, r := range g.Profile.SAMLRoles {
			if o.App.Settings.App.JoinAllRoles {
				add(r, fmt.Sprintf("the SAML roles of group %q (Join all roles)", g.Name))
			} else if !seen[r] {
				missing = append(missing, r)
			}
		}
		if len(missing) > 0 {
			p.Hidden = append(p.Hidden, Hidden{g.Name, missing})
		}
	}
	if len(roles) == 0 {
		p.Roles = []Role{{Value: provider, From: "the Identity Provider ARN alone: the user has no SAML role"}}
		return
	}
	for _, r := range roles {
		role := r.role
		if !strings.HasPrefix(role, "arn:") {
			role = strings.Join(parts[:5], ":") + ":role/" + role
		}
		p.Roles = append(p.Roles, Role{Value: role + "," + provider, From: r.from})
	}
}

// groupNameRe turns Okta's named groups, (?{{name}}…), into Go's.
var groupNameRe = lazyre.New(`\(\?\{\{(\w+)\}\}`)

// Filter compiles the app's Group Filter as Okta documents it: a regular
// expression over group names whose named groups accountid and role fill
// ${accountid} and ${role} of the Role Value Pattern (DocAWSGroups). It is
// matched against the whole name. An org has one filter and every user's
// prediction (and the rules, several times a user) asks for it: it is
// compiled once.
func Filter(expr string) (*regexp.Regexp, error) {
	last.Lock()
	defer last.Unlock()
	if last.re == nil && last.err == nil || last.expr != expr {
		last.expr = expr
		last.re, last.err = regexp.Compile(`^(?:` + groupNameRe.ReplaceAllString(expr, `(?P<$1>`) + `)$`)
	}
	return last.re, last.err
}

// last is the Group Filter compiled last: a run meets one (a regexp is
// safe for concurrent use), and keeping only it bounds the memory of a
// process that predicts for many orgs.
var last struct {
	sync.Mutex
	expr string
	re   *regexp.Regexp
	err  error
}

// groupMapping is the AWS app with "Use Group Mapping": every group of
// the user that the Group Filter matches gives one Role value, the Role
// Value Pattern with the group's account ID and role (DocAWSApp,
// DocAWSGroups). A group that would match but for a period in its role
// part is dropped: Okta's knowledge base lists periods in role names
// among the causes of the invalid response (DocAWSInvalid).
func (o *Org) groupMapping(u *User, p *Prediction) {
	s := o.App.Settings.App
	re, err := Filter(s.GroupFilter)
	if s.GroupFilter == "" || err != nil {
		why := "the app's Group Filter is empty"
		if err != nil {
			why = fmt.Sprintf("the app's Group Filter %q is not a regular expression samllint can read (%v)", s.GroupFilter, err)
		}
		p.Unknown = append(p.Unknown, Unknown{AttrRole, why})
		return
	}
	p.Roles = []Role{}
	for _, g := range u.Groups {
		name := g.Name()
		m := re.FindStringSubmatch(name)
		if m == nil {
			if strings.Contains(name, ".") && re.MatchString(strings.ReplaceAll(name, ".", "_")) {
				p.Dropped = append(p.Dropped, Dropped{name, "its role name has a period, which the Group Filter does not match"})
			}
			continue
		}
		v := s.RoleValuePattern
		for i, n := range re.SubexpNames() {
			if n != "" {
				v = strings.ReplaceAll(v, "${"+n+"}", m[i])
			}
		}
		p.Roles = append(p.Roles, Role{Value: v, From: fmt.Sprintf("group %q through the Group Filter and Role Value Pattern", name)})
	}
	if len(p.Roles) == 0 {
		// No group matched: Okta sends no Role attribute.
		p.Roles = nil
	}
}

// predictCustom is a custom SAML 2.0 app: its Sign On settings and its
// attribute statements (DocCustomSAML). A statement's value that is an
// Okta Expression Language expression is unknown (DocExpression); a quoted
// string literal, or text that is no expression (an ARN, a URL), is sent
// as it is.
func (o *Org) predictCustom(u *User, p *Prediction) {
	so := o.App.Settings.SignOn
	if so == nil {
		p.Unknown = append(p.Unknown, Unknown{"Recipient", "the app has no SAML Sign On settings"})
		return
	}
	p.Recipient, p.Destination, p.Audience, p.RelayState = so.Recipient, so.Destination, so.Audience, so.DefaultRelayState
	if p.Recipient == "" {
		p.Recipient = so.SSOACSURL
	}
	if p.Destination == "" {
		p.Destination = so.SSOACSURL
	}
	if t := so.SubjectNameIDTemplate; t != "" && t != "${user.userName}" {
		p.NameID = ""
		p.Unknown = append(p.Unknown, Unknown{"NameID", fmt.Sprintf("the Name ID is the expression %s", t)})
	}
	for _, st := range so.AttributeStatements {
		if st.Type != "" && st.Type != "EXPRESSION" {
			p.Unknown = append(p.Unknown, Unknown{st.Name, fmt.Sprintf("a %s attribute statement: Okta fills it from the user's groups, which samllint does not model", st.Type)})
			continue
		}
		var vals []string
		for _, v := range st.Values {
			lit, ok := literal(v)
			if !ok {
				vals = nil
				p.Unknown = append(p.Unknown, Unknown{st.Name, fmt.Sprintf("its value is the Okta Expression Language expression %s, which samllint does not evaluate", v)})
				break
			}
			vals = append(vals, lit)
		}
		if vals == nil {
			continue
		}
		p.Attributes = append(p.Attributes, Attribute{st.Name, vals})
		if st.Name == AttrRole {
			for _, v := range vals {
				p.Roles = append(p.Roles, Role{Value: v, From: fmt.Sprintf("the attribute statement %s", st.Name)})
			}
		}
	}
}

// literal is the text an attribute statement's value sends when it is
// no expression: a quoted string literal, or an ARN or URL.
func literal(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' && !strings.ContainsAny(v[1:len(v)-1], `"\`) {
		return v[1 : len(v)-1], true
	}
	if strings.HasPrefix(v, "arn:") || strings.HasPrefix(v, "https://") {
		return v, !strings.ContainsAny(v, "+()?$\"")
	}
	return "", false
}

// IsUnknown reports whether the named attribute could not be predicted.
func (p *Prediction) IsUnknown(attr string) bool {
	for _, u := range p.Unknown {
		if u.Attribute == attr {
			return true
		}
	}
	return false
}

// EntityID is the metadata's entityID, the Issuer Okta sends, or "".
func EntityID(md string) string {
	var ed struct {
		EntityID string `xml:"entityID,attr"`
	}
	if xml.Unmarshal([]byte(md), &ed) != nil {
		return ""
	}
	return ed.EntityID
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
