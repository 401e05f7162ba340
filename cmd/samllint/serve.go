package main

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/samllint/samllint/internal/format"
	"github.com/samllint/samllint/lint"
)

//go:embed web
var webFS embed.FS

const (
	maxRequest     = 64 << 20
	requestTimeout = 30 * time.Second
	// csp says what the page may load: only itself. No CDN, font or
	// script from elsewhere, and no connection but to this server.
	csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
		"form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)

func serveCmd(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "usage: samllint serve [--port N]\n\nServes a page on 127.0.0.1 to paste captures into; nothing leaves this machine.", stdout, stderr)
	port := fs.Int("port", 0, "port on 127.0.0.1 (default: a free one)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("serve takes no arguments, got %q (did you mean samllint lint %s?)", fs.Arg(0), fs.Arg(0))
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)))
	if err != nil {
		return usageErr("cannot listen on 127.0.0.1:%d: %v", *port, err)
	}
	// ReadTimeout covers the body too: a request trickled a byte a second
	// is cut off with the rest.
	srv := &http.Server{Handler: newWebHandler(ln.Addr().(*net.TCPAddr).Port), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: requestTimeout, WriteTimeout: 2 * requestTimeout}
	fmt.Fprintf(stdout, "samllint is serving on http://127.0.0.1:%d/ — Ctrl-C to stop\n", ln.Addr().(*net.TCPAddr).Port)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return &exitError{code: 2, err: err}
	}
	return nil
}

// newWebHandler serves the page and its API. port is the port it listens
// on: requests naming another Host are refused (DNS rebinding).
func newWebHandler(port int) http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(webFS, "web")
	files := http.FileServer(http.FS(static))
	mux.Handle("GET /", files)
	mux.HandleFunc("POST /api/lint", apiLint)
	mux.HandleFunc("POST /api/diff", apiDiff)
	guarded := guard(port, mux)
	return http.TimeoutHandler(guarded, requestTimeout, `{"error":"the request took longer than 30 s"}`)
}

func guard(port int, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		host, p, err := net.SplitHostPort(r.Host)
		if err != nil {
			// A browser leaves out the default port: --port 80.
			host, p = strings.Trim(r.Host, "[]"), "80"
		}
		if (host != "127.0.0.1" && host != "localhost" && host != "::1") || port != 0 && p != strconv.Itoa(port) {
			http.Error(w, "samllint serves 127.0.0.1 only", http.StatusMisdirectedRequest)
			return
		}
		if r.Method == http.MethodPost {
			if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host {
				http.Error(w, "cross-origin request refused", http.StatusForbidden)
				return
			}
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				http.Error(w, "expected application/json", http.StatusUnsupportedMediaType)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxRequest)
		}
		next.ServeHTTP(w, r)
	})
}

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

func apiError(w http.ResponseWriter, code int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": format.OneLine(err.Error())})
}

func decodeRequest(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			apiError(w, http.StatusRequestEntityTooLarge, fmt.Errorf("the request is larger than %d MiB", maxRequest>>20))
		case errors.Is(err, os.ErrDeadlineExceeded):
			apiError(w, http.StatusRequestTimeout, fmt.Errorf("the request took longer than %s to arrive", requestTimeout))
		default:
			apiError(w, http.StatusBadRequest, fmt.Errorf("unreadable request: %v", err))
		}
		return false
	}
	return true
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

// lintSlots bounds the lints running at once, and inFlight the bytes of
// requests being read or linted: together they bound the server's memory
// whatever the page is sent.
var (
	lintSlots = make(chan struct{}, 4)
	inFlight  atomic.Int64
)

// maxInFlight lets one request of the largest size, or several small
// ones, be read and linted at a time: memory stays near one big body.
const maxInFlight = maxRequest + 8<<20

// admit reserves room for a request of n bytes (its Content-Length, or
// the cap when it gives none), or refuses it.
func admit(w http.ResponseWriter, r *http.Request) (release func(), ok bool) {
	n := r.ContentLength
	if n < 0 || n > maxRequest {
		n = maxRequest
	}
	if inFlight.Add(n) > maxInFlight {
		inFlight.Add(-n)
		apiError(w, http.StatusServiceUnavailable, errors.New("other requests are being linted; try again in a moment"))
		return nil, false
	}
	select {
	case lintSlots <- struct{}{}:
	case <-r.Context().Done():
		inFlight.Add(-n)
		return nil, false
	}
	return func() { <-lintSlots; inFlight.Add(-n) }, true
}

func apiLint(w http.ResponseWriter, r *http.Request) {
	release, ok := admit(w, r)
	if !ok {
		return
	}
	defer release()
	var q lintRequest
	if !decodeRequest(w, r, &q) {
		return
	}
	in, opts, err := q.inputs()
	if err != nil {
		apiError(w, http.StatusUnprocessableEntity, err)
		return
	}
	results, err := lint.Lint([]byte(q.Input), in, opts)
	if err != nil {
		apiError(w, http.StatusUnprocessableEntity, err)
		return
	}
	run := &format.Run{Results: results, Redact: q.Redact}
	var buf strings.Builder
	switch q.Format {
	case "json":
		err = format.JSON(&buf, run)
	case "sarif":
		err = format.SARIF(&buf, run, Version())
	default:
		err = format.Page(&buf, run)
	}
	if err != nil {
		apiError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, buf.String())
}

func apiDiff(w http.ResponseWriter, r *http.Request) {
	release, ok := admit(w, r)
	if !ok {
		return
	}
	defer release()
	var q struct {
		A        string `json:"a"`
		B        string `json:"b"`
		PickA    int    `json:"pick_a"`
		PickB    int    `json:"pick_b"`
		Metadata string `json:"metadata"`
		Redact   bool   `json:"redact"`
	}
	if !decodeRequest(w, r, &q) {
		return
	}
	in, opts, err := (&lintRequest{Metadata: q.Metadata}).inputs()
	if err != nil {
		apiError(w, http.StatusUnprocessableEntity, err)
		return
	}
	var sides [2]format.DiffSide
	for i, side := range []struct {
		text string
		pick int
	}{{q.A, q.PickA}, {q.B, q.PickB}} {
		label := "AB"[i : i+1]
		o := opts
		o.Name = label
		results, err := lint.Lint([]byte(side.text), in, o)
		if err != nil {
			apiError(w, http.StatusUnprocessableEntity, fmt.Errorf("%s: %w", label, err))
			return
		}
		res, err := pickResponse(label, results, max(side.pick, 1))
		if err != nil {
			apiError(w, http.StatusUnprocessableEntity, err)
			return
		}
		sides[i] = format.DiffSide{Name: label, Result: res}
	}
	var buf strings.Builder
	if err := format.DiffPage(&buf, sides, lint.Compare(sides[0].Result, sides[1].Result), q.Redact); err != nil {
		apiError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, buf.String())
}
