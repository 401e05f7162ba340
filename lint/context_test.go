package lint

import (
	"bytes"
	gocontext "context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/samllint/samllint/internal/testkit"
)

// countdown is a context that is done after its Err was asked n times:
// it shows where the pipeline checks, without timing anything.
type countdown struct {
	gocontext.Context
	left  atomic.Int64
	asked atomic.Int64
}

func newCountdown(n int64) *countdown {
	c := &countdown{Context: gocontext.Background()}
	c.left.Store(n)
	return c
}

func (c *countdown) Done() <-chan struct{} { return make(chan struct{}) } // never closed: Err decides
func (c *countdown) Err() error {
	c.asked.Add(1)
	if c.left.Add(-1) < 0 {
		return gocontext.Canceled
	}
	return nil
}

func TestLintContext(t *testing.T) {
	sample := testkit.SampleXML(t)
	opts := Options{Now: issued.Add(60e9)}
	done, cancel := gocontext.WithCancel(gocontext.Background())
	cancel()
	if _, err := LintContext(done, sample, &Inputs{}, opts); !errors.Is(err, gocontext.Canceled) {
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
		if _, err := LintContext(newCountdown(n), big, &Inputs{}, opts); !errors.Is(err, gocontext.Canceled) {
			t.Errorf("cancelled after %d of %d checks: err = %v", n, checks, err)
		}
	}
	// The stream stops too, between entries and inside each.
	err := LintStreamContext(newCountdown(checks/2), bytes.NewReader(big), &Inputs{}, opts, func(*Result) error { return nil })
	if !errors.Is(err, gocontext.Canceled) {
		t.Errorf("stream: err = %v", err)
	}
}
