package main

import (
	"bytes"
	"compress/flate"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/samllint/samllint/internal/test/testkit"
)

// goldenCase is one capture of the golden corpus: a response with one
// problem (signed, so nothing else is wrong), the form it is stored in, and
// the samllint flags it is linted with.
type goldenCase struct {
	name, note string
	enc        string        // b64 b64url xml form url log deflate html har har-posted tracer urlenc
	posted     time.Duration // har-posted: when the browser posted it, after IssueInstant
	relay      string
	flags      string
	key        *pair
	c          change
}

func setAttr(path, attr, value string) func(*etree.Element) {
	return func(el *etree.Element) {
		t := el.FindElement(path)
		if value == "" {
			t.RemoveAttr(attr)
			return
		}
		t.CreateAttr(attr, value)
	}
}

func setText(path, text string) func(*etree.Element) {
	return func(el *etree.Element) { el.FindElement(path).SetText(text) }
}

func attrValue(name string) string {
	return "./AttributeStatement/Attribute[@Name='https://aws.amazon.com/SAML/Attributes/" + name + "']/AttributeValue"
}

func goldenCases(idp, rotated pair) []goldenCase {
	meta := "--metadata ../../metadata/okta-idp-metadata.xml"
	at := "--at-issue " + meta
	return []goldenCase{
		{name: "clean-connect", note: "a good Okta → AWS → Connect sign-in; nothing to report", enc: "form", relay: relayState, flags: at},
		{name: "status-responder", note: "the IdP refused the login and sent no assertion", enc: "xml", flags: at, c: change{unsigned: true, response: func(r *etree.Element) {
			r.RemoveChild(r.FindElement("./Assertion"))
			code := r.FindElement("./Status/StatusCode")
			code.CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:Responder")
			code.CreateElement("saml2p:StatusCode").CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:RequestDenied")
			r.FindElement("./Status").CreateElement("saml2p:StatusMessage").SetText("User is not assigned to this application")
		}}},
		{name: "unsigned", note: "signing switched off in the IdP application", enc: "urlenc", flags: at, c: change{unsigned: true}},
		{name: "edited-after-signing", note: "the RoleSessionName was edited after signing", enc: "b64", flags: at},
		{name: "rotated-certificate", note: "the IdP signs with a new certificate the IAM metadata lacks", enc: "xml", flags: at, key: &rotated},
		{name: "wrapped-assertion", note: "signature wrapping: the signed assertion moved into Extensions, an edited one in its place", enc: "b64", flags: at},
		{name: "sha1", note: "signed with RSA-SHA1", enc: "xml", flags: at},
		{name: "certificate-expiring", note: "linted two weeks before the IdP certificate expires", enc: "b64", flags: "--now 2049-12-17T10:01:00Z --skew 1000000h " + meta},
		{name: "issuer-trailing-slash", note: "the issuer has a trailing slash the metadata entityID lacks", enc: "b64url", flags: at, c: change{
			assertion: setText("./Issuer", issuer+"/"), response: setText("./Issuer", issuer+"/")}},
		{name: "time-format", note: "IssueInstant written without time zone", enc: "xml", flags: "--now 2026-11-20T10:01:00Z " + meta, c: change{response: setAttr(".", "IssueInstant", "2026-11-20 10:00:00")}},
		{name: "expired", note: "posted 20 minutes late: the HAR records it, no flag needed", enc: "har-posted", posted: 20 * time.Minute, relay: relayState, flags: meta},
		{name: "expired-log", note: "a log line, linted at the time it was written", enc: "log", flags: "--now 2026-11-20T10:20:00Z " + meta},
		{name: "not-yet-valid", note: "the IdP clock runs 20 minutes ahead: the browser posted it before it was issued", enc: "har-posted", posted: -20 * time.Minute, relay: relayState, flags: meta},
		{name: "empty-nameid", note: "the NameID mapping is empty", enc: "b64", flags: at, c: change{assertion: setText("./Subject/NameID", "")}},
		{name: "no-recipient", note: "SubjectConfirmationData without Recipient", enc: "xml", flags: at, c: change{assertion: setAttr("./Subject/SubjectConfirmation/SubjectConfirmationData", "Recipient", "")}},
		{name: "too-large", note: "a user in 700 groups mapped to roles", enc: "deflate", flags: at, c: change{assertion: func(a *etree.Element) {
			at := a.FindElement("./AttributeStatement/Attribute[@Name='https://aws.amazon.com/SAML/Attributes/Role']")
			for i := 0; i < 700; i++ {
				at.CreateElement("saml2:AttributeValue").SetText(fmt.Sprintf("arn:aws:iam::%s:role/Team%03d,arn:aws:iam::%s:saml-provider/Okta", account, i, account))
			}
		}}},
		{name: "too-old", note: "the role picker was left open for 7 minutes: the HAR records the late post, no flag needed", enc: "har-posted", posted: 7 * time.Minute, relay: relayState, flags: meta},
		{name: "recipient-slash", note: "the ACS URL has a trailing slash", enc: "html", flags: at, c: change{
			assertion: setAttr("./Subject/SubjectConfirmation/SubjectConfirmationData", "Recipient", acs+"/"), response: setAttr(".", "Destination", acs+"/")}},
		{name: "destination-console", note: "Destination set to the console URL", enc: "b64", flags: at, c: change{response: setAttr(".", "Destination", "https://console.aws.amazon.com/")}},
		{name: "audience-suffix", note: "Entra-style #1 suffix left in the audience", enc: "b64", flags: at, c: change{assertion: setText("./Conditions/AudienceRestriction/Audience", "urn:amazon:webservices#1")}},
		{name: "role-attribute-case", note: "the Role attribute name in lower case", enc: "xml", flags: at, c: change{assertion: setAttr("./AttributeStatement/Attribute[@Name='https://aws.amazon.com/SAML/Attributes/Role']", "Name", "https://aws.amazon.com/SAML/Attributes/role")}},
		{name: "role-provider-only", note: "the Role value holds only the IdP's ARN (the guide's invalid SAML response)", enc: "har", relay: relayState, flags: at, c: change{assertion: setText(attrValue("Role"), "arn:aws:iam::"+account+":saml-provider/Okta")}},
		{name: "role-only", note: "the Role value holds only the role ARN", enc: "b64", flags: at, c: change{assertion: setText(attrValue("Role"), "arn:aws:iam::"+account+":role/ConnectAgent")}},
		{name: "role-pairs-joined", note: "two role pairs joined in one value", enc: "b64", flags: at, c: change{assertion: setText(attrValue("Role"), roleValue("ConnectAgent")+";"+roleValue("ConnectSupervisor"))}},
		{name: "role-cross-account", note: "the provider is in another account", enc: "b64", flags: at, c: change{assertion: setText(attrValue("Role"), "arn:aws:iam::"+account+":role/ConnectAgent,arn:aws:iam::210987654321:saml-provider/Okta")}},
		{name: "session-name-typo", note: "RoleSessioName, as misspelt in a vendor guide", enc: "b64", flags: at, c: change{assertion: setAttr("./AttributeStatement/Attribute[@Name='https://aws.amazon.com/SAML/Attributes/RoleSessionName']", "Name", "https://aws.amazon.com/SAML/Attributes/RoleSessioName")}},
		{name: "session-name-display", note: "RoleSessionName mapped to the display name", enc: "b64", flags: at, c: change{assertion: setText(attrValue("RoleSessionName"), "Jane Doe")}},
		{name: "session-duration", note: "SessionDuration of 24 hours", enc: "b64", flags: at, c: change{assertion: setText(attrValue("SessionDuration"), "86400")}},
		{name: "session-tags", note: "a reserved tag key and a multi-valued tag", enc: "b64", flags: at, c: change{assertion: func(a *etree.Element) {
			at := a.FindElement("./AttributeStatement/Attribute[@Name='https://aws.amazon.com/SAML/Attributes/PrincipalTag:Department']")
			at.CreateElement("saml2:AttributeValue").SetText("Sales")
			st := a.FindElement("./AttributeStatement")
			bad := st.CreateElement("saml2:Attribute")
			bad.CreateAttr("Name", "https://aws.amazon.com/SAML/Attributes/PrincipalTag:aws:team")
			bad.CreateElement("saml2:AttributeValue").SetText("blue")
		}}},
		{name: "relay-access-url", note: "the instance access URL used as RelayState", enc: "tracer", relay: "https://example-corp.my.connect.aws/ccp-v2", flags: at},
		{name: "connect-user-plus", note: "a plus-addressed RoleSessionName Connect cannot hold", enc: "form", relay: relayState, flags: at, c: change{assertion: setText(attrValue("RoleSessionName"), "jane.doe+connect@example.com")}},
		{name: "connect-region", note: "signs in through eu-west-2 for a us-east-1 instance", enc: "form", relay: relayState, flags: at, c: change{
			assertion: setAttr("./Subject/SubjectConfirmation/SubjectConfirmationData", "Recipient", "https://eu-west-2.signin.aws.amazon.com/saml"), response: setAttr(".", "Destination", "https://eu-west-2.signin.aws.amazon.com/saml")}},
		{name: "encrypted", note: "an encrypted assertion, linted without the key", enc: "b64", flags: at, c: change{encrypt: idp.cert}},

		// The IAM and Connect side: the capture with the role's policies.
		{name: "iam-clean", note: "every input given and right: nothing to report", enc: "form", relay: relayState,
			flags: at + " --trust-policy iam/role-good.json --permissions-policy iam/connect-good.json --connect-users iam/users.json"},
		{name: "iam-trust-wrong-provider", note: "the trust policy trusts saml-provider/okta; the assertion names Okta", enc: "form", relay: relayState,
			flags: at + " --trust-policy iam/role-lowercase-provider.json"},
		{name: "iam-trust-assume-role", note: "the CloudFormation role trusts the provider for sts:AssumeRole only", enc: "b64",
			flags: at + " --trust-policy iam/role-assume-role.cfn.json"},
		{name: "iam-trust-regional", note: "posted to the eu-west-2 endpoint; the Terraform trust policy accepts only the global one", enc: "form", relay: relayState,
			flags: at + " --trust-policy iam/role-global-aud.tf.json", c: change{
				assertion: setAttr("./Subject/SubjectConfirmation/SubjectConfirmationData", "Recipient", "https://eu-west-2.signin.aws.amazon.com/saml"), response: setAttr(".", "Destination", "https://eu-west-2.signin.aws.amazon.com/saml")}},
		{name: "iam-trust-sub-type", note: "the trust policy wants persistent NameIDs; Okta sends e-mail", enc: "b64",
			flags: at + " --trust-policy iam/trust-sub-type.json"},
		{name: "iam-trust-no-tag-session", note: "session tags sent; the get-role output's (URL-encoded) policy lacks sts:TagSession", enc: "b64",
			flags: at + " --trust-policy iam/role-no-tagsession.json"},
		{name: "iam-gft-username", note: "the permissions use ${aws:username}", enc: "form", relay: relayState,
			flags: at + " --permissions-policy iam/connect-username.json"},
		{name: "iam-gft-sts", note: "sts:GetFederationToken where connect:GetFederationToken is meant", enc: "form", relay: relayState,
			flags: at + " --permissions-policy iam/connect-sts-action.json"},
		{name: "iam-gft-other-instance", note: "the permission names another Connect instance", enc: "form", relay: relayState,
			flags: at + " --permissions-policy iam/connect-other-instance.json"},
		{name: "iam-connect-user-case", note: "the Connect user is Jane.Doe@example.com", enc: "form", relay: relayState,
			flags: at + " --connect-users iam/users-case.json"},
	}
}

// iamFiles are the policy and Connect-user exports the golden cases use,
// in the forms admins have them.
func iamFiles() map[string]string {
	prov := "arn:aws:iam::" + account + ":saml-provider/Okta"
	trust := func(provider, actions, cond string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},"Action":` + actions + `,"Condition":{"StringEquals":{` + cond + `}}}]}`
	}
	aud := `"SAML:aud":"https://signin.aws.amazon.com/saml"`
	both := `["sts:AssumeRoleWithSAML","sts:TagSession"]`
	good := trust(prov, both, aud)
	getRole := func(doc string) string {
		return `{"Role":{"Path":"/","RoleName":"ConnectAgent","RoleId":"AROAEXAMPLEROLEID0001","Arn":"arn:aws:iam::` + account + `:role/ConnectAgent","MaxSessionDuration":43200,"AssumeRolePolicyDocument":` + doc + `}}`
	}
	perms := func(action, resource string) string {
		return `{"RoleName":"ConnectAgent","PolicyName":"ConnectFederation","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}]}}`
	}
	userRes := "arn:aws:connect:us-east-1:" + account + ":instance/" + instanceID + "/user/${aws:userid}"
	return map[string]string{
		"role-good.json":               getRole(good),
		"role-lowercase-provider.json": getRole(trust("arn:aws:iam::"+account+":saml-provider/okta", both, aud)),
		"role-assume-role.cfn.json":    `{"AWSTemplateFormatVersion":"2010-09-09","Resources":{"ConnectAgent":{"Type":"AWS::IAM::Role","Properties":{"RoleName":"ConnectAgent","AssumeRolePolicyDocument":` + trust(prov, `["sts:AssumeRole","sts:TagSession"]`, aud) + `}}}}`,
		"role-global-aud.tf.json":      `{"resource":{"aws_iam_role":{"connect_agent":{"name":"ConnectAgent","assume_role_policy":` + jsonString(good) + `}}}}`,
		"trust-sub-type.json":          trust(prov, both, aud+`,"SAML:sub_type":"persistent"`),
		"role-no-tagsession.json":      `{"Role":{"RoleName":"ConnectAgent","Arn":"arn:aws:iam::` + account + `:role/ConnectAgent","AssumeRolePolicyDocument":"` + url.QueryEscape(trust(prov, `"sts:AssumeRoleWithSAML"`, aud)) + `"}}`,
		"connect-good.json":            perms("connect:GetFederationToken", userRes),
		"connect-username.json":        perms("connect:GetFederationToken", strings.Replace(userRes, "userid", "username", 1)),
		"connect-sts-action.json":      perms("sts:GetFederationToken", "*"),
		"connect-other-instance.json":  perms("connect:GetFederationToken", strings.Replace(userRes, instanceID, "0b9d2c1e-7a3f-4e8d-9c6b-5a4f3e2d1c0b", 1)),
		"users.json":                   `{"UserSummaryList":[{"Id":"u-1","Arn":"arn:aws:connect:us-east-1:` + account + `:instance/` + instanceID + `/agent/u-1","Username":"jane.doe@example.com"}]}`,
		"users-case.json":              `{"UserSummaryList":[{"Id":"u-1","Username":"Jane.Doe@example.com"},{"Id":"u-2","Username":"ops@example.com"}]}`,
	}
}

func jsonString(s string) string {
	b, err := json.Marshal(s)
	check(err)
	return string(b)
}

// writeGolden writes every golden case: the capture and its .flags file.
func writeGolden(idp, rotated pair) {
	for name, body := range iamFiles() {
		var v any
		check(json.Unmarshal([]byte(body), &v))
		pretty, err := json.MarshalIndent(v, "", "  ")
		check(err)
		write("testdata/assertions/golden/iam/"+name, append(pretty, '\n'))
	}
	for _, gc := range goldenCases(idp, rotated) {
		key := idp
		if gc.key != nil {
			key = *gc.key
		}
		xml := build(key, "_"+strings.ReplaceAll(gc.name, "-", ""), roleValue("ConnectAgent"), gc.c)
		switch gc.name {
		case "edited-after-signing":
			xml = bytes.Replace(xml, []byte(">jane.doe@example.com</saml2:AttributeValue>"), []byte(">admin@example.com</saml2:AttributeValue>"), 1)
		case "wrapped-assertion":
			xml = wrapAssertion(xml)
		case "sha1":
			sha1 = true
			xml = build(key, "_sha1", roleValue("ConnectAgent"), gc.c)
			sha1 = false
		}
		name, data := encode(gc, xml)
		base := "testdata/assertions/golden/" + gc.name
		write(base+".case.yaml", caseYAML(gc))
		if _, err := os.Stat(base + name); err == nil && gc.c.encrypt != nil {
			continue // encryption is randomised: keep the stored capture
		}
		write(base+name, data)
	}
}

func wrapAssertion(xml []byte) []byte {
	out, err := testkit.WrapAssertion(xml)
	check(err)
	return out
}

func encrypt(a *etree.Element, cert *x509.Certificate) *etree.Element {
	ea, err := testkit.EncryptAssertion(a, cert)
	check(err)
	return ea
}

// encode stores a response in the case's encoding; it returns the file
// extension and the bytes.
func encode(gc goldenCase, xml []byte) (string, []byte) {
	b64 := base64.StdEncoding.EncodeToString(xml)
	rsParam := ""
	if gc.relay != "" {
		rsParam = "&RelayState=" + url.QueryEscape(gc.relay)
	}
	switch gc.enc {
	case "xml":
		return ".xml", xml
	case "b64":
		return ".b64", wrap(b64, 76)
	case "b64url":
		return ".txt", []byte(base64.RawURLEncoding.EncodeToString(xml) + "\n")
	case "urlenc":
		return ".txt", []byte(url.QueryEscape(b64) + "\n")
	case "form":
		return ".form", []byte("SAMLResponse=" + url.QueryEscape(b64) + rsParam + "\n")
	case "log":
		return ".log", []byte(`2026-11-20T10:00:01.123Z INFO saml-proxy POST /saml form="SAMLResponse=` + url.QueryEscape(b64) + rsParam + `" status=200` + "\n")
	case "deflate":
		var buf bytes.Buffer
		w, _ := flate.NewWriter(&buf, flate.BestCompression)
		w.Write(xml)
		w.Close()
		return ".txt", wrap(base64.StdEncoding.EncodeToString(buf.Bytes()), 64)
	case "html":
		return ".html", []byte(`<!DOCTYPE html><html><body onload="document.forms[0].submit()"><form method="post" action="` + acs + `"><input type="hidden" name="SAMLResponse" value="` + b64 + `"/></form></body></html>` + "\n")
	case "har":
		return ".har", har(goodSample, xml)
	case "har-posted":
		return ".har", postedHAR(xml, issueInstant.Add(gc.posted), gc.relay)
	case "tracer":
		doc := map[string]any{"requests": []any{map[string]any{
			"requestId": "1", "method": "POST", "url": acs,
			"post":           [][]string{{"SAMLResponse", b64}, {"RelayState", gc.relay}},
			"responseStatus": 302, "responseStatusText": "Found",
			"responseHeaders": []map[string]string{{"name": "location", "value": gc.relay}},
		}}, "timestamp": "2026-11-20T10:00:05.000Z"}
		b, err := json.MarshalIndent(doc, "", "  ")
		check(err)
		return ".json", append(b, '\n')
	}
	panic("unknown encoding " + gc.enc)
}

// caseYAML is the linttest sidecar for a case: the same inputs as its
// .flags, for lint/linttest.
func caseYAML(gc goldenCase) []byte {
	var b strings.Builder
	b.WriteString("# " + gc.note + "\n")
	args := strings.Fields(gc.flags)
	lists := map[string][]string{}
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--at-issue":
			b.WriteString("at_issue: true\n")
		case "--now", "--skew", "--trust-policy", "--connect-users":
			key := strings.ReplaceAll(strings.TrimPrefix(args[i], "--"), "-", "_")
			i++
			b.WriteString(key + ": " + args[i] + "\n")
		case "--metadata", "--permissions-policy":
			key := strings.ReplaceAll(strings.TrimPrefix(args[i], "--"), "-", "_")
			i++
			lists[key] = append(lists[key], args[i])
		default:
			panic("caseYAML: unhandled flag " + args[i])
		}
	}
	for _, key := range []string{"metadata", "permissions_policy"} {
		if len(lists[key]) > 0 {
			b.WriteString(key + ":\n")
			for _, v := range lists[key] {
				b.WriteString("  - " + v + "\n")
			}
		}
	}
	return []byte(b.String())
}
