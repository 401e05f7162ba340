package okta_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/samllint/samllint/okta"
)

const provider = "arn:aws:iam::123456789012:saml-provider/Okta"

func org(t *testing.T, app string, users ...string) *okta.Org {
	t.Helper()
	doc := `{"samllint_okta_read":"v1","org":"https://example.okta.com","app":` + app + `,"users":[` + strings.Join(users, ",") + `],"groups":[
	  {"id":"00gsup","priority":1,"profile":{"samlRoles":["ConnectSupervisor"]},"name":"Connect Supervisors"},
	  {"id":"00gadm","priority":0,"profile":{"samlRoles":["arn:aws:iam::123456789012:role/path/Admin"]},"name":"Admins"}],
	  "metadata":"<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"http://www.okta.com/exk1\"/>"}`
	o, err := okta.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func values(p *okta.Prediction) []string {
	var out []string
	for _, r := range p.Roles {
		out = append(out, r.Value)
	}
	return out
}

// TestPredictRoles: the Role values of the AWS app, as Okta documents
// them, for each way roles are given.
func TestPredictRoles(t *testing.T) {
	single := func(join bool) string {
		b, _ := json.Marshal(map[string]any{"id": "0oa1", "name": "amazon_aws", "label": "AWS", "settings": map[string]any{"app": map[string]any{
			"identityProviderArn": provider, "joinAllRoles": join, "sessionDuration": 3600, "awsEnvironmentType": "aws.us_gov"}}})
		return string(b)
	}
	mapping := `{"id":"0oa2","name":"amazon_aws","label":"AWS","settings":{"app":{"useGroupMapping":true,
	  "groupFilter":"aws_(?{{accountid}}\\d+)_(?{{role}}[a-zA-Z0-9+=,@\\-_]+)",
	  "roleValuePattern":"arn:aws:iam::${accountid}:saml-provider/Okta,arn:aws:iam::${accountid}:role/${role}"}}}`
	jane := `{"id":"00u1","credentials":{"userName":"Jane@Example.com"},"profile":{"samlRoles":["ConnectAgent"]},
	  "groups":[{"id":"00gsup","profile":{"name":"Connect Supervisors"}},{"id":"00gadm","profile":{"name":"Admins"}},
	  {"id":"00g3","profile":{"name":"aws_111122223333_ReadOnly"}},{"id":"00g4","profile":{"name":"aws_123456789012_Connect.Agent"}},{"id":"00g5","profile":{"name":"aws_x_ReadOnly"}}]}`
	bare := `{"id":"00u2","credentials":{"userName":"bob@example.com"},"profile":{}}`
	cases := []struct {
		name    string
		o       *okta.Org
		login   string
		want    []string
		hidden  int
		dropped []string
	}{
		{"single account, Join all roles off", org(t, single(false), jane), "jane@example.com",
			[]string{"arn:aws:iam::123456789012:role/ConnectAgent," + provider}, 2, nil},
		{"single account, Join all roles on, by priority, an ARN kept", org(t, single(true), jane), "jane@example.com",
			[]string{"arn:aws:iam::123456789012:role/ConnectAgent," + provider, "arn:aws:iam::123456789012:role/path/Admin," + provider,
				"arn:aws:iam::123456789012:role/ConnectSupervisor," + provider}, 0, nil},
		{"no role: the provider alone", org(t, single(false), bare), "bob@example.com", []string{provider}, 0, nil},
		{"group mapping", org(t, mapping, jane), "jane@example.com",
			[]string{"arn:aws:iam::111122223333:saml-provider/Okta,arn:aws:iam::111122223333:role/ReadOnly"}, 0, []string{"aws_123456789012_Connect.Agent"}},
		{"group mapping, no group", org(t, mapping, bare), "bob@example.com", nil, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := c.o.User(c.login)
			if u == nil {
				t.Fatalf("no user %s", c.login)
			}
			p := c.o.Predict(u)
			if got := values(p); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("roles %q, want %q", got, c.want)
			}
			n := 0
			for _, h := range p.Hidden {
				n += len(h.Roles)
			}
			if n != c.hidden {
				t.Errorf("hidden %+v, want %d roles", p.Hidden, c.hidden)
			}
			var dropped []string
			for _, d := range p.Dropped {
				dropped = append(dropped, d.Group)
			}
			if strings.Join(dropped, ",") != strings.Join(c.dropped, ",") {
				t.Errorf("dropped %q, want %q", dropped, c.dropped)
			}
			if p.Issuer != "http://www.okta.com/exk1" {
				t.Errorf("issuer %q", p.Issuer)
			}
		})
	}
	p := cases[0].o.Predict(cases[0].o.User("jane@example.com"))
	if p.Recipient != "https://signin.amazonaws-us-gov.com/saml" || p.Audience != "urn:amazon:webservices:govcloud" {
		t.Errorf("GovCloud environment: recipient %q, audience %q", p.Recipient, p.Audience)
	}
}

// TestPredictCustom: a custom SAML app's static statements are sent as
// they are; an expression, a GROUP statement and a Name ID template are
// said to be unknown.
func TestPredictCustom(t *testing.T) {
	app := `{"id":"0oa3","name":"example_aws_1","label":"AWS","settings":{"app":{},"signOn":{"ssoAcsUrl":"https://signin.aws.amazon.com/saml","audience":"urn:amazon:webservices",
	  "subjectNameIdTemplate":"${user.email}","attributeStatements":[
	   {"type":"EXPRESSION","name":"https://aws.amazon.com/SAML/Attributes/Role","values":["\"arn:aws:iam::123456789012:role/A,` + provider + `\"","arn:aws:iam::123456789012:role/B,` + provider + `"]},
	   {"type":"EXPRESSION","name":"https://aws.amazon.com/SAML/Attributes/RoleSessionName","values":["user.login"]},
	   {"type":"GROUP","name":"https://aws.amazon.com/SAML/Attributes/PrincipalTag:Team","values":[".*"]}]}}}`
	o := org(t, app, `{"id":"00u1","credentials":{"userName":"jane@example.com"},"profile":{}}`)
	p := o.Predict(o.User("jane@example.com"))
	if got := values(p); len(got) != 2 || got[0] != "arn:aws:iam::123456789012:role/A,"+provider {
		t.Errorf("roles %q", got)
	}
	for _, attr := range []string{okta.AttrSessionName, "NameID", "https://aws.amazon.com/SAML/Attributes/PrincipalTag:Team"} {
		if !p.IsUnknown(attr) {
			t.Errorf("%s predicted; want unknown: %+v", attr, p.Unknown)
		}
	}
	if p.IsUnknown(okta.AttrRole) || p.Recipient != "https://signin.aws.amazon.com/saml" || p.Destination != p.Recipient {
		t.Errorf("prediction %+v", p)
	}
	form := string(p.Form(time.Unix(1_800_000_000, 0)))
	if !strings.Contains(form, "SAMLResponse=") {
		t.Errorf("form %q", form)
	}
}

// TestFilter: Okta's named groups become Go's, matched on the whole name.
func TestFilter(t *testing.T) {
	re, err := okta.Filter(`^aws\#\S+\#(?{{role}}[\w\-]+)\#(?{{accountid}}\d+)$`)
	if err != nil {
		t.Fatal(err)
	}
	m := re.FindStringSubmatch("aws#Connect#ConnectAgent#123456789012")
	if m == nil || m[re.SubexpIndex("role")] != "ConnectAgent" || m[re.SubexpIndex("accountid")] != "123456789012" {
		t.Errorf("match %q", m)
	}
	re, _ = okta.Filter(`aws_(?{{accountid}}\d+)_(?{{role}}\w+)`)
	if re.MatchString("xaws_1_A") || re.MatchString("aws_1_A-b") {
		t.Error("the filter matched part of a name")
	}
}

// TestParse: what is not okta-export's file is refused with what was
// expected.
func TestParse(t *testing.T) {
	for doc, want := range map[string]string{
		`{`:                           "expected what samllint okta-export writes",
		`{"app":{"id":"x"}}`:          `no "samllint_okta_read" field`,
		`{"samllint_okta_read":"v9"}`: `format "v9"`,
		`{"samllint_okta_read":"v1"}`: "no app.id",
		`[]`:                          "expected what samllint okta-export writes",
		`{"samllint_okta_read":"v1","app":{"id":"x"},"users":3}`: "unreadable JSON",
	} {
		if _, err := okta.Parse([]byte(doc)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", doc, err, want)
		}
	}
}

// FuzzParse: any file given to --okta-read is read or refused, and what
// is read predicts every user without a panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"samllint_okta_read":"v1","app":{"id":"0oa1","name":"amazon_aws","settings":{"app":{"identityProviderArn":"arn:aws:iam::1:saml-provider/x","useGroupMapping":true,"groupFilter":"(?{{role}}.*)","roleValuePattern":"${role}"}}},"users":[{"id":"u","credentials":{"userName":"a"},"groups":[{"profile":{"name":"g.x"}}]}]}`))
	f.Add([]byte(`{"samllint_okta_read":"v1","app":{"id":"0oa1","settings":{"signOn":{"attributeStatements":[{"name":"n","values":["\"a\"","user.x"]}]}}},"users":[{"id":"u"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := okta.Parse(b)
		if err != nil {
			return
		}
		for i := range o.Users {
			p := o.Predict(&o.Users[i])
			_ = p.Form(time.Unix(1_800_000_000, 0))
		}
	})
}

// TestPredictACSOverride: the AWS app's "ACS URL" field (a regional sign-in
// endpoint) wins over its AWS Environment's ACS, for Recipient and
// Destination; the audience stays the environment's.
func TestPredictACSOverride(t *testing.T) {
	app := `{"id":"0oa4","name":"amazon_aws","label":"AWS","settings":{"app":{"identityProviderArn":"` + provider + `","awsEnvironmentType":"aws.amazon"},
	  "signOn":{"ssoAcsUrlOverride":"https://us-east-1.signin.aws.amazon.com/saml","defaultRelayState":"https://x"}}}`
	o := org(t, app, `{"id":"00u1","credentials":{"userName":"jane@example.com"},"profile":{"samlRoles":["A"]}}`)
	p := o.Predict(o.User("jane@example.com"))
	if p.Recipient != "https://us-east-1.signin.aws.amazon.com/saml" || p.Destination != p.Recipient || p.Audience != "urn:amazon:webservices" || p.RelayState != "https://x" {
		t.Errorf("prediction %+v", p)
	}
}
