package testkit

import (
	"testing"
	"time"
)

// SetUp bounds how long a test waits for its own set-up: a server or a
// browser to start, a request to arrive, a page to update. It promises
// nothing to users, so it is generous: a slow machine, the race detector
// and other work beside the test must not fail it. Bounds that guard a
// user-visible promise are the test's own, measured from the moment the
// condition is set up.
const SetUp = 3 * time.Minute

// WaitFor polls cond until it holds, failing the test with what when
// SetUp passes first.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	if !Within(SetUp, cond) {
		t.Fatalf("%s: not within %v", what, SetUp)
	}
}

// Within polls cond for up to d, and reports whether it held.
func Within(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}
