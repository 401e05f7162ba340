package cli

import (
	"context"
	"errors"
	"io"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/samllint/samllint/internal/reach"
	"github.com/samllint/samllint/internal/render/format"
	"github.com/samllint/samllint/internal/render/redact"
	"github.com/samllint/samllint/lint"
)

const recordUsage = `usage: samllint record [flags] [URL]

Opens a browser window at URL (your IdP's AWS or Amazon Connect app link,
an IdP-initiated sign-in URL, Connect's login URL; blank without it). Sign
in as usual, with your password and MFA: samllint captures every
SAMLResponse posted and lints it the moment it is posted, then follows what
AWS and Amazon Connect answer. Tabs opened from the window (an IdP
dashboard's app tile, a popup) are recorded too. It ends when the AWS
console or Connect has loaded, AWS cannot be reached, the window is
closed, --timeout passes or on Ctrl-C, and prints the report "samllint
lint" prints for the captured sign-in. A URL without a scheme is taken as
https://.

Only the requests that carry a SAMLResponse (their SAML fields and
RelayState), the AWS and Connect requests after them (without query
strings) and their answers are kept: never the IdP's login form, a
password, a cookie or a header but Location. --har FILE writes that HAR,
which every samllint command reads.

--stop-before-aws answers the post to AWS in the window, from any of its
tabs, instead of sending it: a production role's setup is checked without
anyone signing in.

The browser is your Chrome, Chromium or Edge, in a fresh profile deleted on
exit with everything the browser wrote (--profile keeps one); --attach uses
one already started with --remote-debugging-port, and records only the tab
samllint opens in it and the tabs opened from that one. It takes every
input "samllint lint" takes.

Exit status: as samllint lint; 2 when no browser is found, or no
SAMLResponse was posted.`

func recordCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("record", recordUsage, stdout, stderr)
	var flags lintFlags
	flags.register(fs)
	var rf reportFlags
	rf.register(fs)
	browser := fs.String("browser", "", "the browser to start (default: Chrome, Chromium or Edge where installed)")
	profile := fs.String("profile", "", "keep the browser profile in DIR, for IdP sessions to reuse (default: a fresh one, deleted on exit)")
	attach := fs.String("attach", "", "attach to a browser started with --remote-debugging-port: 127.0.0.1:9222, ws://127.0.0.1:9222/ or its /devtools/browser/… URL")
	stop := fs.Bool("stop-before-aws", false, "answer the post to AWS in the window, not sending it, and end there")
	harOut := fs.String("har", "", "write the captured sign-in as a HAR to FILE (redacted with --redact)")
	timeout := fs.Duration("timeout", 10*time.Minute, "end the recording after this long; 0 for no limit")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *timeout < 0 {
		return usageErr("--timeout %s: expected a duration of 0 (no limit) or more, such as 10m", *timeout)
	}
	if err := rf.check(); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageErr("record takes one URL, got %d arguments", fs.NArg())
	}
	if outside == nil {
		return errNoReach("record")
	}
	start := startURL(fs.Arg(0))
	in, opts, err := flags.load(fs, stderr)
	if err != nil {
		return err
	}
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()

	ro := reach.RecordOptions{URL: start, StopBeforeAWS: *stop, Inputs: in, Lint: opts, Timeout: *timeout,
		Say: func(line string) { sayf(stderr, "samllint: %s\n", line) }}
	what := "the browser"
	if *attach != "" {
		ws, err := attachURL(*attach)
		if err != nil {
			return err
		}
		what, ro.Attach = ws, ws
		sayf(stderr, "samllint: attaching to the browser at %s…\n", ws)
	} else {
		path := *browser
		if path == "" {
			if path, err = outside.FindBrowser(); err != nil {
				return usageErr("%v; give --browser PATH", err)
			}
		} else if found, err := exec.LookPath(path); err == nil {
			path = found
		} else {
			return usageErr("no browser at %s (--browser): give the path of Chrome, Chromium or Edge, or a command in PATH", path)
		}
		what, ro.Browser = path, path
		sayf(stderr, "samllint: starting %s…\n", path)
		ro.ProfileDir = *profile
		if ro.ProfileDir == "" {
			// A fresh profile, deleted on every way out: no IdP session
			// or cookie outlives the recording. Its name is short: the
			// browser's socket path, inside it, must fit in 104 bytes.
			if ro.ProfileDir, err = os.MkdirTemp("", "slr-"); err != nil {
				return &exitError{code: 2, err: err}
			}
			defer os.RemoveAll(ro.ProfileDir)
		}
		// The browser's own temporary files (its socket, its
		// org.chromium.Chromium.* directories) go in a directory of
		// ours, removed on every way out, killed browser included.
		if ro.TempDir, err = os.MkdirTemp(ro.ProfileDir, "t"); err != nil {
			return &exitError{code: 2, err: err}
		}
		defer os.RemoveAll(ro.TempDir)
		if runtime.GOOS != "windows" && os.Geteuid() == 0 {
			sayf(stderr, "samllint: running as root, so the browser starts without its sandbox (--no-sandbox), as Chromium requires\n")
			ro.NoSandbox = true
		}
	}
	rec, err := outside.Record(ctx, ro)
	var be *reach.BrowserError
	switch {
	case errors.As(err, &be):
		return browserErr(be, what, *attach != "")
	case err != nil:
		return &exitError{code: 2, err: err}
	case rec.Captures == 0:
		why := "no SAMLResponse was posted before " + rec.End
		if rec.LastPage != "" {
			why += "; " + rec.LastPage
		}
		return usageErr("%s", why)
	}
	har := rec.HAR
	name := "recorded-sign-in.har"
	if *harOut != "" {
		out := har
		if rf.redact {
			if out, err = redactHAR(har, in, opts); err != nil {
				return &exitError{code: 2, err: err}
			}
		}
		if err := os.WriteFile(*harOut, out, 0o600); err != nil {
			return &exitError{code: 2, err: err}
		}
		sayf(stderr, "samllint: wrote the captured sign-in to %s\n", *harOut)
		name = *harOut
	}
	sayf(stderr, "samllint: %d %s captured; the report:\n\n", rec.Captures, map[bool]string{true: "sign-in", false: "sign-ins"}[rec.Captures == 1])
	b := &batch{in: in, opts: opts, stdin: stdin, stderr: stderr, keep: rf.redact, sources: map[string][]byte{name: har}}
	return rf.report(b, []string{name}, stdout, stderr)
}

// redactHAR masks the HAR's values as --redact masks a report: what its
// messages say, learnt from their lint.
func redactHAR(har []byte, in *lint.Inputs, opts lint.Options) ([]byte, error) {
	red := redact.New()
	results, err := lint.Lint(har, in, opts)
	if err != nil {
		return nil, err
	}
	for _, r := range results {
		red.Learn(r.Response, r.Capture)
	}
	return red.JSON(har, "  ")
}

// startURL is the URL record starts at: one without a scheme is taken as
// https://, as a browser's address bar takes it.
func startURL(s string) string {
	if s == "" || strings.Contains(s, "://") || strings.HasPrefix(s, "about:") || strings.HasPrefix(s, "file:") {
		return s
	}
	return "https://" + s
}

// attachURL is the DevTools address --attach names: ws://HOST:PORT/…,
// http://HOST:PORT, or a bare HOST:PORT.
func attachURL(s string) (string, error) {
	raw := s
	if !strings.Contains(s, "://") {
		raw = "ws://" + s
	}
	u, err := url.Parse(raw)
	if err == nil && u.Scheme == "http" {
		u.Scheme = "ws"
	}
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Hostname() == "" || u.Port() == "" {
		return "", usageErr("--attach %q: expected the address of a browser started with --remote-debugging-port, such as 127.0.0.1:9222 or ws://127.0.0.1:9222/", s)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String(), nil
}

// browserErr says in a person's words why the browser could not be
// driven: nothing listens at --attach's address, or the browser did not
// start, with the line of its output that says why.
func browserErr(err *reach.BrowserError, what string, attached bool) error {
	msg := err.Error()
	switch {
	case err.NoDisplay:
		return usageErr("the browser needs a display to show its window (DISPLAY or WAYLAND_DISPLAY), and none is set")
	case attached && (strings.Contains(msg, "connection refused") || strings.Contains(msg, "no such host") || strings.Contains(msg, "i/o timeout")):
		return usageErr("nothing answers at %s (--attach): start Chrome, Chromium or Edge with --remote-debugging-port=PORT and give that port", what)
	case attached:
		return usageErr("cannot attach to %s: %s", what, format.OneLine(msg))
	}
	out := strings.TrimSpace(strings.TrimPrefix(msg, "chrome failed to start:"))
	var why string
	for _, line := range strings.Split(out, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			why = line // the last line says it, after the noise
		}
		if strings.Contains(line, "Socket path too long") {
			return usageErr("%s did not start: its socket path is too long (TMPDIR is %d characters): set a shorter TMPDIR, such as /tmp", what, len(os.TempDir()))
		}
	}
	if why == "" {
		return usageErr("%s exited as soon as it started, saying nothing; try starting it yourself to see why", what)
	}
	// Chromium's log lines: "[1206/170501.123:ERROR:file.cc(12)] what".
	if i := strings.Index(why, "] "); strings.HasPrefix(why, "[") && i > 0 {
		why = why[i+2:]
	}
	return usageErr("%s did not start: %s", what, why)
}
