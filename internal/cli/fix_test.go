package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/samllint/samllint/internal/test/testkit"
	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/lint/linttest"
)

// TestFixRelint: the documents "samllint fix" writes, given back to lint,
// clear every trust-policy and GetFederationToken finding of the golden
// IAM cases.
func TestFixRelint(t *testing.T) {
	dir, _ := filepath.Abs(repo("testdata", "assertions", "golden"))
	t.Chdir(dir)
	cases := []struct{ input, trust, perms string }{
		{"iam-trust-wrong-provider.form", "iam/role-lowercase-provider.json", ""},
		{"iam-trust-assume-role.b64", "iam/role-assume-role.cfn.json", ""},
		{"iam-trust-regional.form", "iam/role-global-aud.tf.json", ""},
		{"iam-trust-sub-type.b64", "iam/trust-sub-type.json", ""},
		{"iam-trust-no-tag-session.b64", "iam/role-no-tagsession.json", ""},
		{"iam-gft-username.form", "iam/role-good.json", "iam/connect-username.json"},
		{"iam-gft-sts.form", "iam/role-good.json", "iam/connect-sts-action.json"},
	}
	for _, c := range cases {
		t.Run(c.input, func(t *testing.T) {
			out := t.TempDir()
			args := []string{"fix", "--at-issue", "--metadata", "../../metadata/okta-idp-metadata.xml", "--trust-policy", c.trust, "--write", out}
			if c.perms != "" {
				args = append(args, "--permissions-policy", c.perms)
			}
			code, text, errs := runCLI(t, "", append(args, c.input)...)
			if code != 0 {
				t.Fatalf("fix: exit %d: %s", code, errs)
			}
			if !strings.Contains(text, "# apply: aws iam") {
				t.Errorf("no apply command in:\n%s", text)
			}
			relint := []string{"lint", "--format", "json", "--at-issue", "--metadata", "../../metadata/okta-idp-metadata.xml", "--trust-policy", c.trust}
			if _, err := os.Stat(filepath.Join(out, "trust-policy.json")); err == nil {
				relint[len(relint)-1] = filepath.Join(out, "trust-policy.json")
			}
			if c.perms != "" {
				relint = append(relint, "--permissions-policy", c.perms)
			}
			if _, err := os.Stat(filepath.Join(out, "connect-federation.json")); err == nil {
				relint = append(relint, "--permissions-policy", filepath.Join(out, "connect-federation.json"))
			}
			_, js, errs := runCLI(t, "", append(relint, c.input)...)
			var doc struct {
				Findings []struct{ Rule, Message string } `json:"findings"`
			}
			if err := json.Unmarshal([]byte(js), &doc); err != nil {
				t.Fatalf("%v: %s", err, errs)
			}
			for _, f := range doc.Findings {
				if strings.HasPrefix(f.Rule, "aws/trust-") || f.Rule == "connect/missing-get-federation-token" {
					t.Errorf("after the fix: %s %s", f.Rule, f.Message)
				}
			}
		})
	}
}

// TestExplainErrorText: the error texts admins see on AWS's and Connect's
// pages, and the codes and actions they search for, each rank first the
// cause that most often produces it; a text naming an operation or a
// service leaves out the other hop's rules; what to capture is said once.
func TestExplainErrorText(t *testing.T) {
	gft := "An error occurred (AccessDeniedException) when calling the GetFederationToken operation: User: arn:aws:sts::123456789012:assumed-role/ConnectAgent/jane is not authorized to perform: connect:GetFederationToken on resource: arn:aws:connect:us-east-1:123456789012:instance/4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34/user/AROA:jane"
	for _, c := range []struct {
		text, first string
		also        []string // further causes it must list
		not         string   // a prefix of rules it must leave out
	}{
		// The Okta → Connect guide's three errors.
		{"Your request included an invalid SAML response. To logout, click here.", "aws/role-missing-role-arn", []string{"aws/role-attribute-missing"}, "connect/"},
		{"Not authorized to perform sts:AssumeRoleWithSAML", "aws/trust-principal", []string{"aws/trust-audience"}, "connect/"},
		{gft, "connect/missing-get-federation-token", []string{"connect/scp-or-boundary-denies"}, "aws/"},
		// AWS's sign-in and STS texts.
		{"Response signature invalid (service: AWSSecurityTokenService; status code: 400; error code: InvalidIdentityToken)", "saml/signature-untrusted", []string{"saml/signature-invalid"}, "connect/"},
		{"RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64} (service: AWSSecurityTokenService; status code: 400; error code: InvalidIdentityToken)", "aws/role-session-name-invalid", nil, "connect/"},
		{"Token must be redeemed within 5 minutes of issuance", "aws/assertion-too-old", nil, ""},
		{"Issuer not present in specified provider", "saml/issuer-mismatch", nil, ""},
		{"Specified provider doesn't exist", "aws/role-arn-malformed", []string{"aws/trust-principal"}, ""},
		{"To use SAML, enable one or more IAM roles for this application", "aws/role-attribute-missing", nil, ""},
		// Amazon Connect's pages.
		{"Access Denied. Your account has been authenticated, but has not been onboarded to this application.", "connect/user-name", nil, "aws/trust-"},
		{"Access denied, Please contact your AWS account administrator for assistance.", "connect/missing-get-federation-token", []string{"connect/scp-or-boundary-denies"}, ""},
		{"Session Expired", "connect/relay-state-invalid", nil, ""},
		{"Session not found", "connect/relay-state-invalid", nil, ""},
		// Codes and actions alone, not taken for rule IDs.
		{"ExpiredTokenException", "saml/expired", nil, ""},
		{"InvalidIdentityToken", "saml/signature-untrusted", nil, "connect/"},
		{"IDPRejectedClaim", "saml/status-not-success", nil, ""},
		{"AccessDenied", "aws/trust-principal", nil, ""},
		{"RegionDisabledException", "aws/recipient", nil, ""},
		{"connect:GetFederationToken", "connect/missing-get-federation-token", nil, "aws/trust-"},
		{"User: arn:aws:sts::123456789012:assumed-role/ConnectAgent/jane is not authorized to perform: connect:GetFederationToken", "connect/missing-get-federation-token", nil, "aws/trust-"},
	} {
		code, out, errs := runCLI(t, "", "explain", c.text)
		if code != 0 || !strings.Contains(out, "\n1. "+c.first+" ") {
			t.Errorf("explain %q: exit %d, want %s first\n%s%s", c.text, code, c.first, out, errs)
			continue
		}
		for _, r := range c.also {
			if !strings.Contains(out, ". "+r+" (") {
				t.Errorf("explain %q leaves out %s:\n%s", c.text, r, out)
			}
		}
		if c.not != "" && regexp.MustCompile(`(?m)^\d+\. `+regexp.QuoteMeta(c.not)).MatchString(out) {
			t.Errorf("explain %q lists %s rules, which cannot cause it:\n%s", c.text, c.not, out)
		}
		if strings.Count(out, "To tell them apart, capture") != 1 || strings.Contains(out, "to confirm") {
			t.Errorf("explain %q: what to capture is not said once:\n%s", c.text, out)
		}
		if strings.Contains(out, "1 rule") || strings.Contains(out, "from 1 ") {
			t.Errorf("explain %q: %q", c.text, out)
		}
	}
	code, out, _ := runCLI(t, "", "explain", "Not authorized to perform sts:AssumeRoleWithSAML")
	if code != 0 || !strings.Contains(out, "--trust-policy") {
		t.Errorf("exit %d\n%s", code, out)
	}
	// What the account holds is asked for as --from-aws, the way a person
	// reads it; the offline file is named as the alternative.
	if !strings.Contains(out, "Then run\n  samllint --from-aws sign-in.har\nor, with the files,\n  samllint --trust-policy FILE sign-in.har\n") ||
		strings.Contains(out, "samllint --trust-policy FILE --aws-read FILE") {
		t.Errorf("explain does not end with --from-aws:\n%s", out)
	}
	code, _, errs := runCLI(t, "", "explain", "something else entirely")
	if code != 2 || !strings.Contains(errs, "no rule is known") {
		t.Errorf("exit %d %q", code, errs)
	}
	// Near-miss suggestions stay within the namespace.
	if code, _, errs := runCLI(t, "", "explain", "aws/role-sesion-name"); code != 2 || !strings.Contains(errs, "did you mean aws/role-session-name-") {
		t.Errorf("near miss: exit %d %q", code, errs)
	}
}

func TestPolicyInputErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "trust.json")
	os.WriteFile(bad, []byte("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\",}\n  ]\n}\n"), 0o644)
	perms := filepath.Join(dir, "perms.json")
	os.WriteFile(perms, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"connect:*","Resource":"*"}]}`), 0o644)
	users := filepath.Join(dir, "users.json")
	os.WriteFile(users, []byte(`{"Users":[]}`), 0o644)
	sample := repo("testdata", "assertions", "okta-connect.b64")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--trust-policy", bad}, "trust.json:4:"},
		{[]string{"--trust-policy", perms}, "holds a permissions policy"},
		{[]string{"--permissions-policy", repo("testdata", "assertions", "golden", "iam", "trust-sub-type.json")}, "holds a trust policy"},
		{[]string{"--connect-users", users}, "no UserSummaryList or User"},
		{[]string{"--trust-policy", filepath.Join(dir, "missing.json")}, "no such file"},
	}
	for _, c := range cases {
		code, _, errs := runCLI(t, "", append(append([]string{"lint", "--at-issue"}, c.args...), sample)...)
		if code != 2 || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q (want %q)", c.args, code, errs, c.want)
		}
	}
}

// TestFixRedact: fix --redact masks the account, the user and the
// signatures in its policies and texts, as lint --redact does.
func TestFixRedact(t *testing.T) {
	dir, _ := filepath.Abs(repo("testdata", "assertions", "golden"))
	t.Chdir(dir)
	for _, format := range []string{"text", "json"} {
		code, out, errs := runCLI(t, "", "fix", "--redact", "--format", format, "--at-issue", "--trust-policy", "iam/role-lowercase-provider.json", "--permissions-policy", "iam/connect-username.json", "iam-trust-wrong-provider.form")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		for _, secret := range []string{"123456789012", "jane.doe@example.com", "4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s: %q survives fix --redact", format, secret)
			}
		}
		if !strings.Contains(out, "1##########2") {
			t.Errorf("%s: the masked account is missing:\n%s", format, out)
		}
	}
}

// TestFixAgreesWithLinttest: fix, lint and linttest run one pipeline, so
// for every golden case fix reports the verdict linttest's want file holds.
func TestFixAgreesWithLinttest(t *testing.T) {
	dir, cases := goldenCases(t)
	t.Chdir(dir)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, err := linttest.Lint(c.name + ".case.yaml")
			if err != nil {
				t.Fatal(err)
			}
			var reports []struct {
				Verdict string `json:"verdict"`
			}
			if err := json.Unmarshal(want, &reports); err != nil {
				t.Fatal(err)
			}
			_, out, errs := runCLI(t, "", append(append([]string{"fix", "--format", "json"}, c.args...), c.input)...)
			var doc struct {
				Plans []struct{ Verdict string } `json:"plans"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("%v: %s", err, errs)
			}
			if len(doc.Plans) != len(reports) {
				t.Fatalf("fix: %d plans, linttest: %d reports", len(doc.Plans), len(reports))
			}
			for i := range reports {
				// linttest's want files count no skipped checks (testkit.StableSkipped).
				if testkit.StableSkipped("verdict", doc.Plans[i].Verdict) != reports[i].Verdict {
					t.Errorf("capture %d: fix says %q, linttest %q", i+1, doc.Plans[i].Verdict, reports[i].Verdict)
				}
			}
		})
	}
}

const sampleRelayState = "https://us-east-1.console.aws.amazon.com/connect/federate/4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34"

// TestDevNullIsNoTerminal: /dev/null is a character device, not a
// terminal: samllint < /dev/null gets no paste prompt, only the one-line
// error for empty input.

// TestFixWrite: without policies given, fix --write writes complete policy
// documents the policy loader takes, and says what it wrote.
func TestFixWrite(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCLI(t, "", "fix", "--at-issue", "--write", dir, "--relay-state", sampleRelayState,
		repo("testdata", "assertions", "okta-connect.b64"))
	if code != 0 || errs != "" {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for file, kind := range map[string]lint.Input{"trust-policy.json": lint.InputTrustPolicy, "connect-federation.json": lint.InputPermissionsPolicy} {
		path := filepath.Join(dir, file)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s not written: %v", file, err)
			continue
		}
		if !strings.Contains(out, "wrote "+path) {
			t.Errorf("fix does not say it wrote %s:\n%s", path, out)
		}
		// The apply command applies the file written, not one beside it.
		if !strings.Contains(out, "--policy-document file://"+filepath.ToSlash(path)+"\n") {
			t.Errorf("no apply command names file://%s:\n%s", path, out)
		}
		if !strings.HasPrefix(string(b), "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [") {
			t.Errorf("%s is not a complete policy document:\n%s", file, b)
		}
		if err := (&lint.Inputs{}).Add(kind, file, b); err != nil {
			t.Errorf("the policy loader refuses %s: %v", file, err)
		}
	}
	// What fix prints is the same complete document.
	if !strings.Contains(out, "\"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Principal\"") {
		t.Errorf("the printed trust policy is not a complete document:\n%s", out)
	}
}
