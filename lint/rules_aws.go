package lint

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/samllint/samllint/saml"
)

var assertionTooOld = &Rule{
	ID: "aws/assertion-too-old", Severity: Error, Scope: ScopeAWS, Needs: []Input{InputTime},
	Advice: []string{"evaluation time before"},
	Title:  "more than 5 minutes since IssueInstant",
	Why: "STS refuses a SAML response more than five minutes after it was issued: \"Token must be redeemed within 5 minutes of issuance\" " +
		"(ExpiredTokenException), whatever NotOnOrAfter says.",
	Fix:        "Post the response as soon as the IdP issues it; re-authenticate rather than reuse a captured response.",
	References: []string{refSTSAPI},
	Symptoms:   []string{"Token must be redeemed within 5 minutes of issuance", "ExpiredTokenException"},
	Rank:       9,
	Confirm:    confirmTime,
	Check: func(p *Pass) {
		issued := p.Response.IssueInstant
		if a := p.Assertion(); a != nil && a.IssueInstant.OK && (!issued.OK || a.IssueInstant.Time.After(issued.Time)) {
			issued = a.IssueInstant
		}
		if !issued.OK {
			return
		}
		if age := p.Now().Sub(issued.Time); age > 5*time.Minute {
			p.Report(Finding{
				Message:  fmt.Sprintf("issued %s before the evaluation time; AWS allows 5 minutes", human(age)),
				Location: xmlAt(issued.Path),
				Expected: "evaluation time before " + stamp(issued.Time.Add(5*time.Minute)),
				Actual:   "evaluated at " + stamp(p.Now()) + "; IssueInstant " + issued.Raw,
				Fix:      "Sign in again through " + p.facts.idp() + "; for an old capture, lint with --at-issue to see what AWS saw when it was posted.",
			})
		}
	},
}

var recipient = &Rule{
	ID: "aws/recipient", Severity: Error, Scope: ScopeAWS, Setting: SettingACS,
	Title: "Recipient is not an AWS sign-in SAML endpoint",
	Why: "AWS only accepts a response addressed to its sign-in endpoint (https://signin.aws.amazon.com/saml, a regional " +
		"https://<region>.signin.aws.amazon.com/saml, GovCloud, China, or a provider-specific …/saml/acs/<id>), in the partition " +
		"the role lives in: a commercial endpoint cannot assume a GovCloud or China role. STS also takes SAML:aud for the trust " +
		"policy from Recipient, so a wrong value surfaces as \"Not authorized to perform sts:AssumeRoleWithSAML\".",
	Fix:        "Set the IdP application's ACS / Recipient URL to the AWS sign-in endpoint you post to.",
	References: []string{refSignInEP, refIAMAssert},
	Symptoms:   []string{"Not authorized to perform sts:AssumeRoleWithSAML", "Your request included an invalid SAML response"},
	Rank:       4,
	Check: func(p *Pass) {
		a := p.Assertion()
		if a == nil || a.Subject == nil {
			return
		}
		for _, sc := range a.Subject.Confirmations {
			if sc.Method != saml.MethodBearer || sc.Recipient == "" {
				continue
			}
			path := sc.DataPath + "/@Recipient"
			if f, ok := postedElsewhere(p, sc); ok {
				p.Report(f)
				continue
			}
			if want := p.facts.expect.Recipient; want != "" && sc.Recipient != want {
				p.Report(Finding{Message: "Recipient is not the one you pinned", Location: xmlAt(path), Expected: want, Actual: sc.Recipient,
					Fix: "Set " + p.facts.idp() + "'s ACS URL to " + want + "."})
				continue
			}
			if e, ok := parseEndpoint(sc.Recipient); ok {
				if part := p.facts.knownPartition(); part != "" && e.Partition != part {
					p.Report(Finding{Message: fmt.Sprintf("the Recipient is a sign-in endpoint of the %s partition, but the Role ARNs are in %s", e.Partition, part), Location: xmlAt(path),
						Expected: signInFor(part), Actual: sc.Recipient,
						Fix: "Post to the sign-in endpoint of the partition the role and provider live in: set " + p.facts.idp() + "'s ACS URL to " + signInFor(part) + audNote(signInFor(part)) + "."})
				}
				continue
			}
			hint := endpointHint(sc.Recipient)
			msg := "Recipient is not an AWS sign-in SAML endpoint"
			if hint != "" {
				msg += ": " + hint
			}
			want, from := endpointInUse(p)
			fix := "Set the ACS / Recipient URL to " + want + ": " + p.facts.where(SettingACS) + audNote(want) + "."
			if from == "" {
				fix += " It is the global endpoint; a regional one (https://<region>.signin.aws.amazon.com/saml) works too and keeps sign-in up when us-east-1's is impaired."
			}
			p.Report(Finding{Message: msg, Location: xmlAt(path), Expected: want, Actual: sc.Recipient, Fix: fix})
		}
	},
}

// audNote reminds that STS compares SAML:aud with the Recipient: an admin
// who changes the Recipient without the trust policy trades one failure
// for another (aws/trust-audience).
func audNote(endpoint string) string {
	return "; STS compares the role trust policy's SAML:aud with the Recipient, so list " + endpoint + " there too"
}

// endpointInUse is the AWS sign-in endpoint this sign-in uses, so that an
// expected value keeps it and drops only the fault: the URL the browser
// posted to, else the Recipient or the Destination repaired, else the
// global endpoint of the Role ARNs' partition. from names which it is,
// "" for the global default.
func endpointInUse(p *Pass) (url, from string) {
	fits := func(u string) bool {
		e, ok := parseEndpoint(u)
		part := p.facts.knownPartition()
		return ok && (part == "" || e.Partition == part)
	}
	url, from = signInFor(p.facts.partition), ""
	if c := p.Capture; c != nil && c.Binding == "HTTP-POST" && fits(c.URL) {
		url, from = c.URL, "the endpoint the browser posted to"
	} else if u, ok := repairEndpoint(bearerRecipient(p.Assertion())); ok && fits(u) {
		url, from = u, "the Recipient"
	} else if u, ok := repairEndpoint(p.Response.Destination); ok && fits(u) {
		url, from = u, "the Destination"
	}
	return withACS(p, url), from
}

// withACS is the endpoint with the provider-specific /saml/acs/<id> an
// encrypted assertion needs, where the provider's ID is known.
func withACS(p *Pass, url string) string {
	e, ok := parseEndpoint(url)
	if !ok || e.ACS || len(p.Response.EncryptedAssertions) == 0 {
		return url
	}
	if prov := p.Inputs.Provider(); prov != nil && prov.UUID != "" {
		e.ACSPath = "/acs/" + prov.UUID
		return e.inRegion(e.Region)
	}
	return url
}

var destination = &Rule{
	ID: "aws/destination", Severity: Warning, Scope: ScopeAWS, Setting: SettingACS,
	Title:      "Destination is not an AWS endpoint, or differs from Recipient",
	Why:        "AWS documents Recipient, not Destination, so a wrong Destination alone is not known to fail; but it almost always means the IdP's ACS URL is wrong, which also breaks Recipient.",
	Fix:        "Set the IdP application's ACS URL to the AWS sign-in endpoint; Destination and Recipient should be the same URL.",
	References: []string{refSAMLCore + " §3.2.2"},
	Check: func(p *Pass) {
		d := p.Response.Destination
		if d == "" {
			return
		}
		path := p.Response.Path + "/@Destination"
		if _, ok := parseEndpoint(d); !ok {
			msg := "Destination is not an AWS sign-in endpoint"
			if h := endpointHint(d); h != "" {
				msg += ": " + h
			}
			want, _ := endpointInUse(p)
			p.Report(Finding{Message: msg, Location: xmlAt(path), Expected: want, Actual: d,
				Fix: "Set " + p.facts.idp() + "'s ACS URL to " + want + ", so that Destination and Recipient both name the AWS sign-in endpoint in use" + audNote(want) + "."})
			return
		}
		// A Destination that is an AWS endpoint differs from a Recipient
		// that is not one: the Recipient is the fault, and aws/recipient
		// says so. Against the URL the browser posted to, that URL wins.
		want, msg := bearerRecipient(p.Assertion()), "Destination and Recipient differ"
		if c := p.Capture; c != nil && c.Binding == "HTTP-POST" {
			if _, ok := parseEndpoint(c.URL); ok {
				want, msg = c.URL, "the browser posted to "+c.URL+", but the Destination names "+d
			}
		}
		if _, ok := parseEndpoint(want); !ok || want == d {
			return
		}
		p.Report(Finding{Message: msg, Location: xmlAt(path), Expected: want, Actual: d,
			Fix: "Use one ACS URL for both: " + want + ", the AWS endpoint the browser posts to."})
	},
}

// bearerRecipient is the Recipient of an assertion's bearer confirmation,
// or "".
func bearerRecipient(a *saml.Assertion) string {
	if a == nil || a.Subject == nil {
		return ""
	}
	for _, sc := range a.Subject.Confirmations {
		if sc.Method == saml.MethodBearer && sc.Recipient != "" {
			return sc.Recipient
		}
	}
	return ""
}

var audience = &Rule{
	ID: "aws/audience", Severity: Error, Scope: ScopeAWS, Setting: SettingAudience,
	Advice: []string{"one AudienceRestriction naming"},
	Title:  "no audience AWS accepts",
	Why: "AWS requires an AudienceRestriction naming it: urn:amazon:webservices (GovCloud urn:amazon:webservices:govcloud, China " +
		"urn:amazon:webservices:cn-north-1), or https://signin.aws.amazon.com/saml as Entra sends. Otherwise: \"Response does not " +
		"contain the required audience.\".",
	Fix:        "Set the IdP application's audience / entity ID / relying-party identifier to urn:amazon:webservices.",
	References: []string{refIAMTS},
	Symptoms:   []string{"Response does not contain the required audience"},
	Rank:       5,
	Check: func(p *Pass) {
		a := p.Assertion()
		if a == nil {
			return
		}
		want := p.facts.expect.Audience
		var got []string
		path := a.Path + "/Conditions"
		if a.Conditions != nil {
			for _, au := range a.Conditions.Audiences {
				got = append(got, au.Value)
				if want != "" && au.Value == want || want == "" && acceptedAudiences[au.Value] != "" {
					if part := acceptedAudiences[au.Value]; part != "" && p.facts.knownPartition() != "" && p.facts.partition != part {
						p.Report(Finding{Message: fmt.Sprintf("the audience is for the %s partition, but the Role ARNs are in %s", part, p.facts.partition), Location: xmlAt(au.Path),
							Expected: audienceFor(p.facts.partition), Actual: au.Value,
							Fix: "Use the audience of the partition your roles are in: " + audienceFor(p.facts.partition) + "."})
					}
					severalRestrictions(p, a.Conditions)
					return
				}
			}
			if len(a.Conditions.Audiences) > 0 {
				path = a.Conditions.Audiences[0].Path
			}
		}
		expected := "urn:amazon:webservices"
		if want != "" {
			expected = want
		} else if p.facts.partition != "aws" {
			expected = audienceFor(p.facts.partition)
		}
		msg := "no AudienceRestriction names AWS"
		if len(got) > 0 {
			if near, d := nearest(got[0], keys(acceptedAudiences)); d <= 3 {
				msg = fmt.Sprintf("the audience is a near-miss of %s", near)
			}
		}
		p.Report(Finding{Message: msg, Location: xmlAt(path), Expected: expected, Actual: or(strings.Join(got, ", "), "(no Audience)"),
			Fix: "Set the audience to " + expected + ": " + p.facts.where(SettingAudience) + "."})
	},
}

// severalRestrictions warns when the Conditions hold more than one
// AudienceRestriction: each must be met (SAML core §2.5.1.4), so one
// that does not name AWS makes the assertion not meant for AWS. How AWS
// reads several is not documented.
func severalRestrictions(p *Pass, c *saml.Conditions) {
	if c == nil || c.AudienceRestrictions < 2 {
		return
	}
	names := map[string][]string{}
	var order []string
	for _, au := range c.Audiences {
		r := au.Path[:max(strings.LastIndex(au.Path, "/"), 0)] // the AudienceRestriction
		if _, seen := names[r]; !seen {
			order = append(order, r)
		}
		names[r] = append(names[r], au.Value)
	}
	var without []string
	for _, r := range order {
		ok := false
		for _, v := range names[r] {
			ok = ok || acceptedAudiences[v] != "" || v == p.facts.expect.Audience
		}
		if !ok {
			without = append(without, r)
		}
	}
	msg := fmt.Sprintf("the Conditions hold %d AudienceRestriction elements; each must be met, and AWS's handling of several is not documented", c.AudienceRestrictions)
	where := c.Path
	if len(without) > 0 {
		msg = fmt.Sprintf("%d of %d AudienceRestriction elements do not name AWS; each must be met, so AWS may refuse the assertion", len(without), c.AudienceRestrictions)
		where = without[0]
	}
	p.ReportAt(Warning, Finding{Message: msg, Location: xmlAt(where),
		Expected: "one AudienceRestriction naming urn:amazon:webservices", Actual: fmt.Sprintf("%d AudienceRestriction elements", c.AudienceRestrictions),
		Fix: "Configure " + p.facts.idp() + " to send one AudienceRestriction; list every audience in it (they are ORed there)."})
}

func audienceFor(partition string) string {
	switch partition {
	case "aws-us-gov":
		return "urn:amazon:webservices:govcloud"
	case "aws-cn":
		return "urn:amazon:webservices:cn-north-1"
	}
	return "urn:amazon:webservices"
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

var awsAttributeNames = []string{AttrRole, AttrRoleSessionName, AttrSessionDuration, AttrSourceIdentity, AttrTransitiveTagKeys}

// nearMiss finds an attribute whose name is a near-miss of want: wrong case,
// http scheme, trailing slash, no namespace, a FriendlyName, a typo.
func nearMiss(a *saml.Assertion, want string) (*saml.Attribute, string) {
	short := strings.TrimPrefix(want, attrPrefix)
	for _, at := range a.Attributes {
		n := at.Name
		switch {
		case n == want:
			continue
		case strings.EqualFold(n, want):
			return at, "the name's case differs (attribute names are case-sensitive)"
		case strings.TrimSuffix(n, "/") == want:
			return at, "the name has a trailing slash"
		case strings.Replace(n, "http://", "https://", 1) == want:
			return at, "the name uses http://, not https://"
		case n == short || strings.EqualFold(n, short):
			return at, "the name lacks the https://aws.amazon.com/SAML/Attributes/ namespace"
		case at.FriendlyName == short:
			return at, fmt.Sprintf("FriendlyName is %s but Name is %q", short, n)
		case strings.HasSuffix(n, "/"+short) && n != want:
			return at, "the namespace part of the name is wrong"
		}
		if slices.Contains(awsAttributeNames, n) || strings.HasPrefix(n, AttrPrincipalTag) {
			continue
		}
		if d := levenshtein(strings.ToLower(n), strings.ToLower(want)); d > 0 && d <= 3 {
			return at, "the name is misspelled"
		}
	}
	return nil, ""
}

var roleAttributeMissing = &Rule{
	ID: "aws/role-attribute-missing", Severity: Error, Scope: ScopeAWS, Setting: SettingRole,
	Title: "no https://aws.amazon.com/SAML/Attributes/Role attribute",
	Why: "Without the Role attribute the AWS sign-in page answers \"Your request included an invalid SAML response. To logout, click here.\" " +
		"The name is exact and case-sensitive. Common causes: the user is assigned to the app without a role (Okta), Entra's " +
		"\"Default Access\", a wrong group filter, a claim whose name or namespace was typed wrong.",
	Fix:        "Send an attribute named exactly https://aws.amazon.com/SAML/Attributes/Role with one value per role: role ARN and provider ARN separated by a comma.",
	References: []string{refIAMTS, refRoleKC},
	Symptoms:   []string{"Your request included an invalid SAML response", "To use SAML, enable one or more IAM roles for this application"},
	Rank:       2,
	Check: func(p *Pass) {
		a := p.Assertion()
		if a == nil || a.Attribute(AttrRole) != nil {
			return
		}
		fix := fmt.Sprintf("Send an attribute named %s with the value %s,%s; in %s: %s.", AttrRole, p.facts.roleOr(), p.facts.providerOr(), p.facts.idp(), p.facts.where(SettingRole))
		if at, why := nearMiss(a, AttrRole); at != nil {
			p.Report(Finding{Message: "the Role attribute is misnamed: " + why, Location: xmlAt(at.Path + "/@Name"), Expected: AttrRole, Actual: at.Name,
				Fix: "Rename the attribute to exactly " + AttrRole + " (" + p.facts.where(SettingRole) + ")."})
			return
		}
		p.Report(Finding{Message: "the assertion has no Role attribute", Location: xmlAt(a.Path + "/AttributeStatement"), Expected: AttrRole, Actual: "(absent)", Fix: fix})
	},
}

// roleRule is the shape the four Role-value rules share: look at every
// parsed value, report those the predicate picks.
func roleValues(p *Pass, each func(rp *rolePair)) {
	for _, rp := range p.facts.roles {
		each(rp)
	}
}

var roleMissingRoleARN = &Rule{
	ID: "aws/role-missing-role-arn", Severity: Error, Scope: ScopeAWS, Setting: SettingRole,
	Advice: []string{"<role-name>", "<account-id>"},
	Title:  "a Role value holds the SAML provider ARN but no role ARN",
	Why: "Each Role value must pair a role ARN with the provider ARN. With only the provider, AWS cannot pick a role: " +
		"\"Your request included an invalid SAML response\"; it is the Okta → Connect guide's failure " +
		"when the Role attribute carries only the IdP's ARN.",
	Fix:        "Make the IdP send role-ARN,provider-ARN (either order) in each Role value.",
	References: []string{refIAMAssert, refRoleKC},
	Symptoms:   []string{"Your request included an invalid SAML response"},
	Rank:       1,
	Check: func(p *Pass) {
		roleValues(p, func(rp *rolePair) {
			if len(rp.Providers) == 0 || len(rp.Roles) > 0 || len(rp.Others) > 0 {
				return
			}
			prov := rp.Providers[0]
			role := "arn:" + prov.Partition + ":iam::" + prov.Account + ":role/<role-name>"
			p.Report(Finding{Message: "the Role value names the SAML provider but no role", Location: xmlAt(rp.Path),
				Expected: role + "," + prov.Raw, Actual: rp.Value,
				Fix: fmt.Sprintf("Set the Role value to %s,%s, with the name of the IAM role that trusts %s; %s.", role, prov.Raw, prov.Raw, p.facts.where(SettingRole))})
		})
	},
}

var roleMissingProviderARN = &Rule{
	ID: "aws/role-missing-provider-arn", Severity: Error, Scope: ScopeAWS, Setting: SettingRole,
	Advice: []string{"<provider-name>", "<account-id>"},
	Title:  "a Role value holds the role ARN but no provider ARN",
	Why: "Without the SAML provider ARN AWS cannot tell which IdP to trust: \"Your request included an invalid SAML response\"; " +
		"CLI tools fail with \"minimum field size of 20, AssumeRoleWithSAMLInput.PrincipalArn\".",
	Fix:        "Append the SAML provider ARN to each Role value: role-ARN,provider-ARN.",
	References: []string{refIAMAssert},
	Symptoms:   []string{"Your request included an invalid SAML response", "AssumeRoleWithSAMLInput.PrincipalArn"},
	Rank:       1,
	Check: func(p *Pass) {
		roleValues(p, func(rp *rolePair) {
			if len(rp.Roles) == 0 || len(rp.Providers) > 0 || len(rp.Others) > 0 {
				return
			}
			role := rp.Roles[0]
			prov := or(p.facts.providerARN, "arn:"+role.Partition+":iam::"+role.Account+":saml-provider/<provider-name>")
			p.Report(Finding{Message: "the Role value names the role but no SAML provider", Location: xmlAt(rp.Path),
				Expected: role.Raw + "," + prov, Actual: rp.Value,
				Fix: fmt.Sprintf("Set the Role value to %s,%s, naming the IAM SAML provider that holds %s's metadata (aws iam list-saml-providers lists them); %s.", role.Raw, prov, p.facts.idp(), p.facts.where(SettingRole))})
		})
	},
}

var roleARNMalformed = &Rule{
	ID: "aws/role-arn-malformed", Severity: Error, Scope: ScopeAWS, Setting: SettingRole,
	Advice: []string{"<role-name>", "<provider-name>", "<account-id>", "one Role attribute with one AttributeValue per role"},
	Title:  "a Role value is not exactly a role ARN and a provider ARN",
	Why: "Each value must be exactly two comma-separated ARNs, arn:<partition>:iam::<12 digits>:role/<path/><name> and " +
		"arn:<partition>:iam::<12 digits>:saml-provider/<name>, in either order. Anything else (two pairs in one value, a user or " +
		"group ARN, an unresolved template such as appuser.idpRolePairs, quotes, an empty value) gives \"Your request included " +
		"an invalid SAML response\"; stray whitespace is tolerated by some paths only.",
	Fix:        "Send one value per role, each exactly role-ARN,provider-ARN, with nothing around them.",
	References: []string{refIAMAssert},
	Symptoms:   []string{"Your request included an invalid SAML response", "Specified provider doesn't exist", "Request ARN is invalid"},
	Rank:       1,
	Check: func(p *Pass) {
		roleValues(p, func(rp *rolePair) {
			if len(rp.Others) == 0 && (len(rp.Roles) == 0) != (len(rp.Providers) == 0) {
				return // the two missing-ARN rules report these
			}
			role, prov, ok := rp.Pair()
			expected := expectedPair(p.facts, rp)
			if ok {
				if rp.Spaces {
					// The pair's order is the IdP's: AWS takes either.
					p.ReportAt(Warning, Finding{Message: "the Role value has stray whitespace", Location: xmlAt(rp.Path), Expected: strings.Join(rp.Parts, ","), Actual: strconv.Quote(rp.Value),
						Fix: "Remove the whitespace around the ARNs in " + p.facts.idp() + "'s role mapping."})
				}
				if strings.Contains(role.Path, "arn:") {
					want := "arn:" + role.Partition + ":iam::" + role.Account + ":role/" + role.Name + "," + prov.Raw
					if len(rp.Parts) > 0 && rp.Parts[0] == prov.Raw {
						want = prov.Raw + ",arn:" + role.Partition + ":iam::" + role.Account + ":role/" + role.Name
					}
					p.Report(Finding{Message: "the Role value is not one role ARN and one provider ARN: an ARN is nested inside the role's path", Location: xmlAt(rp.Path),
						Expected: want, Actual: rp.Value,
						Fix: "Fix the role mapping in " + p.facts.idp() + ": it prefixes the role ARN with another ARN."})
				}
				return
			}
			p.Report(Finding{Message: "the Role value is not one role ARN and one provider ARN: " + malformedWhy(rp), Location: xmlAt(rp.Path),
				Expected: expected, Actual: rp.Value,
				Fix: "Make each Role value exactly " + expected + "; several roles go in several AttributeValues, not in one (" + p.facts.where(SettingRole) + ")."})
		})
		if a := p.Assertion(); a != nil {
			n := 0
			for _, at := range a.Attributes {
				if at.Name == AttrRole {
					n++
					if n == 2 {
						p.ReportAt(Warning, Finding{Message: "the Role attribute appears more than once; AWS reads one claim per attribute", Location: xmlAt(at.Path),
							Expected: "one Role attribute with one AttributeValue per role", Actual: "several Role attributes",
							Fix: "Merge the roles into the values of a single Role attribute (Keycloak: \"Single Role Attribute\" ON)."})
					}
				}
			}
			if at := a.Attribute(AttrRole); at != nil && len(at.Values) == 0 {
				p.Report(Finding{Message: "the Role attribute has no value", Location: xmlAt(at.Path), Expected: p.facts.roleOr() + "," + p.facts.providerOr(), Actual: "(no AttributeValue)",
					Fix: "Assign the user a role in " + p.facts.idp() + "'s AWS application."})
			}
		}
	},
}

var roleIdentityCenter = &Rule{
	ID: "aws/role-identity-center", Severity: Error, Scope: ScopeAWS, Setting: SettingRole,
	Advice: []string{"a role you created for SAML federation"},
	Title:  "the Role value names a role IAM Identity Center manages (AWSReservedSSO_…)",
	Why: "Roles whose names start with AWSReservedSSO_ (path /aws-reserved/sso.amazonaws.com/) are created by IAM Identity Center for " +
		"its permission sets; AssumeRoleWithSAML does not work on them, and their trust policies trust Identity Center's own SAML " +
		"provider, which only Identity Center can use. Users seen this fail with \"Issuer not present in specified provider\" or " +
		"\"Not authorized to perform sts:AssumeRoleWithSAML\".",
	Fix:        "Either sign in through IAM Identity Center's access portal (and give Identity Center your IdP as its external identity source), or create an IAM role of your own trusting your IAM SAML provider.",
	References: []string{refSTSAPI, "AWS IAM Identity Center: Permission sets and AWSReservedSSO roles — https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html"},
	Symptoms:   []string{"Issuer not present in specified provider", "Not authorized to perform sts:AssumeRoleWithSAML"},
	Rank:       6,
	Check: func(p *Pass) {
		roleValues(p, func(rp *rolePair) {
			for _, role := range rp.Roles {
				if !strings.HasPrefix(role.Name, "AWSReservedSSO_") && !strings.HasPrefix(role.Path, "/aws-reserved/sso.amazonaws.com/") {
					continue
				}
				// AWSReservedSSO_<permission set>_<hash>: suggest the permission set's name.
				suggest := "<role-name>"
				if parts := strings.SplitN(role.Name, "_", 3); len(parts) == 3 && parts[1] != "" {
					suggest = parts[1]
				}
				own := "arn:" + role.Partition + ":iam::" + role.Account + ":role/" + suggest
				p.Report(Finding{Message: "the role " + role.Name + " is managed by IAM Identity Center, and AssumeRoleWithSAML does not work on it", Location: xmlAt(rp.Path),
					Expected: "a role you created for SAML federation, trusting " + p.facts.providerOr(), Actual: role.Raw,
					Fix: "Create an IAM role such as " + own + " trusting " + p.facts.providerOr() + " and name it in " + p.facts.idp() +
						"'s role mapping, or sign in through the IAM Identity Center access portal instead."})
			}
		})
	},
}

// expectedPair is what one Role value should read: its own role and
// provider ARNs where it has them (a second value is not the first one's
// role), the user's known values or placeholders for what it lacks.
func expectedPair(c *facts, rp *rolePair) string {
	own := parseRoleValue(strings.Trim(strings.TrimSpace(rp.Value), "\"' "), rp.Path) // quotes and spaces are the fault, not the ARNs
	role, prov := "", ""
	if len(own.Roles) == 1 {
		role = own.Roles[0].Raw
	}
	if len(own.Providers) == 1 {
		prov = own.Providers[0].Raw
	}
	if role == "" {
		if len(c.roles) == 1 {
			role = c.roleOr()
		} else {
			role = "arn:" + c.partition + ":iam::" + c.accountOr() + ":role/<role-name>"
		}
	}
	if prov == "" {
		if a := parseRoleARN(role); a != nil && a.Account != c.account && c.account != "" {
			prov = "arn:" + a.Partition + ":iam::" + a.Account + ":saml-provider/<provider-name>"
		} else {
			prov = c.providerOr()
		}
	}
	return role + "," + prov
}

func malformedWhy(rp *rolePair) string {
	v := strings.TrimSpace(rp.Value)
	switch {
	case v == "":
		return "it is empty"
	case strings.HasPrefix(v, `"`) || strings.HasPrefix(v, "'"):
		return "it is wrapped in quotes"
	case templateRe.MatchString(v):
		return "it is unresolved template text"
	case strings.ContainsAny(v, ";\n"):
		return "several pairs are joined in one value"
	case len(rp.Roles) > 1 || len(rp.Providers) > 1:
		return fmt.Sprintf("it holds %d role and %d provider ARNs; one pair per value", len(rp.Roles), len(rp.Providers))
	case strings.Count(v, "arn:") > len(rp.Parts):
		return "an ARN is nested inside another"
	case len(rp.Roles) == 1 && len(rp.Others) == 1 && !strings.HasPrefix(rp.Others[0], "arn:") && strings.Count(v, ",") == 2:
		return "a comma splits it in three; a role whose name contains a comma cannot be used in a SAML Role value"
	}
	// The first part that is neither a role nor a provider ARN says why.
	if len(rp.Others) > 0 {
		o := rp.Others[0]
		if m := anyARNRe.FindStringSubmatch(o); m != nil {
			switch {
			case m[2] != "iam":
				return fmt.Sprintf("%q is a %s ARN, not IAM", o, m[2])
			case m[4] != "" && !twelveDigits(m[4]):
				return fmt.Sprintf("the account in %q is not 12 digits", o)
			case !strings.HasPrefix(m[5], "role/") && !strings.HasPrefix(m[5], "saml-provider/"):
				kind, _, _ := strings.Cut(m[5], "/")
				return fmt.Sprintf("%q names a %s, not a role or saml-provider", o, kind)
			case m[3] != "":
				return fmt.Sprintf("IAM ARNs have no region, but %q has %s", o, m[3])
			}
			return fmt.Sprintf("%q has characters or a length IAM does not allow", o)
		}
		if o == "" {
			return "a part is empty (extra comma?)"
		}
		return fmt.Sprintf("%q is not an ARN", o)
	}
	return "it is not two comma-separated ARNs"
}

func twelveDigits(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

var roleAccountMismatch = &Rule{
	ID: "aws/role-account-mismatch", Severity: Error, Scope: ScopeAWS, Setting: SettingRole,
	Advice: []string{"both in ", "provider in account "},
	Title:  "role and provider ARNs of one pair are in different accounts or partitions",
	Why: "The SAML provider named in a Role value must be an IAM entity in the role's own account and partition: the role's trust " +
		"policy trusts a provider of its account. A pair across accounts or partitions fails with \"Not authorized to perform " +
		"sts:AssumeRoleWithSAML\".",
	Fix:        "Create the SAML provider in the role's account (one provider per account) and pair each role with its own account's provider.",
	References: []string{"AWS IAM: Create a role for SAML 2.0 federation — https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_saml.html"},
	Symptoms:   []string{"Not authorized to perform sts:AssumeRoleWithSAML"},
	Rank:       5,
	Check: func(p *Pass) {
		roleValues(p, func(rp *rolePair) {
			role, prov, ok := rp.Pair()
			if !ok {
				return
			}
			if role.Partition != prov.Partition {
				p.Report(Finding{Message: "the role and the provider are in different partitions", Location: xmlAt(rp.Path),
					Expected: "both in " + role.Partition, Actual: role.Partition + " role, " + prov.Partition + " provider",
					Fix: fmt.Sprintf("Use a provider in %s: arn:%s:iam::%s:saml-provider/%s.", role.Partition, role.Partition, role.Account, prov.Name)})
				return
			}
			if role.Account != prov.Account {
				p.Report(Finding{Message: "the role and the provider are in different accounts", Location: xmlAt(rp.Path),
					Expected: "provider in account " + role.Account, Actual: "role in " + role.Account + ", provider in " + prov.Account,
					Fix: fmt.Sprintf("Pair the role with a provider in its own account: %s,arn:%s:iam::%s:saml-provider/%s (create it there with the same metadata if needed).", role.Raw, role.Partition, role.Account, prov.Name)})
			}
		})
	},
}

var roleSessionNameMissing = &Rule{
	ID: "aws/role-session-name-missing", Severity: Error, Scope: ScopeAWS, Setting: SettingSessionName,
	Advice: []string{"an Attribute named"},
	Title:  "no RoleSessionName attribute",
	Why: "STS requires it: \"RoleSessionName is required in AuthnResponse (service: AWSSecurityTokenService; status code: 400; error code: " +
		"InvalidIdentityToken)\". Near-misses count as missing, e.g. Ping's documented typo RoleSessioName.",
	Fix:        "Send https://aws.amazon.com/SAML/Attributes/RoleSessionName with one value: the user's name (for Connect, their Connect user name).",
	References: []string{refIAMTS},
	Symptoms:   []string{"RoleSessionName is required in AuthnResponse"},
	Rank:       2,
	Check: func(p *Pass) {
		a := p.Assertion()
		if a == nil || a.Attribute(AttrRoleSessionName) != nil {
			return
		}
		suggest := "user.email"
		if a.Subject != nil && a.Subject.NameID != nil && a.Subject.NameID.Value != "" {
			suggest = a.Subject.NameID.Value
		}
		if at, why := nearMiss(a, AttrRoleSessionName); at != nil {
			p.Report(Finding{Message: "the RoleSessionName attribute is misnamed: " + why, Location: xmlAt(at.Path + "/@Name"), Expected: AttrRoleSessionName, Actual: at.Name,
				Fix: "Rename the attribute to exactly " + AttrRoleSessionName + "."})
			return
		}
		p.Report(Finding{Message: "the assertion has no RoleSessionName attribute", Location: xmlAt(a.Path + "/AttributeStatement"), Expected: "an Attribute named " + AttrRoleSessionName, Actual: "(absent)",
			Fix: fmt.Sprintf("Add an attribute %s to %s's application, e.g. with the value %s.", AttrRoleSessionName, p.facts.idp(), suggest)})
	},
}

var roleSessionNameInvalid = &Rule{
	ID: "aws/role-session-name-invalid", Severity: Error, Scope: ScopeAWS, Setting: SettingSessionName,
	Advice: []string{"one AttributeValue", "2–64 characters of"},
	Title:  "RoleSessionName is not 2–64 characters of [A-Za-z0-9_+=,.@-]",
	Why: "STS refuses it: \"RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64} (service: AWSSecurityTokenService; " +
		"status code: 400; error code: InvalidIdentityToken)\". Typical culprits: display names with spaces, Entra guest UPNs with #EXT#, " +
		"DOMAIN\\user from AD FS, apostrophes, accents, e-mails over 64 characters; AWS expects a single value.",
	Fix:        "Map RoleSessionName to an attribute that fits: the e-mail address or user name.",
	References: []string{refIAMTS, refSTSAPI},
	Symptoms:   []string{"RoleSessionName in AuthnResponse must match"},
	Rank:       2,
	Check: func(p *Pass) {
		at := p.Attribute(AttrRoleSessionName)
		if at == nil {
			return
		}
		if len(at.Values) != 1 {
			p.Report(Finding{Message: fmt.Sprintf("RoleSessionName has %d values; AWS takes exactly one", len(at.Values)), Location: xmlAt(at.Path),
				Expected: "one AttributeValue", Actual: fmt.Sprint(len(at.Values)), Fix: "Map RoleSessionName to a single-valued attribute."})
			return
		}
		v := at.Values[0]
		if validSessionName(v.Value) {
			return
		}
		p.Report(Finding{Message: "RoleSessionName " + sessionNameWhy(v.Value), Location: xmlAt(v.Path),
			Expected: "2–64 characters of [A-Za-z0-9_+=,.@-]", Actual: strconv.Quote(v.Value),
			Fix: fmt.Sprintf("Map RoleSessionName to the user's e-mail or user name (%s); %s would pass.", p.facts.where(SettingSessionName), strconv.Quote(sanitizeSession(v.Value)))})
	},
}

func sessionNameWhy(v string) string {
	switch n := len(v); {
	case n < 2:
		return fmt.Sprintf("is %d character long; STS needs at least 2", n)
	case n > 64:
		return fmt.Sprintf("is %d characters long; STS allows 64", n)
	case strings.Contains(v, "#EXT#"):
		return "is an Entra guest UPN (#EXT#)"
	case strings.Contains(v, `\`):
		return `has DOMAIN\user form`
	}
	for _, r := range v {
		if !strings.ContainsRune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@-", r) {
			return fmt.Sprintf("contains %q, which STS does not allow", r)
		}
	}
	return "does not match [A-Za-z0-9_+=,.@-]{2,64}"
}

func sanitizeSession(v string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(v) {
		switch {
		case r == ' ':
			b.WriteByte('.')
		case strings.ContainsRune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,.@-", r):
			b.WriteRune(r)
		}
	}
	s := b.String()
	if len(s) > 64 {
		s = s[:64]
	}
	for len(s) < 2 {
		s += "_"
	}
	return s
}

var sessionDurationInvalid = &Rule{
	ID: "aws/session-duration-invalid", Severity: Error, Scope: ScopeAWS, Setting: SettingSessionDuration,
	Advice: []string{"one value", "an integer from 900 to 43200"},
	Title:  "SessionDuration is not one integer in 900–43200",
	Why: "The IAM guide documents SessionDuration as one integer number of seconds from 900 (15 minutes) to 43200 (12 hours). " +
		"The error AWS shows for other values is not documented; samllint treats them as failing. (Entra's default " +
		"user.sessionduration is 900.)",
	Fix:        "Send a single integer between 900 and 43200, or leave the attribute out for the one-hour default.",
	References: []string{refIAMAssert + "#saml_role-session-duration"},
	Rank:       6,
	Check: func(p *Pass) {
		at := p.Attribute(AttrSessionDuration)
		if at == nil {
			return
		}
		if len(at.Values) != 1 {
			p.Report(Finding{Message: fmt.Sprintf("SessionDuration has %d values", len(at.Values)), Location: xmlAt(at.Path), Expected: "one value", Actual: fmt.Sprint(len(at.Values)),
				Fix: "Send one SessionDuration value."})
			return
		}
		v := at.Values[0]
		n, err := strconv.Atoi(strings.TrimSpace(v.Value))
		switch {
		case err != nil:
			f := Finding{Message: "SessionDuration is not an integer number of seconds", Location: xmlAt(v.Path), Expected: "an integer from 900 to 43200", Actual: strconv.Quote(v.Value),
				Fix: "Send seconds as a plain integer, e.g. 43200 for 12 hours."}
			if secs, ok := durationSeconds(v.Value); ok {
				f.Message += ": " + strconv.Quote(v.Value) + " reads as " + strconv.Itoa(secs) + " seconds"
				f.Expected = strconv.Itoa(min(max(secs, 900), 43200))
				f.Fix = "Send seconds as a plain integer: " + f.Expected + "."
			}
			p.Report(f)
		case n < 900 || n > 43200:
			fixed := min(max(n, 900), 43200)
			p.Report(Finding{Message: fmt.Sprintf("SessionDuration %d is outside 900–43200 seconds", n), Location: xmlAt(v.Path), Expected: strconv.Itoa(fixed), Actual: v.Value,
				Fix: fmt.Sprintf("Set SessionDuration to %d in %s's application.", fixed, p.facts.idp())})
		}
	},
}

// durationSeconds reads what an IdP meant by a SessionDuration that is
// not a plain integer: "3600.0", "3600s", "1h", "PT1H" (xs:duration).
func durationSeconds(v string) (int, bool) {
	s := strings.TrimSpace(v)
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int(f)) {
		return int(f), true
	}
	if strings.HasPrefix(s, "PT") {
		s = strings.ToLower(s[2:])
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 && d%time.Second == 0 {
		return int(d / time.Second), true
	}
	return 0, false
}

var sessionDurationOverMax = &Rule{
	ID: "aws/session-duration-over-role-max", Severity: Info, Scope: ScopeAWS, Setting: SettingSessionDuration, Needs: []Input{InputTrustPolicy},
	Title: "SessionDuration is longer than the role's MaxSessionDuration",
	Why: "Console sign-in is not limited by the role's MaxSessionDuration (the limit does not apply when the session is for a console " +
		"URL), so this works in the browser. CLI helpers that copy SessionDuration into DurationSeconds (saml2aws, gimme-aws-creds, " +
		"aws-google-auth, gsts and the like) fail with \"The requested DurationSeconds exceeds the MaxSessionDuration set for this role\".",
	Fix:        "Raise the role's MaxSessionDuration (3600–43200 s) to the SessionDuration the IdP sends, or send a shorter SessionDuration.",
	References: []string{refSTSAPI, refIAMTS, "AWS IAM: Update the maximum session duration for a role — https://docs.aws.amazon.com/IAM/latest/UserGuide/roles-managingrole-editing-console.html#roles-modify_max-session-duration"},
	Symptoms:   []string{"The requested DurationSeconds exceeds the MaxSessionDuration set for this role"},
	Rank:       7,
	Check: func(p *Pass) {
		r := p.Inputs.role
		at := p.Attribute(AttrSessionDuration)
		if r == nil || r.MaxSessionDuration == 0 || at == nil || len(at.Values) != 1 {
			return // without get-role output the maximum is unknown
		}
		v := at.Values[0]
		n, err := strconv.Atoi(strings.TrimSpace(v.Value))
		if err != nil || n <= r.MaxSessionDuration {
			return
		}
		p.Report(Finding{Message: fmt.Sprintf("SessionDuration %d is longer than the role's MaxSessionDuration %d: console sign-in works, CLI helpers that request it fail", n, r.MaxSessionDuration),
			Location: xmlAt(v.Path), Expected: strconv.Itoa(r.MaxSessionDuration), Actual: v.Value,
			Fix: fmt.Sprintf("aws iam update-role --role-name %s --max-session-duration %d, or set SessionDuration to %d in %s.", or(roleName(r.ARN), or(r.Name, "<role>")), min(n, 43200), r.MaxSessionDuration, p.facts.idp())})
	},
}

// shortCipher names an XML Encryption content algorithm by its fragment:
// "tripledes-cbc".
func shortCipher(uri string) string {
	if _, frag, ok := strings.Cut(uri, "#"); ok {
		return frag
	}
	return uri
}

// awsDataCiphers are the content encryptions an IAM SAML provider's key
// decrypts: "AES-GCM or AES-CBC", as CreateSAMLProvider's AddPrivateKey
// says, in each of XML Encryption's key sizes.
var awsDataCiphers = map[string]bool{
	"http://www.w3.org/2009/xmlenc11#aes128-gcm": true, "http://www.w3.org/2009/xmlenc11#aes192-gcm": true, "http://www.w3.org/2009/xmlenc11#aes256-gcm": true,
	"http://www.w3.org/2001/04/xmlenc#aes128-cbc": true, "http://www.w3.org/2001/04/xmlenc#aes192-cbc": true, "http://www.w3.org/2001/04/xmlenc#aes256-cbc": true,
}

const refCreateProvider = "AWS IAM API: CreateSAMLProvider (AssertionEncryptionMode, AddPrivateKey: keys that decrypt AES-GCM or AES-CBC) — https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateSAMLProvider.html"

var providerEncryption = &Rule{
	ID: "aws/provider-encryption", Severity: Error, Scope: ScopeAWS, Setting: SettingACS,
	Advice: []string{"AES-GCM or AES-CBC content encryption", "a saml:EncryptedAssertion", "a private key in the provider's PrivateKeyList"},
	Title:  "the response does not fit the IAM SAML provider's encryption settings",
	Why: "aws iam get-saml-provider shows how the provider decrypts: AssertionEncryptionMode Required refuses plain assertions; an " +
		"encrypted assertion needs a private key registered with the provider (PrivateKeyList, at most 2); and the provider-specific " +
		"endpoint …/saml/acs/<SAMLProviderUUID> must carry this provider's identifier, or AWS looks for another provider's key. " +
		"The provider's key decrypts assertions encrypted with AES-GCM or AES-CBC, as the IAM API reference says: another content " +
		"encryption, such as the 3DES pysaml2 uses, cannot be decrypted. The error texts AWS shows for these are not documented.",
	Fix:        "Match the IdP's encryption to the provider: AES-GCM or AES-CBC content encryption, encrypt when Required, register the private key of the certificate the IdP encrypts for (aws iam update-saml-provider --add-private-key), and post to …/saml/acs/<SAMLProviderUUID>.",
	References: []string{refIAMRP, refCreateProvider, "AWS CLI: get-saml-provider — https://docs.aws.amazon.com/cli/latest/reference/iam/get-saml-provider.html"},
	Symptoms:   []string{"Your request included an invalid SAML response"},
	Rank:       6,
	Check: func(p *Pass) {
		r := p.Response
		for _, ea := range r.EncryptedAssertions {
			if ea.DataAlgorithm != "" && !awsDataCiphers[ea.DataAlgorithm] {
				p.Report(Finding{Message: "the assertion is encrypted with " + shortCipher(ea.DataAlgorithm) + ", which the IAM SAML provider's key does not decrypt",
					Location: xmlAt(ea.Path + "/EncryptedData/EncryptionMethod/@Algorithm"),
					Expected: "AES-GCM or AES-CBC content encryption (http://www.w3.org/2009/xmlenc11#aes256-gcm or http://www.w3.org/2001/04/xmlenc#aes256-cbc)", Actual: ea.DataAlgorithm,
					Fix: "Set " + p.facts.idp() + "'s assertion encryption to AES-256-GCM (or AES-256-CBC), with RSA-OAEP key transport."})
			}
		}
		prov := p.Inputs.Provider()
		if prov == nil {
			if len(r.EncryptedAssertions) > 0 {
				because := ""
				if p.Inputs.Has(InputMetadata) {
					// The IdP's metadata was given: the settings are in
					// IAM's view of the provider, which get-saml-provider prints.
					because = "the metadata given is the IdP's, which holds no encryption settings; they are in aws iam get-saml-provider --saml-provider-arn " + p.facts.providerOr() + " output, which --metadata also takes"
				}
				p.SkipBecause(because, "to compare the encrypted assertion with the IAM SAML provider's encryption settings (aws iam get-saml-provider output)", InputMetadata)
			}
			return
		}
		plain := false
		for _, a := range r.Assertions {
			plain = plain || a.Direct && !a.Decrypted
		}
		if plain && strings.EqualFold(prov.EncryptionMode, "Required") {
			a := r.Consumed()
			p.Report(Finding{Message: "the assertion is not encrypted, but the IAM SAML provider requires encryption", Location: xmlAt(a.Path),
				Expected: "a saml:EncryptedAssertion (AssertionEncryptionMode Required in " + prov.Source + ")", Actual: "a plain saml:Assertion",
				Fix: "Turn on assertion encryption in " + p.facts.idp() + " with the certificate of the key the provider holds, or set the provider to Allowed: aws iam update-saml-provider --saml-provider-arn " + p.facts.providerOr() + " --assertion-encryption-mode Allowed."})
		}
		if len(r.EncryptedAssertions) > 0 && prov.PrivateKeys == 0 {
			p.Report(Finding{Message: "the assertion is encrypted, but the IAM SAML provider holds no private key to decrypt it", Location: xmlAt(r.EncryptedAssertions[0].Path),
				Expected: "a private key in the provider's PrivateKeyList", Actual: "PrivateKeyList is empty in " + prov.Source,
				Fix: "Register the private key the IdP encrypts for: aws iam update-saml-provider --saml-provider-arn " + p.facts.providerOr() + " --add-private-key file://private-key.pem; or turn encryption off in " + p.facts.idp() + "."})
		}
		if prov.UUID == "" {
			return
		}
		check := func(url, path string) {
			_, id, ok := strings.Cut(url, "/saml/acs/")
			if !ok || id == prov.UUID {
				return
			}
			p.Report(Finding{Message: "the provider-specific endpoint names another IAM SAML provider", Location: xmlAt(path),
				Expected: strings.Replace(url, "/saml/acs/"+id, "/saml/acs/"+prov.UUID, 1), Actual: url,
				Fix: "Set " + p.facts.idp() + "'s ACS URL to " + strings.Replace(url, "/saml/acs/"+id, "/saml/acs/"+prov.UUID, 1) + ", the URL on this provider's page (SAMLProviderUUID in " + prov.Source + ")" + audNote(strings.Replace(url, "/saml/acs/"+id, "/saml/acs/"+prov.UUID, 1)) + "."})
		}
		if a := r.Consumed(); a != nil && a.Subject != nil {
			for _, sc := range a.Subject.Confirmations {
				check(sc.Recipient, sc.DataPath+"/@Recipient")
			}
		} else if r.Destination != "" {
			check(r.Destination, r.Path+"/@Destination")
		}
	},
}

var sessionTagsInvalid = &Rule{
	ID: "aws/session-tags-invalid", Severity: Error, Scope: ScopeAWS, Setting: SettingTags,
	Advice: []string{"at most 50", "[\\p{L}", "distinct keys", "one AttributeValue", "0–256 of", "a key sent as PrincipalTag", "one value", "[a-zA-Z_0-9+=,.@-]{2,64}"},
	Title:  "PrincipalTag, TransitiveTagKeys or SourceIdentity break STS limits",
	Why: "STS accepts at most 50 session tags; keys 1–128 and values 0–256 characters of letters, digits, spaces and _.:/=+-@, not " +
		"starting with aws:, one value each (\"AWS STS does not support multi-valued session tags\"); keys are case-insensitive. " +
		"SourceIdentity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with aws: (\"Source Identity must match …\", " +
		"InvalidIdentityToken).",
	Fix:        "Fix the tag attributes in the IdP: one single-valued attribute per tag, valid keys and values.",
	References: []string{refTags},
	Symptoms:   []string{"Source Identity must match", "AWS STS does not support multi-valued session tags"},
	Rank:       6,
	Check: func(p *Pass) {
		a := p.Assertion()
		if a == nil {
			return
		}
		tags := map[string]string{}
		var tagAttrs []*saml.Attribute
		for _, at := range a.Attributes {
			if strings.HasPrefix(at.Name, AttrPrincipalTag) {
				tagAttrs = append(tagAttrs, at)
			}
		}
		if len(tagAttrs) > 50 {
			p.Report(Finding{Message: fmt.Sprintf("%d session tags; STS allows 50", len(tagAttrs)), Location: xmlAt(tagAttrs[50].Path), Expected: "at most 50", Actual: fmt.Sprint(len(tagAttrs)),
				Fix: "Send fewer PrincipalTag attributes."})
		}
		for _, at := range tagAttrs {
			key := strings.TrimPrefix(at.Name, AttrPrincipalTag)
			switch {
			case !validTagKey(key):
				p.Report(Finding{Message: fmt.Sprintf("tag key %q is not 1–128 allowed characters", key), Location: xmlAt(at.Path + "/@Name"), Expected: "[\\p{L}\\p{Z}\\p{N}_.:/=+-@]{1,128}", Actual: key, Fix: "Rename the tag."})
			case strings.HasPrefix(strings.ToLower(key), "aws:"):
				p.Report(Finding{Message: "tag key starts with aws:, which is reserved", Location: xmlAt(at.Path + "/@Name"), Expected: at.Name[:len(at.Name)-len(key)] + key[len("aws:"):], Actual: key, Fix: "Rename the tag: drop the aws: prefix."})
			}
			if prev, dup := tags[strings.ToLower(key)]; dup {
				p.ReportAt(Warning, Finding{Message: fmt.Sprintf("tag keys %q and %q collide: session tag keys are case-insensitive", prev, key), Location: xmlAt(at.Path), Expected: "distinct keys", Actual: key,
					Fix: "Keep one of the two tags."})
			}
			tags[strings.ToLower(key)] = key
			if len(at.Values) != 1 {
				p.Report(Finding{Message: fmt.Sprintf("tag %q has %d values; session tags are single-valued", key, len(at.Values)), Location: xmlAt(at.Path), Expected: "one AttributeValue", Actual: fmt.Sprint(len(at.Values)),
					Fix: "Send one value for the tag (join several into one string if the policy needs them)."})
				continue
			}
			if v := at.Values[0]; !validTagValue(v.Value) || strings.HasPrefix(strings.ToLower(v.Value), "aws:") {
				p.Report(Finding{Message: fmt.Sprintf("tag %q has a value STS refuses", key), Location: xmlAt(v.Path), Expected: "0–256 of [\\p{L}\\p{Z}\\p{N}_.:/=+-@], not starting with aws:", Actual: strconv.Quote(v.Value),
					Fix: "Change the value the IdP maps to this tag."})
			}
		}
		if at := a.Attribute(AttrTransitiveTagKeys); at != nil {
			for _, v := range at.Values {
				if _, ok := tags[strings.ToLower(v.Value)]; !ok {
					p.ReportAt(Warning, Finding{Message: fmt.Sprintf("TransitiveTagKeys names %q, which no PrincipalTag sends", v.Value), Location: xmlAt(v.Path),
						Expected: "a key sent as PrincipalTag", Actual: v.Value, Fix: "Send the tag or drop it from TransitiveTagKeys."})
				}
			}
		}
		if at := a.Attribute(AttrSourceIdentity); at != nil {
			if len(at.Values) != 1 {
				p.Report(Finding{Message: "SourceIdentity must have exactly one value", Location: xmlAt(at.Path), Expected: "one value", Actual: fmt.Sprint(len(at.Values)), Fix: "Send one SourceIdentity value."})
			} else if v := at.Values[0]; !validSessionName(v.Value) || strings.HasPrefix(strings.ToLower(v.Value), "aws:") {
				p.Report(Finding{Message: "SourceIdentity is not 2–64 characters of [A-Za-z0-9_+=,.@-] not starting with aws:", Location: xmlAt(v.Path),
					Expected: "[a-zA-Z_0-9+=,.@-]{2,64}, not beginning with aws:", Actual: strconv.Quote(v.Value), Fix: "Map SourceIdentity to the user name or e-mail."})
			}
		}
	},
}

var responseTooLarge = &Rule{
	ID: "aws/response-too-large", Severity: Error, Scope: ScopeAWS,
	Advice:     []string{"at most "},
	PastLimits: true,
	Title:      "the SAMLResponse is over 100,000 base64 characters, or holds more than samllint checks",
	Why: "AWS limits the base64 SAMLResponse to 100,000 characters; " +
		"users mapped to hundreds of roles or large group claims exceed it. " +
		"A response that holds far more elements, signatures, attributes or namespace prefixes than any IdP sends " +
		"is not checked further (its signatures are not canonicalized), so that no input can cost samllint more than linear time: " +
		"an error when it is also over AWS's limit, else a warning, since AWS does not document what it does with such a response.",
	Fix:        "Send fewer roles or attributes: turn off \"Join all roles\", filter groups, or split the IdP application.",
	References: []string{refSTSAPI},
	Check: func(p *Pass) {
		if p.Capture == nil {
			return
		}
		n := (len(p.Capture.XML) + 2) / 3 * 4
		if ex := p.Response.Exceeded; ex != nil {
			loc := xmlAt(or(ex.Path, p.Response.Path))
			f := Finding{Location: loc, Expected: fmt.Sprintf("at most %d %s", ex.Limit, ex.What), Actual: fmt.Sprintf("more than %d", ex.Limit),
				Fix: "Look at what built this response: no IdP sends " + ex.What + " in these numbers. Reduce the roles and attributes " + p.facts.idp() + " sends for this application."}
			if n > 100000 {
				f.Message = fmt.Sprintf("the SAMLResponse is %d base64 characters (AWS accepts 100,000) and holds %s; nothing else was checked", n, ex)
				p.Report(f)
				return
			}
			f.Message = fmt.Sprintf("the response holds %s, far beyond what any IdP sends; nothing else was checked, and AWS does not document what it does with such a response", ex)
			p.ReportAt(Warning, f)
			return
		}
		if n > 100000 {
			p.Report(Finding{Message: fmt.Sprintf("the SAMLResponse is %d base64 characters; AWS accepts 100,000", n), Location: xmlAt(p.Response.Path),
				Expected: "at most 100000", Actual: fmt.Sprint(n), Fix: "Reduce the roles and attributes " + p.facts.idp() + " sends for this application."})
		}
	},
}
