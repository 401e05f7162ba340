package lint

import (
	"fmt"
	"strings"
	"time"

	"github.com/samllint/samllint/okta"
	"github.com/samllint/samllint/saml"
)

// Okta's configuration, read with --from-okta or from okta-export's file,
// lets findings whose cause lives in Okta name the Okta field and its
// value, and lets the rules below and the key comparison of
// aws/provider-metadata-stale run before anyone signs in (preflight).

const (
	refOktaApp     = "Okta: Configure the AWS Account Federation app — " + okta.DocAWSApp
	refOktaInvalid = "Okta: Invalid SAML response with the AWS Account Federation app — " + okta.DocAWSInvalid
	refOktaGroups  = "Okta: Troubleshooting AWS IAM group matching — " + okta.DocAWSGroups
	refOktaKeys    = "Okta API: application SSO credential keys — https://developer.okta.com/docs/api/openapi/okta-management/management/tag/ApplicationSSOCredentialKey/"
	refOktaDocs    = "docs/okta.md"
)

// Okta is the Okta configuration given, or nil.
func (in *Inputs) Okta() *okta.Org {
	if in == nil {
		return nil
	}
	return in.okta
}

// SetOkta uses o as what was read from the Okta org.
func (in *Inputs) SetOkta(o *okta.Org) { in.okta = o }

// oktaUser is the Okta org and the assigned user the response is for,
// found by its RoleSessionName (the app username the AWS app sends) or
// its NameID; the user is nil when none matches.
func (p *Pass) oktaUser() (*okta.Org, *okta.User) {
	o := p.Inputs.Okta()
	if o == nil {
		return nil, nil
	}
	if a := p.Attribute(AttrRoleSessionName); a != nil {
		for _, v := range a.Strings() {
			if u := o.User(strings.TrimSpace(v)); u != nil {
				return o, u
			}
		}
	}
	if a := p.Assertion(); a != nil && a.Subject != nil && a.Subject.NameID != nil {
		return o, o.User(strings.TrimSpace(a.Subject.NameID.Value))
	}
	return o, nil
}

// oktaUserOrSkip is oktaUser, reporting the rule skipped when the
// response names no user assigned to the app.
func (p *Pass) oktaUserOrSkip() (*okta.Org, *okta.User) {
	o, u := p.oktaUser()
	if u == nil {
		p.SkipBecause("the response names no user assigned to "+o.AppName(), "to check the user's Okta groups")
	}
	return o, u
}

func oktaAt(o *okta.Org, path string) Location {
	return Location{Source: SourceOkta, File: o.AppName(), Path: path}
}

var oktaGroupDropped = &Rule{
	ID: "okta/group-filter-drops-group", Severity: Warning, Scope: ScopeOkta, Setting: SettingRole, Needs: []Input{InputOkta},
	Title: "Okta's Group Filter leaves out a group of the user because its role name has a period",
	Why: "With \"Use Group Mapping\", Okta's AWS Account Federation app makes a Role value of each of the user's groups " +
		"its Group Filter matches. IAM role names may contain periods, but a filter whose role part is [\\w\\-]+ (the one " +
		"Okta recommends) does not match them, so the group gives the user no role: Okta's knowledge base lists periods " +
		"in role names among the causes of \"Your request included an invalid SAML response\". A warning: the user may " +
		"still have other roles. Predicted from Okta's configuration.",
	Fix:        "Rename the role and its Okta group without the period, or let the Group Filter's role part take periods ([\\w\\-.]+).",
	References: []string{refOktaInvalid, refOktaGroups, refOktaApp, refOktaDocs},
	Symptoms:   []string{"Your request included an invalid SAML response"},
	Rank:       4,
	Check: func(p *Pass) {
		o, u := p.oktaUserOrSkip()
		if u == nil {
			return
		}
		pred := o.Predict(u)
		for _, d := range pred.Dropped {
			p.Report(Finding{Message: fmt.Sprintf("Okta leaves group %q out of %s's roles: %s", d.Group, u.Login(), d.Why),
				Location: oktaAt(o, fmt.Sprintf("users[%s].groups[%s]", u.Login(), d.Group)),
				Expected: "the Group Filter matches every group meant for AWS: " + o.App.Settings.App.GroupFilter,
				Actual:   fmt.Sprintf("group %q does not match it", d.Group),
				Fix:      fmt.Sprintf("In %s → Sign On, change the Group Filter's role part to take periods ([\\w\\-.]+), or rename the role and group %q without the period.", o.AppName(), d.Group)})
		}
	},
}

var oktaRolesNotJoined = &Rule{
	ID: "okta/roles-not-joined", Severity: Info, Scope: ScopeOkta, Setting: SettingRole, Needs: []Input{InputOkta},
	Title: "Okta sends only the roles of the user's own assignment: \"Join all roles\" is off",
	Why: "Okta's AWS Account Federation app sends the SAML roles of the user's assignment to the app. With \"Join all " +
		"roles\" off, the roles of other groups assigned to the app that the user is in are not sent, and the role a " +
		"person expects is missing from AWS's role picker. Sign-in works with the roles that are sent. Predicted from " +
		"Okta's configuration.",
	Fix:        "Turn on \"Join all roles\" on the app's Sign On tab, or give the user's assignment the roles they need.",
	References: []string{refOktaApp, refOktaDocs},
	Check: func(p *Pass) {
		o, u := p.oktaUserOrSkip()
		if u == nil {
			return
		}
		if o.App.Settings.App.UseGroupMapping || !o.IsAWSApp() {
			return
		}
		for _, h := range o.Predict(u).Hidden {
			p.Report(Finding{Message: fmt.Sprintf("%s does not get the SAML roles %s of group %q: \"Join all roles\" is off", u.Login(), strings.Join(h.Roles, ", "), h.Group),
				Location: oktaAt(o, "settings.app.joinAllRoles"),
				Expected: "the roles of every group assigned to the app that the user is in", Actual: "joinAllRoles: false",
				Fix: fmt.Sprintf("In %s → Sign On, turn on \"Join all roles\", or add %s to %s's own assignment.", o.AppName(), strings.Join(h.Roles, ", "), u.Login())})
		}
	},
}

// oktaKeys compares the Okta app's signing keys with the certificates IAM
// holds (or the provider file given): the key the app signs with missing
// is an error, as a signature by it is; a key made for the next rotation,
// or a current one expiring within 30 days with no successor IAM holds,
// is a warning. reported are the certificates already reported from the
// response's signatures.
func oktaKeys(p *Pass, o *okta.Org, iam *saml.Anchors, reported map[string]bool) {
	active := o.SigningKey()
	// Without get-saml-provider output or --from-aws, the metadata given
	// stands for IAM's copy, and the findings say which it was.
	copyOf := "IAM's copy of the metadata"
	if !p.Inputs.fromIAM() {
		copyOf = "the metadata given (the copy IAM's SAML provider should hold)"
	}
	list := describeAnchors(iam)
	fix := fmt.Sprintf("Upload the app's current metadata (%s → Sign On → SAML Signing Certificates → View IdP metadata) to IAM: aws iam update-saml-provider --saml-provider-arn %s --saml-metadata-document file://metadata.xml; during a rotation, metadata with both certificates.", o.AppName(), p.facts.providerOr())
	held := func(k *okta.Key) (*saml.CertInfo, bool) {
		if len(k.X5C) == 0 {
			return nil, true
		}
		ci := saml.CertOf(k.X5C[0])
		return ci, ci.Err != "" || findAnchor(iam, ci.SHA256) != nil
	}
	if active != nil {
		if ci, ok := held(active); !ok && !reported[ci.SHA256] {
			reported[ci.SHA256] = true
			p.Report(Finding{Message: fmt.Sprintf("Okta signs with key %s, whose certificate %s lacks: every sign-in fails", active.Kid, copyOf),
				Location: oktaAt(o, "credentials/keys["+active.Kid+"]"), Expected: "a certificate IAM holds: " + list,
				Actual: "Okta signs with " + ci.Describe(), Fix: fix})
		}
	}
	now := p.Now()
	successor := false
	for i := range o.Keys {
		k := &o.Keys[i]
		if active != nil && (k.Kid == active.Kid || !k.Created.After(active.Created)) || !k.ExpiresAt.After(now) {
			continue
		}
		ci, ok := held(k)
		if ok {
			successor = true
			continue
		}
		if reported[ci.SHA256] {
			continue
		}
		reported[ci.SHA256] = true
		p.ReportAt(Warning, Finding{Message: fmt.Sprintf("Okta holds a signing key for the next rotation, %s (created %s), whose certificate %s lacks: sign-ins fail once the app signs with it", k.Kid, k.Created.Format("2006-01-02"), copyOf),
			Location: oktaAt(o, "credentials/keys["+k.Kid+"]"), Expected: "IAM holds the next certificate before the app switches to it: " + list,
			Actual: ci.Describe() + " only in Okta", Fix: fix})
	}
	if active != nil && !successor && !active.ExpiresAt.IsZero() && active.ExpiresAt.Sub(now) < 30*24*time.Hour {
		p.ReportAt(Warning, Finding{Message: fmt.Sprintf("Okta's signing key %s expires %s, and %s holds no certificate to follow it", active.Kid, active.ExpiresAt.Format("2006-01-02"), copyOf),
			Location: oktaAt(o, "credentials/keys["+active.Kid+"].expiresAt"), Expected: "a next key, generated in Okta and uploaded to IAM, more than 30 days before the current one expires",
			Actual: "expires " + active.ExpiresAt.Format(time.RFC3339), Fix: "Generate the app's next signing key in Okta (Sign On → SAML Signing Certificates → Generate new certificate), then " + strings.ToLower(fix[:1]) + fix[1:]})
	}
}

// providerRules are the rules whose cause, with the AWS app, is the
// provider ARN Okta puts in the Role value: the Identity Provider ARN, or
// the Role Value Pattern's provider with group mapping.
var providerRules = map[string]bool{"aws/provider-not-found": true, "aws/trust-principal": true}

// trustedProviders are the SAML providers the role's trust policy trusts:
// IAM's provider, as far as the inputs say.
func trustedProviders(in *Inputs) []string {
	if in == nil || in.trust == nil {
		return nil
	}
	var out []string
	for _, f := range federated(in.trust) {
		if strings.Contains(f, ":saml-provider/") {
			out = append(out, f)
		}
	}
	return out
}

// oktaCause names, for each setting a fix changes, the Okta field that
// holds it and its value for this user.
func oktaCause(rule *Rule, f *Finding, o *okta.Org, u *okta.User, in *Inputs) {
	if f.Location.Source == SourceOkta {
		return
	}
	s := o.App.Settings.App
	aws := o.IsAWSApp()
	if aws && providerRules[rule.ID] {
		field, value, now := "Sign On → Identity Provider ARN", "`"+s.IdentityProviderARN+"`", s.IdentityProviderARN
		if s.UseGroupMapping {
			field, value, now = "Sign On → Role Value Pattern", "`"+s.RoleValuePattern+"`", "the provider in "+s.RoleValuePattern
		}
		f.Okta = fmt.Sprintf("%s → %s is %s", o.AppName(), field, value)
		trusted := trustedProviders(in)
		if len(trusted) == 0 {
			f.Fix = fmt.Sprintf("In %s → %s, name the IAM SAML provider that holds this app's metadata (aws iam list-saml-providers lists them); it is now %s. Or: %s", o.AppName(), field, now, f.Fix)
			return
		}
		f.Okta += "; IAM's provider, as the role's trust policy names it, is `" + strings.Join(trusted, "` or `") + "`"
		f.Fix = fmt.Sprintf("In %s → %s, set the provider to %s, the one the role trusts (it is now %s). Or: %s", o.AppName(), field, trusted[0], now, f.Fix)
		return
	}
	field, value := "", ""
	switch rule.Setting {
	case SettingRole:
		switch {
		case !aws:
			field, value = "SAML Settings → attribute statement "+okta.AttrRole, statementValue(o, okta.AttrRole)
		case s.UseGroupMapping:
			field, value = "Sign On → Group Filter and Role Value Pattern", fmt.Sprintf("`%s` and `%s`", s.GroupFilter, s.RoleValuePattern)
			if u != nil {
				value += "; the user's groups: " + groupNames(u.Groups)
			}
		default:
			field, value = "Sign On → Identity Provider ARN", "`"+s.IdentityProviderARN+"`"
			if u != nil {
				roles := "none"
				if len(u.Profile.SAMLRoles) > 0 {
					roles = strings.Join(u.Profile.SAMLRoles, ", ")
				}
				value += fmt.Sprintf("; %s's SAML roles (Assignments): %s", u.Login(), roles)
			}
		}
	case SettingSessionName:
		if aws {
			field, value = "Sign On → Credentials Details → Application username format", "the app username"
			if u != nil {
				value = "`" + u.Login() + "`"
			}
		} else {
			field, value = "SAML Settings → attribute statement "+okta.AttrSessionName, statementValue(o, okta.AttrSessionName)
		}
	case SettingSessionDuration:
		if aws {
			field, value = "Sign On → Session Duration", fmt.Sprintf("%d s", s.SessionDuration)
		} else {
			field, value = "SAML Settings → attribute statement "+okta.AttrSessionDuration, statementValue(o, okta.AttrSessionDuration)
		}
	case SettingRelayState:
		field, value = "Sign On → Default Relay State", "empty"
		if so := o.App.Settings.SignOn; so != nil && so.DefaultRelayState != "" {
			value = "`" + so.DefaultRelayState + "`"
		}
	case SettingACS, SettingAudience:
		if so := o.App.Settings.SignOn; aws && so != nil && so.SSOACSURLOverride+so.RecipientOverride+so.DestinationOverride+so.AudienceOverride != "" {
			field, value = "Sign On → Advanced Sign-on Settings (ACS URL and overrides)", fmt.Sprintf("ACS `%s`, recipient `%s`, destination `%s`, audience `%s`",
				so.SSOACSURLOverride, so.RecipientOverride, so.DestinationOverride, so.AudienceOverride)
		} else if aws {
			field, value = "Sign On → AWS Environment", "`"+or(s.AWSEnvironmentType, "aws.amazon")+"`"
		} else if so != nil {
			field, value = "SAML Settings → Single sign-on URL, Recipient, Destination and Audience URI", fmt.Sprintf("`%s`, `%s`, `%s`, `%s`", so.SSOACSURL, so.Recipient, so.Destination, so.Audience)
		}
	case SettingCertificate:
		field, value = "Sign On → SAML Signing Certificates", "active key "+or(o.App.Credentials.Signing.Kid, "(unknown)")
	}
	if field == "" {
		return
	}
	f.Okta = fmt.Sprintf("%s → %s is %s", o.AppName(), field, value)
	if fix := oktaFix(rule, o, u); fix != "" {
		f.Fix = fix
		return
	}
	f.Fix = strings.TrimSpace(f.Fix) + fmt.Sprintf(" In Okta: %s → %s.", o.AppName(), field)
}

// oktaFix is the fix in Okta's own terms where the cause is plain from
// its configuration, or "".
func oktaFix(rule *Rule, o *okta.Org, u *okta.User) string {
	s := o.App.Settings.App
	if !o.IsAWSApp() || rule.Setting != SettingRole {
		return ""
	}
	switch {
	case u == nil:
		return ""
	case s.UseGroupMapping && len(o.Predict(u).Roles) == 0:
		return fmt.Sprintf("None of %s's Okta groups (%s) matches %s's Group Filter %s: add the user to a group named as the filter expects (account ID and role name), or correct the filter.", u.Login(), groupNames(u.Groups), o.AppName(), s.GroupFilter)
	case !s.UseGroupMapping && len(u.Profile.SAMLRoles) == 0 && !s.JoinAllRoles:
		return fmt.Sprintf("In %s → Assignments, give %s a SAML role (the IAM role to sign in to); Okta sends the Identity Provider ARN alone without one. If the app offers no roles to pick, its API integration (Provisioning → Integration) has not loaded the account's roles: renew its access key.", o.AppName(), u.Login())
	}
	return ""
}

func statementValue(o *okta.Org, name string) string {
	if so := o.App.Settings.SignOn; so != nil {
		for _, st := range so.AttributeStatements {
			if st.Name == name {
				return "`" + strings.Join(st.Values, "`, `") + "`"
			}
		}
	}
	return "not set"
}

func groupNames(gs []okta.Group) string {
	if len(gs) == 0 {
		return "none"
	}
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.Name()
	}
	return strings.Join(names, ", ")
}
