package awsread_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/samllint/samllint/awsread"
	"github.com/samllint/samllint/internal/test/awstest"
	"github.com/samllint/samllint/internal/test/testkit"
	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/saml"
)

// The sample's names, as awstest.Sample sets them up.
const (
	acct      = awstest.SampleAccount
	roleARN   = awstest.SampleRole
	provARN   = awstest.SampleProvider
	instance  = awstest.SampleInstance
	relay     = awstest.SampleRelay
	ou        = awstest.SampleOU
	root      = awstest.SampleRoot
	regionSCP = awstest.SampleRegionSCP
)

func world(t testing.TB) *awstest.World {
	return awstest.Sample(string(testkit.Testdata(t, "metadata", "okta-idp-metadata.xml")))
}

type run struct {
	res    *lint.Result
	notes  []string
	srv    *awstest.Server
	reader *awsread.Reader
}

// calls are the API calls the read made, from the reader's cache.
func (r run) calls(t *testing.T) []awsread.Call {
	tg := lint.TargetOf(&saml.Message{Capture: r.res.Capture, Response: r.res.Response}, r.res.Inputs)
	rd, err := r.reader.Read(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	return rd.Calls
}

// lintAWS lints the sample with the account read from srv's world.
func lintAWS(t *testing.T, w *awstest.World, setup func(*awstest.Server), timeout time.Duration) run {
	t.Helper()
	srv := awstest.New(t, w)
	srv.Env(t)
	if setup != nil {
		setup(srv)
	}
	t.Cleanup(func() {
		for _, a := range srv.Requests() {
			if !slices.Contains(awsread.Actions, a) {
				t.Errorf("called %s, which is not one of awsread.Actions (the least-privilege policy)", a)
			}
		}
	})
	var notes []string
	r, err := awsread.New(context.Background(), awsread.Options{Timeout: timeout, Notify: func(m string) { notes = append(notes, m) }})
	if err != nil {
		t.Fatal(err)
	}
	rs := relay
	results, err := lint.Lint(testkit.Testdata(t, "assertions", "okta-connect.b64"), &lint.Inputs{RelayState: &rs}, lint.Options{Resolver: r, Name: "okta-connect.b64"})
	if err != nil {
		t.Fatalf("lint: %v", err)
	}
	if len(results) != 1 || results[0].Report == nil {
		t.Fatalf("results: %+v", results)
	}
	return run{res: results[0], notes: notes, srv: srv, reader: r}
}

func (r run) findings() []string {
	var out []string
	for _, f := range r.res.Report.Findings {
		out = append(out, f.Severity.String()+" "+f.Rule+": "+f.Message)
	}
	return out
}

func (r run) finding(t *testing.T, rule string) lint.Finding {
	t.Helper()
	for _, f := range r.res.Report.Findings {
		if f.Rule == rule {
			return f
		}
	}
	t.Fatalf("no %s finding; findings: %q", rule, r.findings())
	return lint.Finding{}
}

func (r run) skipped(rule string) *lint.Skipped {
	for i, s := range r.res.Report.Skipped {
		if s.Rule == rule {
			return &r.res.Report.Skipped[i]
		}
	}
	return nil
}

// awsSkipped are the skipped rules but those that read Okta's
// configuration, which no AWS read gives.
func awsSkipped(rep *lint.Report) []lint.Skipped {
	var out []lint.Skipped
	for _, s := range rep.Skipped {
		if !strings.HasPrefix(s.Rule, "okta/") {
			out = append(out, s)
		}
	}
	return out
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// TestAWSReadPaths: the working setup, read in full, lints clean with
// nothing skipped for want of an AWS input, every read path taken and
// every list paged.
func TestAWSReadPaths(t *testing.T) {
	r := lintAWS(t, world(t), nil, 5*time.Second)
	if f := r.findings(); len(f) != 0 {
		t.Errorf("findings on a working setup read from the account: %q", f)
	}
	for _, s := range awsSkipped(r.res.Report) {
		// Comparing IAM's copy with the IdP's own needs the IdP's metadata.
		if s.Rule != "aws/provider-metadata-stale" {
			t.Errorf("skipped with everything read: %+v", s)
		}
	}
	if !r.res.Report.Signer.Checked {
		t.Errorf("the signer was not checked against the metadata IAM holds: %+v", r.res.Report.Signer)
	}
	reqs := r.srv.Requests()
	for _, a := range awsread.Actions {
		// LookupEvents is samllint trail's (TestLookupEvents), not a lint's.
		if !slices.Contains(reqs, a) && a != "cloudtrail:LookupEvents" {
			t.Errorf("%s was never called", a)
		}
	}
	// Pagination, one item a page: 2 attached, 2 inline, 2 SCPs at the root.
	for a, n := range map[string]int{"iam:ListAttachedRolePolicies": 2, "iam:ListRolePolicies": 2, "organizations:ListPoliciesForTarget": 4, "connect:SearchUsers": 1} {
		if got := count(reqs, a); got != n {
			t.Errorf("%s called %d times, want %d (pages)", a, got, n)
		}
	}
	// FullAWSAccess is attached at three levels and described once.
	if got := count(reqs, "organizations:DescribePolicy"); got != 2 {
		t.Errorf("DescribePolicy called %d times, want 2", got)
	}
	in := r.res.Inputs
	if in.Provider() == nil || in.Provider().UUID != "SAMLSPD9IMTW2LM46J042K" {
		t.Errorf("provider settings not read: %+v", in.Provider())
	}
	read := in.AWSRead()
	if read.SCP == nil || len(read.SCP.Levels) != 3 || read.SCP.Levels[0].ID != root || read.SCP.Levels[1].ID != ou || read.SCP.Levels[2].ID != acct {
		t.Errorf("SCP levels: %+v", read.SCP)
	}
	if read.UserSearch == nil || !slices.Equal(read.UserSearch.Found, []string{"jane.doe@example.com"}) {
		t.Errorf("user search: %+v", read.UserSearch)
	}
	if read.Simulation == nil || read.Simulation.Decision != "allowed" || !strings.HasSuffix(read.Simulation.Resource, "/user/AROA3XFRBF535PLBIFPI4:jane.doe@example.com") {
		t.Errorf("simulation: %+v", read.Simulation)
	}
}

// TestAWSCached: a second capture with the same target reads nothing more.
func TestAWSCached(t *testing.T) {
	srv := awstest.New(t, world(t))
	srv.Env(t)
	r, err := awsread.New(context.Background(), awsread.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tg := lint.Target{Partition: "aws", Account: acct, RoleARN: roleARN, ProviderARN: provARN, Region: "us-east-1", Instance: instance, SessionName: "jane.doe@example.com"}
	if _, err := r.Read(context.Background(), tg); err != nil {
		t.Fatal(err)
	}
	n := len(srv.Requests())
	if _, err := r.Read(context.Background(), tg); err != nil {
		t.Fatal(err)
	}
	if len(srv.Requests()) != n {
		t.Errorf("the same target was read twice: %d then %d requests", n, len(srv.Requests()))
	}
}

// TestAWSThrottled: a throttled call is retried by the SDK and answered.
func TestAWSThrottled(t *testing.T) {
	r := lintAWS(t, world(t), func(s *awstest.Server) {
		s.Throttle("iam:GetRole", 1)
		s.Throttle("organizations:ListParents", 1)
		s.Throttle("connect:DescribeInstance", 1)
	}, 20*time.Second)
	if f := r.findings(); len(f) != 0 || len(awsSkipped(r.res.Report)) != 1 {
		t.Errorf("after a throttled call: findings %q, skipped %+v", f, awsSkipped(r.res.Report))
	}
	reqs := r.srv.Requests()
	for _, a := range []string{"iam:GetRole", "connect:DescribeInstance"} {
		if count(reqs, a) != 2 {
			t.Errorf("%s asked %d times, want 2 (throttled, then retried)", a, count(reqs, a))
		}
	}
}

// TestAWSAccessDenied: each action denied in turn gives a skipped check
// that names it, and never an error.
func TestAWSAccessDenied(t *testing.T) {
	rules := map[string]string{
		"iam:GetSAMLProvider":                 "saml/signature-untrusted",
		"iam:GetRole":                         "aws/trust-principal",
		"iam:ListAttachedRolePolicies":        "connect/missing-get-federation-token",
		"iam:GetPolicy":                       "connect/missing-get-federation-token",
		"iam:GetPolicyVersion":                "connect/missing-get-federation-token",
		"iam:ListRolePolicies":                "connect/missing-get-federation-token",
		"iam:GetRolePolicy":                   "connect/missing-get-federation-token",
		"organizations:DescribeOrganization":  "connect/scp-or-boundary-denies",
		"organizations:ListRoots":             "connect/scp-or-boundary-denies",
		"organizations:ListParents":           "connect/scp-or-boundary-denies",
		"organizations:ListPoliciesForTarget": "connect/scp-or-boundary-denies",
		"organizations:DescribePolicy":        "connect/scp-or-boundary-denies",
		"connect:DescribeInstance":            "connect/instance-not-saml",
		"connect:SearchUsers":                 "connect/user-unknown",
	}
	for _, action := range awsread.Actions {
		if action == "sts:GetCallerIdentity" {
			continue // it needs no permission, and no policy can deny it: TestAWSCredentialsRefused
		}
		t.Run(action, func(t *testing.T) {
			r := lintAWS(t, world(t), func(s *awstest.Server) { s.Deny(action) }, 5*time.Second)
			if f := r.findings(); len(f) != 0 {
				t.Errorf("findings when %s is denied: %q", action, f)
			}
			rule, ok := rules[action]
			if !ok {
				// Optional: the simulator.
				if len(awsSkipped(r.res.Report)) != 1 {
					t.Errorf("skipped when only %s is denied: %+v", action, awsSkipped(r.res.Report))
				}
				return
			}
			sk := r.skipped(rule)
			if sk == nil || !strings.Contains(sk.Because, "needs "+action) {
				t.Fatalf("%s: skipped %+v, want one naming %q", rule, sk, "needs "+action)
			}
			if strings.HasPrefix(action, "organizations:") && !strings.Contains(sk.Because, "--scp") {
				t.Errorf("an Organizations refusal should point to --scp: %q", sk.Because)
			}
		})
	}
}

// TestAWSNoSuchEntity: a role or provider that does not exist is an error
// naming it; a Connect instance too.
func TestAWSNoSuchEntity(t *testing.T) {
	w := world(t)
	delete(w.Roles, "ConnectAgent")
	r := lintAWS(t, w, nil, 5*time.Second)
	f := r.finding(t, "aws/role-not-found")
	if f.Severity != lint.Error || !strings.Contains(f.Message, roleARN) || !strings.Contains(f.Actual, "cannot be found") {
		t.Errorf("role-not-found: %+v", f)
	}
	if sk := r.skipped("aws/trust-principal"); sk == nil || !strings.Contains(sk.Because, "does not exist") {
		t.Errorf("trust-principal skipped: %+v", sk)
	}

	w = world(t)
	delete(w.Providers, provARN)
	r = lintAWS(t, w, nil, 5*time.Second)
	f = r.finding(t, "aws/provider-not-found")
	if !strings.Contains(f.Message, provARN) || !strings.Contains(f.Message, "Specified provider doesn't exist") {
		t.Errorf("provider-not-found: %+v", f)
	}

	w = world(t)
	delete(w.Connect, instance)
	r = lintAWS(t, w, nil, 5*time.Second)
	if f := r.finding(t, "connect/instance-not-found"); !strings.Contains(f.Message, instance) {
		t.Errorf("instance-not-found: %+v", f)
	}
}

// TestAWSOtherAccount: credentials of another account are said once, and
// nothing of the role's account is read or guessed.
func TestAWSOtherAccount(t *testing.T) {
	w := world(t)
	w.Caller = "999999999999"
	r := lintAWS(t, w, nil, 5*time.Second)
	if len(r.notes) != 1 || !strings.Contains(r.notes[0], "999999999999") || !strings.Contains(r.notes[0], acct) {
		t.Errorf("notes: %q", r.notes)
	}
	if reqs := r.srv.Requests(); !slices.Equal(reqs, []string{"sts:GetCallerIdentity"}) {
		t.Errorf("requests beyond GetCallerIdentity: %q", reqs)
	}
	if f := r.findings(); len(f) != 0 {
		t.Errorf("findings: %q", f)
	}
	if sk := r.skipped("aws/trust-principal"); sk == nil || !strings.Contains(sk.Because, "credentials are for account 999999999999") {
		t.Errorf("trust-principal skipped: %+v", sk)
	}
}

// TestAWSConnectManaged: an instance that does not use SAML is an error.
func TestAWSConnectManaged(t *testing.T) {
	w := world(t)
	w.Connect[instance].IdentityManagementType = "CONNECT_MANAGED"
	r := lintAWS(t, w, nil, 5*time.Second)
	if f := r.finding(t, "connect/instance-not-saml"); f.Severity != lint.Error || f.Actual != "CONNECT_MANAGED" {
		t.Errorf("instance-not-saml: %+v", f)
	}
}

// TestAWSUserUnknown: SearchUsers finds no user of that exact name.
func TestAWSUserUnknown(t *testing.T) {
	w := world(t)
	w.Connect[instance].Users = []string{"Jane.Doe@example.com"}
	r := lintAWS(t, w, nil, 5*time.Second)
	if f := r.finding(t, "connect/user-unknown"); f.Actual != "jane.doe@example.com" {
		t.Errorf("user-unknown: %+v", f)
	}
}

// TestAWSRotation: IAM still holds the certificate the IdP signed with
// before it rotated; the IdP's current metadata, given too, has the new
// one. The rotation failure is named, not a bare "untrusted".
func TestAWSRotation(t *testing.T) {
	w := world(t)
	md := certRe.ReplaceAllString(w.Providers[provARN].Metadata, "<ds:X509Certificate>"+certBody(t, "idp-rotated")+"</ds:X509Certificate>")
	if md == w.Providers[provARN].Metadata {
		t.Fatal("no certificate replaced")
	}
	w.Providers[provARN].Metadata = md
	srv := awstest.New(t, w)
	srv.Env(t)
	r, err := awsread.New(context.Background(), awsread.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rs := relay
	in := &lint.Inputs{RelayState: &rs}
	if err := in.Add(lint.InputMetadata, "okta-idp-metadata.xml", testkit.Testdata(t, "metadata", "okta-idp-metadata.xml")); err != nil {
		t.Fatal(err)
	}
	results, err := lint.Lint(testkit.Testdata(t, "assertions", "okta-connect.b64"), in, lint.Options{Resolver: r})
	if err != nil {
		t.Fatal(err)
	}
	rn := run{res: results[0]}
	f := rn.finding(t, "aws/provider-metadata-stale")
	if f.Severity != lint.Error || !strings.Contains(f.Message, "okta-idp-metadata.xml") || !strings.Contains(f.Message, "not in the metadata IAM holds") {
		t.Errorf("provider-metadata-stale: %+v", f)
	}
	for _, f := range results[0].Report.Findings {
		if f.Rule == "saml/signature-untrusted" {
			t.Errorf("the rotation is reported twice: %s", f.Message)
		}
	}
}

var certRe = regexp.MustCompile(`(?s)<ds:X509Certificate>.*?</ds:X509Certificate>`)

func certBody(t *testing.T, name string) string {
	var b strings.Builder
	for _, l := range strings.Split(string(testkit.Testdata(t, "keys", name+".crt")), "\n") {
		if l != "" && !strings.HasPrefix(l, "-----") {
			b.WriteString(l)
		}
	}
	return b.String()
}

// TestAWSSCPLevels: SCPs at the root, an OU and the account.
func TestAWSSCPLevels(t *testing.T) {
	allowList := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:*","s3:*"],"Resource":"*"}]}`
	denyConnect := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"connect:*","Resource":"*"}]}`
	for _, c := range []struct {
		name   string
		change func(w *awstest.World)
		want   string // in the finding's message; "" for none
	}{
		{"root region guard lets us-east-1 through", func(*awstest.World) {}, ""},
		{"root allow-list without connect", func(w *awstest.World) {
			w.SCPs["p-allow"] = &awstest.SCP{Name: "AllowList", Content: allowList}
			w.Attached[root] = []string{"p-allow"}
		}, "the root r-ab12"},
		{"OU with FullAWSAccess detached", func(w *awstest.World) {
			w.SCPs["p-allow"] = &awstest.SCP{Name: "AllowList", Content: allowList}
			w.Attached[ou] = []string{"p-allow"}
		}, "OU " + ou},
		{"account with no SCP", func(w *awstest.World) { w.Attached[acct] = nil }, "account " + acct},
		{"deny at the OU", func(w *awstest.World) {
			w.SCPs["p-deny"] = &awstest.SCP{Name: "NoConnect", Content: denyConnect}
			w.Attached[ou] = append(w.Attached[ou], "p-deny")
		}, "NoConnect"},
		{"region guard without us-east-1", func(w *awstest.World) {
			w.SCPs["p-region01"].Content = strings.Replace(regionSCP, `"us-east-1",`, "", 1)
		}, "RegionGuard"},
		{"management account: SCPs do not apply", func(w *awstest.World) {
			w.Management = acct
			w.Attached[acct] = nil
		}, ""},
		{"no organization", func(w *awstest.World) { w.Management = "" }, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := world(t)
			c.change(w)
			r := lintAWS(t, w, nil, 5*time.Second)
			if c.want == "" {
				if f := r.findings(); len(f) != 0 {
					t.Errorf("findings: %q", f)
				}
				return
			}
			f := r.finding(t, "connect/scp-or-boundary-denies")
			if f.Severity != lint.Error || !strings.Contains(f.Message+f.Location.File, c.want) {
				t.Errorf("finding %q at %s, want one naming %q", f.Message, f.Location, c.want)
			}
		})
	}
}

// TestAWSTimeout: a call that stalls costs only its own checks, within a
// third of --aws-timeout; the calls after it are still made and read. A
// read whose whole time runs out names the calls it never sent.
func TestAWSTimeout(t *testing.T) {
	r := lintAWS(t, world(t), func(s *awstest.Server) { s.StallAction("iam:GetSAMLProvider", 10*time.Second) }, 3*time.Second)
	if f := r.findings(); len(f) != 0 {
		t.Errorf("findings: %q", f)
	}
	if sk := r.skipped("saml/signature-untrusted"); sk == nil || !strings.Contains(sk.Because, "iam:GetSAMLProvider on "+provARN+" did not answer within 1s, a third of --aws-timeout 3s") {
		t.Errorf("the stalled call: %+v", sk)
	}
	for _, rule := range []string{"aws/trust-principal", "connect/missing-get-federation-token", "connect/scp-or-boundary-denies", "connect/user-unknown"} {
		if sk := r.skipped(rule); sk != nil {
			t.Errorf("%s skipped after another call stalled: %+v", rule, sk)
		}
	}
	// Every call stalls: the time runs out, and what was never sent says so.
	r = lintAWS(t, world(t), func(s *awstest.Server) {
		s.Stall(10 * time.Second)
		s.StallAction("sts:GetCallerIdentity", 0)
	}, 900*time.Millisecond)
	if sk := r.skipped("aws/trust-principal"); sk == nil || !strings.Contains(sk.Because, "iam:GetRole on "+roleARN+" did not answer within 300ms") {
		t.Errorf("a call that stalled: %+v", sk)
	}
	if sk := r.skipped("connect/user-unknown"); sk == nil || !strings.Contains(sk.Because, "was not sent: the read's time (--aws-timeout 900ms) ran out before it") {
		t.Errorf("a call never sent: %+v", sk)
	}
}

// TestAWSNoSCPs: an organization where SCPs apply nowhere (consolidated
// billing only, or all features with SCPs never enabled on the root) lists
// no SCP at any level: that is no finding, and the report says why.
func TestAWSNoSCPs(t *testing.T) {
	for name, change := range map[string]func(*awstest.World){
		"consolidated billing": func(w *awstest.World) { w.FeatureSet = "CONSOLIDATED_BILLING" },
		"SCPs not enabled":     func(w *awstest.World) { w.SCPsDisabled = true },
	} {
		t.Run(name, func(t *testing.T) {
			w := world(t)
			change(w)
			r := lintAWS(t, w, nil, 5*time.Second)
			if f := r.findings(); len(f) != 0 {
				t.Errorf("findings: %q", f)
			}
			if sk := r.skipped("connect/scp-or-boundary-denies"); sk != nil && !strings.Contains(sk.Because, "SCPs are not enabled in this organization") {
				t.Errorf("skipped: %+v", sk)
			}
			if a := r.res.Inputs.AWSRead(); a == nil || a.SCP == nil || !strings.Contains(a.SCP.Exempt, "SCPs are not enabled in this organization") {
				t.Errorf("aws-read: %+v", a)
			}
		})
	}
}

// TestAWSCredentialsRefused: credentials AWS refuses end the run with one
// typed error naming the cause and the fix; GetCallerIdentity needs no
// permission, so its failure is always one of these.
func TestAWSCredentialsRefused(t *testing.T) {
	for code, want := range map[string]string{
		"ExpiredToken":          "the AWS credentials have expired (ExpiredToken): get fresh ones",
		"InvalidClientTokenId":  "AWS does not know the access key (InvalidClientTokenId)",
		"SignatureDoesNotMatch": "the AWS secret key does not match the access key (SignatureDoesNotMatch)",
	} {
		t.Run(code, func(t *testing.T) {
			w := world(t)
			w.CallerError = code
			srv := awstest.New(t, w)
			srv.Env(t)
			r, err := awsread.New(context.Background(), awsread.Options{Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			rs := relay
			_, err = lint.Lint(testkit.Testdata(t, "assertions", "okta-connect.b64"), &lint.Inputs{RelayState: &rs}, lint.Options{Resolver: r})
			var ce *awsread.CredentialsError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %v, want a CredentialsError saying %q", err, want)
			}
			if got := srv.Requests(); len(got) != 1 {
				t.Errorf("requests after the credentials were refused: %q", got)
			}
		})
	}
}

// TestAWSOnce: two sign-ins to one provider and instance (a HAR) read
// each resource once.
func TestAWSOnce(t *testing.T) {
	srv := awstest.New(t, world(t))
	srv.Env(t)
	r, err := awsread.New(context.Background(), awsread.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// Two users of one role, provider and instance: two targets.
	jane := testkit.SampleXML(t)
	ops := []byte(strings.Replace(string(jane), ">jane.doe@example.com</saml2:AttributeValue>", ">ops@example.com</saml2:AttributeValue>", 1))
	rs := relay
	for _, capture := range [][]byte{jane, ops} {
		if _, err := lint.Lint(capture, &lint.Inputs{RelayState: &rs}, lint.Options{Resolver: r}); err != nil {
			t.Fatal(err)
		}
	}
	counts := map[string]int{}
	for _, a := range srv.Requests() {
		counts[a]++
	}
	for _, a := range []string{"iam:GetSAMLProvider", "iam:GetRole", "connect:DescribeInstance", "organizations:DescribeOrganization", "sts:GetCallerIdentity"} {
		if counts[a] != 1 {
			t.Errorf("%s requested %d times, want once", a, counts[a])
		}
	}
	if counts["connect:SearchUsers"] != 2 {
		t.Errorf("SearchUsers requested %d times, want once for each user", counts["connect:SearchUsers"])
	}
}

// TestAWSNoCredentials: no credentials at all is one typed error that
// says how to give them.
func TestAWSNoCredentials(t *testing.T) {
	srv := awstest.New(t, world(t))
	srv.Env(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	_, err := awsread.New(context.Background(), awsread.Options{Timeout: 5 * time.Second})
	var ce *awsread.CredentialsError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a CredentialsError", err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "--aws-profile") || !strings.Contains(msg, "AWS_ACCESS_KEY_ID") {
		t.Errorf("message: %q", msg)
	}
}

// lintWith lints the sample, edited, with the account read from srv.
func lintWith(t *testing.T, srv *awstest.Server, edit func(string) string, opts awsread.Options) (*lint.Result, []string, error) {
	t.Helper()
	var notes []string
	opts.Notify = func(m string) { notes = append(notes, m) }
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	r, err := awsread.New(context.Background(), opts)
	if err != nil {
		return nil, nil, err
	}
	// Edited before it is signed, as the IdP would send it.
	signed, err := testkit.SignResponse(testkit.LoadKeyPair(t, "idp"), []byte(edit(string(testkit.UnsignedSample(t)))), testkit.SignOptions{Assertion: true, Response: true})
	if err != nil {
		t.Fatal(err)
	}
	rs := relay
	results, err := lint.Lint(signed, &lint.Inputs{RelayState: &rs}, lint.Options{Resolver: r})
	if err != nil {
		return nil, notes, err
	}
	return results[0], notes, nil
}

// rolePairs makes the sample's Role attribute these pairs.
func rolePairs(pairs ...string) func(string) string {
	return func(x string) string {
		var vals strings.Builder
		for _, p := range pairs {
			vals.WriteString("<saml2:AttributeValue>" + p + "</saml2:AttributeValue>")
		}
		return strings.Replace(x, "<saml2:AttributeValue>"+roleARN+","+provARN+"</saml2:AttributeValue>", vals.String(), 1)
	}
}

// TestAWSPairs: with several Role pairs, the pair in the credentials'
// account is read, and the note says which; none there names the
// accounts and --account.
func TestAWSPairs(t *testing.T) {
	readOnly := "arn:aws:iam::111122223333:role/ReadOnly,arn:aws:iam::111122223333:saml-provider/Okta"
	srv := awstest.New(t, world(t))
	srv.Env(t)
	res, notes, err := lintWith(t, srv, rolePairs(readOnly, roleARN+","+provARN), awsread.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "read the role " + roleARN + " (pair 2 of 2; the credentials are for " + acct + ")"
	if !slices.Contains(notes, want) {
		t.Errorf("notes %q, want %q", notes, want)
	}
	for _, f := range res.Report.Findings {
		if f.Severity == lint.Error {
			t.Errorf("the pair read is the working one, yet: %s %s", f.Rule, f.Message)
		}
	}
	if sk := awsSkipped(res.Report); len(sk) > 1 {
		t.Errorf("skipped with the second pair read: %+v", sk)
	}
	_, notes, err = lintWith(t, srv, rolePairs(readOnly, "arn:aws:iam::444455556666:role/Other,arn:aws:iam::444455556666:saml-provider/Okta"), awsread.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "the capture's Role pairs are in accounts 111122223333, 444455556666: nothing was read") || !strings.Contains(notes[0], "--account") {
		t.Errorf("no pair in the credentials' account: notes %q", notes)
	}
}

// TestAWSCredentialsUnusable: a profile that does not exist, an expired
// IAM Identity Center session and an endpoint that cannot be reached each
// end the run with one line that names the fix.
func TestAWSCredentialsUnusable(t *testing.T) {
	srv := awstest.New(t, world(t))
	srv.Env(t)
	t.Run("no such profile", func(t *testing.T) {
		_, err := awsread.New(context.Background(), awsread.Options{Profile: "nobody", Timeout: 5 * time.Second})
		if err == nil || !strings.Contains(err.Error(), `the AWS profile "nobody" is in neither `+os.Getenv("AWS_CONFIG_FILE")+" nor "+os.Getenv("AWS_SHARED_CREDENTIALS_FILE")) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("an expired SSO session", func(t *testing.T) {
		home := t.TempDir()
		t.Setenv("HOME", home)
		t.Setenv("AWS_ACCESS_KEY_ID", "")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "")
		os.WriteFile(os.Getenv("AWS_CONFIG_FILE"), []byte("[profile agents]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = "+acct+"\nsso_role_name = Admin\nregion = us-east-1\n"), 0o600)
		cache := filepath.Join(home, ".aws", "sso", "cache")
		os.MkdirAll(cache, 0o700)
		sum := sha1.Sum([]byte("https://example.awsapps.com/start"))
		os.WriteFile(filepath.Join(cache, hex.EncodeToString(sum[:])+".json"),
			[]byte(`{"accessToken":"expired","expiresAt":"2020-01-01T00:00:00Z","region":"us-east-1","startUrl":"https://example.awsapps.com/start"}`), 0o600)
		_, err := awsread.New(context.Background(), awsread.Options{Profile: "agents", Timeout: 5 * time.Second})
		if err == nil || !strings.Contains(err.Error(), "the IAM Identity Center (SSO) session has expired: run aws sso login --profile agents") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("an endpoint that refuses", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		t.Setenv("AWS_ENDPOINT_URL_STS", "http://"+addr)
		_, _, err := lintWith(t, srv, func(x string) string { return x }, awsread.Options{})
		var ce *awsread.CredentialsError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "cannot reach AWS to check the credentials: cannot reach "+addr+": the connection was refused") {
			t.Errorf("err = %v", err)
		}
	})
}

// TestAWSPartitionRegion: a GovCloud role with no region set is read from
// its partition's region, and the note says so.
func TestAWSPartitionRegion(t *testing.T) {
	w := world(t)
	gov := strings.NewReplacer("arn:aws:", "arn:aws-us-gov:")
	for arn, p := range w.Providers {
		delete(w.Providers, arn)
		w.Providers[gov.Replace(arn)] = p
	}
	for _, r := range w.Roles {
		r.ARN = gov.Replace(r.ARN)
		r.Trust = gov.Replace(r.Trust)
	}
	srv := awstest.New(t, w)
	srv.Env(t)
	t.Setenv("AWS_REGION", "")
	_, notes, err := lintWith(t, srv, func(x string) string { return gov.Replace(x) }, awsread.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) == 0 || notes[0] != "reading the aws-us-gov partition's IAM, STS and Organizations from us-gov-west-1: no AWS region is set (--aws-region)" {
		t.Errorf("notes %q", notes)
	}
	if got := srv.Requests(); !slices.Contains(got, "iam:GetRole") {
		t.Errorf("requests %q", got)
	}
}
