// Package live is reach.Reach with the AWS SDK (through awsread) and
// chromedp (through record): what samllint-aws links and samllint does
// not.
package live

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"

	"github.com/samllint/samllint/awsread"
	"github.com/samllint/samllint/internal/reach"
	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/record"
	"github.com/samllint/samllint/trail"
)

// Reach is the live reach.Reach. Its zero value opens a visible window;
// the fields are the tests' seams: only the launch differs, the code that
// records is the same.
type Reach struct {
	// Window replaces chromedp.VisibleWindow (the tests run headless);
	// Launch adds allocator options (their host mappings).
	Window chromedp.ExecAllocatorOption
	Launch []chromedp.ExecAllocatorOption
	// OnTab is called with the tab before recording starts.
	OnTab func(context.Context)
	// NoAnswer is record.Options.NoAnswer.
	NoAnswer time.Duration
}

var _ reach.Reach = (*Reach)(nil)

func (*Reach) AWS(ctx context.Context, o reach.AWSOptions) (reach.AWSReader, error) {
	r, err := awsread.New(ctx, awsread.Options{Profile: o.Profile, Region: o.Region, Timeout: o.Timeout, Notify: o.Notify})
	if err != nil {
		return nil, err
	}
	return reader{r}, nil
}

// reader turns awsread's types into reach's.
type reader struct{ r *awsread.Reader }

func credentials(err error) error {
	var ce *awsread.CredentialsError
	if errors.As(err, &ce) {
		return &reach.CredentialsError{Err: err}
	}
	return err
}

func (r reader) Resolve(ctx context.Context, t lint.Target, in *lint.Inputs) (*lint.Inputs, error) {
	out, err := r.r.Resolve(ctx, t, in)
	return out, credentials(err)
}

func (r reader) Read(ctx context.Context, t lint.Target) (*reach.AWSRead, error) {
	rd, err := r.r.Read(ctx, t)
	if err != nil {
		return nil, credentials(err)
	}
	files := func(fs []awsread.File) []reach.File {
		out := make([]reach.File, len(fs))
		for i, f := range fs {
			out[i] = reach.File{Name: f.Name, Input: f.Input, Data: f.Data}
		}
		return out
	}
	return &reach.AWSRead{Files: files(rd.Files), Exports: files(rd.Exports), AWS: rd.AWS, Empty: rd.Empty()}, nil
}

func (r reader) LookupEvents(ctx context.Context, q reach.EventQuery) ([]trail.Event, error) {
	events, err := r.r.LookupEvents(ctx, awsread.EventQuery{Regions: q.Regions, Start: q.Start, End: q.End, Interval: q.Interval, Page: q.Page})
	return events, credentials(err)
}

func (*Reach) FindBrowser() (string, error) { return record.FindBrowser() }

func (l *Reach) Record(ctx context.Context, o reach.RecordOptions) (*reach.Recording, error) {
	var allocCtx context.Context
	var cancelAlloc context.CancelFunc
	// The browser's own output, kept (its last 64 KB) for when chromedp
	// reports the process's early exit as a lost connection, without it.
	output := &tailBuffer{max: 64 << 10}
	if o.Attach != "" {
		allocCtx, cancelAlloc = remote.NewAllocator(ctx, o.Attach)
	} else {
		window := l.Window
		if window == nil {
			window = chromedp.VisibleWindow
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:], window, chromedp.ExecPath(o.Browser), chromedp.UserDataDir(o.ProfileDir), chromedp.CombinedOutput(output),
			chromedp.Env("TMPDIR="+o.TempDir), chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("no-first-run", true), chromedp.Flag("no-default-browser-check", true))
		if o.NoSandbox {
			opts = append(opts, chromedp.NoSandbox)
		}
		allocCtx, cancelAlloc = chromedp.NewExecAllocator(ctx, append(opts, l.Launch...)...)
	}
	defer cancelAlloc()
	// The browser's chatter (a closed pipe at exit) is not the person's.
	quiet := func(string, ...any) {}
	tab, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithErrorf(quiet), chromedp.WithLogf(quiet))
	defer cancelTab()
	if err := chromedp.Do(tab); err != nil {
		if o.Attach == "" && strings.Contains(err.Error(), "lost the connection to the browser") {
			// A browser that exits at once closes the pipe while chromedp
			// asks for its version, and chromedp may report that call's
			// lost connection before the exit with the output that says
			// why. The allocator's cancel waits for the process and its
			// output; then the error is the one it reports otherwise.
			cancelTab()
			cancelAlloc()
			err = fmt.Errorf("chrome failed to start:\n%s", output.String())
		}
		return nil, &reach.BrowserError{NoDisplay: errors.Is(err, chromedp.ErrNoDisplay), Err: err}
	}
	if l.OnTab != nil {
		l.OnTab(tab)
	}
	rec, err := record.Record(tab, record.Options{URL: o.URL, StopBeforeAWS: o.StopBeforeAWS, Inputs: o.Inputs, Lint: o.Lint, Timeout: o.Timeout, NoAnswer: l.NoAnswer},
		func(ev record.Event) {
			if ev.Text != "" && o.Say != nil {
				o.Say(ev.Text)
			}
		})
	if err != nil {
		return nil, err
	}
	if o.Attach == "" {
		cancelTab() // closes the window we opened
	}
	out := &reach.Recording{Captures: rec.Captures, End: string(rec.End), LastPage: rec.LastPage}
	if rec.Captures > 0 {
		if out.HAR, err = rec.HAR(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tailBuffer keeps the last max bytes written to it, for any goroutine.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
