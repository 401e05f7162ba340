package lint

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/samllint/samllint/internal/base/lazyre"
)

// relayAt locates a finding in the RelayState.
var relayAt = Location{Source: SourceRelayState, Path: "RelayState"}

var connectARNRe = lazyre.New(`^arn:aws[a-z-]*:connect:([a-z0-9-]+):(\d{12}):instance/([^/]+)`)

var relayStateInvalid = &Rule{
	ID: "connect/relay-state-invalid", Severity: Error, Scope: ScopeConnect, Setting: SettingRelayState,
	Advice: []string{"<region>", "<instance-id>", "(or another encoded path)", "an encoded path such as"},
	Title:  "RelayState is not the Connect federation URL",
	Why: "After AWS federation the browser goes where the RelayState says; Amazon Connect needs exactly " +
		"https://<region>.console.aws.amazon.com/connect/federate/<instance-id> (GovCloud: https://console.amazonaws-us-gov.com/connect/federate/<instance-id>), " +
		"optionally ?destination=<URL-encoded path>. Without it users land in the AWS console; with the instance access URL or an alias they get " +
		"Connect's login page or \"Session Expired\".",
	Fix:        "Set the IdP application's default RelayState to https://<region>.console.aws.amazon.com/connect/federate/<instance-id>.",
	References: []string{refConnect},
	Symptoms:   []string{"Session Expired", "lands in the AWS Management Console instead of Amazon Connect"},
	Rank:       4,
	Confirm:    "the RelayState (a HAR export of the sign-in keeps it beside the SAMLResponse)",
	Check: func(p *Pass) {
		c := p.facts
		want := federateURL(c.regionOr(), c.instanceOr())
		fix := "Set the default RelayState to " + want + ": " + c.where(SettingRelayState) + "."
		if c.relay == nil {
			p.Report(Finding{Message: "there is no RelayState: users land in the AWS console, not in Connect", Location: relayAt,
				Expected: want, Actual: "(none)", Fix: fix})
			return
		}
		ri := c.relay
		bad := func(msg string) {
			p.Report(Finding{Message: msg, Location: relayAt, Expected: want, Actual: ri.Raw, Fix: fix})
		}
		if !ri.OK {
			bad("the RelayState is not a Connect federation URL: " + relayMistake(ri.URL))
			return
		}
		switch {
		case ri.Instance == "":
			bad("the RelayState has no instance ID after /connect/federate/")
			return
		case connectARNRe.MatchString(ri.Instance) || strings.HasPrefix(ri.Instance, "arn:"):
			bad("the RelayState carries an instance ARN; it needs the bare instance ID")
			return
		case !uuidRe.MatchString(ri.Instance):
			msg := fmt.Sprintf("%q is not an instance ID (a UUID such as 4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34)", ri.Instance)
			if strings.EqualFold(ri.Instance, strings.ToLower(ri.Instance)) && len(ri.Instance) < 36 && strings.Count(ri.Instance, "-") > 0 {
				msg += "; it looks truncated"
			} else if !strings.Contains(ri.Instance, "-") {
				msg += "; it looks like the instance alias"
			}
			bad(msg)
			return
		case !ri.GovCloud && !ri.Regionless && !regions[ri.Region]:
			bad(fmt.Sprintf("%q is not an AWS region", ri.Region))
			return
		}
		if ri.Encoded {
			p.Report(Finding{Message: "the RelayState is URL-encoded once too often", Location: relayAt, Expected: ri.URL, Actual: ri.Raw,
				Fix: "Enter the RelayState in " + c.idp() + " unencoded: " + ri.URL + "."})
		}
		// console.aws.amazon.com is us-east-1's console: right for an
		// instance there, wrong for one elsewhere. With the region
		// unknown there is no value to expect, only the condition.
		if ri.Regionless && p.facts.expect.Region == "" {
			p.ReportAt(Warning, Finding{Message: "the RelayState has no region: console.aws.amazon.com is us-east-1's console, so it reaches only an instance in us-east-1", Location: relayAt,
				Expected: federateURL("<region>", ri.Instance), Actual: ri.Raw,
				Fix: "If the instance is in another region, name it in the host: " + federateURL("<region>", ri.Instance) + " (--region checks it)."})
		}
		if e := p.facts.expect.ConnectInstance; e != "" && e != ri.Instance {
			p.Report(Finding{Message: "the RelayState names another Connect instance than the one you gave", Location: relayAt,
				Expected: federateURL(ri.Region, e), Actual: ri.Raw, Fix: "Set the RelayState to " + federateURL(ri.Region, e) + "."})
		}
		if e := p.facts.expect.Region; e != "" && e != ri.Region {
			msg := "the RelayState names another region than the one you gave"
			if ri.Regionless {
				msg = "the RelayState has no region, which means us-east-1, but the instance is in " + e
			}
			p.Report(Finding{Message: msg, Location: relayAt,
				Expected: federateURL(e, ri.Instance), Actual: ri.Raw, Fix: "Set the RelayState to " + federateURL(e, ri.Instance) + "."})
		}
		if ri.RawQuery != "" {
			if d, ok := ri.Query["destination"]; ok {
				raw := rawParam(ri.RawQuery, "destination")
				switch {
				case len(d) == 0 || d[0] == "":
					p.Report(Finding{Message: "the destination parameter is empty", Location: relayAt, Expected: "destination=%2Fccp-v2 (or another encoded path)", Actual: ri.Raw,
						Fix: "Give a destination such as %2Fccp-v2, or drop the parameter."})
				case !strings.HasPrefix(d[0], "/"):
					p.Report(Finding{Message: "the destination is not a path", Location: relayAt, Expected: "an encoded path such as %2Fccp-v2", Actual: d[0],
						Fix: "Use destination=%2Fccp-v2 (the CCP) or %2Fagent-app-v2 (the agent workspace)."})
				case strings.Contains(raw, "/"):
					p.ReportAt(Warning, Finding{Message: "the destination path is not URL-encoded", Location: relayAt, Expected: withParam(ri, "destination", raw, url.QueryEscape(d[0])), Actual: ri.Raw,
						Fix: "Encode the destination: destination=" + url.QueryEscape(d[0]) + "."})
				case strings.HasPrefix(d[0], "/connect/") && ri.Query.Get("new_domain") == "true":
					p.ReportAt(Warning, Finding{Message: "a /connect/ destination with new_domain=true: the new domain has no /connect prefix", Location: relayAt,
						Expected: withParam(ri, "destination", raw, url.QueryEscape(strings.TrimPrefix(d[0], "/connect"))), Actual: ri.Raw,
						Fix: "Drop the /connect prefix from the destination."})
				}
			}
		}
	},
}

// withParam is the RelayState with one query parameter's raw value
// replaced, the rest as the IdP sends it.
func withParam(ri *relayInfo, name, raw, value string) string {
	return strings.Replace(ri.URL, name+"="+raw, name+"="+value, 1)
}

func rawParam(q, name string) string {
	for _, part := range strings.Split(q, "&") {
		if k, v, ok := strings.Cut(part, "="); ok && k == name {
			return v
		}
	}
	return ""
}

func relayMistake(u string) string {
	l := strings.ToLower(u)
	switch {
	case u == "":
		return "it is empty"
	case strings.HasPrefix(l, "arn:"):
		return "it is an ARN; use the federation URL with the bare instance ID"
	case strings.Contains(l, ".my.connect.aws") || strings.Contains(l, ".awsapps.com"):
		return "it is the instance access URL, which starts a separate Connect login instead of federating"
	case strings.HasPrefix(l, "http://"):
		return "it uses http, not https"
	case strings.Contains(l, "/connect/federate") && !strings.HasPrefix(l, "https://"):
		return "it is not an absolute https URL"
	case strings.Contains(l, "console.aws.amazon.com/connect/") && !strings.Contains(l, "/federate/"):
		return "the path must be /connect/federate/<instance-id>"
	case strings.Contains(l, "console.aws.amazon.com") && !strings.Contains(l, "/connect/"):
		return "it points at the AWS console, not at Connect"
	case uuidRe.MatchString(l):
		return "it is only the instance ID; it must be the whole federation URL"
	}
	return "expected https://<region>.console.aws.amazon.com/connect/federate/<instance-id>"
}

var connectUserName = &Rule{
	ID: "connect/user-name", Severity: Error, Scope: ScopeConnect, Setting: SettingSessionName,
	Advice: []string{"a Connect user name:"},
	Title:  "RoleSessionName cannot be an Amazon Connect user name",
	Why: "Connect signs the user in as the Connect user named exactly (case-sensitively) like the RoleSessionName. Connect user names " +
		"allow fewer characters than STS ([A-Za-z0-9_.@-], no + = , or spaces), so such a session can never match a user and Connect " +
		"answers \"Access Denied. Your account has been authenticated, but has not been onboarded to this application.\" " +
		"Connect's CreateUser API also asks for @ only in e-mail form, but Salesforce Service Cloud Voice creates users named " +
		"alias@userid@orgid and sends that as RoleSessionName, so a non-e-mail @ is reported as info only.",
	Fix: "Send as RoleSessionName exactly the Connect user name (letters, digits, _ . @ -; e-mail form if it has @).",
	References: []string{refConnectTS, refConnect, "Amazon Connect API: CreateUser (Username) — https://docs.aws.amazon.com/connect/latest/APIReference/API_CreateUser.html",
		"Salesforce Help: Use Customized Usernames for Contact Centers — https://help.salesforce.com/s/articleView?id=sf.voice_custm_usnm.htm&type=5"},
	Symptoms: []string{"has not been onboarded to this application", "Access Denied. Your account has been authenticated"},
	Rank:     2,
	Check: func(p *Pass) {
		at := p.Attribute(AttrRoleSessionName)
		if at == nil || len(at.Values) != 1 {
			return // aws/role-session-name-* report it
		}
		v := at.Values[0]
		name := v.Value
		var why string
		sev := Error
		switch {
		case !validConnectUser(name):
			for _, r := range name {
				if !strings.ContainsRune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@-", r) {
					why = fmt.Sprintf("it contains %q, which Connect user names cannot", r)
					break
				}
			}
			if why == "" {
				why = "it is not 2–64 characters"
			}
		case strings.Contains(name, "@") && !emailRe.MatchString(name):
			// Connect's API wants e-mail form, yet Salesforce Service Cloud
			// Voice documents alias@userid@orgid as its default user name
			// and RoleSessionName, and it works.
			sev = Info
			why = "Connect's API documents @ only in e-mail form, but Salesforce Service Cloud Voice's alias@userid@orgid names work, so check that a Connect user has exactly this name"
			if sfUserRe.MatchString(name) {
				why = "it has the Salesforce Service Cloud Voice shape (alias@userid@orgid), which Salesforce documents as the Connect user name and which works"
			}
		}
		if why == "" {
			return
		}
		msg := "RoleSessionName " + strconv.Quote(name) + " cannot be a Connect user name: " + why
		if sev == Info {
			msg = "RoleSessionName " + strconv.Quote(name) + " is not an e-mail address: " + why
		}
		p.ReportAt(sev, Finding{Message: msg, Location: xmlAt(v.Path),
			Expected: "a Connect user name: [A-Za-z0-9_.@-]{2,64}, e-mail form if it has @", Actual: name,
			Fix: fmt.Sprintf("Map RoleSessionName in %s to the user's Connect user name (instance %s); user names are case-sensitive.", p.facts.idp(), p.facts.instanceOr())})
	},
}

var regionMismatch = &Rule{
	ID: "connect/region-mismatch", Severity: Info, Scope: ScopeConnect, Setting: SettingACS,
	Title: "the Recipient's sign-in region differs from the Connect instance's region",
	Why: "This works: the global https://signin.aws.amazon.com/saml with an instance in another region is the setup the Okta → Connect " +
		"guide prescribes. Connect only recommends the sign-in endpoint of the instance's region, so that sign-in keeps working when " +
		"us-east-1's sign-in is impaired. If you switch, the trust policy's SAML:aud must list the new endpoint " +
		"(aws/trust-audience checks that) and STS must be enabled in that region.",
	Fix:        "Optional: use the sign-in endpoint of the instance's region as ACS URL, and add it to the trust policy's SAML:aud first.",
	References: []string{refConnect, "AWS Security Blog: How to use regional SAML endpoints for failover — https://aws.amazon.com/blogs/security/how-to-use-regional-saml-endpoints-for-failover/"},
	Check: func(p *Pass) {
		ri := p.facts.relay
		a := p.Assertion()
		if ri == nil || !ri.OK || a == nil || a.Subject == nil {
			return
		}
		// A region AWS does not list is connect/relay-state-invalid's to
		// report; naming its sign-in endpoint would send the admin there.
		if !regions[ri.Region] {
			return
		}
		for _, sc := range a.Subject.Confirmations {
			e, ok := parseEndpoint(sc.Recipient)
			if !ok || RegionPartition(ri.Region) != e.Partition {
				continue
			}
			region := or(e.Region, map[string]string{"aws": "us-east-1", "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"}[e.Partition])
			if region != ri.Region {
				want := e.inRegion(ri.Region)
				p.Report(Finding{Message: fmt.Sprintf("AWS sign-in happens in %s and the Connect instance is in %s; this works, the instance's region is recommended for resilience", region, ri.Region), Location: xmlAt(sc.DataPath + "/@Recipient"),
					Expected: want, Actual: sc.Recipient,
					Fix: fmt.Sprintf("Optionally add %[2]s to the role's trust policy SAML:aud, then set it as %[1]s's ACS URL (STS must be enabled in %[3]s).", p.facts.idp(), want, ri.Region)})
			}
		}
	},
}
