package preflight

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/okta"
)

// TestRuleIDs: every rule preflight skips is a rule of the registry, so a
// renamed rule cannot silently run on what was not predicted.
func TestRuleIDs(t *testing.T) {
	ids := append([]string{}, signature...)
	for _, list := range readers {
		ids = append(ids, list...)
	}
	for _, id := range ids {
		if lint.Lookup(id) == nil {
			t.Errorf("%s is no rule", id)
		}
	}
}

func load(t testing.TB, name string) *okta.Org {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "okta", name))
	if err != nil {
		t.Fatal(err)
	}
	o, err := okta.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestRun: the sample's Okta app predicts a clean sign-in for Jane, with
// the signature rules reported skipped and the keys compared instead; a
// user not assigned is an error a caller can branch on; no time is an
// error.
func TestRun(t *testing.T) {
	o := load(t, "sample.json")
	in := &lint.Inputs{}
	md, err := os.ReadFile(filepath.Join("..", "testdata", "metadata", "okta-idp-metadata.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Add(lint.InputMetadata, "metadata.xml", md); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 10, 1, 0, 0, time.UTC)
	users, err := Run(context.Background(), o, in, Options{Lint: lint.Options{Now: now}})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0].Login != "jane.doe@example.com" {
		t.Fatalf("users %+v", users)
	}
	rep := users[0].Result.Report
	if len(rep.Findings) != 0 || !rep.Signer.Predicted || rep.Outcome != lint.OutcomePass {
		t.Errorf("findings %+v, signer %+v, outcome %s", rep.Findings, rep.Signer, rep.Outcome)
	}
	skipped := map[string]bool{}
	for _, s := range rep.Skipped {
		skipped[s.Rule] = true
	}
	if !skipped["saml/unsigned"] || skipped["aws/provider-metadata-stale"] {
		t.Errorf("skipped %v: want the signature rules, not the key comparison", skipped)
	}
	if in.Okta() != nil {
		t.Error("Run changed the caller's inputs")
	}
	if _, err := Run(context.Background(), o, in, Options{Users: []string{"nobody"}, Lint: lint.Options{Now: now}}); !errors.Is(err, ErrNoUser) {
		t.Errorf("an unassigned user: %v", err)
	}
	if _, err := Run(context.Background(), o, in, Options{}); err == nil {
		t.Error("no time: no error")
	}
}

// BenchmarkStream: preflight over an org of 2,000 users, per user; the
// user lookup every rule makes is indexed, so the cost per user does not
// grow with the org.
func BenchmarkStream(b *testing.B) {
	for _, n := range []int{200, 2000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			o := load(b, "sample.json")
			u := o.Users[0]
			o.Users = nil
			for i := range n {
				v := u
				v.ID = fmt.Sprintf("00u%05d", i)
				v.Credentials.UserName = fmt.Sprintf("agent%05d@example.com", i)
				o.Users = append(o.Users, v)
			}
			o.Index()
			opts := Options{Lint: lint.Options{Now: time.Date(2026, 11, 20, 10, 1, 0, 0, time.UTC)}}
			for b.Loop() {
				if err := Stream(context.Background(), o, &lint.Inputs{}, opts, func(*User) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n)/1e3, "µs/user")
		})
	}
}
