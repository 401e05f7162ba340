package cli

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/samllint/samllint/internal/test/awstest"

	"github.com/samllint/samllint/internal/test/oktatest"
)

// The stand-in's secrets: none may appear in any output.
const (
	oktaToken  = "00aOktaApiTokenNeverPrinted0123456789abcd"
	oktaAWSKey = "AKIAOKTAINTEGRATION7Q"
	oktaAWSSec = "oktaIntegrationSecret/NeverPrinted+0123"
	oktaApp    = "0oa1connect0AWSapp0h7"
	oktaNow    = "2026-11-20T10:01:00Z"
)

// oktaSetup is one Okta configuration of the AWS app (or a custom SAML
// app), served by the stand-in in the shapes Okta's Applications,
// Application Users and Groups, Groups, and SSO credential keys
// references show.
type oktaSetup struct {
	settings   map[string]any // settings.app of the AWS app
	custom     map[string]any // settings.signOn of a custom SAML app instead
	users      []oktaUser
	groups     []oktaGroup // assigned to the app
	nextKey    bool        // a key for the next rotation, not in IAM's copy
	pageSize   int
	throttle   int
	moreUsers  int  // users beyond these, with the sample's role
	moreBare   bool // those users have no role
	badToken   bool
	keyExpires string
	entityID   string // the app metadata's, when not the captures' Issuer
}

type oktaUser struct {
	login  string
	roles  []string
	groups []string // group names
}

type oktaGroup struct {
	name  string
	roles []string
}

func pemBody(t *testing.T, name string) string {
	b, err := os.ReadFile(repo("testdata", "keys", name))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	s = s[strings.Index(s, "-----\n")+6 : strings.LastIndex(s, "-----END")]
	return strings.Join(strings.Fields(s), "")
}

func (s oktaSetup) serve(t *testing.T) *oktatest.Server {
	t.Helper()
	md, err := os.ReadFile(repo("testdata", "metadata", "okta-idp-metadata.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if s.entityID != "" {
		md = []byte(strings.ReplaceAll(string(md), "http://www.okta.com/exk1fxph8bAbCdEf0h7", s.entityID))
	}
	app := map[string]any{"id": oktaApp, "name": "amazon_aws", "label": "Amazon Connect", "status": "ACTIVE", "signOnMode": "SAML_2_0",
		"credentials": map[string]any{"signing": map[string]any{"kid": "kid-current"}, "userNameTemplate": map[string]any{"template": "${source.login}", "type": "BUILT_IN"}},
		"_links":      map[string]any{"metadata": map[string]any{"href": "https://example.okta.com/api/v1/apps/" + oktaApp + "/sso/saml/metadata"}}}
	settings := map[string]any{"awsEnvironmentType": "aws.amazon", "sessionDuration": 43200, "accessKey": oktaAWSKey, "secretKey": oktaAWSSec}
	for k, v := range s.settings {
		settings[k] = v
	}
	app["settings"] = map[string]any{"app": settings, "signOn": map[string]any{"defaultRelayState": "https://us-east-1.console.aws.amazon.com/connect/federate/4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34"}}
	if s.custom != nil {
		app["name"], app["label"] = "example_connect_1", "Connect (custom SAML)"
		app["settings"] = map[string]any{"app": map[string]any{}, "signOn": s.custom}
	}
	body := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	org := &oktatest.Org{Token: oktaToken, Apps: map[string]string{oktaApp: body(app)}, Users: map[string][]string{}, Groups: map[string][]string{},
		Group: map[string]string{}, Keys: map[string]string{}, Metadata: map[string]string{oktaApp: string(md)}, UserGroups: map[string][]string{}}
	// Another SAML app, so that finding the app by Issuer has a choice.
	org.Apps["0oa9other"] = `{"id":"0oa9other","name":"salesforce","label":"Salesforce","status":"ACTIVE","signOnMode":"SAML_2_0","settings":{"app":{}}}`
	org.Metadata["0oa9other"] = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/exkOTHER"/>`
	groupID := map[string]string{}
	for i, g := range s.groups {
		id := fmt.Sprintf("00gapp%d", i)
		groupID[g.name] = id
		org.Groups[oktaApp] = append(org.Groups[oktaApp], body(map[string]any{"id": id, "priority": i, "lastUpdated": "2026-11-01T00:00:00.000Z", "profile": map[string]any{"samlRoles": g.roles}}))
	}
	users := s.users
	for i := range s.moreUsers {
		u := oktaUser{login: fmt.Sprintf("agent%02d@example.com", i), roles: []string{"ConnectAgent"}}
		if s.moreBare {
			u.roles = nil
		}
		users = append(users, u)
	}
	for i, u := range users {
		id := fmt.Sprintf("00u%03d", i)
		profile := map[string]any{"role": nil}
		if u.roles != nil {
			profile["samlRoles"] = u.roles
		}
		org.Users[oktaApp] = append(org.Users[oktaApp], body(map[string]any{"id": id, "scope": "USER", "status": "PROVISIONED", "credentials": map[string]any{"userName": u.login}, "profile": profile}))
		var gs []string
		for _, name := range u.groups {
			gid := groupID[name]
			if gid == "" {
				gid = "00gx" + fmt.Sprint(len(name))
			}
			gs = append(gs, body(map[string]any{"id": gid, "type": "OKTA_GROUP", "profile": map[string]any{"name": name, "description": ""}}))
		}
		org.UserGroups[id] = gs
	}
	for name, id := range groupID {
		org.Group[id] = body(map[string]any{"id": id, "type": "OKTA_GROUP", "profile": map[string]any{"name": name}})
	}
	expires := s.keyExpires
	if expires == "" {
		expires = "2029-01-01T00:00:00.000Z"
	}
	keys := []map[string]any{{"kty": "RSA", "kid": "kid-current", "use": "sig", "created": "2024-01-01T00:00:00.000Z", "expiresAt": expires, "x5c": []string{pemBody(t, "idp.crt")}, "e": "AQAB", "n": "stand-in"}}
	if s.nextKey {
		keys = append(keys, map[string]any{"kty": "RSA", "kid": "kid-next", "use": "sig", "created": "2026-11-01T00:00:00.000Z", "expiresAt": "2029-11-01T00:00:00.000Z", "x5c": []string{pemBody(t, "idp-rotated.crt")}, "e": "AQAB", "n": "stand-in"})
	}
	org.Keys[oktaApp] = body(keys)
	srv := oktatest.New(t, org)
	if s.pageSize > 0 {
		srv.PageSize = s.pageSize
	}
	srv.Throttle(s.throttle)
	t.Setenv("OKTA_ORG_URL", srv.URL)
	t.Setenv("OKTA_API_TOKEN", oktaToken)
	if s.badToken {
		t.Setenv("OKTA_API_TOKEN", "wrong")
	}
	t.Setenv("OKTA_CLIENT_ID", "")
	return srv
}

// iamProvider is get-saml-provider output holding the sample metadata:
// IAM's copy, with the current certificate only.
func iamProvider(t *testing.T) string {
	md, err := os.ReadFile(repo("testdata", "metadata", "okta-idp-metadata.xml"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"SAMLMetadataDocument": string(md), "SAMLProviderUUID": "SAMLSPD9IMTW2LM46J042K", "ValidUntil": "2125-03-01T10:00:00+00:00"})
	p := filepath.Join(t.TempDir(), "provider.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// preflightBoth runs preflight live, then okta-export and preflight on
// what it wrote, and fails unless the two reports are the same.
func preflightBoth(t *testing.T, args ...string) (int, string) {
	t.Helper()
	all := append([]string{"preflight", "--from-okta", "--okta-app", oktaApp, "--now", oktaNow, "--metadata", iamProvider(t)}, args...)
	code, live, stderr := runCLI(t, "", all...)
	if code == 2 {
		t.Fatalf("preflight: exit 2: %s", stderr)
	}
	dir := t.TempDir()
	if c, out, errOut := runCLI(t, "", "okta-export", "--okta-app", oktaApp, "--out", dir); c != 0 || !strings.Contains(out, "wrote ") {
		t.Fatalf("okta-export: exit %d: %s %s", c, out, errOut)
	}
	file := filepath.Join(dir, "okta-"+oktaApp+".json")
	offline := append([]string{"preflight", "--okta-read", file, "--now", oktaNow, "--metadata", iamProvider(t)}, args...)
	code2, exported, _ := runCLI(t, "", offline...)
	if code2 != code || exported != live {
		t.Errorf("exported: exit %d, live %d; reports differ:\nlive:\n%s\nexported:\n%s", code2, code, live, exported)
	}
	return code, live
}

// TestOkta: Okta's configuration, read live from the stand-in and from
// okta-export's file, predicts who cannot sign in and names the Okta
// field behind a capture's finding.
func TestOkta(t *testing.T) {
	provider := "arn:aws:iam::123456789012:saml-provider/Okta"
	groupMapping := map[string]any{"useGroupMapping": true, "groupFilter": `^aws\#\S+\#(?{{role}}[\w\-]+)\#(?{{accountid}}\d+)$`,
		"roleValuePattern": "arn:aws:iam::${accountid}:saml-provider/Okta,arn:aws:iam::${accountid}:role/${role}"}
	cases := []struct {
		name    string
		setup   oktaSetup
		args    []string
		code    int
		want    []string
		notWant []string
	}{
		{"the guide's mistake: the Identity Provider ARN and no roles", oktaSetup{settings: map[string]any{"identityProviderArn": provider},
			users: []oktaUser{{login: "jane.doe@example.com"}, {login: "john.roe@example.com"}}}, nil, 1,
			[]string{"sign-in would fail (2 of 2)", "jane.doe@example.com  aws/role-missing-role-arn", "john.roe@example.com  aws/role-missing-role-arn",
				"Identity Provider ARN is `" + provider + "`; jane.doe@example.com's SAML roles (Assignments): none", "→ Assignments, give jane.doe@example.com a SAML role"}, nil},
		{"a user assigned with no role beside one with", oktaSetup{settings: map[string]any{"identityProviderArn": provider},
			users: []oktaUser{{login: "jane.doe@example.com", roles: []string{"ConnectAgent"}}, {login: "john.roe@example.com"}}}, nil, 1,
			[]string{"sign-in would fail (1 of 2)", "john.roe@example.com  aws/role-missing-role-arn", "no problem predicted for 1 of 2 users"}, []string{"jane.doe@example.com  aws/"}},
		{"group mapping, a filter that matches", oktaSetup{settings: groupMapping,
			users: []oktaUser{{login: "jane.doe@example.com", groups: []string{"Everyone", "aws#Connect#ConnectAgent#123456789012"}}}}, nil, 0,
			[]string{"no problem predicted for 1 of 1 user"}, nil},
		{"group mapping, a filter that matches nothing", oktaSetup{settings: map[string]any{"useGroupMapping": true, "groupFilter": `^aws_(?{{accountid}}\d+)_(?{{role}}[\w\-]+)$`, "roleValuePattern": groupMapping["roleValuePattern"]},
			users: []oktaUser{{login: "jane.doe@example.com", groups: []string{"Everyone", "aws#Connect#ConnectAgent#123456789012"}}}}, nil, 1,
			[]string{"jane.doe@example.com  aws/role-attribute-missing", "None of jane.doe@example.com's Okta groups (Everyone, aws#Connect#ConnectAgent#123456789012) matches"}, nil},
		{"a role name with a period", oktaSetup{settings: groupMapping,
			users: []oktaUser{{login: "jane.doe@example.com", groups: []string{"aws#Connect#Connect.Agent#123456789012"}}}}, nil, 1,
			[]string{"aws/role-attribute-missing", "okta/group-filter-drops-group", `Okta leaves group "aws#Connect#Connect.Agent#123456789012" out of jane.doe@example.com's roles: its role name has a period`}, nil},
		{"Join all roles off hides a group's roles", oktaSetup{settings: map[string]any{"identityProviderArn": provider},
			groups: []oktaGroup{{"Connect Supervisors", []string{"ConnectSupervisor"}}},
			users:  []oktaUser{{login: "jane.doe@example.com", roles: []string{"ConnectAgent"}, groups: []string{"Connect Supervisors"}}}}, []string{"--fail-on", "info"}, 1,
			[]string{"okta/roles-not-joined", `does not get the SAML roles ConnectSupervisor of group "Connect Supervisors"`}, []string{"ConnectSupervisor,arn"}},
		{"Join all roles on joins them", oktaSetup{settings: map[string]any{"identityProviderArn": provider, "joinAllRoles": true},
			groups: []oktaGroup{{"Connect Supervisors", []string{"ConnectSupervisor"}}},
			users:  []oktaUser{{login: "jane.doe@example.com", roles: []string{"ConnectAgent"}, groups: []string{"Connect Supervisors"}}}}, []string{"--format", "json"}, 0,
			[]string{`"value": "arn:aws:iam::123456789012:role/ConnectSupervisor,` + provider + `"`, `(Join all roles)`}, []string{"okta/roles-not-joined"}},
		{"a next signing key missing from IAM's copy", oktaSetup{settings: map[string]any{"identityProviderArn": provider}, nextKey: true,
			users: []oktaUser{{login: "jane.doe@example.com", roles: []string{"ConnectAgent"}}}}, nil, 0,
			[]string{"sign-in may fail (1 of 1)", "aws/provider-metadata-stale", "Okta holds a signing key for the next rotation, kid-next"}, nil},
		{"a current key expiring within 30 days", oktaSetup{settings: map[string]any{"identityProviderArn": provider}, keyExpires: "2026-12-01T00:00:00.000Z",
			users: []oktaUser{{login: "jane.doe@example.com", roles: []string{"ConnectAgent"}}}}, nil, 0,
			[]string{"Okta's signing key kid-current expires 2026-12-01, and IAM's copy of the metadata holds no certificate to follow it"}, nil},
		{"a custom SAML app with static attribute statements", oktaSetup{custom: customApp(`"arn:aws:iam::123456789012:role/ConnectAgent,` + provider + `"`),
			users: []oktaUser{{login: "jane.doe@example.com"}}}, nil, 0,
			[]string{"no problem predicted for 1 of 1 user"}, nil},
		{"a custom SAML app with an expression", oktaSetup{custom: customApp(`user.awsRole`),
			users: []oktaUser{{login: "jane.doe@example.com"}}}, []string{"--format", "json"}, 0,
			[]string{"its value is the Okta Expression Language expression user.awsRole, which samllint does not evaluate", `"rule": "aws/role-missing-role-arn"`, "samllint cannot predict Role from Okta's configuration"}, []string{`"severity": "error"`}},
		{"25 users without a role: 20 reports, then a count", oktaSetup{settings: map[string]any{"identityProviderArn": provider}, moreUsers: 25, moreBare: true}, nil, 1,
			[]string{"sign-in would fail (25 of 25)", "agent24@example.com  aws/role-missing-role-arn", "agent19@example.com: Role values predicted",
				"… and 5 more users whose sign-in would fail: samllint preflight --user LOGIN prints one's report"}, []string{"agent20@example.com: Role values predicted"}},
		{"3 pages of users, one throttled call", oktaSetup{settings: map[string]any{"identityProviderArn": provider}, pageSize: 2, throttle: 1, moreUsers: 5}, nil, 0,
			[]string{"no problem predicted for 5 of 5 users"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := c.setup.serve(t)
			code, out := preflightBoth(t, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d:\n%s", code, c.code, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("no %q in:\n%s", w, out)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(out, w) {
					t.Errorf("%q in:\n%s", w, out)
				}
			}
			var pages int
			for _, r := range srv.Requests() {
				if !strings.HasPrefix(r, "GET ") || !strings.HasSuffix(r, " SSWS") {
					t.Errorf("request %q: want GETs with the API token only", r)
				}
				if strings.Contains(r, "/apps/"+oktaApp+"/users") {
					pages++
				}
			}
			if c.setup.pageSize == 2 && pages != 2*3 {
				t.Errorf("%d requests for the users' pages, want 3 for each of the two reads: %q", pages, srv.Requests())
			}
		})
	}
}

func customApp(roleValue string) map[string]any {
	return map[string]any{"defaultRelayState": "https://us-east-1.console.aws.amazon.com/connect/federate/4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34",
		"ssoAcsUrl": "https://signin.aws.amazon.com/saml", "recipient": "https://signin.aws.amazon.com/saml", "destination": "https://signin.aws.amazon.com/saml",
		"audience": "urn:amazon:webservices", "subjectNameIdTemplate": "${user.userName}", "subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
		"responseSigned": true, "assertionSigned": true, "signatureAlgorithm": "RSA_SHA256", "digestAlgorithm": "SHA256",
		"attributeStatements": []map[string]any{
			{"type": "EXPRESSION", "name": "https://aws.amazon.com/SAML/Attributes/Role", "namespace": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri", "values": []string{roleValue}},
			{"type": "EXPRESSION", "name": "https://aws.amazon.com/SAML/Attributes/RoleSessionName", "namespace": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri", "values": []string{`"jane.doe@example.com"`}},
		}}
}

// TestOktaCapture: lint --from-okta finds the app by the capture's Issuer
// and names the Okta field behind the guide's mistake, as --okta-read
// does with what okta-export wrote.
func TestOktaCapture(t *testing.T) {
	oktaSetup{settings: map[string]any{"identityProviderArn": "arn:aws:iam::123456789012:saml-provider/Okta"},
		users: []oktaUser{{login: "jane.doe@example.com"}}}.serve(t)
	capture := repo("testdata", "assertions", "okta-role-provider-only.b64")
	md := repo("testdata", "metadata", "okta-idp-metadata.xml")
	code, live, stderr := runCLI(t, "", "--from-okta", "--now", oktaNow, "--metadata", md, capture)
	want := "okta:     Okta app \"Amazon Connect\" (" + oktaApp + ") → Sign On → Identity Provider ARN is `arn:aws:iam::123456789012:saml-provider/Okta`; jane.doe@example.com's SAML roles (Assignments): none"
	if code != 1 || !strings.Contains(live, want) || !strings.Contains(live, "give jane.doe@example.com a SAML role") {
		t.Errorf("exit %d, stderr %q:\n%s", code, stderr, live)
	}
	dir := t.TempDir()
	if c, _, e := runCLI(t, "", "okta-export", "--okta-app", oktaApp, "--out", dir); c != 0 {
		t.Fatal(e)
	}
	_, offline, _ := runCLI(t, "", "--okta-read", filepath.Join(dir, "okta-"+oktaApp+".json"), "--now", oktaNow, "--metadata", md, capture)
	if offline != live {
		t.Errorf("--okta-read reports otherwise than --from-okta:\n%s\n%s", offline, live)
	}
	// A batch reads the app's users once, and each user's groups once:
	// three captures of Jane's, one of John's (the sample, renamed).
	srv := oktaSetup{settings: map[string]any{"identityProviderArn": "arn:aws:iam::123456789012:saml-provider/Okta"},
		groups: []oktaGroup{{"Connect Supervisors", []string{"ConnectSupervisor"}}},
		users:  []oktaUser{{login: "jane.doe@example.com", groups: []string{"Connect Supervisors"}}, {login: "john.roe@example.com"}}}.serve(t)
	b64, err := os.ReadFile(repo("testdata", "assertions", "okta-connect.b64"))
	if err != nil {
		t.Fatal(err)
	}
	xml, _ := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(b64)), ""))
	john := filepath.Join(t.TempDir(), "john.xml")
	os.WriteFile(john, []byte(strings.ReplaceAll(string(xml), "jane.doe@", "john.roe@")), 0o600)
	runCLI(t, "", "--from-okta", "--now", oktaNow, capture, repo("testdata", "assertions", "okta-connect.b64"), repo("testdata", "assertions", "okta-connect.har"), john)
	count := map[string]int{}
	for _, r := range srv.Requests() {
		path, _, _ := strings.Cut(strings.Fields(r)[1], "?")
		count[path]++
	}
	if count["/api/v1/apps/"+oktaApp+"/users"] != 1 || count["/api/v1/users/00u000/groups"] != 1 || count["/api/v1/users/00u001/groups"] != 1 || count["/api/v1/apps"] != 1 {
		t.Errorf("requests for 5 captures of two users: %v", count)
	}
	// The same Okta field in fix's plan.
	if _, out, _ := runCLI(t, "", "fix", "--from-okta", "--now", oktaNow, capture); !strings.Contains(out, "give jane.doe@example.com a SAML role") {
		t.Errorf("fix --from-okta:\n%s", out)
	}
}

// TestOktaErrors: a wrong token, an unknown app and a missing org are one
// line each, exit 2.
func TestOktaErrors(t *testing.T) {
	oktaSetup{users: []oktaUser{{login: "jane.doe@example.com"}}, badToken: true}.serve(t)
	code, _, stderr := runCLI(t, "", "preflight", "--okta-app", oktaApp, "--now", oktaNow)
	if code != 2 || !strings.Contains(stderr, "401 E0000011") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("a wrong token: exit %d, %q", code, stderr)
	}
	oktaSetup{users: []oktaUser{{login: "jane.doe@example.com"}}}.serve(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"preflight", "--now", oktaNow}, "preflight needs the Okta app: --okta-app ID"},
		{[]string{"preflight", "--okta-app", "0oaNOPE", "--now", oktaNow}, "404 E0000007"},
		{[]string{"preflight", "--okta-app", oktaApp, "--user", "nobody@example.com", "--now", oktaNow}, `user "nobody@example.com": not assigned to the app`},
		{[]string{"--okta-app", oktaApp, repo("testdata", "assertions", "okta-connect.b64")}, "--okta-app applies only with --from-okta"},
		{[]string{"--from-okta", "--okta-key", "k.pem", repo("testdata", "assertions", "okta-connect.b64")}, "--okta-key needs OKTA_CLIENT_ID"},
	} {
		code, _, stderr := runCLI(t, "", c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, %q", c.args, code, stderr)
		}
	}
	t.Setenv("OKTA_ORG_URL", "")
	if code, _, stderr := runCLI(t, "", "preflight", "--okta-app", oktaApp); code != 2 || !strings.Contains(stderr, "no Okta org") {
		t.Errorf("no org: exit %d, %q", code, stderr)
	}
}

// TestOktaSecrets: the API token and the app's AWS keys are in no output,
// of any format, --redact or not, nor in okta-export's files.
func TestOktaSecrets(t *testing.T) {
	srv := oktaSetup{settings: map[string]any{"identityProviderArn": "arn:aws:iam::123456789012:saml-provider/Okta"}, nextKey: true,
		users: []oktaUser{{login: "jane.doe@example.com"}}}.serve(t)
	check := func(what, s string) {
		t.Helper()
		for _, secret := range []string{oktaToken, oktaAWSKey, oktaAWSSec} {
			if strings.Contains(s, secret) {
				t.Errorf("%s holds a secret %q", what, secret)
			}
		}
	}
	capture := repo("testdata", "assertions", "okta-role-provider-only.b64")
	for _, f := range []string{"text", "json", "sarif", "github"} {
		for _, red := range []string{"--redact=false", "--redact"} {
			_, out, errOut := runCLI(t, "", "preflight", "--okta-app", oktaApp, "--now", oktaNow, "--format", f, red, "--metadata", iamProvider(t))
			check("preflight --format "+f+" "+red, out+errOut)
			_, out, errOut = runCLI(t, "", "lint", "--from-okta", "--now", oktaNow, "--format", f, red, capture)
			check("lint --from-okta --format "+f+" "+red, out+errOut)
		}
	}
	dir := t.TempDir()
	_, out, errOut := runCLI(t, "", "okta-export", "--okta-app", oktaApp, "--out", dir)
	check("okta-export", out+errOut)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		check(e.Name(), string(b))
	}
	if len(entries) != 2 {
		t.Errorf("okta-export wrote %d files, want 2", len(entries))
	}
	// And a wrong token's error does not echo it.
	t.Setenv("OKTA_API_TOKEN", oktaAWSSec)
	_, out, errOut = runCLI(t, "", "preflight", "--okta-app", oktaApp)
	check("a refused token's error", out+errOut)
	_ = srv
}

// TestOktaWithAWS: preflight --from-aws reads the role, policies, SCPs
// and Connect instance, and each user's Connect account: one of the two
// users has none, and IAM's copy of the metadata lacks Okta's next key.
func TestOktaWithAWS(t *testing.T) {
	oktaSetup{settings: map[string]any{"identityProviderArn": "arn:aws:iam::123456789012:saml-provider/Okta"}, nextKey: true,
		users: []oktaUser{{login: "jane.doe@example.com", roles: []string{"ConnectAgent"}}, {login: "john.roe@example.com", roles: []string{"ConnectAgent"}}}}.serve(t)
	srv := awstest.New(t, awsWorld(t))
	srv.Env(t)
	code, out, stderr := runCLI(t, "", "preflight", "--okta-app", oktaApp, "--from-aws", "--now", oktaNow)
	if code != 1 || !strings.Contains(out, "john.roe@example.com  connect/user-unknown, aws/provider-metadata-stale") ||
		!strings.Contains(out, "jane.doe@example.com  aws/provider-metadata-stale") || strings.Contains(out, "give --trust-policy") {
		t.Errorf("exit %d, stderr %q:\n%s", code, stderr, out)
	}
	n := 0
	for _, r := range srv.Requests() {
		if r == "connect:SearchUsers" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("SearchUsers called %d times, want once for each of the two users", n)
	}
}

// TestPreflightGolden: preflight's report on a committed export, as CI
// keeps one.
func TestPreflightGolden(t *testing.T) {
	for _, f := range []string{"text", "json"} {
		_, out, stderr := runCLI(t, "", "preflight", "--okta-read", repo("testdata", "okta", "guide-mistake.json"), "--now", oktaNow,
			"--metadata", repo("testdata", "metadata", "okta-idp-metadata.xml"), "--format", f)
		if stderr != "" {
			t.Errorf("stderr: %q", stderr)
		}
		golden(t, filepath.Join("okta", "preflight."+f), out)
	}
	// Redacted JSON is laid out as the plain one: no line of only spaces
	// between users or before the array's end.
	_, red, _ := runCLI(t, "", "preflight", "--okta-read", repo("testdata", "okta", "guide-mistake.json"), "--now", oktaNow,
		"--metadata", repo("testdata", "metadata", "okta-idp-metadata.xml"), "--format", "json", "--redact")
	if regexp.MustCompile(`(?m)^ +$`).MatchString(red) || !json.Valid([]byte(red)) {
		t.Errorf("redacted JSON:\n%s", red)
	}
	// SARIF a code-scanning upload takes: valid against the schema, one
	// result per finding, each at its user's path.
	_, out, _ := runCLI(t, "", "preflight", "--okta-read", repo("testdata", "okta", "guide-mistake.json"), "--now", oktaNow,
		"--metadata", repo("testdata", "metadata", "okta-idp-metadata.xml"), "--format", "sarif", "--fail-on", "none")
	validateSARIF(t, out)
	if !strings.Contains(out, `"uri": "okta/0oa1connect0AWSapp0h7/users/john.roe@example.com"`) || !strings.Contains(out, `"ruleId": "okta/roles-not-joined"`) {
		t.Errorf("SARIF:\n%s", out)
	}
}

// TestOktaIssuer: --from-okta finds no app for an Okta Issuer the org
// does not hold (one line, exit 2), and leaves another IdP's capture
// alone without reading Okta.
func TestOktaIssuer(t *testing.T) {
	srv := oktaSetup{users: []oktaUser{{login: "jane.doe@example.com"}}, entityID: "http://www.okta.com/exkSOMEOTHERAPP"}.serve(t)
	code, _, stderr := runCLI(t, "", "--from-okta", "--now", oktaNow, repo("testdata", "assertions", "okta-connect.b64"))
	if code != 2 || !strings.Contains(stderr, "no Okta app found with the Issuer http://www.okta.com/exk1fxph8bAbCdEf0h7 among the org's 2 active SAML apps: name it with --okta-app ID") {
		t.Errorf("an Issuer no app has: exit %d, %q", code, stderr)
	}
	before := len(srv.Requests())
	code, out, stderr := runCLI(t, "", "--from-okta", "--aws", repo("testdata", "corpus", "IdentityPython__pysaml2__tests__attribute_response.xml"))
	if code == 2 || strings.Contains(out, "okta:") || len(srv.Requests()) != before {
		t.Errorf("another IdP's capture: exit %d, %q, %d requests:\n%s", code, stderr, len(srv.Requests())-before, out)
	}
}

// TestOktaServiceApp: preflight reads as an OAuth service app, with
// OKTA_CLIENT_ID and --okta-key and no API token: one token request, then
// GETs with the access token.
func TestOktaServiceApp(t *testing.T) {
	srv := oktaSetup{settings: map[string]any{"identityProviderArn": "arn:aws:iam::123456789012:saml-provider/Okta"},
		users: []oktaUser{{login: "jane.doe@example.com", roles: []string{"ConnectAgent"}}}}.serve(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	keyFile := filepath.Join(t.TempDir(), "service-app.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	srv.Org.ClientID, srv.Org.ClientKey, srv.Org.AccessToken = "0oaServiceApp", &key.PublicKey, "eyStandInAccessToken"
	t.Setenv("OKTA_API_TOKEN", "")
	t.Setenv("OKTA_CLIENT_ID", "0oaServiceApp")
	code, out, stderr := runCLI(t, "", "preflight", "--okta-app", oktaApp, "--okta-key", keyFile, "--now", oktaNow, "--metadata", iamProvider(t))
	if code != 0 || !strings.Contains(out, "no problem predicted for 1 of 1 user") {
		t.Errorf("exit %d, %q:\n%s", code, stderr, out)
	}
	reqs := srv.Requests()
	if len(reqs) == 0 || !strings.HasPrefix(reqs[0], "POST /oauth2/v1/token") {
		t.Fatalf("requests %q", reqs)
	}
	for _, r := range reqs[1:] {
		if !strings.HasPrefix(r, "GET ") || !strings.HasSuffix(r, " Bearer") {
			t.Errorf("request %q: want GETs with the access token", r)
		}
	}
	if strings.Contains(out+stderr, "eyStandInAccessToken") {
		t.Error("the access token was printed")
	}
}

// TestOktaProvider: the issue's own example. Okta's Identity Provider ARN
// is …/Okta while the role trusts …/OktaConnect: the finding names the
// Okta field, IAM's provider, and sets the field to it; preflight says
// the same before anyone signs in.
func TestOktaProvider(t *testing.T) {
	oktaSetup{settings: map[string]any{"identityProviderArn": "arn:aws:iam::123456789012:saml-provider/Okta"},
		users: []oktaUser{{login: "jane.doe@example.com", roles: []string{"ConnectAgent"}}}}.serve(t)
	trust := filepath.Join(t.TempDir(), "trust.json")
	if err := os.WriteFile(trust, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/OktaConnect"},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	want := []string{"okta:     Okta app \"Amazon Connect\" (" + oktaApp + ") → Sign On → Identity Provider ARN is `arn:aws:iam::123456789012:saml-provider/Okta`; IAM's provider, as the role's trust policy names it, is `arn:aws:iam::123456789012:saml-provider/OktaConnect`",
		"→ Sign On → Identity Provider ARN, set the provider to arn:aws:iam::123456789012:saml-provider/OktaConnect, the one the role trusts"}
	_, live, _ := runCLI(t, "", "--from-okta", "--now", oktaNow, "--trust-policy", trust, repo("testdata", "assertions", "okta-connect.b64"))
	_, pre, _ := runCLI(t, "", "preflight", "--okta-app", oktaApp, "--now", oktaNow, "--trust-policy", trust)
	for _, out := range []string{live, pre} {
		for _, w := range want {
			if !strings.Contains(out, "error   aws/trust-principal") || !strings.Contains(out, w) {
				t.Errorf("no %q in:\n%s", w, out)
			}
		}
	}
}
