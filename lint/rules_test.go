package lint

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/samllint/samllint/internal/test/testkit"
)

// Per-rule tables in the style of hadolint's ruleCatches/ruleCatchesNot:
// each row is an edge case on the signed sample, which the rule must catch
// (with the given severity) or must not flag.

type row struct {
	name string
	ex   Example
	sev  Severity // for catches; zero value Info is checked only when rule default is Info
}

func edit(old, new string) []Edit { return []Edit{{old, new}} }

func role(v string) []Edit  { return edit(sampleRole, ">"+v+"<") }
func sname(v string) []Edit { return edit(sessionVal, ">"+v+"</saml2:AttributeValue>") }

func recip(v string) []Edit {
	return edit(`Recipient="https://signin.aws.amazon.com/saml"`, `Recipient="`+v+`"`)
}

func catches(t *testing.T, rule string, rows []row) {
	t.Helper()
	for _, r := range rows {
		t.Run("catches/"+r.name, func(t *testing.T) {
			rep := lintExample(t, r.ex)
			fs := findingsOf(rep, rule)
			if len(fs) == 0 {
				t.Fatalf("%s not reported; skipped: %+v; findings:\n%s", rule, skippedOf(rep, rule), wantOf(rep))
			}
			want := r.sev
			if want == 0 {
				want = Lookup(rule).Severity
			}
			for _, f := range fs {
				if f.Severity == want {
					return
				}
			}
			t.Errorf("severity %v, want %v: %+v", fs[0].Severity, want, fs)
		})
	}
}

// notes asserts that the rule reports these rows as info, and as nothing
// more severe: shapes that work and are worth knowing.
func notes(t *testing.T, rule string, rows []row) {
	t.Helper()
	for _, r := range rows {
		t.Run("notes/"+r.name, func(t *testing.T) {
			rep := lintExample(t, r.ex)
			fs := findingsOf(rep, rule)
			if len(fs) == 0 {
				t.Fatalf("%s not reported; findings:\n%s", rule, wantOf(rep))
			}
			for _, f := range fs {
				if f.Severity != Info {
					t.Errorf("%s reported as %s, info expected: %s", rule, f.Severity, f.Message)
				}
			}
		})
	}
}

func catchesNot(t *testing.T, rule string, rows []row) {
	t.Helper()
	for _, r := range rows {
		t.Run("not/"+r.name, func(t *testing.T) {
			rep := lintExample(t, r.ex)
			if fs := findingsOf(rep, rule); len(fs) > 0 {
				t.Errorf("%s wrongly reported: %+v", rule, fs)
			}
		})
	}
}

const (
	acct  = "123456789012"
	roleA = "arn:aws:iam::" + acct + ":role/ConnectAgent"
	provA = "arn:aws:iam::" + acct + ":saml-provider/Okta"
)

func TestRoleAttributeMissing(t *testing.T) {
	rule := "aws/role-attribute-missing"
	name := func(n string) Example { return Example{Edits: edit(roleNameTag, `Name="`+n+`"`)} }
	catches(t, rule, []row{
		{"lower case", name("https://aws.amazon.com/SAML/Attributes/role"), 0},
		{"http scheme", name("http://aws.amazon.com/SAML/Attributes/Role"), 0},
		{"trailing slash", name("https://aws.amazon.com/SAML/Attributes/Role/"), 0},
		{"no namespace", name("Role"), 0},
		{"typo", name("https://aws.amazon.com/SAML/Attributes/Rol"), 0},
		{"wrong namespace", name("https://aws.amazon.com/SAML/Attribute/Role"), 0},
		{"China doc spelling", name("http://www.amazonaws.cn/SAML/Attributes/Role"), 0},
		{"other claim entirely", name("groups"), 0},
	})
	catchesNot(t, rule, []row{{"exact name", Example{}, 0}})
}

func TestRoleValueRules(t *testing.T) {
	catches(t, "aws/role-missing-role-arn", []row{
		{"provider only", Example{Edits: role(provA)}, 0},
		{"provider with spaces", Example{Edits: role("  " + provA + " ")}, 0},
	})
	catchesNot(t, "aws/role-missing-role-arn", []row{
		{"role,provider", Example{}, 0},
		{"provider,role (Okta's order)", Example{Edits: role(provA + "," + roleA)}, 0},
		{"role only", Example{Edits: role(roleA)}, 0},
	})
	catches(t, "aws/role-missing-provider-arn", []row{{"role only", Example{Edits: role(roleA)}, 0}})
	catchesNot(t, "aws/role-missing-provider-arn", []row{{"provider,role", Example{Edits: role(provA + "," + roleA)}, 0}})

	mal := "aws/role-arn-malformed"
	catches(t, mal, []row{
		{"template", Example{Edits: role("arn:aws:iam::${accountid}:role/${role}," + provA)}, 0},
		{"okta idpRolePairs", Example{Edits: role("appuser.idpRolePairs")}, 0},
		{"quoted", Example{Edits: role(`"` + roleA + "," + provA + `"`)}, 0},
		{"two pairs joined", Example{Edits: role(roleA + "," + provA + ";" + roleA + "," + provA)}, 0},
		{"two pairs by comma", Example{Edits: role(roleA + "," + provA + "," + roleA + "," + provA)}, 0},
		{"user ARN", Example{Edits: role("arn:aws:iam::" + acct + ":user/jane," + provA)}, 0},
		{"assumed-role ARN", Example{Edits: role("arn:aws:sts::" + acct + ":assumed-role/ConnectAgent/jane," + provA)}, 0},
		{"11-digit account", Example{Edits: role("arn:aws:iam::12345678901:role/ConnectAgent," + provA)}, 0},
		{"region in IAM ARN", Example{Edits: role("arn:aws:iam:us-east-1:" + acct + ":role/ConnectAgent," + provA)}, 0},
		{"empty", Example{Edits: role("")}, 0},
		{"extra comma", Example{Edits: role(roleA + ",," + provA)}, 0},
		{"role inside role", Example{Edits: role("arn:aws:iam::" + acct + ":role/" + roleA + "," + provA)}, 0},
		{"whitespace", Example{Edits: role(roleA + ", " + provA)}, Warning},
		{"role name with a comma", Example{Edits: role("arn:aws:iam::" + acct + ":role/a,b," + provA)}, 0},
	})
	ic := "aws/role-identity-center"
	catches(t, ic, []row{
		{"Identity Center role with its path", Example{Edits: role("arn:aws:iam::" + acct + ":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123abcd," + provA)}, 0},
		{"Identity Center role without a path", Example{Edits: role("arn:aws:iam::" + acct + ":role/AWSReservedSSO_ConnectAgent_0123abcd," + provA)}, 0},
		{"in the second pair", Example{Edits: edit(sampleRole, sampleRole[:len(sampleRole)-1]+"</saml2:AttributeValue><saml2:AttributeValue>arn:aws:iam::"+acct+":role/AWSReservedSSO_Admin_0123abcd,"+provA+"<")}, 0},
	})
	catchesNot(t, ic, []row{
		{"own role", Example{}, 0},
		{"a role merely mentioning SSO", Example{Edits: role("arn:aws:iam::" + acct + ":role/ConnectSSOAgent," + provA)}, 0},
	})
	for _, r := range []string{mal, "aws/role-missing-role-arn"} {
		catchesNot(t, r, []row{{"Identity Center role is not malformed", Example{Edits: role("arn:aws:iam::" + acct + ":role/AWSReservedSSO_ConnectAgent_0123abcd," + provA)}, 0}})
	}
	catchesNot(t, mal, []row{
		{"as issued", Example{}, 0},
		{"role with a path", Example{Edits: role("arn:aws:iam::" + acct + ":role/team/ops/ConnectAgent," + provA)}, 0},
		{"provider,role", Example{Edits: role(provA + "," + roleA)}, 0},
		{"GovCloud pair", Example{Edits: role("arn:aws-us-gov:iam::" + acct + ":role/A,arn:aws-us-gov:iam::" + acct + ":saml-provider/Okta")}, 0},
		{"role name with +=.@-", Example{Edits: role("arn:aws:iam::" + acct + ":role/a+b=c.d@e-f," + provA)}, 0},
		{"provider only (other rule)", Example{Edits: role(provA)}, 0},
	})

	catches(t, "aws/role-account-mismatch", []row{
		{"other account", Example{Edits: role(roleA + ",arn:aws:iam::210987654321:saml-provider/Okta")}, 0},
		{"other partition", Example{Edits: role("arn:aws-us-gov:iam::" + acct + ":role/A," + provA)}, 0},
	})
	catchesNot(t, "aws/role-account-mismatch", []row{{"same account", Example{}, 0}})
}

func TestRoleSessionNameRules(t *testing.T) {
	name := func(n string) Example { return Example{Edits: edit(sessionTag, `Name="`+n+`"`)} }
	catches(t, "aws/role-session-name-missing", []row{
		{"Ping typo", name("https://aws.amazon.com/SAML/Attributes/RoleSessioName"), 0},
		{"lower case", name("https://aws.amazon.com/SAML/Attributes/rolesessionname"), 0},
		{"bare", name("RoleSessionName"), 0},
		{"absent", name("urn:oid:0.9.2342.19200300.100.1.3"), 0},
	})
	catchesNot(t, "aws/role-session-name-missing", []row{{"exact", Example{}, 0}})

	inv := "aws/role-session-name-invalid"
	catches(t, inv, []row{
		{"display name", Example{Edits: sname("Jane Doe")}, 0},
		{"one character", Example{Edits: sname("j")}, 0},
		{"65 characters", Example{Edits: sname(strings.Repeat("a", 65))}, 0},
		{"Entra guest", Example{Edits: sname("jane_example.com#EXT#@corp.onmicrosoft.com")}, 0},
		{"DOMAIN backslash", Example{Edits: sname(`CORP\jane`)}, 0},
		{"apostrophe", Example{Edits: sname("o'brien@example.com")}, 0},
		{"accent", Example{Edits: sname("zoë@example.com")}, 0},
		{"two values", Example{Edits: edit(sessionVal, `>jane.doe@example.com</saml2:AttributeValue><saml2:AttributeValue>jd</saml2:AttributeValue>`)}, 0},
	})
	catchesNot(t, inv, []row{
		{"e-mail", Example{}, 0},
		{"all STS characters", Example{Edits: sname("a_b+c=d,e.f@g-h")}, 0},
		{"64 characters", Example{Edits: sname(strings.Repeat("a", 64))}, 0},
	})
}

func TestSessionDurationAndTags(t *testing.T) {
	dur := func(v string) Example { return Example{Edits: edit(">43200<", ">"+v+"<")} }
	catches(t, "aws/session-duration-invalid", []row{
		{"899", dur("899"), 0}, {"43201", dur("43201"), 0}, {"not a number", dur("1h"), 0},
		{"two values", dur("3600</saml2:AttributeValue><saml2:AttributeValue>7200"), 0},
	})
	catchesNot(t, "aws/session-duration-invalid", []row{{"900", dur("900"), 0}, {"43200", dur("43200"), 0}, {"3600", dur("3600"), 0}})

	tags := "aws/session-tags-invalid"
	tagName := func(n string) []Edit {
		return edit(`Name="https://aws.amazon.com/SAML/Attributes/PrincipalTag:Department"`, `Name="https://aws.amazon.com/SAML/Attributes/PrincipalTag:`+n+`"`)
	}
	extraAttr := func(name, value string) []Edit {
		return edit(`</saml2:AttributeStatement>`, `<saml2:Attribute Name="`+name+`"><saml2:AttributeValue>`+value+`</saml2:AttributeValue></saml2:Attribute></saml2:AttributeStatement>`)
	}
	catches(t, tags, []row{
		{"aws: key", Example{Edits: tagName("aws:Department")}, 0},
		{"key with !", Example{Edits: tagName("Dept!")}, 0},
		{"two values", Example{Edits: edit(">Support<", ">Support</saml2:AttributeValue><saml2:AttributeValue>Sales<")}, 0},
		{"value with #", Example{Edits: edit(">Support<", ">Support#1<")}, 0},
		{"case-insensitive duplicate", Example{Edits: extraAttr(AttrPrincipalTag+"department", "x")}, Warning},
		{"transitive key not sent", Example{Edits: extraAttr(AttrTransitiveTagKeys, "CostCenter")}, Warning},
		{"SourceIdentity aws:", Example{Edits: extraAttr(AttrSourceIdentity, "aws:jane")}, 0},
		{"SourceIdentity space", Example{Edits: extraAttr(AttrSourceIdentity, "jane doe")}, 0},
		{"key of 129 characters", Example{Edits: tagName(strings.Repeat("k", 129))}, 0},
		{"value of 257 characters", Example{Edits: edit(">Support<", ">"+strings.Repeat("é", 257)+"<")}, 0},
	})
	catchesNot(t, tags, []row{
		{"as issued", Example{}, 0},
		{"key of 128 characters", Example{Edits: tagName(strings.Repeat("k", 128))}, 0},
		{"value of 256 letters, counted as characters not bytes", Example{Edits: edit(">Support<", ">"+strings.Repeat("é", 256)+"<")}, 0},
		{"transitive key sent", Example{Edits: extraAttr(AttrTransitiveTagKeys, "Department")}, 0},
		{"SourceIdentity", Example{Edits: extraAttr(AttrSourceIdentity, "jane.doe")}, 0},
		{"empty tag value", Example{Edits: edit(">Support<", "><")}, 0},
	})
}

func TestEndpointRules(t *testing.T) {
	catches(t, "aws/recipient", []row{
		{"trailing slash", Example{Edits: recip("https://signin.aws.amazon.com/saml/")}, 0},
		{"http", Example{Edits: recip("http://signin.aws.amazon.com/saml")}, 0},
		{"console", Example{Edits: recip("https://console.aws.amazon.com/")}, 0},
		{"Connect access URL", Example{Edits: recip("https://example-corp.my.connect.aws/")}, 0},
		{"localhost", Example{Edits: recip("http://localhost:8080/saml")}, 0},
		{"unknown region", Example{Edits: recip("https://xx-east-9.signin.aws.amazon.com/saml")}, 0},
		{"Okta misconfiguration", Example{Edits: recip("https://signin..com/saml")}, 0},
		{"upper case", Example{Edits: recip("https://SIGNIN.aws.amazon.com/saml")}, 0},
	})
	catchesNot(t, "aws/recipient", []row{
		{"global", Example{}, 0},
		{"regional", Example{Edits: recip("https://eu-west-2.signin.aws.amazon.com/saml")}, 0},
		{"GovCloud", Example{Edits: append(inPartition("aws-us-gov"), recip("https://signin.amazonaws-us-gov.com/saml")...)}, 0},
		{"China", Example{Edits: append(inPartition("aws-cn"), recip("https://signin.amazonaws.cn/saml")...)}, 0},
		{"provider-specific", Example{Edits: recip("https://signin.aws.amazon.com/saml/acs/SAMLSPD9IMTW2LM46J042K")}, 0},
	})
	// A sign-in endpoint of one partition cannot assume a role of another.
	catches(t, "aws/recipient", []row{
		{"GovCloud endpoint, commercial ARNs", Example{Edits: recip("https://signin.amazonaws-us-gov.com/saml")}, Error},
		{"commercial endpoint, GovCloud ARNs", Example{Edits: inPartition("aws-us-gov")}, Error},
		{"commercial endpoint, China ARNs", Example{Edits: inPartition("aws-cn")}, Error},
	})
	dest := func(v string) []Edit {
		return edit(`Destination="https://signin.aws.amazon.com/saml"`, `Destination="`+v+`"`)
	}
	catches(t, "aws/destination", []row{
		{"console", Example{Edits: dest("https://console.aws.amazon.com/")}, 0},
		{"differs from Recipient", Example{Edits: dest("https://eu-west-2.signin.aws.amazon.com/saml")}, 0},
	})
	catchesNot(t, "aws/destination", []row{{"equal", Example{}, 0}, {"absent", Example{Edits: dest("")}, 0}})

	aud := func(v string) Example {
		return Example{Edits: edit(`<saml2:Audience>urn:amazon:webservices</saml2:Audience>`, `<saml2:Audience>`+v+`</saml2:Audience>`)}
	}
	catches(t, "aws/audience", []row{
		{"#1 suffix", aud("urn:amazon:webservices#1"), 0},
		{"trailing colon", aud("urn:amazon:webservices:"), 0},
		{"the IdP's own entity", aud("http://www.okta.com/exk1fxph8bAbCdEf0h7"), 0},
		{"GovCloud audience, commercial ARNs", aud("urn:amazon:webservices:govcloud"), Error},
		{"China audience, commercial ARNs", aud("urn:amazon:webservices:cn-north-1"), Error},
		{"commercial audience, GovCloud ARNs", Example{Edits: inPartition("aws-us-gov")}, Error},
	})
	catchesNot(t, "aws/audience", []row{
		{"urn", Example{}, 0},
		{"Entra's URL", aud("https://signin.aws.amazon.com/saml"), 0},
		{"GovCloud audience, GovCloud ARNs", Example{Edits: append(inPartition("aws-us-gov"), edit(`>urn:amazon:webservices<`, `>urn:amazon:webservices:govcloud<`)...)}, 0},
	})
	// Several AudienceRestriction elements are ANDed (SAML core §2.5.1.4).
	second := func(v string) Example {
		return Example{Edits: edit(`</saml2:AudienceRestriction>`, `</saml2:AudienceRestriction><saml2:AudienceRestriction><saml2:Audience>`+v+`</saml2:Audience></saml2:AudienceRestriction>`)}
	}
	catches(t, "aws/audience", []row{
		{"a second restriction naming another SP", second("https://app.example.com/sp"), Warning},
		{"a second restriction naming AWS again", second("urn:amazon:webservices"), Warning},
	})
	if fs := findingsOf(lintExample(t, second("https://app.example.com/sp")), "aws/audience"); len(fs) != 1 || !strings.Contains(fs[0].Message, "1 of 2") {
		t.Errorf("want the restriction that does not name AWS: %+v", fs)
	}
}

// inPartition moves the sample's Role ARNs to another partition.
func inPartition(partition string) []Edit {
	return edit(sampleRole, strings.ReplaceAll(sampleRole, "arn:aws:", "arn:"+partition+":"))
}

func TestTimeRules(t *testing.T) {
	catches(t, "aws/assertion-too-old", []row{{"5m1s", Example{After: "5m1s"}, 0}})
	catchesNot(t, "aws/assertion-too-old", []row{{"exactly 5m", Example{After: "5m"}, 0}, {"4m59s", Example{After: "4m59s"}, 0}})
	// NotOnOrAfter is issue+5m and the skew 5m: expired from exactly +10m.
	catches(t, "saml/expired", []row{{"at NotOnOrAfter+skew", Example{After: "10m"}, 0}, {"a day later", Example{After: "24h"}, 0}})
	catchesNot(t, "saml/expired", []row{{"one second before", Example{After: "9m59s"}, 0}})
	// Both bounds lapsed is one expiry, reported where it happened first.
	scdEarly := edit(`SubjectConfirmationData NotOnOrAfter="2026-11-20T10:05:00.000Z"`, `SubjectConfirmationData NotOnOrAfter="2026-11-20T10:01:00.000Z"`)
	for _, c := range []struct {
		name, after, at string
		also            bool
	}{
		{"both lapsed, the same instant", "10m", "/Conditions/@NotOnOrAfter", true},
		{"only SubjectConfirmationData lapsed", "6m", "/SubjectConfirmationData/@NotOnOrAfter", false},
		{"both lapsed, SubjectConfirmationData first", "10m", "/SubjectConfirmationData/@NotOnOrAfter", true},
	} {
		ex := Example{After: c.after}
		if !strings.HasPrefix(c.name, "both lapsed, the same") {
			ex.Edits = scdEarly
		}
		rep := lintExample(t, ex)
		fs := findingsOf(rep, "saml/expired")
		if len(fs) != 1 {
			t.Errorf("%s: %d saml/expired findings, want 1:\n%s", c.name, len(fs), wantOf(rep))
			continue
		}
		if !strings.HasSuffix(fs[0].Location.Path, c.at) {
			t.Errorf("%s: at %s, want …%s", c.name, fs[0].Location.Path, c.at)
		}
		if got := strings.Contains(fs[0].Actual, "also past"); got != c.also {
			t.Errorf("%s: actual %q; naming the other bound: %v, want %v", c.name, fs[0].Actual, got, c.also)
		}
	}
	// NotBefore is issue-5m: not yet valid before issue-10m.
	catches(t, "saml/not-yet-valid", []row{{"one second early", Example{After: "-10m1s"}, 0}})
	// At NotBefore-skew the assertion is valid; IssueInstant, 5m after
	// NotBefore, is then beyond the skew: a warning, no error.
	if fs := findingsOf(lintExample(t, Example{After: "-10m"}), "saml/not-yet-valid"); len(fs) != 1 || fs[0].Severity != Warning || !strings.HasSuffix(fs[0].Location.Path, "/@IssueInstant") {
		t.Errorf("exactly NotBefore-skew: want only the IssueInstant warning: %+v", fs)
	}
	catchesNot(t, "saml/not-yet-valid", []row{{"IssueInstant at the skew's edge", Example{After: "-5m"}, 0}})
}

func TestCertificateExpired(t *testing.T) {
	rule := "saml/certificate-expired"
	md := func(name string) map[string]string {
		return map[string]string{"metadata.xml": string(testdata(t, "metadata", name))}
	}
	catches(t, rule, []row{
		{"signed by the expired certificate IAM holds", Example{Key: "expired", Files: md("okta-idp-metadata-expired.xml")}, Warning},
		{"signed by an expired certificate, no metadata", Example{Key: "expired", NoAnchors: true}, Warning},
	})
	// The signer expires in 13 days; the rotation done the recommended
	// way keeps a retired, expired certificate beside the current one.
	notes(t, rule, []row{
		{"the signer expires in 13 days", Example{After: "202000h"}, 0},
		{"rotation: the retired certificate in the metadata is expired", Example{Files: md("okta-idp-metadata-rotation.xml")}, 0},
	})
	rep := lintExample(t, Example{Files: md("okta-idp-metadata-rotation.xml")})
	if fs := findingsOf(rep, rule); len(fs) != 1 {
		t.Errorf("the retired certificate is reported %d times, want once:\n%s", len(fs), wantOf(rep))
	}
	if rep.Outcome != OutcomeNotes {
		t.Errorf("a rotation done the recommended way gets %q", rep.Verdict)
	}
	// Signed by the expired key: the Response and Assertion signatures
	// and the metadata hold the same certificate; it is reported once.
	rep = lintExample(t, Example{Key: "expired", Files: md("okta-idp-metadata-expired.xml")})
	if fs := findingsOf(rep, rule); len(fs) != 1 {
		t.Errorf("one expired certificate reported %d times:\n%s", len(fs), wantOf(rep))
	}
	catchesNot(t, rule, []row{{"valid certificate", Example{}, 0}})
}

func TestHuman(t *testing.T) {
	for d, want := range map[time.Duration]string{
		90 * time.Second: "1m30s",
		3 * time.Hour:    "3h",
		2191*24*time.Hour + 23*time.Hour + 59*time.Minute: "2192d",
		53 * time.Hour:   "2d5h",
		-4 * time.Minute: "4m",
	} {
		if got := human(d); got != want {
			t.Errorf("human(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestConnectRules(t *testing.T) {
	rs := func(v string) Example { return Example{RelayState: v} }
	const id = "4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34"
	bad := "connect/relay-state-invalid"
	catches(t, bad, []row{
		{"instance ARN", rs("https://us-east-1.console.aws.amazon.com/connect/federate/arn:aws:connect:us-east-1:" + acct + ":instance/" + id), 0},
		{"alias", rs("https://us-east-1.console.aws.amazon.com/connect/federate/example-corp"), 0},
		{"access URL", rs("https://example-corp.awsapps.com/connect/login"), 0},
		{"no region", rs("https://console.aws.amazon.com/connect/federate/" + id), Warning},
		{"unknown region", rs("https://us-east-9.console.aws.amazon.com/connect/federate/" + id), 0},
		{"truncated id", rs("https://us-east-1.console.aws.amazon.com/connect/federate/" + id[:30]), 0},
		{"double encoded", rs("https%3A%2F%2Fus-east-1.console.aws.amazon.com%2Fconnect%2Ffederate%2F" + id), 0},
		{"unencoded destination", rs(sampleRelay + "?destination=/ccp-v2"), Warning},
		{"destination not a path", rs(sampleRelay + "?destination=ccp-v2"), 0},
		{"http", rs("http://us-east-1.console.aws.amazon.com/connect/federate/" + id), 0},
		{"only the id", rs(id), 0},
	})
	catchesNot(t, bad, []row{
		{"federation URL", rs(sampleRelay), 0},
		{"with destination", rs(sampleRelay + "?destination=%2Fccp-v2"), 0},
		{"agent workspace and new domain", rs(sampleRelay + "?destination=%2Fagent-app-v2&new_domain=true"), 0},
		{"GovCloud", rs("https://console.amazonaws-us-gov.com/connect/federate/" + id), 0},
		{"AWS console home (not Connect: skipped)", rs("https://us-east-1.console.aws.amazon.com/console/home"), 0},
	})
	user := "connect/user-name"
	withRelay := func(e []Edit) Example { return Example{RelayState: sampleRelay, Edits: e} }
	catches(t, user, []row{
		{"plus", withRelay(sname("jane.doe+connect@example.com")), 0},
		{"comma", withRelay(sname("doe,jane")), 0},
		{"equals", withRelay(sname("jane=doe")), 0},
		{"Salesforce shape with a space", withRelay(sname("j doe@0055g00000AbCdE@00D5g000004XyZa")), Error},
	})
	// A documented working shape is never an error, only a note.
	notes(t, user, []row{
		{"@ without domain", withRelay(sname("testuser@example")), 0},
		{"Salesforce Service Cloud Voice", withRelay(sname("jdoe@0055g00000AbCdE@00D5g000004XyZa")), 0},
		{"Salesforce government org", withRelay(sname("0055g00000AbCdEAAA@00D5g000004XyZaEAA")), 0},
	})
	catchesNot(t, user, []row{
		{"e-mail", withRelay(nil), 0},
		{"plain name", withRelay(sname("jane.doe")), 0},
		{"underscore and dash", withRelay(sname("jane_doe-1")), 0},
	})
	region := "connect/region-mismatch"
	euWest2 := "https://eu-west-2.console.aws.amazon.com/connect/federate/" + id
	// It works: a note, never a warning, and the verdict stays a pass.
	notes(t, region, []row{
		{"eu-west-2 sign-in, us-east-1 instance", withRelay(recip("https://eu-west-2.signin.aws.amazon.com/saml")), 0},
		{"global sign-in, eu-west-2 instance (the Okta guide's setup)", Example{RelayState: euWest2}, 0},
	})
	if rep := lintExample(t, Example{RelayState: euWest2}); rep.Outcome == OutcomeWillFail || rep.Outcome == OutcomeMayFail {
		t.Errorf("the Okta guide's setup gets %s:\n%s", rep.Verdict, wantOf(rep))
	}
	catchesNot(t, region, []row{
		{"same region", withRelay(nil), 0},
		{"regional sign-in in the instance's region", Example{RelayState: euWest2, Edits: recip("https://eu-west-2.signin.aws.amazon.com/saml")}, 0},
	})
}

func TestScopes(t *testing.T) {
	// Without a RelayState the Connect rules are skipped, saying what to give.
	rep := lintExample(t, Example{})
	if s := skippedOf(rep, "connect/user-name"); s == nil || !slices.Contains(s.Needs, InputRelayState) {
		t.Errorf("connect/user-name skipped for %+v", s)
	}
	// A capture with no AWS signal skips the AWS rules.
	rep = lintExample(t, Example{Edits: []Edit{
		{`Destination="https://signin.aws.amazon.com/saml"`, `Destination="https://sp.example.com/acs"`},
		{`Recipient="https://signin.aws.amazon.com/saml"`, `Recipient="https://sp.example.com/acs"`},
		{`<saml2:Audience>urn:amazon:webservices</saml2:Audience>`, `<saml2:Audience>https://sp.example.com</saml2:Audience>`},
		{roleNameTag, `Name="role"`}, {sessionTag, `Name="session"`},
		{`Name="https://aws.amazon.com/SAML/Attributes/SessionDuration"`, `Name="duration"`},
		{`Name="https://aws.amazon.com/SAML/Attributes/PrincipalTag:Department"`, `Name="department"`},
	}})
	if s := skippedOf(rep, "aws/recipient"); s == nil || !slices.Contains(s.Needs, InputAWS) {
		t.Errorf("aws/recipient skipped for %+v", s)
	}
	// Without metadata, the trust rules say what to give.
	rep = lintExample(t, Example{NoAnchors: true})
	if s := skippedOf(rep, "saml/signature-untrusted"); s == nil || !slices.Contains(s.Needs, InputMetadata) {
		t.Errorf("signature-untrusted skipped for %+v", s)
	}
	// Without a trust policy, the trust rules say which input unlocks them.
	if s := skippedOf(rep, "aws/trust-principal"); s == nil || !slices.Contains(s.Needs, InputTrustPolicy) {
		t.Errorf("trust-principal skipped for %+v", s)
	}
}

func TestTrustPolicyRules(t *testing.T) {
	tr := func(s string) Example { return Example{Trust: s} }
	repl := func(old, new string) Example { return tr(strings.Replace(sampleTrust, old, new, 1)) }
	prov := `"Federated":"arn:aws:iam::123456789012:saml-provider/Okta"`
	catches(t, "aws/trust-principal", []row{
		{"case differs", repl("saml-provider/Okta", "saml-provider/okta"), 0},
		{"other account", repl("123456789012", "210987654321"), 0},
		{"AWS principal", repl(prov, `"AWS":"arn:aws:iam::123456789012:root"`), 0},
		{"Deny only", repl(`"Effect":"Allow"`, `"Effect":"Deny"`), 0},
		{"OIDC provider", repl(prov, `"Federated":"arn:aws:iam::123456789012:oidc-provider/okta.example.com"`), 0},
	})
	catchesNot(t, "aws/trust-principal", []row{
		{"as needed", tr(sampleTrust), 0},
		{"in a list", repl(prov, `"Federated":["arn:aws:iam::123456789012:saml-provider/Other","arn:aws:iam::123456789012:saml-provider/Okta"]`), 0},
		{"principal *", repl(`"Principal":{`+prov+`}`, `"Principal":"*"`), 0},
		{"statement as object", tr(strings.NewReplacer(`"Statement":[`, `"Statement":`, `}]}`, `}}`).Replace(sampleTrust)), 0},
	})
	catches(t, "aws/trust-action", []row{
		{"sts:AssumeRole", repl(`"sts:AssumeRoleWithSAML"`, `"sts:AssumeRole"`), 0},
		{"web identity", repl(`"sts:AssumeRoleWithSAML"`, `"sts:AssumeRoleWithWebIdentity"`), 0},
		{"NotAction excludes it", repl(`"Action":["sts:AssumeRoleWithSAML","sts:TagSession"]`, `"NotAction":"sts:AssumeRoleWithSAML"`), 0},
	})
	catchesNot(t, "aws/trust-action", []row{
		{"sts:*", repl(`["sts:AssumeRoleWithSAML","sts:TagSession"]`, `"sts:*"`), 0},
		{"sts:AssumeRole*", repl(`["sts:AssumeRoleWithSAML","sts:TagSession"]`, `["sts:AssumeRole*","sts:TagSession"]`), 0},
		{"lower case", repl(`"sts:AssumeRoleWithSAML"`, `"sts:assumerolewithsaml"`), 0},
		{"*", repl(`["sts:AssumeRoleWithSAML","sts:TagSession"]`, `"*"`), 0},
	})
	regional := recip("https://eu-west-2.signin.aws.amazon.com/saml")
	acs := recip("https://signin.aws.amazon.com/saml/acs/SAMLSPD9IMTW2LM46J042K")
	catches(t, "aws/trust-audience", []row{
		{"regional recipient, global aud", Example{Trust: sampleTrust, Edits: regional}, 0},
		{"provider-specific recipient, global aud", Example{Trust: sampleTrust, Edits: acs}, 0},
		{"global recipient, regional aud", repl(`"SAML:aud":"https://signin.aws.amazon.com/saml"`, `"SAML:aud":"https://eu-west-2.signin.aws.amazon.com/saml"`), 0},
		{"trailing slash in aud", repl(`"SAML:aud":"https://signin.aws.amazon.com/saml"`, `"SAML:aud":"https://signin.aws.amazon.com/saml/"`), 0},
		{"markdown link pasted", repl(`"SAML:aud":"https://signin.aws.amazon.com/saml"`, `"SAML:aud":"[https://signin.aws.amazon.com/saml](https://signin.aws.amazon.com/saml)"`), 0},
	})
	catchesNot(t, "aws/trust-audience", []row{
		{"both in a list", Example{Edits: regional, Trust: strings.Replace(sampleTrust, `"SAML:aud":"https://signin.aws.amazon.com/saml"`, `"SAML:aud":["https://signin.aws.amazon.com/saml","https://eu-west-2.signin.aws.amazon.com/saml"]`, 1)}, 0},
		{"StringLike prefix", Example{Edits: acs, Trust: strings.Replace(sampleTrust, `"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}`, `"StringLike":{"saml:aud":"https://signin.aws.amazon.com/saml*"}`, 1)}, 0},
		{"no condition", tr(strings.Replace(sampleTrust, `,"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}`, ``, 1)), 0},
	})
	cond := func(extra string) Example {
		return repl(`"SAML:aud":"https://signin.aws.amazon.com/saml"`, `"SAML:aud":"https://signin.aws.amazon.com/saml",`+extra)
	}
	catches(t, "aws/trust-condition", []row{
		{"sub_type persistent", cond(`"SAML:sub_type":"persistent"`), 0},
		{"iss of another IdP", cond(`"SAML:iss":"https://sts.windows.net/tenant/"`), 0},
		{"sub of another user", cond(`"SAML:sub":"admin@example.com"`), 0},
		{"doc of another provider", cond(`"SAML:doc":"123456789012/Entra"`), 0},
		{"request tag", cond(`"aws:RequestTag/Department":"Sales"`), 0},
		{"misspelt operator", repl(`"StringEquals"`, `"StringEqual"`), Warning},
		{"explicit deny", tr(strings.Replace(sampleTrust, `}]}`, `},{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRoleWithSAML","Condition":{"StringLike":{"SAML:sub":"*@example.com"}}}]}`, 1)), 0},
	})
	catchesNot(t, "aws/trust-condition", []row{
		{"iss of this IdP", cond(`"SAML:iss":"http://www.okta.com/exk1fxph8bAbCdEf0h7"`), 0},
		{"doc of this provider", cond(`"SAML:doc":"123456789012/Okta"`), 0},
		{"sub like", repl(`"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}`, `"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"},"StringLike":{"SAML:sub":"*@example.com"}`), 0},
		{"request tag", cond(`"aws:RequestTag/Department":"Support"`), 0},
		{"IfExists on absent key", repl(`"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}`, `"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"},"StringEqualsIfExists":{"SAML:edupersonaffiliation":"staff"}`), 0},
	})
	noTag := strings.Replace(sampleTrust, `["sts:AssumeRoleWithSAML","sts:TagSession"]`, `"sts:AssumeRoleWithSAML"`, 1)
	catches(t, "aws/trust-tag-session", []row{
		{"tags without TagSession", tr(noTag), 0},
		{"SourceIdentity without SetSourceIdentity", Example{Trust: sampleTrust, Edits: edit(`</saml2:AttributeStatement>`, `<saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/SourceIdentity"><saml2:AttributeValue>jane</saml2:AttributeValue></saml2:Attribute></saml2:AttributeStatement>`)}, 0},
	})
	catchesNot(t, "aws/trust-tag-session", []row{
		{"TagSession allowed", tr(sampleTrust), 0},
		{"no tags sent", Example{Trust: noTag, Edits: edit(`Name="https://aws.amazon.com/SAML/Attributes/PrincipalTag:Department"`, `Name="department"`)}, 0},
	})
}

func TestGetFederationTokenRule(t *testing.T) {
	rule := "connect/missing-get-federation-token"
	pe := func(s string) Example { return Example{RelayState: sampleRelay, Permissions: s} }
	repl := func(old, new string) Example { return pe(strings.Replace(samplePerms, old, new, 1)) }
	const id = "4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34"
	catches(t, rule, []row{
		{"action missing", repl("connect:GetFederationToken", "connect:DescribeUser"), 0},
		{"sts confusion", repl("connect:GetFederationToken", "sts:GetFederationToken"), 0},
		{"other instance", repl(id, "0b9d2c1e-7a3f-4e8d-9c6b-5a4f3e2d1c0b"), 0},
		{"other region", repl("us-east-1", "eu-west-2"), 0},
		{"other account", repl("123456789012", "210987654321"), 0},
		{"instance ARN only", repl("/user/${aws:userid}", ""), 0},
		{"aws:username", repl("${aws:userid}", "${aws:username}"), 0},
		{"no Version: variables literal", pe(strings.Replace(samplePerms, `"Version":"2012-10-17",`, ``, 1)), 0},
		{"explicit deny", pe(strings.Replace(samplePerms, `}]}`, `},{"Effect":"Deny","Action":"connect:*","Resource":"*"}]}`, 1)), 0},
		{"instance condition mismatch", pe(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"*","Condition":{"StringEquals":{"connect:InstanceId":"0b9d2c1e-7a3f-4e8d-9c6b-5a4f3e2d1c0b"}}}]}`), 0},
	})
	catchesNot(t, rule, []row{
		{"the guide's statement", pe(samplePerms), 0},
		{"connect:* on *", pe(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"connect:*","Resource":"*"}]}`), 0},
		{"user/*", repl("${aws:userid}", "*"), 0},
		{"instance condition", pe(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"*","Condition":{"StringEquals":{"connect:InstanceId":"` + id + `"}}}]}`), 0},
		{"case-insensitive action", repl("connect:GetFederationToken", "Connect:getfederationtoken"), 0},
	})
	catches(t, "connect/user-unknown", []row{
		{"case differs", Example{RelayState: sampleRelay, Users: []string{"Jane.Doe@example.com"}}, 0},
		{"no such user", Example{RelayState: sampleRelay, Users: []string{"ops@example.com"}}, 0},
		{"empty instance", Example{RelayState: sampleRelay, Users: []string{}}, 0},
	})
	catchesNot(t, "connect/user-unknown", []row{{"exact", Example{RelayState: sampleRelay, Users: []string{"x", "jane.doe@example.com"}}, 0}})
}

func TestDiagnose(t *testing.T) {
	cases := []struct{ text, first string }{
		{"Your request included an invalid SAML response. To logout, click here.", "aws/role-missing-role-arn"},
		{"Not authorized to perform sts:AssumeRoleWithSAML (Service: AWSSecurityTokenService; Status Code: 403; Error Code: AccessDenied; Request ID: x)", "aws/trust-principal"},
		{"RoleSessionName is required in AuthnResponse (service: AWSSecurityTokenService; status code: 400; error code: InvalidIdentityToken)", "aws/role-session-name-missing"},
		{"Access Denied. Your account has been authenticated, but has not been onboarded to this application.", "connect/user-name"},
		{"Session expired", "connect/relay-state-invalid"},
		{"An error occurred (ExpiredTokenException) when calling the AssumeRoleWithSAML operation: Token must be redeemed within 5 minutes of issuance", "aws/assertion-too-old"},
		{"access denied, please contact your AWS account administrator for assistance.", "connect/missing-get-federation-token"},
	}
	for _, c := range cases {
		got := Diagnose(c.text).Causes
		if len(got) == 0 || got[0].ID != c.first {
			var ids []string
			for _, r := range got {
				ids = append(ids, r.ID)
			}
			t.Errorf("%q → %v, want %s first", c.text, ids, c.first)
		}
	}
	if len(Diagnose("the weather is nice").Causes) != 0 {
		t.Error("an unrelated text matched rules")
	}
}

// getRole renders aws iam get-role output for a role trusting provider.
func getRole(arn, provider string) string {
	path := "/"
	if i, j := strings.Index(arn, ":role/")+len(":role"), strings.LastIndex(arn, "/"); j > i {
		path = arn[i : j+1]
	}
	return `{"Role":{"Path":"` + path + `","RoleName":"` + arn[strings.LastIndex(arn, "/")+1:] + `","Arn":"` + arn + `","MaxSessionDuration":3600,` +
		`"AssumeRolePolicyDocument":` + strings.Replace(sampleTrust, "arn:aws:iam::123456789012:saml-provider/Okta", provider, 1) + `}}`
}

func TestMultiAccountRolePairs(t *testing.T) {
	const (
		acctB = "210987654321"
		roleB = "arn:aws:iam::" + acctB + ":role/ConnectSupervisor"
		provB = "arn:aws:iam::" + acctB + ":saml-provider/Okta"
	)
	// The role picker: two pairs, the second in another account.
	two := edit(sampleRole, ">"+roleA+","+provA+"</saml2:AttributeValue><saml2:AttributeValue>"+provB+","+roleB+"<")
	exportedB := Example{Edits: two, Trust: getRole(roleB, provB)}
	bareB := Example{Edits: two, Trust: strings.Replace(sampleTrust, provA, provB, 1)}
	for _, rule := range []string{"aws/trust-principal", "aws/role-mismatch", "aws/trust-audience"} {
		catchesNot(t, rule, []row{
			{"get-role of the second pair's role", exportedB, 0},
			{"bare trust policy trusting the second pair's provider", bareB, 0},
			{"get-role of the first pair's role", Example{Edits: two, Trust: getRole(roleA, provA)}, 0},
		})
	}
	rep := lintExample(t, exportedB)
	if fs := findingsOf(rep, "aws/trust-principal"); len(fs) > 0 {
		t.Errorf("a cross-account fix for the second pair: %+v", fs)
	}
	// A role no value names: the inputs disagree; say which values there are.
	other := Example{Edits: two, Trust: getRole("arn:aws:iam::"+acct+":role/Billing", provA)}
	catches(t, "aws/role-mismatch", []row{{"none of the pairs names the exported role", other, Warning}})
	if fs := findingsOf(lintExample(t, other), "aws/role-mismatch"); len(fs) != 1 || !strings.Contains(fs[0].Message, "none of the 2 Role values") || !strings.Contains(fs[0].Actual, roleB) {
		t.Errorf("want both values listed: %+v", fs)
	}
	catches(t, "aws/role-mismatch", []row{
		{"case differs", Example{Trust: getRole("arn:aws:iam::"+acct+":role/connectagent", provA)}, Error},
		{"path left out", Example{Trust: getRole("arn:aws:iam::"+acct+":role/team/ConnectAgent", provA)}, Error},
		{"case differs in the second pair", Example{Edits: two, Trust: getRole("arn:aws:iam::"+acctB+":role/connectsupervisor", provB)}, Error},
	})
	catchesNot(t, "aws/role-mismatch", []row{
		{"exact", Example{Trust: getRole(roleA, provA)}, 0},
	})
	// A bare trust policy has no ARN to compare with: nothing is guessed.
	catchesNot(t, "aws/role-mismatch", []row{{"bare trust policy", Example{Trust: sampleTrust}, 0}})
}

func TestTrustConditionKeys(t *testing.T) {
	rule := "aws/trust-condition"
	withCond := func(cond string) string {
		return strings.Replace(sampleTrust, `"SAML:aud":"https://signin.aws.amazon.com/saml"`, `"SAML:aud":"https://signin.aws.amazon.com/saml",`+cond, 1)
	}
	attr := func(name, value string) []Edit {
		return edit(`</saml2:AttributeStatement>`, `<saml2:Attribute Name="`+name+`"><saml2:AttributeValue>`+value+`</saml2:AttributeValue></saml2:Attribute></saml2:AttributeStatement>`)
	}
	format := func(f string) []Edit {
		return edit(`Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"`, `Format="`+f+`"`)
	}
	policyURI := "urn:oid:1.3.6.1.4.1.5923.1.2.1.3"
	catchesNot(t, rule, []row{
		{"eduOrgIdentityAuthNPolicyURI, spelt as IAM does", Example{Edits: attr(policyURI, "https://example.edu/policy"), Trust: withCond(`"saml:eduorgidentityauthnpolicyuri":"https://example.edu/policy"`)}, 0},
		{"AD emailaddress claim as saml:mail", Example{Edits: attr("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "jane.doe@example.com"), Trust: withCond(`"saml:mail":"jane.doe@example.com"`)}, 0},
		{"AD CommonName claim as saml:commonName", Example{Edits: attr("http://schemas.xmlsoap.org/claims/CommonName", "Jane Doe"), Trust: withCond(`"saml:commonName":"Jane Doe"`)}, 0},
		{"X.500 bare OID as saml:x500UniqueIdentifier", Example{Edits: attr("2.5.4.45", "u-42"), Trust: withCond(`"saml:x500UniqueIdentifier":"u-42"`)}, 0},
		{"entity sub_type without its prefix", Example{Edits: format("urn:oasis:names:tc:SAML:2.0:nameid-format:entity"), Trust: withCond(`"saml:sub_type":"entity"`)}, 0},
		{"kerberos sub_type without its prefix", Example{Edits: format("urn:oasis:names:tc:SAML:2.0:nameid-format:kerberos"), Trust: withCond(`"saml:sub_type":"kerberos"`)}, 0},
		{"1.1 sub_type kept whole", Example{Trust: withCond(`"saml:sub_type":"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"`)}, 0},
		{"policy variable in a value", Example{Trust: withCond(`"sts:RoleSessionName":"${saml:sub}"`)}, 0},
	})
	catches(t, rule, []row{
		{"misspelt key of the old table", Example{Edits: attr(policyURI, "https://example.edu/policy"), Trust: withCond(`"saml:eduorgidentityauthorityuri":"https://example.edu/policy"`)}, 0},
		{"entity sub_type with its prefix", Example{Edits: format("urn:oasis:names:tc:SAML:2.0:nameid-format:entity"), Trust: withCond(`"saml:sub_type":"urn:oasis:names:tc:SAML:2.0:nameid-format:entity"`)}, 0},
		{"policy variable naming another value", Example{Trust: withCond(`"sts:RoleSessionName":"${saml:iss}"`)}, 0},
	})
}

func TestTrustTagSessionConditions(t *testing.T) {
	rule := "aws/trust-tag-session"
	// sts:TagSession in a statement of its own, allowed only for some tags.
	tagStmt := func(cond string) string {
		return strings.Replace(strings.Replace(sampleTrust, `["sts:AssumeRoleWithSAML","sts:TagSession"]`, `"sts:AssumeRoleWithSAML"`, 1),
			`}]}`, `},{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/Okta"},"Action":"sts:TagSession","Condition":`+cond+`}]}`, 1)
	}
	catches(t, rule, []row{
		{"tag value the condition refuses", Example{Trust: tagStmt(`{"StringEquals":{"aws:RequestTag/Department":"Sales"}}`)}, 0},
		{"tag key outside the allowed set", Example{Trust: tagStmt(`{"ForAllValues:StringEquals":{"aws:TagKeys":["CostCenter"]}}`)}, 0},
		{"transitive keys required", Example{Trust: tagStmt(`{"Null":{"sts:TransitiveTagKeys":"false"}}`)}, 0},
		{"TagSession denied", Example{Trust: strings.Replace(sampleTrust, `}]}`, `},{"Effect":"Deny","Principal":"*","Action":"sts:TagSession"}]}`, 1)}, 0},
		{"SourceIdentity only for some names", Example{
			Edits: edit(`</saml2:AttributeStatement>`, `<saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/SourceIdentity"><saml2:AttributeValue>jane</saml2:AttributeValue></saml2:Attribute></saml2:AttributeStatement>`),
			Trust: strings.Replace(sampleTrust, `}]}`, `},{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/Okta"},"Action":"sts:SetSourceIdentity","Condition":{"StringLike":{"sts:SourceIdentity":"svc-*"}}}]}`, 1)}, 0},
	})
	catchesNot(t, rule, []row{
		{"tag value the condition allows", Example{Trust: tagStmt(`{"StringEquals":{"aws:RequestTag/Department":"Support"}}`)}, 0},
		{"tag key inside the allowed set", Example{Trust: tagStmt(`{"ForAllValues:StringEquals":{"aws:TagKeys":["Department","CostCenter"]}}`)}, 0},
		{"TagSession beside AssumeRoleWithSAML", Example{Trust: sampleTrust}, 0},
	})
}

func TestSessionLimits(t *testing.T) {
	snoa := func(at string) []Edit {
		return edit(`SessionIndex="_a1b2c3session">`, `SessionIndex="_a1b2c3session" SessionNotOnOrAfter="`+at+`">`)
	}
	rule := "saml/session-not-on-or-after"
	// Evaluated at IssueInstant + 1 minute (10:01).
	catches(t, rule, []row{
		{"already past", Example{Edits: snoa("2026-11-20T09:59:00Z")}, Warning},
		{"14 minutes left", Example{Edits: snoa("2026-11-20T10:15:00Z")}, Warning},
	})
	catchesNot(t, rule, []row{
		{"absent", Example{}, 0},
		{"15 minutes left", Example{Edits: snoa("2026-11-20T10:16:00Z")}, 0},
		{"eight hours", Example{Edits: snoa("2026-11-20T18:00:00Z")}, 0},
	})
	max := "aws/session-duration-over-role-max"
	withMax := func(n string) string {
		return strings.Replace(getRole(roleA, provA), `"MaxSessionDuration":3600`, `"MaxSessionDuration":`+n, 1)
	}
	notes(t, max, []row{{"43200 against the default 3600", Example{Trust: withMax("3600")}, 0}})
	catchesNot(t, max, []row{
		{"equal", Example{Trust: withMax("43200")}, 0},
		{"no get-role output", Example{Trust: sampleTrust}, 0},
		{"no SessionDuration", Example{Trust: withMax("3600"), Edits: edit(`Name="https://aws.amazon.com/SAML/Attributes/SessionDuration"`, `Name="x-duration"`)}, 0},
	})
}

func TestCaptureOutcome(t *testing.T) {
	rule := "aws/capture-outcome"
	federate := "302 " + sampleRelay
	catches(t, rule, []row{
		{"AWS's invalid-response page", Example{Posted: "20s", Reply: "200 Your request included an invalid SAML response. To logout, click here."}, Error},
		{"AWS's not-authorized page", Example{Posted: "20s", Reply: "200 Not authorized to perform sts:AssumeRoleWithSAML"}, Error},
		{"Connect's access-denied page after federation", Example{Posted: "20s", RelayState: sampleRelay, Reply: federate,
			Then: "200 https://example-corp.my.connect.aws/home Access denied, Please contact your AWS account administrator for assistance."}, Error},
	})
	rep := lintExample(t, Example{Posted: "20s", RelayState: sampleRelay, Reply: federate,
		Then: "200 https://example-corp.my.connect.aws/home Access denied, Please contact your AWS account administrator for assistance."})
	if fs := findingsOf(rep, rule); len(fs) == 0 || !strings.Contains(fs[0].Fix, "connect/missing-get-federation-token") {
		t.Errorf("the Connect page's cause is not named: %+v", fs)
	}
	notes(t, rule, []row{
		{"redirected to the Connect federation URL", Example{Posted: "20s", RelayState: sampleRelay, Reply: federate}, 0},
		{"redirected to the console", Example{Posted: "20s", Reply: "302 https://console.aws.amazon.com/"}, 0},
	})
	catchesNot(t, rule, []row{
		{"a plain 200", Example{Posted: "20s"}, 0},
		{"not a HAR", Example{}, 0},
		{"a page that is no error", Example{Posted: "20s", Reply: "200 Welcome"}, 0},
	})
	// The browser posted to the global endpoint; the Recipient says eu-west-2.
	catches(t, "aws/recipient", []row{{"posted elsewhere than the Recipient", Example{Posted: "20s", Edits: recip("https://eu-west-2.signin.aws.amazon.com/saml")}, 0}})
	catchesNot(t, "aws/recipient", []row{{"posted to the Recipient", Example{Posted: "20s"}, 0}})
}

func TestSCPAndBoundary(t *testing.T) {
	rule := "connect/scp-or-boundary-denies"
	with := func(scp, boundary string) Example {
		files := map[string]string{}
		if scp != "" {
			files["scp.json"] = scp
		}
		if boundary != "" {
			files["permissions-boundary.json"] = boundary
		}
		return Example{RelayState: sampleRelay, Permissions: samplePerms, Files: files}
	}
	regions := func(list string) string {
		return strings.Replace(sampleSCP, `["us-east-1","eu-west-2"]`, list, 1)
	}
	catches(t, rule, []row{
		{"region guardrail without the instance's region", with(regions(`["eu-west-1"]`), ""), 0},
		{"SCP denying Connect outright", with(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"connect:*","Resource":"*"}]}`, ""), 0},
		{"boundary without Connect", with("", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`), 0},
		{"boundary denying GetFederationToken", with("", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"connect:GetFederationToken","Resource":"*"}]}`), 0},
		{"boundary limited to another instance", with("", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"connect:*","Resource":"arn:aws:connect:us-east-1:123456789012:instance/00000000-0000-0000-0000-000000000000/*"}]}`), 0},
	})
	catchesNot(t, rule, []row{
		{"guardrail including the region", with(sampleSCP, ""), 0},
		{"guardrail exempting the role", with(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"sts:*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"},"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Connect*"}}}]}`, ""), 0},
		{"boundary allowing Connect", with("", sampleBoundary), 0},
		{"an Allow-only SCP (FullAWSAccess)", with(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, ""), 0},
	})
	if s := skippedOf(lintExample(t, Example{RelayState: sampleRelay}), rule); s == nil || !slices.Contains(s.Needs, InputSCP) {
		t.Errorf("without SCPs or a boundary: skipped %+v", s)
	}
	// SCP files may be only some of a level's: an allow-list one that
	// leaves the action out is a warning, never an error.
	allowList := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:*","s3:*"],"Resource":"*"}]}`
	if fs := findingsOf(lintExample(t, with(allowList, "")), rule); len(fs) != 1 || fs[0].Severity != Warning || !strings.Contains(fs[0].Message, "if they are all the SCPs of one level") {
		t.Errorf("allow-list SCP file without the action: %+v", fs)
	}
	// SCPs do not apply to the management account, whatever the files say.
	exempt := with(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"connect:*","Resource":"*"}]}`, "")
	exempt.Files["aws-read.json"] = `{"scp":{"exempt":"account 123456789012 is the organization's management account, to which SCPs do not apply"}}`
	if fs := findingsOf(lintExample(t, exempt), rule); len(fs) != 0 {
		t.Errorf("the management account: %+v", fs)
	}
	// Read level by level: a level allowing nothing is an error naming it.
	levels := with("", "")
	levels.Files["aws-read.json"] = `{"scp":{"levels":[{"id":"r-ab12","type":"ROOT","policies":[{"id":"p-FullAWSAccess","name":"FullAWSAccess","content":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}]},{"id":"ou-ab12-x","type":"ORGANIZATIONAL_UNIT","policies":[]}]}}`
	if fs := findingsOf(lintExample(t, levels), rule); len(fs) != 1 || fs[0].Severity != Error || !strings.Contains(fs[0].Message, "OU ou-ab12-x") ||
		!strings.Contains(fs[0].Fix, "add connect:GetFederationToken to an allow-list SCP attached to OU ou-ab12-x") {
		t.Errorf("a level with no SCP: %+v", fs)
	}
	// A Deny read at a level names where it is attached, and its fix
	// matches the statement: a region guard's region, or the Deny itself.
	full := `{"id":"p-FullAWSAccess","name":"FullAWSAccess","content":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}`
	at := func(deny string) Example {
		ex := with("", "")
		b, _ := json.Marshal(deny)
		ex.Files["aws-read.json"] = `{"scp":{"levels":[{"id":"r-ab12","type":"ROOT","policies":[` + full + `]},{"id":"ou-ab12-sales","type":"ORGANIZATIONAL_UNIT","policies":[` + full + `,{"id":"p-guard","name":"Guard","content":` + string(b) + `}]}]}}`
		return ex
	}
	for _, c := range []struct{ name, deny, fix string }{
		{"a region guard", regions(`["eu-west-1"]`), "add us-east-1 to the regions"},
		{"a Deny of Connect", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"connect:*","Resource":"*"}]}`, "to remove Statement[1] of Guard (p-guard), attached to OU ou-ab12-sales, or to scope it"},
	} {
		fs := findingsOf(lintExample(t, at(c.deny)), rule)
		if len(fs) != 1 || fs[0].Severity != Error || !strings.Contains(fs[0].Message, "policy Guard (p-guard), attached to OU ou-ab12-sales,") || !strings.Contains(fs[0].Fix, c.fix) {
			t.Errorf("%s: %+v", c.name, fs)
		}
	}
	// A Deny on a key a capture does not show is a warning naming the
	// key, never silent and never an error: SCPs, boundaries, policies.
	sourceIP := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24"]}}}]}`
	tagged := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"connect:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"support"}}}]}`
	for _, c := range []struct {
		name string
		ex   Example
		rule string
		key  string
	}{
		{"an SCP Deny on aws:SourceIp, read at a level", at(sourceIP), rule, "aws:SourceIp"},
		{"an SCP file's Deny on aws:SourceIp", with(sourceIP, ""), rule, "aws:SourceIp"},
		{"a boundary's Deny on a principal tag", with("", tagged), rule, "aws:PrincipalTag/team"},
		{"a permissions policy's Deny on aws:ViaAWSService", Example{RelayState: sampleRelay, Permissions: strings.Replace(samplePerms, `]}`,
			`,{"Effect":"Deny","Action":"connect:*","Resource":"*","Condition":{"Bool":{"aws:ViaAWSService":"false"}}}]}`, 1)}, "connect/missing-get-federation-token", "aws:ViaAWSService"},
	} {
		rep := lintExample(t, c.ex)
		fs := findingsOf(rep, c.rule)
		if len(fs) != 1 || fs[0].Severity != Warning || !strings.Contains(fs[0].Message, "depends on "+c.key+", which a capture does not show") {
			t.Errorf("%s: %s", c.name, wantOf(rep))
		}
	}
}

// TestProviderFromIAM: get-saml-provider output is IAM's copy, the trust
// anchor; the IdP's metadata beside it is only compared with it.
func TestProviderFromIAM(t *testing.T) {
	md := string(testdata(t, "metadata", "okta-idp-metadata.xml"))
	provider := func(valid string) string {
		b, _ := json.Marshal(map[string]any{"SAMLMetadataDocument": md, "ValidUntil": valid})
		return string(b)
	}
	rep := lintExample(t, Example{Files: map[string]string{"metadata.json": provider("2125-01-01T00:00:00+00:00")}})
	if !rep.Signer.Checked || len(rep.Findings) != 0 {
		t.Errorf("IAM's copy alone: signer %+v, findings %s", rep.Signer, wantOf(rep))
	}
	// Signed with the rotated key: IAM has the old certificate and the IdP
	// publishes only the new one. The rotation is named, once.
	rotated := strings.Replace(md, certText(t, "idp"), certText(t, "idp-rotated"), 1)
	if rotated == md {
		t.Fatal("no certificate replaced")
	}
	rep = lintExample(t, Example{Key: "rotated", Files: map[string]string{"metadata.json": provider(""), "metadata.xml": rotated}})
	if fs := findingsOf(rep, "aws/provider-metadata-stale"); len(fs) != 1 || fs[0].Severity != Error {
		t.Errorf("rotation: %s", wantOf(rep))
	}
	if fs := findingsOf(rep, "saml/signature-untrusted"); len(fs) != 0 {
		t.Errorf("the rotation reported twice: %s", wantOf(rep))
	}
	// The IdP publishes a next certificate IAM lacks, and signs with the
	// old one: a warning.
	both := strings.Replace(md, "</md:KeyDescriptor>", "</md:KeyDescriptor>"+keyDescriptor(t, rotated), 1)
	rep = lintExample(t, Example{Files: map[string]string{"metadata.json": provider(""), "metadata.xml": both}})
	if fs := findingsOf(rep, "aws/provider-metadata-stale"); len(fs) != 1 || fs[0].Severity != Warning {
		t.Errorf("next certificate: %s", wantOf(rep))
	}
	// ValidUntil in the past is a warning: AWS does not document its effect.
	rep = lintExample(t, Example{Files: map[string]string{"metadata.json": provider("2020-01-01T00:00:00+00:00")}})
	if fs := findingsOf(rep, "aws/provider-expired"); len(fs) != 1 || fs[0].Severity != Warning {
		t.Errorf("expired provider: %s", wantOf(rep))
	}
	if err := (&Inputs{}).Add(InputMetadata, "p.json", []byte(provider("yesterday"))); err == nil || !strings.Contains(err.Error(), "ValidUntil") {
		t.Errorf("unreadable ValidUntil: %v", err)
	}
}

// certText is a PEM certificate's base64 body as metadata holds it.
func certText(t *testing.T, name string) string {
	var b strings.Builder
	for _, l := range strings.Split(string(testdata(t, "keys", name+".crt")), "\n") {
		if l != "" && !strings.HasPrefix(l, "-----") {
			b.WriteString(l + "\n")
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// keyDescriptor is the first signing KeyDescriptor of metadata.
func keyDescriptor(t *testing.T, md string) string {
	i := strings.Index(md, "<md:KeyDescriptor")
	j := strings.Index(md, "</md:KeyDescriptor>")
	if i < 0 || j < 0 {
		t.Fatal("no KeyDescriptor")
	}
	return md[i : j+len("</md:KeyDescriptor>")]
}

func TestPapercuts(t *testing.T) {
	// The RoleSessionName suggestion does not turn surrounding spaces into dots.
	if got := sanitizeSession("  Jane Doe "); got != "Jane.Doe" {
		t.Errorf("sanitizeSession = %q, want Jane.Doe", got)
	}
	// The expected value of a second, malformed Role value quotes its own
	// role, not the first value's.
	second := "arn:aws:iam::" + acct + ":role/ConnectSupervisor"
	rep := lintExample(t, Example{Edits: edit(sampleRole, sampleRole[:len(sampleRole)-1]+"</saml2:AttributeValue><saml2:AttributeValue>\""+second+","+provA+"\"<")})
	fs := findingsOf(rep, "aws/role-arn-malformed")
	if len(fs) != 1 || !strings.Contains(fs[0].Expected, "ConnectSupervisor") || strings.Contains(fs[0].Expected, "ConnectAgent") {
		t.Errorf("expected value for AttributeValue[2]: %+v", fs)
	}
}

func TestResponseTooLargeLimits(t *testing.T) {
	var many strings.Builder
	many.WriteString("<saml2p:Extensions><e")
	for i := range 300 {
		fmt.Fprintf(&many, ` a%d="%d"`, i, i)
	}
	many.WriteString("/></saml2p:Extensions><saml2p:Status>")
	// Past a count but under AWS's 100,000 characters: not checked, and
	// since AWS documents nothing about it, a warning.
	catches(t, "aws/response-too-large", []row{{name: "300 attributes on one element", ex: Example{Edits: edit("<saml2p:Status>", many.String())}, sev: Warning}})
	catchesNot(t, "aws/response-too-large", []row{{name: "the sample", ex: Example{}}})

	// Past a count and past AWS's limit: an error, and nothing else runs,
	// whatever the capture's scope.
	big := testkit.Adversarial(testkit.SampleXML(t), testkit.ShapeIDs, 650_000)
	res, err := Lint(big, &Inputs{}, Options{Now: issued.Add(time.Minute)})
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res[0].Err)
	}
	rep := res[0].Report
	if len(rep.Findings) != 1 || rep.Findings[0].Rule != "aws/response-too-large" || rep.Findings[0].Severity != Error ||
		!strings.Contains(rep.Findings[0].Message, "holds more than 20000 elements, samllint's limit; nothing else was checked") {
		t.Fatalf("findings: %+v", rep.Findings)
	}
	checked := 0
	for _, r := range registry {
		if r.Check != nil {
			checked++
		}
	}
	if len(rep.Skipped) != checked-1 { // every rule with a check but this one
		t.Errorf("%d skipped, want %d", len(rep.Skipped), checked-1)
	}
	for _, s := range rep.Skipped {
		if s.Reason != "not checked" || !strings.HasPrefix(s.Because, "the response holds more than") {
			t.Errorf("%s skipped because %q", s.Rule, s.Reason)
		}
	}
}

// TestDestinationExpected: a Destination that is no AWS endpoint is
// expected to be the Recipient when that is one, not the regional
// endpoint the Connect RelayState suggests.
func TestDestinationExpected(t *testing.T) {
	rule := "aws/destination"
	wrong := edit(`Destination="https://signin.aws.amazon.com/saml"`, `Destination="https://example.okta.com/sso/saml"`)
	relay := "https://eu-west-2.console.aws.amazon.com/connect/federate/4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34"
	rep := lintExample(t, Example{Edits: wrong, RelayState: relay})
	fs := findingsOf(rep, rule)
	if len(fs) != 1 || fs[0].Expected != "https://signin.aws.amazon.com/saml" || !strings.Contains(fs[0].Fix, "https://signin.aws.amazon.com/saml") {
		t.Fatalf("findings: %+v", fs)
	}
	regional := append(edit(`Destination="https://signin.aws.amazon.com/saml"`, `Destination="https://eu-west-2.signin.aws.amazon.com/saml"`),
		Edit{`Recipient="https://signin.aws.amazon.com/saml"`, `Recipient="https://eu-west-2.signin.aws.amazon.com/saml"`})
	catchesNot(t, rule, []row{
		{"global Destination and Recipient, a regional RelayState", Example{RelayState: relay}, 0},
		{"regional Destination and Recipient", Example{Edits: regional, RelayState: relay}, 0},
	})
}
