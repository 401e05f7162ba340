// Package page is samllint's page: its files (one HTML, one script, one
// stylesheet) and its API, the same whether "samllint serve" answers it
// over HTTP from 127.0.0.1 or the page runs samllint itself as
// WebAssembly on a static site (go run ./web DIR). Both go through Handle,
// and Handle through lint's one pipeline.
package page

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/samllint/samllint/internal/render/format"
	"github.com/samllint/samllint/lint"
)

//go:embed assets
var assets embed.FS

// Files are the page's files: index.html, app.js, app.css, and worker.js,
// which runs samllint.wasm on the static site.
func Files() fs.FS {
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // the embedded directory is there at build time
	}
	return sub
}

// Handle answers one API request of the page: path is "/api/lint" or
// "/api/diff", body its JSON. It returns the HTTP status and the JSON
// answer ({"error": "…"} unless 200). version names samllint in SARIF.
// It stops when ctx is done; the caller tells a deadline from a result.
func Handle(ctx context.Context, path string, body []byte, version string) (int, []byte) {
	req, err := Parse(path, body)
	if err != nil {
		return answer(nil, err)
	}
	return req.Run(ctx, version)
}

// A Request is an API request decoded and its inputs loaded, ready to
// lint: a server parses it before it takes a lint slot.
type Request struct {
	lint *lintRequest
	diff *diffRequest
	in   *lint.Inputs
	opts lint.Options
}

// Parse decodes a request and loads its inputs; the error is an answer
// for Error's status (see ErrorStatus).
func Parse(path string, body []byte) (*Request, error) {
	r := &Request{}
	var q *lintRequest
	switch path {
	case "/api/lint":
		r.lint = &lintRequest{}
		if err := decode(body, r.lint); err != nil {
			return nil, err
		}
		q = r.lint
	case "/api/diff":
		r.diff = &diffRequest{}
		if err := decode(body, r.diff); err != nil {
			return nil, err
		}
		q = &lintRequest{Metadata: r.diff.Metadata}
	default:
		return nil, &httpError{http.StatusNotFound, fmt.Errorf("no API %q: expected /api/lint or /api/diff", path)}
	}
	var err error
	r.in, r.opts, err = q.inputs()
	return r, err
}

// Run lints the request, stopping when ctx is done.
func (r *Request) Run(ctx context.Context, version string) (int, []byte) {
	var out []byte
	var err error
	if r.lint != nil {
		out, err = lintAPI(ctx, r.lint, r.in, r.opts, version)
	} else {
		out, err = diffAPI(ctx, r.diff, r.in, r.opts)
	}
	return answer(out, err)
}

// ErrorAnswer is the status and answer for an error of Parse.
func ErrorAnswer(err error) (int, []byte) { return answer(nil, err) }

func answer(out []byte, err error) (int, []byte) {
	if err == nil {
		return http.StatusOK, out
	}
	status := http.StatusUnprocessableEntity
	if he, ok := err.(*httpError); ok {
		status, err = he.status, he.err
	}
	return Error(status, err)
}

// Error is an API error answer.
func Error(status int, err error) (int, []byte) {
	b, _ := json.Marshal(map[string]string{"error": format.OneLine(err.Error())})
	return status, append(format.EscapeJSON(b), '\n')
}

type httpError struct {
	status int
	err    error
}

func (e *httpError) Error() string { return e.err.Error() }

// lintRequest is what the page posts; every field but Input is optional.
type lintRequest struct {
	Input        string  `json:"input"`
	Name         string  `json:"name"` // the file the input came from, when one was chosen
	RelayState   *string `json:"relay_state"`
	Metadata     string  `json:"metadata"`
	TrustPolicy  string  `json:"trust_policy"`
	Permissions  string  `json:"permissions_policy"`
	SCP          string  `json:"scp"`
	Boundary     string  `json:"permissions_boundary"`
	ConnectUsers string  `json:"connect_users"`
	AWS          bool    `json:"aws"`
	Now          string  `json:"now"`
	Redact       bool    `json:"redact"`
	Format       string  `json:"format"` // page (default), json or sarif
}

// decode decodes a request; unknown fields are refused.
func decode(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &httpError{http.StatusBadRequest, fmt.Errorf("unreadable request: %v", err)}
	}
	return nil
}

// inputs loads the page's fields through lint's one loader, as the CLI
// loads the files its flags name.
func (q *lintRequest) inputs() (*lint.Inputs, lint.Options, error) {
	in := &lint.Inputs{RelayState: q.RelayState, AWS: q.AWS}
	opts := lint.Options{Wall: time.Now(), Name: "pasted"}
	if q.Name != "" {
		opts.Name = q.Name
	}
	if q.Now != "" {
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(q.Now))
		if err != nil {
			return nil, opts, fmt.Errorf("evaluation time %q: expected RFC 3339, such as 2026-11-20T10:01:00Z", q.Now)
		}
		opts.Now = t
	}
	for _, f := range []struct {
		kind lint.Input
		text string
	}{{lint.InputMetadata, q.Metadata}, {lint.InputTrustPolicy, q.TrustPolicy}, {lint.InputPermissionsPolicy, q.Permissions},
		{lint.InputSCP, q.SCP}, {lint.InputPermissionsBoundary, q.Boundary}, {lint.InputConnectUsers, q.ConnectUsers}} {
		if strings.TrimSpace(f.text) == "" {
			continue
		}
		if err := in.Add(f.kind, "the "+f.kind.Field()+" field", []byte(f.text)); err != nil {
			return nil, opts, err
		}
	}
	return in, opts, nil
}

// lintText lints the page's input as the CLI lints a file, capture by
// capture, stopping when ctx is done.
func lintText(ctx context.Context, input string, in *lint.Inputs, opts lint.Options) ([]*lint.Result, error) {
	var results []*lint.Result
	err := lint.LintStreamContext(ctx, strings.NewReader(input), in, opts, func(res *lint.Result) error {
		results = append(results, res)
		return nil
	})
	return results, err
}

func lintAPI(ctx context.Context, q *lintRequest, in *lint.Inputs, opts lint.Options, version string) ([]byte, error) {
	results, err := lintText(ctx, q.Input, in, opts)
	if err != nil {
		return nil, err
	}
	return render(ctx, q, results, version)
}

// render formats the results as the request asks. Formatting and
// redaction stop with the lint: a client that left, or the deadline,
// frees the server's slot whatever stage it is at.
func render(ctx context.Context, q *lintRequest, results []*lint.Result, version string) ([]byte, error) {
	run := &format.Run{Results: results, Redact: q.Redact, Context: ctx, Version: version}
	var buf bytes.Buffer
	var err error
	switch q.Format {
	case "json":
		err = format.JSON(&buf, run)
	case "sarif":
		err = format.SARIF(&buf, run, version)
	default:
		err = format.Page(&buf, run)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &httpError{http.StatusInternalServerError, err}
	}
	return buf.Bytes(), nil
}

// diffRequest is what the page's diff panel posts.
type diffRequest struct {
	A        string `json:"a"`
	B        string `json:"b"`
	PickA    int    `json:"pick_a"`
	PickB    int    `json:"pick_b"`
	Metadata string `json:"metadata"`
	Redact   bool   `json:"redact"`
}

func diffAPI(ctx context.Context, q *diffRequest, in *lint.Inputs, opts lint.Options) ([]byte, error) {
	var sides [2]format.DiffSide
	for i, side := range []struct {
		text string
		pick int
	}{{q.A, q.PickA}, {q.B, q.PickB}} {
		label := "AB"[i : i+1]
		o := opts
		o.Name = label
		results, err := lintText(ctx, side.text, in, o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		res, err := pickResponse(label, results, max(side.pick, 1))
		if err != nil {
			return nil, err
		}
		sides[i] = format.DiffSide{Name: label, Result: res}
	}
	var buf bytes.Buffer
	if err := format.DiffPage(&buf, sides, lint.Compare(sides[0].Result, sides[1].Result), q.Redact); err != nil {
		return nil, &httpError{http.StatusInternalServerError, err}
	}
	return buf.Bytes(), nil
}

// pickResponse returns the pick-th (from 1) result of an input, as lint
// numbers them.
func pickResponse(name string, results []*lint.Result, pick int) (*lint.Result, error) {
	switch {
	case len(results) == 0:
		return nil, fmt.Errorf("%s holds no SAML message", name)
	case pick > len(results):
		return nil, fmt.Errorf("%s holds %d SAML messages; #%d is not one of them", name, len(results), pick)
	}
	r := results[pick-1]
	if r.Err != nil {
		return nil, fmt.Errorf("%s: %w", format.Label(r), r.Err)
	}
	return r, nil
}
