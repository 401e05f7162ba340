package lint

import (
	"strings"
	"testing"
	"time"

	"github.com/samllint/samllint/saml"
)

func TestChooseClock(t *testing.T) {
	issue := saml.Time{Raw: "2026-11-20T10:00:00Z", Time: issued, OK: true}
	resp := &saml.Response{IssueInstant: issue}
	noIssue := &saml.Response{}
	posted := issued.Add(7 * time.Minute)
	withPost := &saml.Capture{SentAt: &posted}
	given := issued.Add(3 * time.Hour)
	cases := []struct {
		name   string
		opts   Options
		c      *saml.Capture
		r      *saml.Response
		source ClockSource
		at     time.Time
		reason string
	}{
		{"given wins over everything", Options{Now: given, AtIssue: true, Wall: issued}, withPost, resp, ClockGiven, given, "given"},
		{"at issue", Options{AtIssue: true}, withPost, resp, ClockIssued, issued, "IssueInstant"},
		{"at issue without IssueInstant falls back to the post time", Options{AtIssue: true}, withPost, noIssue, ClockPosted, posted, "posted"},
		{"the post time", Options{Wall: issued.Add(30 * 24 * time.Hour)}, withPost, resp, ClockPosted, posted, "7m after IssueInstant"},
		{"a fresh paste", Options{Wall: issued.Add(2 * time.Minute)}, nil, resp, ClockWall, issued.Add(2 * time.Minute), "2m ago"},
		{"IdP clock ahead, fresh", Options{Wall: issued.Add(-20 * time.Minute)}, nil, resp, ClockWall, issued.Add(-20 * time.Minute), "in the future"},
		{"an old paste", Options{Wall: issued.Add(7 * 24 * time.Hour)}, nil, resp, ClockAfterIssue, issued.Add(time.Minute), "7d old"},
		{"no wall clock", Options{}, nil, resp, ClockAfterIssue, issued.Add(time.Minute), "records no post time"},
		{"nothing dates it", Options{}, nil, noIssue, ClockNone, time.Time{}, "no usable IssueInstant"},
		{"nothing but the wall", Options{Wall: given}, nil, noIssue, ClockWall, given, "no usable IssueInstant"},
	}
	for _, c := range cases {
		got := chooseClock(c.opts, c.c, c.r)
		if got.Source != c.source || !got.Time.Equal(c.at) || !strings.Contains(got.Reason, c.reason) {
			t.Errorf("%s: %+v, want %s at %v with %q", c.name, got, c.source, c.at, c.reason)
		}
	}
}

// TestTimeRulesSkipWithoutClock: with nothing to date a response, the
// time rules say so instead of judging it against the zero time.
func TestTimeRulesSkipWithoutClock(t *testing.T) {
	xml := strings.ReplaceAll(string(sampleXML(t)), `IssueInstant="2026-11-20T10:00:00.000Z" `, ``)
	res, err := Lint([]byte(xml), nil, Options{})
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res[0].Err)
	}
	rep := res[0].Report
	if rep.Clock.Source != ClockNone {
		t.Fatalf("clock %+v", rep.Clock)
	}
	for _, id := range []string{"saml/expired", "aws/assertion-too-old"} {
		if s := skippedOf(rep, id); s == nil || len(s.Needs) != 1 || s.Needs[0] != InputTime {
			t.Errorf("%s skipped for %+v", id, s)
		}
	}
}

// TestPartialLimits: a Limits with one field set keeps it; the others
// take the defaults.
func TestPartialLimits(t *testing.T) {
	xml := sampleXML(t)
	res, err := Lint(xml, nil, Options{AtIssue: true, Limits: saml.Limits{MaxDepth: 3}})
	if err == nil && (len(res) == 0 || res[0].Err == nil) {
		t.Fatal("a depth limit of 3 was not applied")
	}
	res, err = Lint(xml, nil, Options{AtIssue: true, Limits: saml.Limits{MaxXML: len(xml) + 1}})
	if err != nil || len(res) != 1 || res[0].Err != nil {
		t.Fatalf("within the limits given, with the defaults for the rest: %v %+v", err, res)
	}
}
