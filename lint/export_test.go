package lint

import (
	"testing"
)

// BadExample builds a rule's bad example case for tests outside the
// package (the round trip, which also reads linttest's golden cases).
func BadExample(t testing.TB, id string) ([]byte, *Inputs, Options) {
	t.Helper()
	ex, err := exampleOf(id)
	if err != nil {
		t.Fatal(err)
	}
	return buildCase(t, ex.bad)
}

// RoundTripCase is a capture and its inputs for TestRoundTrip.
type RoundTripCase struct {
	Name  string
	Input []byte
	In    *Inputs
	Opts  Options
}

// RoundTripCases are near-misses whose findings expect values: the shapes
// that once sent admins the wrong way, and others a rule's values come
// from, on the signed sample.
func RoundTripCases(t *testing.T) []RoundTripCase {
	const uuid = "SAMLSPD9IMTW2LM46J042K"
	caRelay := "https://ca-central-1.console.aws.amazon.com/connect/federate/4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34"
	dest := func(v string) Edit {
		return Edit{`Destination="https://signin.aws.amazon.com/saml"`, `Destination="` + v + `"`}
	}
	both := func(v string) []Edit { return append(recip(v), dest(v)) }
	provider := map[string]string{"metadata.json": getSAMLProvider(t, "Allowed", 0, uuid)}
	encrypted := map[string]string{"metadata.json": getSAMLProvider(t, "Required", 1, uuid), "key.pem": string(testdata(t, "keys", "idp.key"))}
	examples := []struct {
		name string
		ex   Example
	}{
		{"Recipient and Destination with a trailing slash, a Connect instance elsewhere, a trust policy", Example{Edits: both("https://signin.aws.amazon.com/saml/"), RelayState: caRelay, Trust: sampleTrust}},
		{"Recipient with a trailing slash, a regional endpoint", Example{Edits: both("https://eu-west-2.signin.aws.amazon.com/saml/"), RelayState: sampleRelay}},
		{"Recipient over http", Example{Edits: recip("http://signin.aws.amazon.com/saml"), Trust: sampleTrust}},
		{"Recipient host in upper case", Example{Edits: recip("https://SIGNIN.aws.amazon.com/saml")}},
		{"Recipient is the IdP's own URL", Example{Edits: recip("https://example.okta.com/sso/saml2/0oa1"), RelayState: caRelay}},
		{"Recipient is the audience", Example{Edits: recip("urn:amazon:webservices")}},
		{"Destination is the console", Example{Edits: []Edit{dest("https://console.aws.amazon.com/")}}},
		{"Destination regional, Recipient global", Example{Edits: []Edit{dest("https://eu-west-2.signin.aws.amazon.com/saml")}}},
		{"no Recipient", Example{Edits: edit(` Recipient="https://signin.aws.amazon.com/saml"`, ``), RelayState: caRelay}},
		{"provider-specific endpoint of another provider", Example{Edits: both("https://signin.aws.amazon.com/saml/acs/SAMLSPOTHERPROVIDER00000"), Files: provider}},
		{"Connect instance in another region", Example{RelayState: caRelay, Trust: sampleTrust}},
		{"encrypted, Connect instance in another region", Example{Transform: "encrypt", Edits: toACS(uuid), RelayState: caRelay, Files: encrypted}},
		{"encrypted, posted to the generic endpoint", Example{Transform: "encrypt", RelayState: sampleRelay, Files: encrypted}},
		{"encrypted, Recipient with a trailing slash", Example{Transform: "encrypt", Edits: both("https://signin.aws.amazon.com/saml/acs/" + uuid + "/"), Files: encrypted}},
		{"RelayState encoded twice", Example{RelayState: "https%3A%2F%2Fus-east-1.console.aws.amazon.com%2Fconnect%2Ffederate%2F4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34"}},
		{"RelayState destination not encoded", Example{RelayState: sampleRelay + "?destination=/ccp-v2"}},
		{"Issuer over https", Example{Edits: edit(`>http://www.okta.com/exk1fxph8bAbCdEf0h7<`, `>https://www.okta.com/exk1fxph8bAbCdEf0h7<`)}},
		{"IdP refusal", Example{Edits: edit(`<saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>`, `<saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"/></saml2p:StatusCode>`)}},
		{"a time without a zone", Example{Edits: edit(`IssueInstant="2026-11-20T10:00:00.000Z" Version="2.0"><saml2:Issuer xmlns:saml2`, `IssueInstant="2026-11-20T10:00:00" Version="2.0"><saml2:Issuer xmlns:saml2`)}},
		{"a Role pair with spaces, provider first", Example{Edits: role(" arn:aws:iam::123456789012:saml-provider/Okta , arn:aws:iam::123456789012:role/ConnectAgent ")}},
		{"a Role value in another case, with get-role", Example{Edits: role("arn:aws:iam::123456789012:role/connectagent,arn:aws:iam::123456789012:saml-provider/Okta"),
			Trust: `{"Role":{"Arn":"arn:aws:iam::123456789012:role/ConnectAgent","RoleName":"ConnectAgent","AssumeRolePolicyDocument":` + sampleTrust + `}}`}},
		{"SessionDuration too long", Example{Edits: edit(`>43200<`, `>86400<`)}},
		{"SessionDuration as xs:duration", Example{Edits: edit(`>43200<`, `>PT1H<`)}},
		{"a session tag named aws:", Example{Edits: edit(`</saml2:AttributeStatement>`, `<saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/PrincipalTag:aws:team"><saml2:AttributeValue>blue</saml2:AttributeValue></saml2:Attribute></saml2:AttributeStatement>`)}},
		{"RoleSessionName in another case than the Connect user", Example{RelayState: sampleRelay, Edits: sname("Jane.Doe@example.com"), Users: []string{"jane.doe@example.com"}}},
		{"SubjectConfirmation not bearer", Example{Edits: edit(`urn:oasis:names:tc:SAML:2.0:cm:bearer`, `urn:oasis:names:tc:SAML:2.0:cm:holder-of-key`)}},
	}
	var out []RoundTripCase
	for _, e := range examples {
		input, in, opts := buildCase(t, e.ex.toCase())
		out = append(out, RoundTripCase{e.name, input, in, opts})
	}
	return out
}
