package lint

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/samllint/samllint/internal/test/testkit"
	"github.com/samllint/samllint/saml"
)

// countdown is a context that is done after its Err was asked n times:
// it shows where the pipeline checks, without timing anything.
type countdown struct {
	context.Context
	left  atomic.Int64
	asked atomic.Int64
}

func newCountdown(n int64) *countdown {
	c := &countdown{Context: context.Background()}
	c.left.Store(n)
	return c
}

func (c *countdown) Done() <-chan struct{} { return make(chan struct{}) } // never closed: Err decides
func (c *countdown) Err() error {
	c.asked.Add(1)
	if c.left.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

func TestLintContext(t *testing.T) {
	sample := testkit.SampleXML(t)
	opts := Options{Now: issued.Add(60e9)}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := LintContext(done, sample, &Inputs{}, opts); !errors.Is(err, context.Canceled) {
		t.Errorf("a done context: err = %v", err)
	}
	// A large message is checked many times on the way: reading its
	// tree, scanning and walking it. Cancelled after each number of
	// checks, the lint stops with the context's error, never a result.
	big := testkit.Adversarial(sample, testkit.ShapeRoleValues, 500_000)
	probe := newCountdown(1 << 40)
	if res, err := LintContext(probe, big, &Inputs{}, opts); err != nil || res[0].Err != nil {
		t.Fatal(err, res[0].Err)
	}
	checks := probe.asked.Load()
	if checks < 20 {
		t.Fatalf("a 500 KB lint checks its context %d times, want many", checks)
	}
	for _, n := range []int64{0, 1, 2, checks / 4, checks / 2, checks - 2} {
		if _, err := LintContext(newCountdown(n), big, &Inputs{}, opts); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled after %d of %d checks: err = %v", n, checks, err)
		}
	}
	// The stream stops too, between entries and inside each.
	err := LintStreamContext(newCountdown(checks/2), bytes.NewReader(big), &Inputs{}, opts, func(*Result) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("stream: err = %v", err)
	}
}

// TestLintErrors: what the README and go doc say of the errors. Nothing
// decodable is an error, a *saml.DecodeError; a message of another kind
// is a Result whose Err is a *saml.KindError.
func TestLintErrors(t *testing.T) {
	_, err := Lint([]byte("not a capture at all, !!"), &Inputs{}, Options{})
	var de *saml.DecodeError
	if !errors.As(err, &de) {
		t.Errorf("junk: err = %v (%T), want a *saml.DecodeError", err, err)
	}
	res, err := Lint(testdata(t, "metadata", "okta-idp-metadata.xml"), &Inputs{}, Options{})
	var ke *saml.KindError
	if err != nil || len(res) != 1 || !errors.As(res[0].Err, &ke) || !errors.Is(res[0].Err, saml.ErrNotResponse) {
		t.Errorf("metadata: err = %v, results %+v", err, res)
	}
}
