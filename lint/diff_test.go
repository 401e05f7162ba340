package lint

import (
	"strings"
	"testing"
	"time"
)

func TestCompare(t *testing.T) {
	xml := string(sampleXML(t))
	read := func(doc string) *Result {
		t.Helper()
		res, err := Lint([]byte(doc), nil, Options{Now: issued.Add(time.Minute)})
		if err != nil || len(res) != 1 || res[0].Err != nil {
			t.Fatalf("lint: %v", err)
		}
		return res[0]
	}
	a := read(xml)
	// Bob's sign-in: another response ID (noise) and a shorter session;
	// edited after signing, so the signatures no longer verify.
	bob := strings.Replace(strings.Replace(xml, `ID="_a1b2c3response"`, `ID="_bobresponse"`, 1), ">43200<", ">900<", 1)
	if bob == xml || !strings.Contains(bob, ">900<") {
		t.Fatal("the sample changed: no response ID or SessionDuration to edit")
	}
	b := read(bob)

	d := Compare(a, b)
	got := map[string]DiffRow{}
	for _, r := range d.Differences(false) {
		got[r.Field] = r
	}
	want := map[string][2]string{
		"Attribute SessionDuration": {"43200", "900"},
		"Signature[2] verdict":      {"valid-embedded", "digest-mismatch"},
		"Coverage":                  {"the consumed assertion", "NOT safely signed"},
		"Signature[1] verdict":      {"valid-embedded", "not-enveloped"},
		"Signature[1] covers":       {"/Response", "—"},
		"Signature[2] covers":       {"/Response/Assertion[1]", "—"},
	}
	for f, ab := range want {
		if r, ok := got[f]; !ok || !strings.HasPrefix(r.A, ab[0]) || !strings.HasPrefix(r.B, ab[1]) || r.Same {
			t.Errorf("%s: row %+v, want %s… ≠ %s…", f, r, ab[0], ab[1])
		}
	}
	if len(got) != len(want) {
		t.Errorf("differences %v; want only %v (no noise without all)", got, want)
	}
	var noise bool
	for _, r := range d.Differences(true) {
		if r.Field == "Response ID" {
			noise = r.Noise && !r.Same && r.A == "_a1b2c3response" && r.B == "_bobresponse"
		}
	}
	if !noise {
		t.Error("with all, the response IDs are not shown as a differing noise row")
	}
	if self := Compare(a, a); len(self.Differences(false)) != 0 {
		t.Errorf("a response differs from itself: %+v", self.Differences(false))
	}
}

func TestRelativeTo(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{5 * time.Minute, "+5m"},
		{-90 * time.Second, "−1m30s"},
		{0, "+0s"},
	} {
		if got := RelativeTo(issued.Add(c.d), issued); got != c.want {
			t.Errorf("RelativeTo(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}
