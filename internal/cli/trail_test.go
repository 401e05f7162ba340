package cli

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samllint/samllint/internal/test/awstest"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestTrail runs samllint trail on CloudTrail files shaped as AWS's docs
// show them (testdata/trail/ATTRIBUTION.txt): the attempts, oldest first,
// each failure's diagnosis, a capture joined by assertion ID, a capture
// AWS logged nothing for, --redact, filters and JSON, each against its
// golden file.
func TestTrail(t *testing.T) {
	dir := repo("testdata", "trail")
	s3, lookup, errs := filepath.Join(dir, "s3-log.json.gz"), filepath.Join(dir, "lookup-events.json"), filepath.Join(dir, "errors.json")
	har := repo("testdata", "assertions", "okta-connect.har")
	md := repo("testdata", "metadata", "okta-idp-metadata.xml")
	for _, c := range []struct {
		name string
		args []string
		code int
	}{
		{"s3", []string{s3}, 1},
		{"s3-json", []string{"--format", "json", s3}, 1},
		{"errors", []string{errs}, 1},
		{"user", []string{"--user", "amir@example.com", s3}, 0},
		{"window", []string{"--start", "2026-11-20T10:01:00Z", "--end", "2026-11-20T10:04:00Z", s3}, 1},
		{"redact", []string{"--redact", s3}, 1},
		{"redact-json", []string{"--redact", "--format", "json", s3}, 1},
		{"capture", []string{"--metadata", md, "--capture", har, s3}, 1},
		{"capture-unlogged", []string{"--metadata", md, "--capture", har, errs}, 1},
		{"capture-disagree", []string{"--metadata", md, "--capture", har, filepath.Join(dir, "disagree.json")}, 1},
		{"capture-json", []string{"--metadata", md, "--format", "json", "--capture", har, s3}, 1},
		{"s3-sarif", []string{"--format", "sarif", s3}, 1},
		{"s3-github", []string{"--format", "github", s3}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, "", append([]string{"trail"}, c.args...)...)
			if code != c.code {
				t.Errorf("exit %d, want %d\n%s%s", code, c.code, out, stderr)
			}
			golden(t, filepath.Join("trail", c.name+".txt"), strings.ReplaceAll(out, filepath.ToSlash(repo()), "."))
		})
	}
	// The same events, read from lookup-events output, print the same.
	_, a, _ := runCLI(t, "", "trail", s3)
	_, b, _ := runCLI(t, "", "trail", lookup)
	if a != b {
		t.Errorf("lookup-events output prints otherwise than the log file:\n%s\n---\n%s", b, a)
	}
	// A directory is read whole, a log file and a lookup of it once, and
	// a file in it that is not CloudTrail's is named and skipped.
	d := t.TempDir()
	for _, f := range []string{s3, lookup} {
		raw, _ := os.ReadFile(f)
		os.WriteFile(filepath.Join(d, filepath.Base(f)), raw, 0o644)
	}
	os.WriteFile(filepath.Join(d, "notes.txt"), []byte("not a log"), 0o644)
	code, c, stderr := runCLI(t, "", "trail", d)
	if code != 1 || c != a || !strings.Contains(stderr, "skipped "+filepath.Join(d, "notes.txt")+": not JSON") {
		t.Errorf("a directory: exit %d, stderr %q\n%s", code, stderr, c)
	}
}

// TestTrailRefuses: bad input gets one line naming what was wrong, exit 2.
func TestTrailRefuses(t *testing.T) {
	notes := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notes, []byte("hello"), 0o644)
	for _, args := range [][]string{
		{"trail"},
		{"trail", notes},
		{"trail", "--start", "yesterday", notes},
		{"trail", "--format", "sarif", notes},
		{"trail", filepath.Join(t.TempDir(), "missing.json")},
	} {
		code, out, stderr := runCLI(t, "", args...)
		if code != 2 || out != "" || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.HasPrefix(stderr, "samllint: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, stderr)
		}
	}
}

// TestTrailRedacts: no e-mail address, source IP, user agent or account
// ID of the events survives --redact, in either format.
func TestTrailRedacts(t *testing.T) {
	s3 := repo("testdata", "trail", "s3-log.json.gz")
	for _, f := range []string{"text", "json", "sarif", "github"} {
		_, out, _ := runCLI(t, "", "trail", "--redact", "--format", f, s3)
		for _, secret := range []string{"jane.doe@example.com", "bob@example.com", "198.51.100.23", "203.0.113.7", "Mozilla/5.0", "123456789012"} {
			if strings.Contains(out, secret) {
				t.Errorf("--redact --format %s leaves %q:\n%s", f, secret, out)
			}
		}
		if !strings.Contains(out, "AccessDenied") {
			t.Errorf("--redact --format %s masked the diagnosis:\n%s", f, out)
		}
	}
}

// TestTrailLive: --from-aws reads the same events from CloudTrail's event
// history (a loopback stand-in answering LookupEvents as its API
// reference documents it: paged with NextToken, throttled once) and
// prints what the log file prints; a window past the 90 days the history
// keeps, and a denied LookupEvents, are one line each.
func TestTrailLive(t *testing.T) {
	srv := liveTrail(t, trailRecords(t, "s3-log.json.gz"), nil)
	srv.PageSize = 1
	srv.Throttle("cloudtrail:LookupEvents", 1)

	code, out, stderr := runCLI(t, "", "trail", "--from-aws", "--now", "2026-11-20T11:00:00Z", "--since", "2h")
	want, _ := os.ReadFile(repo("testdata", "golden", "trail", "s3.txt"))
	// The attempts read live are the log file's; the diagnoses then add
	// what the account holds (TestTrailAccount).
	attempts := func(s string) string { return s[:strings.Index(s, "2 failed.")] }
	if code != 1 || !strings.Contains(out, "2 failed.") || attempts(out) != attempts(string(want)) {
		t.Errorf("exit %d, stderr %q; the live history prints otherwise than the log file:\n%s", code, stderr, out)
	}
	golden(t, filepath.Join("trail", "live.txt"), out)
	var lookups int
	for _, r := range srv.Requests() {
		if r == "cloudtrail:LookupEvents" {
			lookups++
		}
	}
	// AssumeRoleWithSAML: 3 events, 3 pages; GetFederationToken: 2 pages;
	// and the throttled request, retried.
	if lookups != 6 {
		t.Errorf("%d LookupEvents requests, want 6 (5 pages and one throttled): %v", lookups, srv.Requests())
	}
	// A capture given beside --from-aws is joined to its live event.
	code, out, _ = runCLI(t, "", "trail", "--from-aws", "--now", "2026-11-20T11:00:00Z", "--since", "2h", "--metadata", repo("testdata", "metadata", "okta-idp-metadata.xml"), repo("testdata", "assertions", "okta-connect.har"))
	if code != 1 || !strings.Contains(out, "assertion _a1b2c3assertion: samllint says") || !strings.Contains(out, "They agree.") {
		t.Errorf("a capture joined live: exit %d\n%s", code, out)
	}
	// A window outside the stand-in's events reads none.
	if code, out, _ := runCLI(t, "", "trail", "--from-aws", "--now", "2026-11-22T11:00:00Z"); code != 0 || !strings.Contains(out, "0 attempts, 0 failed.") {
		t.Errorf("an empty window: exit %d\n%s", code, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--start", "2026-01-01T00:00:00Z"}, "more than 90 days ago"},
		{[]string{"--start", "2026-11-20T12:00:00Z", "--end", "2026-11-20T11:30:00Z"}, "is not before --end"},
	} {
		code, out, stderr := runCLI(t, "", append([]string{"trail", "--from-aws", "--now", "2026-11-20T12:00:00Z"}, c.args...)...)
		if code != 2 || out != "" || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q, want one line with %q", c.args, code, stderr, c.want)
		}
	}
	srv.Deny("cloudtrail:LookupEvents")
	code, _, stderr = runCLI(t, "", "trail", "--from-aws", "--now", "2026-11-20T11:00:00Z")
	if code != 2 || !strings.Contains(stderr, "--from-aws: cloudtrail:LookupEvents in us-east-1") || !strings.Contains(stderr, "AccessDeniedException") {
		t.Errorf("a denied LookupEvents: exit %d, %q", code, stderr)
	}
}

// TestTrailLiveErrors: every documented error, read live, lists as it
// does from the file.
func TestTrailLiveErrors(t *testing.T) {
	liveTrail(t, trailRecords(t, "errors.json"), nil)
	_, live, _ := runCLI(t, "", "trail", "--from-aws", "--now", "2026-11-20T11:00:00Z", "--since", "2h")
	_, file, _ := runCLI(t, "", "trail", repo("testdata", "trail", "errors.json"))
	attempts := func(s string) string { return s[:strings.Index(s, "8 failed.")+1] }
	if !strings.Contains(live, "8 failed.") || attempts(live) != attempts(file) {
		t.Errorf("read live:\n%s\nfrom the file:\n%s", live, file)
	}
	for _, code := range []string{"ExpiredTokenException", "IDPRejectedClaim", "InvalidIdentityToken", "MalformedPolicyDocument", "PackedPolicyTooLarge", "RegionDisabledException", "ValidationError", "SomethingNewException"} {
		if !strings.Contains(live, "sts:AssumeRoleWithSAML failed: "+code) {
			t.Errorf("no diagnosis of %s read live", code)
		}
	}
}

// TestTrailAccount: with --from-aws, each failure's candidates that the
// record's own role, provider, session and instance decide are checked
// against the account: a trust policy naming another provider is
// aws/trust-principal, a duration above the role's maximum is
// aws/session-duration-over-role-max, a role without Connect's
// permission is connect/missing-get-federation-token, each with expected
// and actual; on a working account they are not the cause.
func TestTrailAccount(t *testing.T) {
	var records []string
	for _, r := range trailRecords(t, "lookup-events.json", "errors.json") {
		if !strings.Contains(r, `"errorCode"`) || strings.Contains(r, `"ValidationError"`) || strings.Contains(r, `"AccessDenied`) {
			records = append(records, r)
		}
	}
	for _, c := range []struct {
		name   string
		change func(w *awstest.World)
	}{
		{"account-working", func(*awstest.World) {}},
		{"account-broken", func(w *awstest.World) {
			r := w.Roles["ConnectAgent"]
			r.Trust = strings.Replace(r.Trust, "saml-provider/Okta", "saml-provider/OktaOld", 1)
			r.Attached = r.Attached[:1]
			r.MaxSession = 3600
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			liveTrail(t, records, c.change)
			code, out, stderr := runCLI(t, "", "trail", "--from-aws", "--now", "2026-11-20T11:00:00Z", "--since", "2h")
			if code != 1 {
				t.Errorf("exit %d\n%s%s", code, out, stderr)
			}
			golden(t, filepath.Join("trail", c.name+".txt"), out)
			for rule, shown := range map[string]bool{"aws/trust-principal": c.name == "account-broken", "aws/session-duration-over-role-max": c.name == "account-broken",
				"connect/missing-get-federation-token": c.name == "account-broken"} {
				if got := strings.Contains(out, "    "+rule+": ") && !strings.Contains(out, "    "+rule+": not the cause now") && !strings.Contains(out, "    "+rule+": not checked"); got != shown {
					t.Errorf("%s shown by the account: %v, want %v", rule, got, shown)
				}
			}
		})
	}
}

// TestTrailSARIF: --format sarif validates against SARIF 2.1.0's schema,
// a failure the account explains carries that rule, and one it does not
// carries trail/sign-in-failed with the candidates.
func TestTrailSARIF(t *testing.T) {
	liveTrail(t, trailRecords(t, "lookup-events.json"), func(w *awstest.World) {
		r := w.Roles["ConnectAgent"]
		r.Trust = strings.Replace(r.Trust, "saml-provider/Okta", "saml-provider/OktaOld", 1)
	})
	code, out, stderr := runCLI(t, "", "trail", "--from-aws", "--format", "sarif", "--now", "2026-11-20T11:00:00Z")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	validateSARIF(t, out)
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct{ ArtifactLocation struct{ URI string } }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, r := range log.Runs[0].Results {
		rules = append(rules, r.RuleID+" @ "+r.Locations[0].PhysicalLocation.ArtifactLocation.URI)
	}
	want := []string{"trail/sign-in-failed @ cloudtrail/us-east-1", "aws/trust-principal @ cloudtrail/us-east-1"}
	if strings.Join(rules, "; ") != strings.Join(want, "; ") {
		t.Errorf("results %q, want %q", rules, want)
	}
}

// validateSARIF fails the test when out is not SARIF 2.1.0 by the
// official schema.
func validateSARIF(t *testing.T, out string) {
	t.Helper()
	schema, err := jsonschema.NewCompiler().Compile(mustAbs(t, repo("testdata", "sarif", "sarif-schema-2.1.0.json")))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Fatalf("SARIF does not validate: %v", err)
	}
}

// liveTrail starts the AWS stand-in with records as CloudTrail's event
// history, the world changed by change, and LookupEvents' interval short.
func liveTrail(t *testing.T, records []string, change func(w *awstest.World)) *awstest.Server {
	t.Helper()
	w := awsWorld(t)
	w.Trail = records
	if change != nil {
		change(w)
	}
	srv := awstest.New(t, w)
	srv.Env(t)
	old := lookupInterval
	lookupInterval = time.Millisecond
	t.Cleanup(func() { lookupInterval = old })
	return srv
}

// trailRecords are the records of testdata/trail files: a log file's
// Records, or lookup-events output's CloudTrailEvents.
func trailRecords(t *testing.T, names ...string) []string {
	t.Helper()
	var out []string
	for _, name := range names {
		raw, err := os.ReadFile(repo("testdata", "trail", name))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if raw, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		var doc struct {
			Records []json.RawMessage
			Events  []struct{ CloudTrailEvent string }
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		for _, r := range doc.Records {
			out = append(out, string(r))
		}
		for _, e := range doc.Events {
			out = append(out, e.CloudTrailEvent)
		}
	}
	return out
}
