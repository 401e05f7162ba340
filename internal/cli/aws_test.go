package cli

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/samllint/samllint/internal/test/awstest"
	"github.com/samllint/samllint/internal/test/testkit"
)

const awsNow = "2026-11-20T10:01:00Z"

func awsWorld(t *testing.T) *awstest.World {
	return awstest.Sample(string(testkit.Testdata(t, "metadata", "okta-idp-metadata.xml")))
}

// awsCases are setups read from the account, each broken in one place.
var awsCases = []struct {
	name    string
	capture string // under testdata/assertions
	change  func(w *awstest.World)
	want    string // a rule that must be reported; "" for none
	// withIdP is the rule reported instead when the IdP's own metadata is
	// given too ("" for the same as want).
	withIdP string
}{
	{"working", "okta-connect.b64", func(*awstest.World) {}, "", ""},
	{"trust-other-provider", "okta-connect.b64", func(w *awstest.World) {
		r := w.Roles["ConnectAgent"]
		r.Trust = strings.Replace(r.Trust, "saml-provider/Okta", "saml-provider/OktaOld", 1)
	}, "aws/trust-principal", ""},
	{"no-federation-permission", "okta-connect.b64", func(w *awstest.World) {
		r := w.Roles["ConnectAgent"]
		r.Attached = r.Attached[:1]
	}, "connect/missing-get-federation-token", ""},
	{"boundary-without-connect", "okta-connect.b64", func(w *awstest.World) {
		for _, p := range w.Policies {
			if p.Name == "AgentBoundary" {
				p.Document = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:*","Resource":"*"}]}`
			}
		}
	}, "connect/scp-or-boundary-denies", ""},
	{"ou-allow-list", "okta-connect.b64", func(w *awstest.World) {
		w.SCPs["p-allow"] = &awstest.SCP{Name: "AllowList", Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:*","s3:*"],"Resource":"*"}]}`}
		w.Attached[awstest.SampleOU] = []string{"p-allow"}
	}, "connect/scp-or-boundary-denies", ""},
	{"region-guard", "okta-connect.b64", func(w *awstest.World) {
		w.SCPs["p-region01"].Content = strings.Replace(awstest.SampleRegionSCP, `"us-east-1",`, "", 1)
	}, "connect/scp-or-boundary-denies", ""},
	{"user-case", "okta-connect.har#1", func(w *awstest.World) {
		w.Connect[awstest.SampleInstance].Users = []string{"Jane.Doe@example.com"}
	}, "connect/user-unknown", ""},
	{"connect-managed", "okta-connect.har#1", func(w *awstest.World) {
		w.Connect[awstest.SampleInstance].IdentityManagementType = "CONNECT_MANAGED"
	}, "connect/instance-not-saml", ""},
	{"encryption-required", "okta-connect.b64", func(w *awstest.World) {
		w.Providers[awstest.SampleProvider].Mode = "Required"
		w.Providers[awstest.SampleProvider].Keys = 1
	}, "aws/provider-encryption", ""},
	{"provider-expired", "okta-connect.b64", func(w *awstest.World) {
		w.Providers[awstest.SampleProvider].ValidUntil = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	}, "aws/provider-expired", ""},
	{"role-missing", "okta-connect.b64", func(w *awstest.World) { delete(w.Roles, "ConnectAgent") }, "aws/role-not-found", ""},
	// A role picker: a read-only role in another account first, the
	// Connect role in the credentials' account second, which is read.
	{"multi-role-second-account", "okta-multi-role.b64", func(w *awstest.World) {}, "", ""},
	// The IdP rotated its key and IAM still holds the old certificate: the
	// IdP's metadata beside IAM's copy names the cause.
	{"iam-behind-the-idp", "okta-rotated-cert.xml", func(w *awstest.World) {}, "saml/signature-untrusted", "aws/provider-metadata-stale"},
}

type jsonFinding struct {
	Rule, Severity string
	Location       struct{ Source, Path string }
}

func findingsJSON(t *testing.T, out string) []string {
	t.Helper()
	var doc struct{ Findings []jsonFinding }
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	var got []string
	for _, f := range doc.Findings {
		got = append(got, f.Severity+" "+f.Rule+" "+f.Location.Source+" "+f.Location.Path)
	}
	return got
}

// TestAWSBothWays: each setup read live with --from-aws gives the same
// findings as the command aws-export prints runs offline with the files it
// writes, with the flags given carried over: the evaluation time (given,
// or the one aws-export pins) and the IdP's own metadata beside IAM's
// copy among them. The live text report is a golden file.
func TestAWSBothWays(t *testing.T) {
	idpMetadata := repo("testdata", "metadata", "okta-idp-metadata.xml")
	for _, c := range awsCases {
		for _, variant := range []struct {
			name  string
			flags []string
		}{{"", []string{"--now", awsNow}}, {"/the IdP's metadata too", []string{"--now", awsNow, "--metadata", idpMetadata}}, {"/no evaluation time", nil}} {
			t.Run(c.name+variant.name, func(t *testing.T) {
				if c.withIdP != "" {
					// The IdP publishes its new certificate beside the old.
					variant.flags = slices.Clone(variant.flags)
					if i := slices.Index(variant.flags, idpMetadata); i >= 0 {
						variant.flags[i] = repo("testdata", "metadata", "okta-idp-metadata-rotation.xml")
					}
				}
				w := awsWorld(t)
				c.change(w)
				srv := awstest.New(t, w)
				srv.Env(t)
				capture := repo("testdata", "assertions", c.capture)
				args := append([]string{}, variant.flags...)
				if !strings.Contains(c.capture, ".har") {
					args = append(args, "--relay-state", awstest.SampleRelay)
				}
				code, text, errs := runCLI(t, "", append(append([]string{"lint", "--from-aws"}, args...), capture)...)
				if code == 2 {
					t.Fatalf("exit 2: %s", errs)
				}
				if variant.name == "" {
					golden(t, filepath.Join("aws", c.name+".txt"), strings.ReplaceAll(text, repo()+"/", ""))
				}
				_, live, _ := runCLI(t, "", append(append([]string{"lint", "--from-aws", "--format", "json"}, args...), capture)...)
				liveF := findingsJSON(t, live)
				want := c.want
				if c.withIdP != "" && slices.Contains(variant.flags, "--metadata") {
					want = c.withIdP
				}
				if want != "" && !slices.ContainsFunc(liveF, func(s string) bool { return strings.Contains(s, " "+want+" ") }) {
					t.Errorf("no %s finding: %q", want, liveF)
				}
				if want == "" && len(liveF) != 0 {
					t.Errorf("findings on a working setup: %q", liveF)
				}

				dir := t.TempDir()
				code, out, errs := runCLI(t, "", append(append([]string{"aws-export", "--out", dir}, args...), capture)...)
				if code != 0 {
					t.Fatalf("aws-export: exit %d: %s", code, errs)
				}
				_, cmdline, ok := strings.Cut(out, "lint offline with:\n  ")
				if !ok {
					t.Fatalf("aws-export printed no command:\n%s", out)
				}
				offline := strings.Fields(strings.TrimSpace(cmdline))
				if offline[0] != "samllint" {
					t.Fatalf("command %q", cmdline)
				}
				before := len(srv.Requests())
				code2, off, errs := runCLI(t, "", append([]string{"lint", "--format", "json"}, offline[1:]...)...)
				if code2 != code && code2 == 2 {
					t.Fatalf("offline: exit 2: %s", errs)
				}
				if len(srv.Requests()) != before {
					t.Error("the offline lint called AWS")
				}
				if offF := findingsJSON(t, off); !slices.Equal(liveF, offF) {
					t.Errorf("findings differ\n--from-aws: %q\noffline:    %q\ncommand: %s", liveF, offF, cmdline)
				}
			})
		}
	}
}

// TestAWSCLIErrors: no credentials is one line and exit 2; the AWS flags
// without --from-aws are refused; a denied read is no exit 2.
func TestAWSCLIErrors(t *testing.T) {
	srv := awstest.New(t, awsWorld(t))
	srv.Env(t)
	capture := repo("testdata", "assertions", "okta-connect.b64")
	srv.Deny("iam:GetRole")
	code, out, errs := runCLI(t, "", "lint", "--from-aws", "--now", awsNow, "--relay-state", awstest.SampleRelay, capture)
	if code == 2 || !strings.Contains(out, "needs iam:GetRole on "+awstest.SampleRole+" (AccessDenied)") {
		t.Errorf("denied GetRole: exit %d\n%s%s", code, out, errs)
	}

	// aws-export reads the account whatever; its AWS flags need no switch.
	if code, out, errs := runCLI(t, "", "aws-export", "--aws-region", "us-east-1", "--aws-timeout", "5s", "--out", t.TempDir(), "--relay-state", awstest.SampleRelay, capture); code != 0 || !strings.Contains(out, "lint offline with:") {
		t.Errorf("aws-export --aws-region: exit %d\n%s%s", code, out, errs)
	}

	// Redacted files are for sharing: no command that would lint the
	// capture with files that no longer match it.
	if code, out, errs := runCLI(t, "", "aws-export", "--redact", "--out", t.TempDir(), "--relay-state", awstest.SampleRelay, capture); code != 0 ||
		strings.Contains(out, "lint offline with") || !strings.Contains(out, "cannot lint the capture") {
		t.Errorf("aws-export --redact: exit %d\n%s%s", code, out, errs)
	}

	// Credentials that cannot be used end the run: one line, exit 2.
	for _, c := range []struct {
		name string
		set  func()
		args []string
		want string
	}{
		{"expired", func() { srv.World.CallerError = "ExpiredToken" }, nil, "samllint: --from-aws: the AWS credentials have expired (ExpiredToken): get fresh ones"},
		{"no such profile", func() { srv.World.CallerError = "" }, []string{"--aws-profile", "nobody"}, `the AWS profile "nobody" is in neither`},
		{"a timeout without a unit", nil, []string{"--aws-timeout", "30"}, `"30" has no unit: use a unit, such as 30s`},
		{"a zero timeout", nil, []string{"--aws-timeout", "0s"}, `"0s": expected a duration above zero`},
		{"a negative timeout", nil, []string{"--aws-timeout", "-5s"}, `"-5s": expected a duration above zero`},
	} {
		if c.set != nil {
			c.set()
		}
		code, out, errs := runCLI(t, "", append(append([]string{"lint", "--from-aws", "--relay-state", awstest.SampleRelay}, c.args...), capture)...)
		if code != 2 || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d\n%s%s\nwant one line with %q", c.name, code, out, errs, c.want)
		}
	}
	srv.World.CallerError = ""
	// aws-export that reads nothing exits 2, naming why.
	srv.World.Caller = "999999999999"
	if code, out, errs := runCLI(t, "", "aws-export", "--out", t.TempDir(), "--relay-state", awstest.SampleRelay, capture); code != 2 ||
		!strings.Contains(errs, "aws-export read nothing for") || !strings.Contains(errs, "not the role's account 123456789012") {
		t.Errorf("aws-export with another account's credentials: exit %d\n%s%s", code, out, errs)
	}
	srv.World.Caller = awstest.SampleAccount

	code, _, errs = runCLI(t, "", "lint", "--aws-profile", "x", capture)
	if code != 2 || !strings.Contains(errs, "--aws-profile applies only with --from-aws") {
		t.Errorf("--aws-profile alone: exit %d, %q", code, errs)
	}

	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	for _, cmd := range [][]string{{"lint", "--from-aws"}, {"fix", "--from-aws"}, {"diff", "--from-aws", capture}, {"aws-export", "--out", t.TempDir()}} {
		code, _, errs = runCLI(t, "", append(cmd, capture)...)
		if code != 2 || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, "no AWS credentials") || !strings.Contains(errs, "--aws-profile") {
			t.Errorf("%v without credentials: exit %d, %q", cmd, code, errs)
		}
		// Each names what was typed: aws-export has no --from-aws.
		said := "samllint: --from-aws: "
		if cmd[0] == "aws-export" {
			said = "samllint: aws-export: "
		}
		if !strings.HasPrefix(errs, said) {
			t.Errorf("%v without credentials: %q does not start with %q", cmd, errs, said)
		}
	}
}

// TestAWSFix: fix --from-aws corrects the trust policy read from IAM.
func TestAWSFix(t *testing.T) {
	w := awsWorld(t)
	r := w.Roles["ConnectAgent"]
	r.Trust = strings.Replace(r.Trust, `"sts:AssumeRoleWithSAML",`, "", 1)
	srv := awstest.New(t, w)
	srv.Env(t)
	code, out, errs := runCLI(t, "", "fix", "--from-aws", "--now", awsNow, "--relay-state", awstest.SampleRelay, repo("testdata", "assertions", "okta-connect.b64"))
	if code == 2 || !strings.Contains(out, "update-assume-role-policy --role-name ConnectAgent") || !strings.Contains(out, "sts:AssumeRoleWithSAML") {
		t.Errorf("fix --from-aws: exit %d\n%s%s", code, out, errs)
	}
}
