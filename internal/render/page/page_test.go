package page

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/samllint/samllint/internal/test/testkit"
)

func body(t *testing.T, fields map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRunStops: a request whose context is done stops, whatever stage it
// is at, and says so with the context's error, never with an answer.
func TestRunStops(t *testing.T) {
	sample := string(testkit.Testdata(t, "assertions", "okta-connect.b64"))
	for _, format := range []string{"page", "json", "sarif"} {
		req, err := Parse("/api/lint", body(t, map[string]any{"input": sample, "redact": true, "format": format}))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if status, out := req.Run(ctx, "test"); status == http.StatusOK {
			t.Errorf("%s: a cancelled request was answered: %.100s", format, out)
		}
		// The formatting stage on its own: lint first, then stop.
		results, err := lintText(context.Background(), sample, req.in, req.opts)
		if err != nil || len(results) != 1 {
			t.Fatalf("lint: %v, %d results", err, len(results))
		}
		if _, err := render(ctx, req.lint, results, "test"); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: formatting a cancelled request: %v, want context.Canceled", format, err)
		}
		if status, out := req.Run(context.Background(), "test"); status != http.StatusOK || strings.Contains(string(out), "jane.doe@example.com") {
			t.Errorf("%s: status %d, or the redacted answer names the user: %.200s", format, status, out)
		}
	}
}

// TestParseErrors: what the page posts wrongly is named, with its status.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		path, body string
		status     int
		want       string
	}{
		{"/api/nothing", `{}`, http.StatusNotFound, `no API \"/api/nothing\"`},
		{"/api/lint", `{"input": "x", "colour": "red"}`, http.StatusBadRequest, `unknown field \"colour\"`},
		{"/api/lint", `{"input": "x", "now": "yesterday"}`, http.StatusUnprocessableEntity, "expected RFC 3339"},
		{"/api/lint", `{"input": "x", "trust_policy": "{}"}`, http.StatusUnprocessableEntity, "the trust policy field"},
	} {
		_, err := Parse(tc.path, []byte(tc.body))
		if err == nil {
			t.Errorf("%s %s: no error", tc.path, tc.body)
			continue
		}
		status, out := ErrorAnswer(err)
		if status != tc.status || !strings.Contains(string(out), tc.want) {
			t.Errorf("%s %s: %d %s, want %d with %q", tc.path, tc.body, status, out, tc.status, tc.want)
		}
	}
}

// TestPageAnswer: the page's answer names the samllint that linted, for
// its footer, and a capture linted without the IdP's metadata carries the
// signer-unchecked outcome and its verdict, which the summary shows.
func TestPageAnswer(t *testing.T) {
	sample := string(testkit.Testdata(t, "assertions", "okta-connect.har"))
	status, out := Handle(context.Background(), "/api/lint", body(t, map[string]any{"input": sample}), "v1.2.3 (abc)")
	var doc struct {
		Version string `json:"version"`
		Results []struct{ Outcome, Verdict string }
	}
	if err := json.Unmarshal(out, &doc); status != http.StatusOK || err != nil {
		t.Fatalf("status %d, %v: %.200s", status, err, out)
	}
	if doc.Version != "v1.2.3 (abc)" {
		t.Errorf("version %q, want the one the page was served with", doc.Version)
	}
	unchecked := 0
	for _, r := range doc.Results {
		if r.Outcome == "signer-unchecked" {
			unchecked++
			if !strings.HasPrefix(r.Verdict, "signer not checked") {
				t.Errorf("signer-unchecked verdict %q", r.Verdict)
			}
		}
	}
	if unchecked == 0 {
		t.Errorf("no signer-unchecked result without metadata: %+v", doc.Results)
	}
}
