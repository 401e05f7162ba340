package main

import (
	"strings"
	"time"

	"github.com/beevik/etree"
)

// shape is how one IdP writes its AWS response, as its documentation and
// public captures show it: prefixes (or Entra's and AD FS's default
// namespace), what it signs, NameID, the Role value's order, lifetimes,
// audience and extra claims. Every shape is signed with the test IdP key
// and linted against metadata naming its own issuer.
type shape struct {
	name      string // file prefix: idp-<name>-…
	issuer    string
	pfxP      string // protocol prefix
	pfxA      string // assertion prefix; "" writes <Assertion xmlns="…">
	signA     bool
	signR     bool
	nameFmt   string
	nameID    string
	role      []string // Role values
	session   string   // RoleSessionName; "" leaves it out
	duration  string   // SessionDuration; "" leaves it out
	validity  time.Duration
	audience  string
	extra     [][2]string // more attributes, name → value
	authnCtx  string
	relay     string
	respIssue bool // the Response carries an Issuer too
}

func provider(name string) string { return "arn:aws:iam::" + account + ":saml-provider/" + name }
func role(name string) string     { return "arn:aws:iam::" + account + ":role/" + name }

// shapes are the IdPs the golden corpus covers beside Okta.
func shapes() []shape {
	const pw = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
	const persistent = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
	const email = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
	const unspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
	ms := "http://schemas.microsoft.com/identity/claims/"
	return []shape{
		// Entra ID's gallery app: default namespace, only the assertion
		// signed, persistent NameID, provider ARN first, a 60-minute
		// lifetime, https://signin.aws.amazon.com/saml as audience, and
		// Microsoft's own claims beside AWS's.
		{name: "entra", issuer: "https://sts.windows.net/8d3f2a1b-4c5e-4f60-8a7b-9c0d1e2f3a4b/", pfxP: "samlp", pfxA: "", signA: true,
			nameFmt: persistent, nameID: "k3Jx9q2LwVbT5nR8yZ1aP0sD4fG7hJ6mQ_cX2vB9nE0",
			role: []string{provider("EntraID") + "," + role("ConnectAgent")}, session: "jane.doe@example.com", duration: "28800",
			validity: 60 * time.Minute, audience: "https://signin.aws.amazon.com/saml", authnCtx: pw, relay: relayState, respIssue: true,
			extra: [][2]string{{ms + "tenantid", "8d3f2a1b-4c5e-4f60-8a7b-9c0d1e2f3a4b"}, {ms + "objectidentifier", "5b2c7d9e-1f3a-4b6c-8d0e-2f4a6b8c0d1e"},
				{ms + "displayname", "Jane Doe"}, {ms + "identityprovider", "https://sts.windows.net/8d3f2a1b-4c5e-4f60-8a7b-9c0d1e2f3a4b/"},
				{ms + "authnmethodsreferences", "http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password"}}},
		// AD FS with the AWS relying-party trust: default namespace, only
		// the assertion signed, a persistent DOMAIN\user NameID, provider
		// first, RoleSessionName from the UPN.
		{name: "adfs", issuer: "http://adfs.example.com/adfs/services/trust", pfxP: "samlp", pfxA: "", signA: true,
			nameFmt: persistent, nameID: `EXAMPLE\jdoe`,
			role: []string{provider("ADFS") + "," + role("ConnectAgent")}, session: "jdoe@example.com",
			validity: 60 * time.Minute, audience: "urn:amazon:webservices", authnCtx: "urn:federation:authentication:windows", respIssue: true},
		// Google Workspace: only the Response signed, an unspecified
		// NameID, no SessionDuration.
		{name: "google", issuer: "https://accounts.google.com/o/saml2?idpid=C01abcd2e", pfxP: "saml2p", pfxA: "saml2", signR: true,
			nameFmt: unspecified, nameID: "jane.doe@example.com",
			role: []string{role("ConnectAgent") + "," + provider("GoogleApps")}, session: "jane.doe@example.com",
			validity: 5 * time.Minute, audience: "urn:amazon:webservices", authnCtx: "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified", respIssue: true},
		// Keycloak with "Single Role Attribute" on: both signed, one Role
		// attribute holding two values, basic attribute names for others.
		{name: "keycloak", issuer: "https://keycloak.example.com/realms/aws", pfxP: "samlp", pfxA: "saml", signA: true, signR: true,
			nameFmt: persistent, nameID: "G-4f1c2d3e-5a6b-7c8d-9e0f-1a2b3c4d5e6f",
			role: []string{role("ConnectAgent") + "," + provider("keycloak"), role("ConnectSupervisor") + "," + provider("keycloak")}, session: "jdoe",
			duration: "3600", validity: time.Minute, audience: "urn:amazon:webservices", authnCtx: pw, relay: relayState, respIssue: true},
		// JumpCloud: assertion and response signed, e-mail NameID.
		{name: "jumpcloud", issuer: "JumpCloud-AWS", pfxP: "saml2p", pfxA: "saml2", signA: true, signR: true,
			nameFmt: email, nameID: "jane.doe@example.com",
			role: []string{role("ConnectAgent") + "," + provider("JumpCloud")}, session: "jane.doe@example.com", duration: "3600",
			validity: 10 * time.Minute, audience: "urn:amazon:webservices", authnCtx: pw, relay: relayState, respIssue: true},
		// OneLogin: the assertion signed.
		{name: "onelogin", issuer: "https://app.onelogin.com/saml/metadata/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d", pfxP: "samlp", pfxA: "saml", signA: true,
			nameFmt: email, nameID: "jane.doe@example.com",
			role: []string{role("ConnectAgent") + "," + provider("OneLogin")}, session: "jane.doe@example.com", duration: "900",
			validity: 3 * time.Minute, audience: "https://signin.aws.amazon.com/saml", authnCtx: pw, relay: relayState, respIssue: true},
		// PingOne / PingFederate: the response signed, persistent NameID.
		{name: "ping", issuer: "https://auth.pingone.com/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", pfxP: "samlp", pfxA: "saml", signR: true,
			nameFmt: persistent, nameID: "jdoe",
			role: []string{role("ConnectAgent") + "," + provider("PingOne")}, session: "jdoe@example.com",
			validity: 5 * time.Minute, audience: "urn:amazon:webservices", authnCtx: pw, relay: relayState, respIssue: true},
		// IAM Identity Center as an external IdP for Connect (a customer
		// managed SAML application): both signed.
		{name: "identity-center", issuer: "https://portal.sso.us-east-1.amazonaws.com/saml/assertion/MTIzNDU2Nzg5MDEyX2lucy0wMTIzNDU2Nzg5", pfxP: "saml2p", pfxA: "saml2", signA: true, signR: true,
			nameFmt: email, nameID: "jane.doe@example.com",
			role: []string{role("ConnectAgent") + "," + provider("IdentityCenter")}, session: "jane.doe@example.com", duration: "28800",
			validity: 5 * time.Minute, audience: "urn:amazon:webservices", authnCtx: pw, relay: relayState, respIssue: true},
		// Salesforce Service Cloud Voice: the Connect user and the
		// RoleSessionName are alias@userid@orgid.
		{name: "salesforce", issuer: "https://example.my.salesforce.com", pfxP: "samlp", pfxA: "saml", signR: true,
			nameFmt: unspecified, nameID: "jdoe@example.com",
			role: []string{role("ConnectAgent") + "," + provider("Salesforce")}, session: "jdoe@0055g00000AbCdEAAX@00D5g000004XyZaEAJ",
			validity: 5 * time.Minute, audience: "urn:amazon:webservices", authnCtx: pw, relay: relayState, respIssue: true},
	}
}

// fault is one typical mistake in an IdP's shape, and the rule that names it.
type fault struct {
	shape, name, note, rule string
	edit                    func(*shape)
}

func faults() []fault {
	return []fault{
		{"entra", "guest-upn", "RoleSessionName mapped to user.userprincipalname for a guest (#EXT#)", "aws/role-session-name-invalid",
			func(s *shape) { s.session = "jane.doe_partner.com#EXT#@example.onmicrosoft.com" }},
		{"adfs", "windows-account-name", `RoleSessionName from the Windows account name (DOMAIN\user)`, "aws/role-session-name-invalid",
			func(s *shape) { s.session = `EXAMPLE\jdoe` }},
		{"google", "role-attribute-name", "the custom attribute sent as \"Role\", without the AWS namespace", "aws/role-attribute-missing",
			func(s *shape) { s.extra = [][2]string{{"Role", s.role[0]}}; s.role = nil }},
		{"keycloak", "role-attributes-split", "\"Single Role Attribute\" off: one Role attribute per role", "aws/role-arn-malformed",
			func(s *shape) {
				s.extra = [][2]string{{"https://aws.amazon.com/SAML/Attributes/Role", s.role[1]}}
				s.role = s.role[:1]
			}},
		{"jumpcloud", "no-session-name", "the RoleSessionName attribute left out", "aws/role-session-name-missing",
			func(s *shape) { s.session = "" }},
		{"onelogin", "session-duration", "SessionDuration set to 24 hours", "aws/session-duration-invalid",
			func(s *shape) { s.duration = "86400" }},
		{"ping", "session-name-typo", "RoleSessioName, as a Ping guide misspells it", "aws/role-session-name-missing",
			func(s *shape) {
				s.extra = [][2]string{{"https://aws.amazon.com/SAML/Attributes/RoleSessioName", s.session}}
				s.session = ""
			}},
		{"identity-center", "reserved-role", "the role of an Identity Center permission set named in the Role value", "aws/role-identity-center",
			func(s *shape) {
				s.role = []string{"arn:aws:iam::" + account + ":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ConnectAgent_5f8c0a1b2c3d4e5f," + provider("IdentityCenter")}
			}},
		{"salesforce", "access-url", "the Connect access URL as RelayState", "connect/relay-state-invalid",
			func(s *shape) { s.relay = "https://example-corp.my.connect.aws/ccp-v2" }},
		{"entra", "certificate-rotated", "a new signing certificate made active in Entra before IAM got the new metadata", "saml/signature-untrusted",
			func(s *shape) { s.name += "-rotated" }},
	}
}

// buildShape writes and signs a response in the shape.
func buildShape(p pair, s shape, id string) []byte {
	const nsP = "urn:oasis:names:tc:SAML:2.0:protocol"
	const nsA = "urn:oasis:names:tc:SAML:2.0:assertion"
	q := func(tag string) string {
		if s.pfxA == "" {
			return tag
		}
		return s.pfxA + ":" + tag
	}
	a := etree.NewElement(q("Assertion"))
	if s.pfxA == "" {
		a.CreateAttr("xmlns", nsA)
	} else {
		a.CreateAttr("xmlns:"+s.pfxA, nsA)
	}
	a.CreateAttr("ID", id+"-assertion")
	a.CreateAttr("IssueInstant", ts(0))
	a.CreateAttr("Version", "2.0")
	a.CreateElement(q("Issuer")).SetText(s.issuer)
	subj := a.CreateElement(q("Subject"))
	nid := subj.CreateElement(q("NameID"))
	nid.CreateAttr("Format", s.nameFmt)
	nid.SetText(s.nameID)
	scd := subj.CreateElement(q("SubjectConfirmation"))
	scd.CreateAttr("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer")
	data := scd.CreateElement(q("SubjectConfirmationData"))
	data.CreateAttr("NotOnOrAfter", ts(s.validity))
	data.CreateAttr("Recipient", acs)
	cond := a.CreateElement(q("Conditions"))
	cond.CreateAttr("NotBefore", ts(-5*time.Minute))
	cond.CreateAttr("NotOnOrAfter", ts(s.validity))
	cond.CreateElement(q("AudienceRestriction")).CreateElement(q("Audience")).SetText(s.audience)
	authn := a.CreateElement(q("AuthnStatement"))
	authn.CreateAttr("AuthnInstant", ts(-2*time.Second))
	authn.CreateAttr("SessionIndex", id+"-session")
	authn.CreateElement(q("AuthnContext")).CreateElement(q("AuthnContextClassRef")).SetText(s.authnCtx)
	st := a.CreateElement(q("AttributeStatement"))
	attr := func(name string, values ...string) {
		at := st.CreateElement(q("Attribute"))
		at.CreateAttr("Name", name)
		for _, v := range values {
			at.CreateElement(q("AttributeValue")).SetText(v)
		}
	}
	if len(s.role) > 0 {
		attr("https://aws.amazon.com/SAML/Attributes/Role", s.role...)
	}
	if s.session != "" {
		attr("https://aws.amazon.com/SAML/Attributes/RoleSessionName", s.session)
	}
	if s.duration != "" {
		attr("https://aws.amazon.com/SAML/Attributes/SessionDuration", s.duration)
	}
	for _, e := range s.extra {
		attr(e[0], e[1])
	}
	if s.signA {
		a = sign(p, a)
	}

	r := etree.NewElement(s.pfxP + ":Response")
	r.CreateAttr("xmlns:"+s.pfxP, nsP)
	r.CreateAttr("Destination", acs)
	r.CreateAttr("ID", id+"-response")
	r.CreateAttr("IssueInstant", ts(0))
	r.CreateAttr("Version", "2.0")
	if s.respIssue {
		iss := r.CreateElement("Issuer")
		iss.CreateAttr("xmlns", nsA)
		iss.SetText(s.issuer)
	}
	r.CreateElement(s.pfxP+":Status").CreateElement(s.pfxP+":StatusCode").CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:Success")
	r.AddChild(a)
	if s.signR {
		r = sign(p, r)
	}
	doc := etree.NewDocument()
	doc.SetRoot(r)
	out, err := doc.WriteToBytes()
	check(err)
	return out
}

// writeShapes writes, for each IdP shape, its metadata, a clean capture
// and one with a typical fault, as golden cases.
func writeShapes(idp, rotated pair) {
	for _, s := range shapes() {
		write("testdata/assertions/golden/idp/"+s.name+"-metadata.xml", metadataXML(idp, s.issuer, "", ""))
		writeShape(idp, s, "idp-"+s.name+"-clean", "a correct "+s.name+" response, in the shape it sends")
	}
	for _, f := range faults() {
		var s shape
		for _, x := range shapes() {
			if x.name == f.shape {
				s = x
			}
		}
		key := idp
		f.edit(&s)
		if strings.HasSuffix(s.name, "-rotated") {
			s.name, key = f.shape, rotated
		}
		writeShape(key, s, "idp-"+f.shape+"-"+f.name, f.note+" (want "+f.rule+")")
	}
}

func writeShape(key pair, s shape, name, note string) {
	xml := buildShape(key, s, "_"+strings.ReplaceAll(name, "-", ""))
	gc := goldenCase{name: name, note: note, enc: "b64", relay: s.relay,
		flags: "--at-issue --metadata idp/" + s.name + "-metadata.xml"}
	if s.relay != "" {
		gc.enc = "form"
	}
	ext, data := encode(gc, xml)
	base := "testdata/assertions/golden/" + name
	write(base+".case.yaml", caseYAML(gc))
	write(base+ext, data)
}
