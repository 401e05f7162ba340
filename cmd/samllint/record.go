package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"

	"github.com/samllint/samllint/internal/redact"
	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/record"
)

const recordUsage = `usage: samllint record [flags] [URL]

Opens a browser window at URL (your IdP's AWS or Amazon Connect app link,
an IdP-initiated sign-in URL, Connect's login URL; blank without it). Sign
in as usual, with your password and MFA: samllint captures every
SAMLResponse posted and lints it the moment it is posted, then follows what
AWS and Amazon Connect answer. It ends when the AWS console or Connect has
loaded, the window is closed, --timeout passes or on Ctrl-C, and prints the
report "samllint lint" prints for the captured sign-in.

Only the requests that carry a SAMLResponse (their SAML fields and
RelayState), the AWS and Connect requests after them (without query
strings) and their answers are kept: never the IdP's login form, a
password, a cookie or a header but Location. --har FILE writes that HAR,
which every samllint command reads.

--stop-before-aws answers the post to AWS in the window instead of sending
it: a production role's setup is checked without anyone signing in.

The browser is your Chrome, Chromium or Edge, in a fresh profile deleted on
exit (--profile keeps one); --attach uses one already started with
--remote-debugging-port. It takes every input "samllint lint" takes.

Exit status: as samllint lint; 2 when no browser is found, or no
SAMLResponse was posted.`

// Test seams: the tests start the browser headless, with the AWS and
// Connect hosts mapped to stand-ins, and drive the tab. Only the launch
// options differ; the code that records is the same.
var (
	windowOption  chromedp.ExecAllocatorOption = chromedp.VisibleWindow
	launchOptions []chromedp.ExecAllocatorOption
	onTab         = func(context.Context) {}
)

func recordCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("record", recordUsage, stdout, stderr)
	var flags lintFlags
	flags.register(fs)
	var rf reportFlags
	rf.register(fs)
	browser := fs.String("browser", "", "the browser to start (default: Chrome, Chromium or Edge where installed)")
	profile := fs.String("profile", "", "keep the browser profile in DIR, for IdP sessions to reuse (default: a fresh one, deleted on exit)")
	attach := fs.String("attach", "", "attach to a browser started with --remote-debugging-port: ws://127.0.0.1:9222/ or its /devtools/browser/… URL")
	stop := fs.Bool("stop-before-aws", false, "answer the post to AWS in the window, not sending it, and end there")
	harOut := fs.String("har", "", "write the captured sign-in as a HAR to FILE (redacted with --redact)")
	timeout := fs.Duration("timeout", 10*time.Minute, "end the recording after this long")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := rf.check(); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageErr("record takes one URL, got %d arguments", fs.NArg())
	}
	start := fs.Arg(0)
	in, opts, err := flags.load(fs, stderr)
	if err != nil {
		return err
	}
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()

	var allocCtx context.Context
	var cancelAlloc context.CancelFunc
	if *attach != "" {
		allocCtx, cancelAlloc = remote.NewAllocator(ctx, *attach)
	} else {
		path := *browser
		if path == "" {
			if path, err = record.FindBrowser(); err != nil {
				return usageErr("%v; give --browser PATH", err)
			}
		} else if found, err := exec.LookPath(path); err == nil {
			path = found
		} else {
			return usageErr("no browser at %s (--browser): give the path of Chrome, Chromium or Edge, or a command in PATH", path)
		}
		dir := *profile
		if dir == "" {
			// A fresh profile, deleted on every way out: no IdP session
			// or cookie outlives the recording.
			if dir, err = os.MkdirTemp("", "samllint-record-"); err != nil {
				return &exitError{code: 2, err: err}
			}
			defer os.RemoveAll(dir)
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:], windowOption, chromedp.ExecPath(path), chromedp.UserDataDir(dir),
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("no-first-run", true), chromedp.Flag("no-default-browser-check", true))
		if runtime.GOOS != "windows" && os.Geteuid() == 0 {
			sayf(stderr, "samllint: running as root, so the browser starts without its sandbox (--no-sandbox), as Chromium requires\n")
			opts = append(opts, chromedp.NoSandbox)
		}
		allocCtx, cancelAlloc = chromedp.NewExecAllocator(ctx, append(opts, launchOptions...)...)
	}
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()
	if err := chromedp.Do(tab); err != nil {
		if errors.Is(err, chromedp.ErrNoDisplay) {
			return usageErr("the browser needs a display to show its window (DISPLAY or WAYLAND_DISPLAY), and none is set")
		}
		return usageErr("cannot start the browser: %v", err)
	}
	onTab(tab)

	rec, err := record.Record(tab, record.Options{URL: start, StopBeforeAWS: *stop, Inputs: in, Lint: opts, Timeout: *timeout},
		func(ev record.Event) { sayf(stderr, "samllint: %s\n", ev.Text) })
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if *attach == "" {
		cancelTab() // closes the window we opened
	}
	if rec.Captures == 0 {
		why := "no SAMLResponse was posted before " + string(rec.End)
		if rec.LastPage != "" {
			why += "; " + rec.LastPage
		}
		return usageErr("%s", why)
	}
	har, err := rec.HAR()
	if err != nil {
		return &exitError{code: 2, err: err}
	}
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
