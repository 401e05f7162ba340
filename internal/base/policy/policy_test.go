package policy

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	// testkit defines -update, which go test ./... -update hands to every package.
	_ "github.com/samllint/samllint/internal/test/testkit"
)

const prov = "arn:aws:iam::123456789012:saml-provider/Okta"

const trustJSON = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + prov + `"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`

func TestLoadForms(t *testing.T) {
	enc := url.QueryEscape(trustJSON)
	cases := []struct {
		name, json  string
		trust       bool
		permissions int
		role        string
	}{
		{"bare trust", trustJSON, true, 0, ""},
		{"statement as object", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"*"}}`, false, 1, ""},
		{"get-role", `{"Role":{"RoleName":"ConnectAgent","Arn":"arn:aws:iam::123456789012:role/ConnectAgent","MaxSessionDuration":43200,"AssumeRolePolicyDocument":` + trustJSON + `}}`, true, 0, "ConnectAgent"},
		{"get-role url-encoded", `{"Role":{"RoleName":"ConnectAgent","AssumeRolePolicyDocument":"` + enc + `"}}`, true, 0, "ConnectAgent"},
		{"get-role-policy", `{"RoleName":"ConnectAgent","PolicyName":"c","PolicyDocument":"` + url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"connect:*","Resource":"*"}]}`) + `"}`, false, 1, ""},
		{"get-policy-version", `{"PolicyVersion":{"VersionId":"v2","IsDefaultVersion":true,"Document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"*"}]}}}`, false, 1, ""},
		{"describe-policy (SCP)", `{"Policy":{"PolicySummary":{"Id":"p-abcd1234","Type":"SERVICE_CONTROL_POLICY"},"Content":` + quote(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}`) + `}}`, false, 1, ""},
		{"cloudformation", `{"Resources":{"R":{"Type":"AWS::IAM::Role","Properties":{"RoleName":"ConnectAgent","AssumeRolePolicyDocument":` + trustJSON + `,"Policies":[{"PolicyName":"p","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"*"}]}}]}}}}`, true, 1, "ConnectAgent"},
		{"terraform json", `{"resource":{"aws_iam_role":{"agent":{"name":"ConnectAgent","assume_role_policy":` + quote(trustJSON) + `}}}}`, true, 0, "ConnectAgent"},
		{"terraform show -json", `{"values":{"root_module":{"resources":[{"type":"aws_iam_role","name":"agent","values":{"name":"ConnectAgent","assume_role_policy":` + quote(trustJSON) + `,"inline_policy":[{"policy":` + quote(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"*"}]}`) + `}]}}]}}}`, true, 1, "ConnectAgent"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Load([]byte(c.json), "p.json")
			if err != nil {
				t.Fatal(err)
			}
			if (f.Trust != nil) != c.trust || len(f.Permissions) != c.permissions {
				t.Fatalf("trust %v, %d permission documents", f.Trust != nil, len(f.Permissions))
			}
			if c.role != "" && (f.Role == nil || f.Role.Name != c.role) {
				t.Errorf("role = %+v", f.Role)
			}
			if f.Trust != nil && f.Trust.Statements[0].Principal.Federated[0] != prov {
				t.Errorf("principal = %+v", f.Trust.Statements[0].Principal)
			}
		})
	}
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

func TestLoadErrors(t *testing.T) {
	cases := []struct{ json, want string }{
		{"{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\",}]\n}", "p.json:3:"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow"`, "ends early"},
		{`[]`, "not an object"},
		{`{"Version":"2012-10-17"}`, "no Statement"},
		{`{"Statement":[{"Effect":"Permit","Action":"x"}]}`, `Effect is "Permit"`},
		{`{"Statement":[{"Effect":"Allow","Action":{"a":1}}]}`, "Statement[1].Action is a map"},
		{`{"Statement":[{"Effect":"Allow","Principal":{"Saml":"x"},"Action":"x"}]}`, "unknown principal type"},
		{`{"Statement":[{"Effect":"Allow","Resource":"*"}]}`, "neither Action nor NotAction"},
		{`{"resource":{"aws_iam_role":{"r":{"assume_role_policy":"${data.aws_iam_policy_document.x.json}"}}}}`, "Terraform expression"},
		{`{"a":1}{"b":2}`, "more than one JSON value"},
	}
	for _, c := range cases {
		_, err := Load([]byte(c.json), "p.json")
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("%s: err = %v, want *Error", c.json, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %q lacks %q", c.json, err, c.want)
		}
	}
}

func doc(t *testing.T, js string) *Document {
	t.Helper()
	f, err := Load([]byte(js), "p.json")
	if err != nil {
		t.Fatal(err)
	}
	if f.Trust != nil {
		return f.Trust
	}
	return f.Permissions[0]
}

func TestEvaluate(t *testing.T) {
	ctx := NewContext(map[string][]string{
		"SAML:aud":                  {"https://eu-west-2.signin.aws.amazon.com/saml"},
		"saml:sub":                  {"jane@example.com"},
		"saml:edupersonaffiliation": {"staff", "member"},
		"aws:userid":                {"AROAEXAMPLE:jane@example.com"},
	})
	trust := Request{Action: "sts:AssumeRoleWithSAML", Principal: prov, Context: ctx}
	gft := Request{Action: "connect:GetFederationToken", Resource: "arn:aws:connect:us-east-1:123456789012:instance/i-1/user/AROAEXAMPLE:jane@example.com", Context: ctx}
	stmt := func(body string) string { return `{"Version":"2012-10-17","Statement":[` + body + `]}` }
	allowT := func(extra string) string {
		return stmt(`{"Effect":"Allow","Principal":{"Federated":"` + prov + `"},"Action":"sts:AssumeRoleWithSAML"` + extra + `}`)
	}
	cases := []struct {
		name string
		js   string
		req  Request
		want Decision
	}{
		{"plain allow", allowT(""), trust, Allow},
		{"principal list", stmt(`{"Effect":"Allow","Principal":{"Federated":["arn:aws:iam::1:saml-provider/X","` + prov + `"]},"Action":"sts:AssumeRoleWithSAML"}`), trust, Allow},
		{"principal *", stmt(`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRoleWithSAML"}`), trust, Allow},
		{"other provider", stmt(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/okta"},"Action":"sts:AssumeRoleWithSAML"}`), trust, ImplicitDeny},
		{"AWS principal", stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRoleWithSAML"}`), trust, ImplicitDeny},
		{"action case-insensitive", stmt(`{"Effect":"Allow","Principal":{"Federated":"` + prov + `"},"Action":"STS:assumerolewithsaml"}`), trust, Allow},
		{"sts:*", stmt(`{"Effect":"Allow","Principal":{"Federated":"` + prov + `"},"Action":"sts:*"}`), trust, Allow},
		{"sts:AssumeRole*", stmt(`{"Effect":"Allow","Principal":{"Federated":"` + prov + `"},"Action":"sts:AssumeRole*"}`), trust, Allow},
		{"*", stmt(`{"Effect":"Allow","Principal":{"Federated":"` + prov + `"},"Action":"*"}`), trust, Allow},
		{"sts:AssumeRole only", stmt(`{"Effect":"Allow","Principal":{"Federated":"` + prov + `"},"Action":"sts:AssumeRole"}`), trust, ImplicitDeny},
		{"NotAction excludes", stmt(`{"Effect":"Allow","Principal":{"Federated":"` + prov + `"},"NotAction":"sts:AssumeRoleWithSAML"}`), trust, ImplicitDeny},
		{"NotAction allows others", stmt(`{"Effect":"Allow","Principal":{"Federated":"` + prov + `"},"NotAction":"sts:AssumeRole"}`), trust, Allow},
		{"explicit deny wins", stmt(`{"Effect":"Allow","Principal":{"Federated":"` + prov + `"},"Action":"sts:*"},{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRoleWithSAML"}`), trust, ExplicitDeny},
		{"aud equals global", allowT(`,"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}`), trust, ImplicitDeny},
		{"aud list with regional", allowT(`,"Condition":{"StringEquals":{"saml:aud":["https://signin.aws.amazon.com/saml","https://eu-west-2.signin.aws.amazon.com/saml"]}}`), trust, Allow},
		{"aud like", allowT(`,"Condition":{"StringLike":{"SAML:aud":"https://*signin.aws.amazon.com/saml*"}}`), trust, Allow},
		{"aud not equals", allowT(`,"Condition":{"StringNotEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}`), trust, Allow},
		{"missing key", allowT(`,"Condition":{"StringEquals":{"SAML:iss":"x"}}`), trust, ImplicitDeny},
		{"missing key IfExists", allowT(`,"Condition":{"StringEqualsIfExists":{"SAML:iss":"x"}}`), trust, Allow},
		{"missing key negated", allowT(`,"Condition":{"StringNotEquals":{"SAML:iss":"x"}}`), trust, Allow},
		{"ForAnyValue hit", allowT(`,"Condition":{"ForAnyValue:StringEquals":{"SAML:edupersonaffiliation":"staff"}}`), trust, Allow},
		{"ForAllValues miss", allowT(`,"Condition":{"ForAllValues:StringEquals":{"SAML:edupersonaffiliation":"staff"}}`), trust, ImplicitDeny},
		{"ForAllValues all", allowT(`,"Condition":{"ForAllValues:StringEquals":{"SAML:edupersonaffiliation":["staff","member"]}}`), trust, Allow},
		{"ForAllValues missing key", allowT(`,"Condition":{"ForAllValues:StringEquals":{"SAML:x":"staff"}}`), trust, Allow},
		{"ForAnyValue missing key", allowT(`,"Condition":{"ForAnyValue:StringEquals":{"SAML:x":"staff"}}`), trust, ImplicitDeny},
		{"Null true", allowT(`,"Condition":{"Null":{"SAML:x":"true"}}`), trust, Allow},
		{"case-insensitive value op", allowT(`,"Condition":{"StringEqualsIgnoreCase":{"SAML:sub":"JANE@example.com"}}`), trust, Allow},
		{"unknown operator", allowT(`,"Condition":{"StringEqual":{"SAML:sub":"jane@example.com"}}`), trust, ImplicitDeny},
		{"bool value accepted", allowT(`,"Condition":{"Bool":{"aws:x":true}}`), trust, ImplicitDeny},
		{"variable in a condition value", allowT(`,"Condition":{"StringEquals":{"aws:userid":"AROAEXAMPLE:${saml:sub}"}}`), trust, Allow},
		{"variable in a condition value, other user", allowT(`,"Condition":{"StringEquals":{"saml:sub":"${aws:userid}"}}`), trust, ImplicitDeny},
		{"variable in a like value is literal text", allowT(`,"Condition":{"StringLike":{"saml:sub":"${saml:sub}"}}`), trust, Allow},
		{"missing variable matches nothing", allowT(`,"Condition":{"StringEquals":{"saml:sub":"${saml:x}"}}`), trust, ImplicitDeny},
		{"missing variable with a default", allowT(`,"Condition":{"StringEquals":{"saml:sub":"${saml:x, 'jane@example.com'}"}}`), trust, Allow},
		{"variables need version", `{"Statement":[{"Effect":"Allow","Principal":{"Federated":"` + prov + `"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"saml:sub":"${saml:sub}"}}}]}`, trust, ImplicitDeny},
		{"gft userid", stmt(`{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"arn:aws:connect:us-east-1:123456789012:instance/i-1/user/${aws:userid}"}`), gft, Allow},
		{"gft username", stmt(`{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"arn:aws:connect:us-east-1:123456789012:instance/i-1/user/${aws:username}"}`), gft, ImplicitDeny},
		{"gft user *", stmt(`{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"arn:aws:connect:us-east-1:123456789012:instance/i-1/user/*"}`), gft, Allow},
		{"gft instance only", stmt(`{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"arn:aws:connect:us-east-1:123456789012:instance/i-1"}`), gft, ImplicitDeny},
		{"gft variables need version", `{"Statement":[{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"arn:aws:connect:us-east-1:123456789012:instance/i-1/user/${aws:userid}"}]}`, gft, ImplicitDeny},
		{"gft NotResource", stmt(`{"Effect":"Allow","Action":"connect:*","NotResource":"arn:aws:connect:eu-west-2:*"}`), gft, Allow},
		{"gft deny", stmt(`{"Effect":"Allow","Action":"connect:*","Resource":"*"},{"Effect":"Deny","Action":"connect:GetFederationToken","Resource":"*"}`), gft, ExplicitDeny},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _ := Evaluate([]*Document{doc(t, c.js)}, c.req)
			if got != c.want {
				t.Errorf("%v, want %v", got, c.want)
			}
		})
	}
}

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		p, s string
		ok   bool
	}{
		{"a*c", "abbc", true}, {"a?c", "abc", true}, {"a?c", "ac", false}, {"*", "", true},
		{"arn:aws:connect:*:*:instance/*", "arn:aws:connect:us-east-1:1:instance/x/user/y", true},
		{"a.c", "abc", false}, {"a\x00*c", "a*c", true}, {"a\x00*c", "abc", false},
	} {
		if Glob(c.p, c.s) != c.ok {
			t.Errorf("Glob(%q, %q) != %v", c.p, c.s, c.ok)
		}
	}
}
