package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/samllint/samllint/internal/render/page"
)

const (
	maxRequest = 64 << 20
	// requestTimeout bounds a request's arrival (headers and body) and,
	// separately, its lint, waiting for a slot included.
	requestTimeout = 30 * time.Second
	// bigBody: a body from this size lints in a slot of its own pool, so
	// that pastes of a normal capture never queue behind large ones.
	bigBody = 1 << 20
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
	srv := newServer(ln.Addr().(*net.TCPAddr).Port)
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

// newServer is the page's server on port: ReadTimeout covers the body
// too, so a request trickled a byte a second is cut off with the rest,
// and it never holds a lint slot, which is taken once the body is in.
func newServer(port int) *http.Server { return newWeb().server(port) }

func (wb *web) server(port int) *http.Server {
	return &http.Server{Handler: wb.handler(port), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: requestTimeout, WriteTimeout: 2*requestTimeout + 5*time.Second}
}

// web is the page's API: its lint slots, the bytes it holds, and how
// long a lint may take.
type web struct {
	lintTimeout time.Duration
	// The slots bound the lints running at once, and inFlight the bytes
	// of request bodies held: together they bound the server's memory
	// whatever the page is sent. A body is read whole, within its
	// deadline and maxRequest, before it may take a slot; small and large
	// bodies have pools of their own.
	small, big chan struct{}
	inFlight   atomic.Int64
}

func newWeb() *web {
	return &web{lintTimeout: requestTimeout, small: make(chan struct{}, 4), big: make(chan struct{}, 2)}
}

// newWebHandler serves the page and its API. port is the port it listens
// on: requests naming another Host are refused (DNS rebinding). Every
// answer, errors included, carries the page's security headers.
func newWebHandler(port int) http.Handler { return newWeb().handler(port) }

func (wb *web) handler(port int) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServer(http.FS(page.Files())))
	mux.HandleFunc("POST /api/lint", wb.api)
	mux.HandleFunc("POST /api/diff", wb.api)
	return guard(port, mux)
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

func apiError(w http.ResponseWriter, code int, err error) { answer(w)(page.Error(code, err)) }

// answer writes an API answer: answer(w)(status, body).
func answer(w http.ResponseWriter) func(int, []byte) {
	return func(status int, body []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(body)
	}
}

// maxInFlight lets one body of the largest size, or several small ones,
// be held at a time.
const maxInFlight = maxRequest + 8<<20

// readBody reads the request body whole, counting its bytes against
// maxInFlight as they arrive; release gives them back. On failure the
// answer has been written.
func (wb *web) readBody(w http.ResponseWriter, r *http.Request) (body []byte, release func(), ok bool) {
	held := &heldReader{r: r.Body, inFlight: &wb.inFlight}
	release = func() { wb.inFlight.Add(-held.n) }
	body, err := io.ReadAll(held)
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return body, release, true
	case errors.As(err, &tooBig):
		apiError(w, http.StatusRequestEntityTooLarge, fmt.Errorf("the request is larger than %d MiB", maxRequest>>20))
	case errors.Is(err, errBusy):
		apiError(w, http.StatusServiceUnavailable, errors.New("other large requests are being read; try again in a moment"))
	case errors.Is(err, os.ErrDeadlineExceeded):
		apiError(w, http.StatusRequestTimeout, fmt.Errorf("the request took longer than %s to arrive", requestTimeout))
	default:
		apiError(w, http.StatusBadRequest, fmt.Errorf("unreadable request: %v", err))
	}
	release()
	return nil, nil, false
}

var errBusy = errors.New("too many bytes in flight")

// heldReader counts what it reads against inFlight.
type heldReader struct {
	r        io.Reader
	n        int64
	inFlight *atomic.Int64
}

func (h *heldReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.n += int64(n)
	if h.inFlight.Add(int64(n)) > maxInFlight {
		return n, errBusy
	}
	return n, err
}

// lintContext is the request's context with the lint deadline: done
// when the client goes away or the lint takes too long.
func (wb *web) lintContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), wb.lintTimeout)
}

// takeSlot waits for a lint slot for a body of n bytes, until ctx is
// done; the answer has been written when it returns false.
func (wb *web) takeSlot(ctx context.Context, w http.ResponseWriter, n int) (release func(), ok bool) {
	slots := wb.small
	if n >= bigBody {
		slots = wb.big
	}
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, true
	case <-ctx.Done():
		wb.lintDone(w, ctx.Err())
		return nil, false
	}
}

// lintDone answers a lint its context stopped: a 503 when it took too
// long, nothing when the client went away (no one reads the answer).
func (wb *web) lintDone(w http.ResponseWriter, err error) {
	if errors.Is(err, context.DeadlineExceeded) {
		apiError(w, http.StatusServiceUnavailable, fmt.Errorf("the lint took longer than %s", wb.lintTimeout))
	}
}

// api answers the page's API: the body is read whole within its
// deadline and size, and decoded, before it takes a lint slot, and the
// lint stops when the client goes away or the deadline passes.
func (wb *web) api(w http.ResponseWriter, r *http.Request) {
	body, release, ok := wb.readBody(w, r)
	if !ok {
		return
	}
	defer release()
	req, err := page.Parse(r.URL.Path, body)
	if err != nil {
		answer(w)(page.ErrorAnswer(err))
		return
	}
	ctx, cancel := wb.lintContext(r)
	defer cancel()
	free, ok := wb.takeSlot(ctx, w, len(body))
	if !ok {
		return
	}
	defer free()
	status, out := req.Run(ctx, Version())
	if ctx.Err() != nil {
		wb.lintDone(w, ctx.Err())
		return
	}
	answer(w)(status, out)
}
