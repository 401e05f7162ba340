package trail

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/samllint/samllint/internal/test/testkit"
	"github.com/samllint/samllint/lint"
)

func readFile(t *testing.T, name string) []Event {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "trail", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	events, err := Read(name, f)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// TestReadShapes: a log file as S3 holds it (gzipped), the same events
// as lookup-events prints them, one record and an array of records read
// to the same events, in time order, other calls left out.
func TestReadShapes(t *testing.T) {
	s3 := readFile(t, "s3-log.json.gz")
	var names []string
	for _, e := range s3 {
		names = append(names, e.Time.Format("15:04:05")+" "+e.Name)
	}
	want := []string{"10:00:02 AssumeRoleWithSAML", "10:00:05 GetFederationToken", "10:03:00 AssumeRoleWithSAML", "10:04:00 AssumeRoleWithSAML", "10:04:03 GetFederationToken"}
	if !slices.Equal(names, want) {
		t.Errorf("read %v, want %v (the ConsoleLogin left out)", names, want)
	}
	if lookup := readFile(t, "lookup-events.json"); !reflect.DeepEqual(lookup, s3) {
		t.Errorf("lookup-events gave %+v\nthe log file %+v", lookup, s3)
	}
	jane := s3[0]
	if jane.AssertionID != "_a1b2c3assertion" || jane.RoleARN != "arn:aws:iam::123456789012:role/ConnectAgent" || jane.ProviderARN != "arn:aws:iam::123456789012:saml-provider/Okta" ||
		jane.SessionName != "jane.doe@example.com" || jane.DurationSeconds != 3600 || jane.Audience != "https://signin.aws.amazon.com/saml" ||
		jane.AssumedRole != "arn:aws:sts::123456789012:assumed-role/ConnectAgent/jane.doe@example.com" || jane.Failed() {
		t.Errorf("jane's sign-in read as %+v", jane)
	}
	if c := s3[1]; c.Caller != jane.AssumedRole || c.Instance != "4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34" || c.ErrorCode != "AccessDeniedException" {
		t.Errorf("jane's GetFederationToken read as %+v", c)
	}
	if bob := s3[2]; bob.ErrorCode != "AccessDenied" || bob.Subject != "bob@example.com" || bob.User() != "bob@example.com" {
		t.Errorf("bob's refused sign-in read as %+v: the subject comes from userIdentity when there is no response", bob)
	}

	// One record, and an array of them.
	gz, _ := os.ReadFile(filepath.Join("..", "testdata", "trail", "s3-log.json.gz"))
	zr, _ := gzip.NewReader(bytes.NewReader(gz))
	var doc struct{ Records []json.RawMessage }
	if err := json.NewDecoder(zr).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	array, _ := json.Marshal(doc.Records)
	if got, err := Read("array", bytes.NewReader(array)); err != nil || !reflect.DeepEqual(got, s3) {
		t.Errorf("an array of records: %v, %+v", err, got)
	}
	for _, raw := range doc.Records {
		got, err := Read("one", bytes.NewReader(raw))
		if err != nil || len(got) > 1 {
			t.Errorf("one record: %v %v", got, err)
		}
	}
}

// TestReadRefuses: what is not CloudTrail's says what it is not, in one
// line naming the file.
func TestReadRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"empty":         "",
		"text":          "hello",
		"other JSON":    `{"Statement": []}`,
		"broken gzip":   "\x1f\x8b\x08garbage",
		"bad time":      `{"Records": [{"eventName": "AssumeRoleWithSAML", "eventTime": "yesterday"}]}`,
		"lookup, no CT": `{"Events": [{"EventName": "AssumeRoleWithSAML"}]}`,
	} {
		_, err := Read(name, strings.NewReader(in))
		var fe *FormatError
		if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), name+": ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want a one-line *FormatError naming the file", name, err)
		}
	}
	maxFile = 1 << 20
	t.Cleanup(func() { maxFile = MaxFile })
	var big bytes.Buffer
	zw := gzip.NewWriter(&big)
	zw.Write([]byte(`{"Records": [`))
	zw.Write(bytes.Repeat([]byte(" "), int(maxFile)))
	zw.Close()
	if _, err := Read("bomb", &big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a file decompressing past MaxFile: %v", err)
	}
}

// TestAttempts: a GetFederationToken joins the sign-in whose session
// called it, within ConnectWindow; otherwise it stands alone.
func TestAttempts(t *testing.T) {
	s3 := readFile(t, "s3-log.json.gz")
	as := Attempts(s3)
	if len(as) != 3 {
		t.Fatalf("%d attempts, want 3: %+v", len(as), as)
	}
	if as[0].SignIn.SessionName != "jane.doe@example.com" || as[0].Connect == nil || as[0].Failed() != as[0].Connect {
		t.Errorf("jane: %+v", as[0])
	}
	if as[1].SignIn.SessionName != "bob@example.com" || as[1].Connect != nil || as[1].Failed() != as[1].SignIn {
		t.Errorf("bob: %+v", as[1])
	}
	if as[2].Connect == nil || as[2].Failed() != nil {
		t.Errorf("amir: %+v", as[2])
	}
	// Too late, or with no sign-in read: an attempt of its own.
	late := s3[1]
	late.Time = s3[0].Time.Add(ConnectWindow + time.Second)
	if as := Attempts([]Event{s3[0], late}); len(as) != 2 || as[0].Connect != nil || as[1].SignIn != nil || as[1].User() != "jane.doe@example.com" {
		t.Errorf("a GetFederationToken past the window: %+v", as)
	}
}

// TestDiagnose: each documented AssumeRoleWithSAML error, and Connect's
// refusal, map to the problems that cause them; a message in no catalog
// is kept and said to be unknown; what the record itself shows is said.
func TestDiagnose(t *testing.T) {
	first := func(d *Diagnosis) string {
		if len(d.Causes) == 0 {
			return ""
		}
		return d.Causes[0].ID
	}
	for _, e := range readFile(t, "errors.json") {
		d := Diagnose(&e)
		want := map[string]string{
			"ExpiredTokenException": "saml/expired", "IDPRejectedClaim": "saml/status-not-success", "InvalidIdentityToken": "aws/role-arn-malformed",
			"MalformedPolicyDocument": "", "PackedPolicyTooLarge": "aws/session-tags-invalid", "RegionDisabledException": "aws/recipient",
			"ValidationError": "aws/session-duration-invalid", "SomethingNewException": "",
		}[e.ErrorCode]
		if got := first(d); got != want {
			t.Errorf("%s: first cause %q, want %q", e.ErrorCode, got, want)
		}
		if d.Known != (e.ErrorCode != "SomethingNewException") {
			t.Errorf("%s: known %v", e.ErrorCode, d.Known)
		}
		if e.ErrorCode == "MalformedPolicyDocument" && len(d.Notes) != 1 {
			t.Errorf("MalformedPolicyDocument: no note saying a session policy, not the assertion, was refused")
		}
		for _, r := range d.Causes {
			if strings.HasPrefix(r.ID, "connect/") {
				t.Errorf("%s: a Connect rule for an STS error: %s", e.ErrorCode, r.ID)
			}
		}
	}
	s3 := readFile(t, "s3-log.json.gz")
	if d := Diagnose(&s3[1]); first(d) != "connect/missing-get-federation-token" || slices.ContainsFunc(d.Causes, func(r *lint.Rule) bool { return !strings.HasPrefix(r.ID, "connect/") }) {
		t.Errorf("Connect's AccessDeniedException: %v", d.Causes)
	}
	if d := Diagnose(&s3[0]); d != nil {
		t.Errorf("a success diagnosed: %+v", d)
	}
	bob := s3[2]
	d := Diagnose(&bob)
	if first(d) != "aws/trust-principal" || len(d.RuledOut) != 2 || len(d.Shown) != 0 {
		t.Errorf("bob: causes %v, ruled out %v, shown %v", d.Causes, d.RuledOut, d.Shown)
	}
	bob.ProviderARN = "arn:aws:iam::210987654321:saml-provider/Okta"
	if d := Diagnose(&bob); len(d.Shown) != 1 || d.Shown[0].ID != "aws/role-account-mismatch" {
		t.Errorf("a provider in another account: shown %v", d.Shown)
	}
}

// FuzzRead: any bytes read to events or to an error, never a panic; what
// is read groups into attempts and diagnoses without one either.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"s3-log.json.gz", "lookup-events.json", "errors.json", "disagree.json"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "trail", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"Records":[{"eventName":"GetFederationToken","eventTime":"2026-11-20T10:00:00Z","userIdentity":{"arn":"arn:aws:sts::1:assumed-role/R/s"}}]}`))
	f.Add([]byte(`[{"eventName":"AssumeRoleWithSAML","eventTime":"2026-11-20T10:00:00Z","errorCode":"X","requestParameters":{"roleArn":"arn:aws:iam::1:role/R"}}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		events, err := Read("fuzz", bytes.NewReader(b))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("a multi-line error: %q", err)
			}
			return
		}
		n := 0
		for _, a := range Attempts(events) {
			if a.SignIn != nil {
				n++
			}
			if a.Connect != nil {
				n++
			}
			if e := a.Failed(); e != nil {
				Diagnose(e)
			}
		}
		if n != len(events) {
			t.Errorf("%d events grouped into attempts holding %d", len(events), n)
		}
	})
}

// BenchmarkRead reads a log file of 10,000 records, a tenth of them
// federation events, as S3 delivers it (gzipped), and groups them.
func BenchmarkRead(b *testing.B) {
	gz, _ := os.ReadFile(filepath.Join("..", "testdata", "trail", "s3-log.json.gz"))
	zr, _ := gzip.NewReader(bytes.NewReader(gz))
	var doc struct{ Records []json.RawMessage }
	if err := json.NewDecoder(zr).Decode(&doc); err != nil {
		b.Fatal(err)
	}
	other := []byte(`{"eventVersion":"1.09","eventTime":"2026-11-20T10:00:03Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","requestParameters":{"bucketName":"b","key":"k"}}`)
	var records []json.RawMessage
	for len(records) < 10000 {
		if len(records)%10 == 0 {
			records = append(records, doc.Records[len(records)/10%len(doc.Records)])
		} else {
			records = append(records, other)
		}
	}
	raw, _ := json.Marshal(map[string]any{"Records": records})
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		events, err := Read("bench", bytes.NewReader(buf.Bytes()))
		if err != nil || len(events) == 0 {
			b.Fatal(err)
		}
		Attempts(events)
	}
}
