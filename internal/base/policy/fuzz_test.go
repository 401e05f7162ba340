package policy

import (
	"strings"
	"testing"
)

// FuzzLoad: any bytes either load or fail with a one-line *Error; loaded
// documents evaluate without panicking.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(trustJSON))
	f.Add([]byte(`{"Role":{"AssumeRolePolicyDocument":"%7B%22Statement%22%3A%5B%5D%7D"}}`))
	f.Add([]byte(`{"Resources":{"R":{"Type":"AWS::IAM::Role","Properties":{"AssumeRolePolicyDocument":{"Statement":{"Effect":"Deny","NotPrincipal":"*","NotAction":"*","NotResource":"${aws:userid}"}}}}}}`))
	f.Add([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"${*}${?}${$}*?","Condition":{"ForAllValues:StringLikeIfExists":{"k":[1,true,"x"]},"Null":{"a":"true"}}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Load(b, "p.json")
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		docs := append([]*Document{}, file.Permissions...)
		if file.Trust != nil {
			docs = append(docs, file.Trust)
		}
		ctx := NewContext(map[string][]string{"aws:userid": {"A:b*c"}, "saml:aud": {"x"}, "k": {"1", "x"}})
		Evaluate(docs, Request{Action: "sts:AssumeRoleWithSAML", Principal: "arn:aws:iam::1:saml-provider/P", Context: ctx})
		Evaluate(docs, Request{Action: "connect:GetFederationToken", Resource: "arn:aws:connect:r:1:instance/i/user/A:b*c", Context: ctx})
	})
}
