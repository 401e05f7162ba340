// Package record captures a SAML sign-in to AWS, and to Amazon Connect,
// from a real browser as a person signs in, and lints each SAMLResponse
// the moment it is posted.
//
// Record drives a tab through the Chrome DevTools Protocol (chromedp):
// the caller starts or attaches to the browser, passes the tab's context,
// and gets an Event for each step: waiting for the sign-in, a SAMLResponse
// posted, its verdict, what AWS answered (a redirect to the console, its
// error page, its role picker), what Amazon Connect answered. The
// Recording it returns holds a minimal HAR of the sign-in, which every
// samllint command reads.
//
// Only what a diagnosis needs is kept: the requests that carry a
// SAMLResponse or SAMLRequest (their SAML fields and RelayState alone),
// the AWS and Connect requests that follow them, without their query
// strings, and their answers (status, Location, the start of an HTML page).
// No login form, password, cookie, header but Location, or body of any
// other request is kept. StopBeforeAWS answers the post to AWS in the
// browser instead of sending it.
//
// The package never prints, logs or exits; it reaches the network only
// through the browser the caller gives it.
package record

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/samllint/samllint/internal/base/textcut"
	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/saml"
)

// Options say what to record and how to lint it.
type Options struct {
	// URL is where the tab starts: the IdP's app link (Okta's AWS app
	// embed link, an IdP-initiated SSO URL, Connect's login URL). ""
	// leaves the tab blank for the user to go.
	URL string
	// StopBeforeAWS answers the post of a SAMLResponse to an AWS sign-in
	// endpoint in the browser, with a page saying it was captured and not
	// sent, and ends the recording: a production role's setup can be
	// checked without signing in. It holds every tab of the session: the
	// recording's, and those opened from it.
	StopBeforeAWS bool
	// Inputs and Lint are what each capture is linted with, as by lint.Lint.
	Inputs *lint.Inputs
	Lint   lint.Options
	// Timeout ends the recording; zero means none (ctx still can).
	Timeout time.Duration
	// NoAnswer ends the recording when a post to AWS (or the Connect
	// federation request) gets no answer for this long; zero means
	// DefaultNoAnswer.
	NoAnswer time.Duration
	// Limits bound the captures and the pages kept; zero fields are
	// saml.DefaultLimits'.
	Limits saml.Limits
}

// DefaultNoAnswer is how long a post to AWS may go unanswered.
const DefaultNoAnswer = 60 * time.Second

// EventKind says what an Event reports.
type EventKind string

const (
	// EventWaiting: the tab is open; the user signs in.
	EventWaiting EventKind = "waiting"
	// EventTab: a tab was opened from one of the recording's (an IdP
	// dashboard's app tile, a popup); it is recorded too.
	EventTab EventKind = "tab"
	// EventCaptured: a SAMLResponse (or SAMLRequest) was posted; Capture
	// is set.
	EventCaptured EventKind = "captured"
	// EventVerdict: the capture's lint; Result is set.
	EventVerdict EventKind = "verdict"
	// EventNext: what the recording now waits for, and how to end it.
	EventNext EventKind = "next"
	// EventAWS: what the AWS sign-in endpoint answered.
	EventAWS EventKind = "aws"
	// EventRolePicker: AWS shows its role picker; Roles lists them.
	EventRolePicker EventKind = "role-picker"
	// EventConnect: what Amazon Connect answered.
	EventConnect EventKind = "connect"
	// EventUnreached: a post to AWS, or the Connect federation request,
	// got no answer: the browser's error (DNS, refused, TLS, proxy) or
	// none within Options.NoAnswer.
	EventUnreached EventKind = "unreached"
	// EventIntercepted: the post to AWS was answered in the browser and
	// not sent (StopBeforeAWS).
	EventIntercepted EventKind = "intercepted"
	// EventEnded: the recording ended; Text says why, or is empty when the
	// event before it did.
	EventEnded EventKind = "ended"
)

// Event is one step of a recording, as it happens.
type Event struct {
	Kind EventKind
	At   time.Time
	// Text is one line for a person, without a trailing period.
	Text    string
	Capture *saml.Capture
	Result  *lint.Result
	Roles   []string
	// Tab numbers the tab it happened in: 1 is the recording's own, the
	// others in the order they were opened.
	Tab int
}

// End says why a recording ended.
type End string

const (
	EndAWSConsole    End = "the AWS console loaded: the AWS hop passed"
	EndConnect       End = "Amazon Connect loaded: the Connect hop passed"
	EndIntercepted   End = "the post to AWS was captured and not sent"
	EndUnreached     End = "AWS was not reached"
	EndWindowClosed  End = "the browser window was closed"
	EndBrowserExited End = "the browser exited"
	EndTimeout       End = "the time allowed ran out"
	EndCancelled     End = "the recording was stopped"
)

// Recording is what a recording kept.
type Recording struct {
	// Captures counts the SAML messages posted.
	Captures int
	End      End
	// LastPage is a line for the last page the tabs showed, when it was
	// no AWS or Connect page: the IdP's, with its error if it shows one.
	LastPage string
	entries  []*entry
}

// HAR is the recording as a HAR 1.2 export, holding only the requests kept.
func (r *Recording) HAR() ([]byte, error) { return harOf(r.entries) }

// ErrNoTab is returned when ctx is not a chromedp context.
var ErrNoTab = errors.New("record: the context is not a chromedp tab's")

// Record records a sign-in in the tab of ctx (a chromedp context), and in
// every tab opened from it, until an AWS or Connect console loads, the
// tabs are closed, the post to AWS is intercepted (StopBeforeAWS) or
// cannot reach AWS, the Timeout passes or ctx is done, calling fn with
// each Event from one goroutine. The error is set only when the browser
// could not be driven.
//
// Every document request of the browser, and with StopBeforeAWS every
// request to an AWS sign-in host, is held by the browser's Fetch domain
// until it is known whose it is: a tab opened from the recording's is
// recorded from its first request, and no post from it reaches AWS with
// StopBeforeAWS. The tabs of the browser the recording did not open
// (Record on a browser a person uses) are let through untouched.
func Record(ctx context.Context, opts Options, fn func(Event)) (*Recording, error) {
	c := chromedp.FromContext(ctx)
	if c == nil {
		return nil, ErrNoTab
	}
	if opts.Inputs == nil {
		opts.Inputs = &lint.Inputs{}
	}
	if opts.NoAnswer <= 0 {
		opts.NoAnswer = DefaultNoAnswer
	}
	opts.Limits = opts.Limits.WithDefaults()
	r := &recorder{opts: opts, emit: fn, rec: &Recording{}, tracked: map[tabRequest]*entry{},
		tabs: map[target.ID]*tab{}, q: &queue{signal: make(chan struct{}, 1)}}
	if err := chromedp.Do(ctx); err != nil {
		return nil, fmt.Errorf("record: starting the tab: %w", err)
	}
	main := &tab{ctx: ctx, id: c.Target.TargetID, n: 1, open: true}
	r.tabs[main.id] = main
	r.browserCtx = ctx
	lost := c.Browser.LostConnection
	if err := chromedp.ListenBrowser(ctx, r.q.pushBrowser); err != nil {
		return nil, fmt.Errorf("record: listening to the browser: %w", err)
	}
	if err := r.watch(main); err != nil {
		return nil, err
	}
	if _, err := chromedp.CallBrowser(ctx, target.SetDiscoverTargets, target.SetDiscoverTargetsParams{Discover: true}); err != nil {
		return nil, fmt.Errorf("record: following the browser's tabs: %w", err)
	}
	if _, err := chromedp.CallBrowser(ctx, fetch.Enable, fetch.EnableParams{Patterns: holdPatterns(opts.StopBeforeAWS)}); err != nil {
		return nil, fmt.Errorf("record: holding the browser's requests: %w", err)
	}
	start := opts.URL
	if start == "" {
		start = "about:blank"
	}
	// Navigate without waiting for the load: an IdP may never finish one.
	// Off this goroutine: the browser answers only once the request,
	// which it holds for the recording, goes on.
	navigated := make(chan error, 1)
	go func() {
		_, err := chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: start})
		navigated <- err
	}()
	r.event(Event{Kind: EventWaiting, Text: waitingText(opts)})
	var timeout <-chan time.Time
	if opts.Timeout > 0 {
		t := time.NewTimer(opts.Timeout)
		defer t.Stop()
		timeout = t.C
	}
	for r.rec.End == "" {
		for _, it := range r.q.take() {
			r.handle(it)
			if r.rec.End != "" {
				break
			}
		}
		if r.rec.End != "" {
			break
		}
		select {
		case <-r.q.signal:
		case <-lost:
			// Tabs detach before a closed window's browser exits: what is
			// queued says which it was.
			for _, it := range r.q.take() {
				r.handle(it)
			}
			r.end(EndBrowserExited, "")
		case <-ctx.Done():
			r.end(EndCancelled, "")
		case <-timeout:
			r.end(EndTimeout, "")
		case <-r.settled:
			r.end(r.pendingEnd, "")
		case <-r.noAnswer:
			r.unanswered()
		case err := <-navigated:
			if err != nil && ctx.Err() == nil {
				r.release()
				return nil, fmt.Errorf("record: opening %s: %w", start, err)
			}
		}
	}
	r.release()
	// A read begun before the end still finishes (within its bound): the
	// window closed on the page it was reading is the common case.
	r.pageReads.Wait()
	r.pageMu.Lock()
	r.rec.LastPage = r.pageLine
	r.pageMu.Unlock()
	return r.rec, nil
}

func waitingText(o Options) string {
	what := "a SAMLResponse"
	if o.StopBeforeAWS {
		what += " (its post to AWS will be answered here, not sent)"
	}
	if o.URL == "" {
		return "waiting for the sign-in: open your IdP's AWS or Amazon Connect app in the window (its dashboard's tile may open a tab: that one is recorded too); samllint waits for " + what
	}
	return "waiting for the sign-in at " + o.URL + ": sign in as usual; samllint waits for " + what
}

// queued is an event of a tab, or of the browser (tab nil), or a note of
// the recorder's own goroutines.
type queued struct {
	tab *tab
	ev  any
}

// queue holds the events for the recording's goroutine: a listener must
// not run commands itself.
type queue struct {
	mu     sync.Mutex
	items  []queued
	signal chan struct{}
}

func (q *queue) pushFor(t *tab) func(ev any) {
	return func(ev any) {
		switch ev.(type) {
		case *network.EventRequestWillBeSent, *network.EventResponseReceived, *network.EventLoadingFinished,
			*network.EventLoadingFailed, *page.EventFrameNavigated, *page.EventLoadEventFired:
			q.add(queued{t, ev})
		}
	}
}

func (q *queue) pushBrowser(ev any) {
	switch ev.(type) {
	case *fetch.EventRequestPaused, *target.EventTargetCreated, *target.EventTargetDestroyed:
		q.add(queued{nil, ev})
	}
}

func (q *queue) add(it queued) {
	q.mu.Lock()
	q.items = append(q.items, it)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *queue) take() []queued {
	q.mu.Lock()
	defer q.mu.Unlock()
	items := q.items
	q.items = nil
	return items
}

// entry is one request kept: a SAML message, or an AWS or Connect request
// that followed one.
type entry struct {
	id      network.RequestID
	tab     int // the Event.Tab it was sent from
	started time.Time
	method  string
	url     string // without its query, but for a SAML message's
	params  []nameValue
	query   []nameValue
	saml    bool
	host    hostKind

	status     int
	statusText string
	location   string
	mimeType   string
	body       string // an HTML answer, shortened (shortPage)
	size       int    // the answer's length before it was shortened
	wantBody   bool
	// failed is why the request got no answer: the browser's error
	// (net::ERR_NAME_NOT_RESOLVED) or that none came in time.
	failed string
}

type nameValue struct{ Name, Value string }

type recorder struct {
	opts Options
	emit func(Event)
	rec  *Recording
	q    *queue
	// browserCtx runs browser commands: Fetch's, the tabs' discovery.
	browserCtx context.Context
	tabs       map[target.ID]*tab
	tracked    map[tabRequest]*entry
	seen       map[string]bool // SAMLResponse values already linted

	// A console loaded, in tab pendingTab: the recording ends once the
	// page has settled.
	pendingEnd End
	pendingTab int
	settled    <-chan time.Time
	// The post to AWS (or the Connect federation) that has not been
	// answered yet, and the timer that gives up on it.
	waiting  *entry
	noAnswer <-chan time.Time

	// The last page's line, read off the recording's goroutine: reading a
	// page waits on its renderer, which a held post to AWS can stall.
	pageReads sync.WaitGroup
	pageMu    sync.Mutex
	pageSeq   int
	pageLine  string
	pageRead  int
}

// tabRequest names a request: request IDs are a renderer's, so two tabs
// may use the same one.
type tabRequest struct {
	tab target.ID
	id  network.RequestID
}

func (r *recorder) event(ev Event) {
	if ev.At.IsZero() {
		ev.At = time.Now()
	}
	if ev.Tab > 1 || ev.Tab == 1 && len(r.tabs) > 1 {
		ev.Text = fmt.Sprintf("[tab %d] %s", ev.Tab, ev.Text)
	}
	if r.emit != nil {
		r.emit(ev)
	}
}

// end ends the recording; said is "" when the event before already said
// why, so the end is not said twice.
func (r *recorder) end(e End, said string) {
	if r.rec.End != "" {
		return
	}
	r.rec.End = e
	text := string(e)
	if said != "" {
		text = ""
	}
	tab := 0
	if e == r.pendingEnd {
		tab = r.pendingTab
	}
	r.event(Event{Kind: EventEnded, Text: text, Tab: tab})
}

func (r *recorder) handle(it queued) {
	if it.tab == nil {
		r.browserEvent(it.ev)
		return
	}
	t := it.tab
	switch ev := it.ev.(type) {
	case *network.EventRequestWillBeSent:
		r.request(t, ev)
	case *network.EventResponseReceived:
		if e := r.tracked[tabRequest{t.id, ev.RequestID}]; e != nil && ev.Response != nil {
			e.status, e.statusText, e.mimeType = int(ev.Response.Status), ev.Response.StatusText, ev.Response.MimeType
			e.wantBody = strings.Contains(ev.Response.MimeType, "html") && (e.host == hostSignIn || e.host == hostConnect || e.host == hostConsole)
			if !e.wantBody {
				r.answered(t, e)
			}
		}
	case *network.EventLoadingFinished:
		if e := r.tracked[tabRequest{t.id, ev.RequestID}]; e != nil && e.wantBody {
			e.wantBody = false
			if res, err := chromedp.Call(t.ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: ev.RequestID}); err == nil {
				e.size = len(res.Body)
				e.body = shortPage(textcut.Bytes(string(res.Body), r.opts.Limits.MaxReply))
			}
			r.answered(t, e)
		}
	case *network.EventLoadingFailed:
		if e := r.tracked[tabRequest{t.id, ev.RequestID}]; e != nil && e.status == 0 && !ev.Canceled {
			r.failed(t, e, ev.ErrorText)
		}
	case *page.EventFrameNavigated:
		if ev.Frame == nil || ev.Frame.ParentID != "" {
			return
		}
		r.pendingEnd, r.pendingTab = "", t.n
		switch u := ev.Frame.URL; hostOf(u) {
		case hostConsole:
			if !strings.Contains(u, "/connect/federate/") && r.rec.Captures > 0 {
				r.pendingEnd = EndAWSConsole
			}
		case hostConnect:
			if r.rec.Captures > 0 {
				r.pendingEnd = EndConnect
			}
		}
	case *page.EventLoadEventFired:
		if r.pendingEnd != "" {
			// The page loaded: give its last requests a moment to be
			// recorded, then end.
			r.settled = time.After(500 * time.Millisecond)
			return
		}
		if r.rec.Captures == 0 {
			r.pageSeq++
			r.pageReads.Add(1)
			go r.rememberPage(t.ctx, r.pageSeq)
		}
	}
}

// request handles a request a tab sends.
func (r *recorder) request(t *tab, ev *network.EventRequestWillBeSent) {
	if ev.Request == nil {
		return
	}
	key := tabRequest{t.id, ev.RequestID}
	if e := r.tracked[key]; e != nil {
		if ev.RedirectResponse == nil {
			return // recorded from the browser's hold (fetched)
		}
		// A redirect ends the request of that ID; its next hop is a new
		// entry under the same ID.
		e.status, e.statusText = int(ev.RedirectResponse.Status), ev.RedirectResponse.StatusText
		e.location = stripQuery(headerValue(ev.RedirectResponse.Headers, "Location"))
		delete(r.tracked, key)
		r.answered(t, e)
	}
	at := time.Now()
	if w := float64(ev.WallTime); w > 0 {
		at = time.Unix(0, int64(w*1e9))
	}
	req := ev.Request
	u := req.URL
	kind := hostOf(u)
	if r.opts.StopBeforeAWS && kind == hostSignIn {
		return // the interception sees it
	}
	params, query := r.samlFields(t.ctx, ev)
	if len(params)+len(query) > 0 {
		e := &entry{id: ev.RequestID, tab: t.n, started: at, method: req.Method, url: u, params: params, query: query, saml: true, host: kind}
		if len(query) == 0 {
			e.url = stripQuery(u)
		}
		if r.captured(e) {
			r.tracked[key] = e
			if kind == hostSignIn {
				r.await(e)
			}
		}
		return
	}
	// After a capture, the pages the tabs go to on AWS and Connect hosts
	// are the hops; their icons, scripts and prefetches are not.
	if r.rec.Captures > 0 && kind != hostOther && ev.Type == network.ResourceTypeDocument {
		e := &entry{id: ev.RequestID, tab: t.n, started: at, method: req.Method, url: stripQuery(u), host: kind}
		r.tracked[key] = e
		r.rec.entries = append(r.rec.entries, e)
		if kind == hostConsole && strings.Contains(u, "/connect/federate/") {
			r.await(e)
		}
	}
}

// samlFields are the SAML fields of a request: posted (form fields) or in
// its query. Post data is read only to find them, and kept only for them:
// a login form's fields are never kept.
func (r *recorder) samlFields(ctx context.Context, ev *network.EventRequestWillBeSent) (params, query []nameValue) {
	if u, err := url.Parse(ev.Request.URL); err == nil {
		query = samlOnly(u.Query())
		if len(query) > 0 && !hasMessage(query) {
			query = nil
		}
	}
	return formFields(postBody(ctx, ev.Request, ev.RequestID)), query
}

// postBody is a request's body: from its event when the browser put it
// there, else asked of the browser (a large body is left out of events).
func postBody(ctx context.Context, req *network.Request, id network.RequestID) string {
	if req == nil || !req.HasPostData {
		return ""
	}
	var body strings.Builder
	for _, p := range req.PostDataEntries {
		body.Write(p.Bytes)
	}
	if body.Len() == 0 && id != "" {
		if res, err := chromedp.Call(ctx, network.GetRequestPostData, network.GetRequestPostDataParams{RequestID: id}); err == nil {
			body.Write(res.PostData)
		}
	}
	return body.String()
}

// formFields are the SAML fields of a form body, or nil when it carries
// no SAML message.
func formFields(body string) []nameValue {
	if !strings.Contains(body, "SAMLResponse=") && !strings.Contains(body, "SAMLRequest=") {
		return nil
	}
	v, err := url.ParseQuery(body)
	if err != nil {
		return nil
	}
	out := samlOnly(v)
	if !hasMessage(out) {
		return nil
	}
	return out
}

func samlOnly(v url.Values) []nameValue {
	var out []nameValue
	for _, name := range []string{"SAMLResponse", "SAMLRequest", "RelayState"} {
		for _, val := range v[name] {
			out = append(out, nameValue{name, val})
		}
	}
	return out
}

func hasMessage(nv []nameValue) bool { return message(nv) != "" }

// message is the SAMLResponse or SAMLRequest among nv, or "".
func message(nv []nameValue) string {
	for _, p := range nv {
		if p.Name == "SAMLResponse" || p.Name == "SAMLRequest" {
			return p.Value
		}
	}
	return ""
}

// captured records a SAML message and lints it; false when it is one
// already linted (AWS's role picker posts the same SAMLResponse again).
func (r *recorder) captured(e *entry) bool {
	msg := message(e.params)
	if msg == "" {
		msg = message(e.query)
	}
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	if r.seen[msg] {
		r.rec.entries = append(r.rec.entries, &entry{id: e.id, tab: e.tab, started: e.started, method: e.method, url: stripQuery(e.url), host: e.host})
		return false
	}
	r.seen[msg] = true
	r.rec.Captures++
	r.rec.entries = append(r.rec.entries, e)
	// The capture as a HAR of this one request holds it, so that it is
	// decoded and linted exactly as the final report will be.
	har, err := harOf([]*entry{e})
	if err != nil {
		return true
	}
	var caps []*saml.Capture
	_ = saml.DecodeStream(bytes.NewReader(har), r.opts.Limits, func(c *saml.Capture) error { caps = append(caps, c); return nil })
	for _, c := range caps {
		c.Index = r.rec.Captures
		r.event(Event{Kind: EventCaptured, At: e.started, Capture: c, Tab: e.tab,
			Text: fmt.Sprintf("captured a %s posted to %s at %s", or(c.Param, "SAML message"), e.url, e.started.UTC().Format(time.RFC3339))})
		lo := r.opts.Lint
		lo.Limits = r.opts.Limits
		res := lint.LintCapture(c, r.opts.Inputs, lo)
		r.event(Event{Kind: EventVerdict, At: e.started, Capture: c, Result: res, Tab: e.tab, Text: verdictLine(res)})
		if !r.opts.StopBeforeAWS && e.host == hostSignIn {
			r.next(e.tab, "waiting for AWS's answer")
		}
	}
	return true
}

// next says what the recording now waits for, and how to end it.
func (r *recorder) next(tab int, what string) {
	r.event(Event{Kind: EventNext, Tab: tab, Text: what + "; close the window or press Ctrl-C for the report"})
}

func verdictLine(res *lint.Result) string {
	if res.Err != nil {
		return "could not lint it: " + strings.Join(strings.Fields(res.Err.Error()), " ")
	}
	line := res.Report.Verdict
	var rules []string
	for _, f := range res.Report.Findings {
		if f.Severity == lint.Error && !slices.Contains(rules, f.Rule) {
			rules = append(rules, f.Rule)
		}
	}
	if len(rules) > 0 {
		line += " (" + strings.Join(rules, ", ") + ")"
	}
	return "verdict: " + line
}

// await starts the clock on a request AWS must answer: the post of a
// SAMLResponse, or the Connect federation request.
func (r *recorder) await(e *entry) {
	r.waiting = e
	r.noAnswer = time.After(r.opts.NoAnswer)
}

// unanswered gives up on the request awaited: no answer came in time.
func (r *recorder) unanswered() {
	e := r.waiting
	r.waiting, r.noAnswer = nil, nil
	if e == nil || e.status != 0 {
		return
	}
	r.failed(nil, e, fmt.Sprintf("no answer within %s", r.opts.NoAnswer))
}

// failed reports a request the browser could not get an answer to, and
// ends the recording: AWS (or Connect) was never reached.
func (r *recorder) failed(_ *tab, e *entry, why string) {
	if r.waiting == e {
		r.waiting, r.noAnswer = nil, nil
	}
	e.failed = why
	what := "the post to " + e.url
	if e.host != hostSignIn {
		what = "the request to " + e.url
	}
	r.event(Event{Kind: EventUnreached, Tab: e.tab, Text: what + " did not reach AWS: " + saml.NetErrorWords(why)})
	if e.host == hostSignIn || strings.Contains(e.url, "/connect/federate/") {
		r.end(EndUnreached, "")
	}
}

// answered reports what AWS or Connect answered a kept request.
func (r *recorder) answered(t *tab, e *entry) {
	if e.status == 0 {
		return
	}
	if r.waiting == e {
		r.waiting, r.noAnswer = nil, nil
	}
	ev := func(kind EventKind, format string, args ...any) {
		r.event(Event{Kind: kind, Tab: e.tab, Text: fmt.Sprintf(format, args...)})
	}
	switch {
	case e.host == hostSignIn:
		switch {
		case e.status >= 300 && e.status < 400 && e.location != "":
			switch hostOf(e.location) {
			case hostConsole, hostConnect:
				ev(EventAWS, "AWS answered %d → %s: the AWS hop passed", e.status, e.location)
				if strings.Contains(e.location, "/connect/federate/") {
					r.next(e.tab, "waiting for Amazon Connect")
				} else {
					r.next(e.tab, "waiting for the console to load")
				}
			default:
				ev(EventAWS, "AWS answered %d → %s", e.status, e.location)
			}
		case e.body != "":
			if roles := rolePicker(e.body); len(roles) > 0 {
				r.event(Event{Kind: EventRolePicker, Tab: e.tab, Roles: roles, Text: fmt.Sprintf("AWS shows its role picker, %d roles: %s", len(roles), strings.Join(roles, ", "))})
				r.next(e.tab, "waiting for a role to be chosen")
			} else if msg := saml.PageError([]byte(e.body)); msg != "" {
				ev(EventAWS, "AWS answered %d with its error page: %q; close the window, or press Ctrl-C, for the report", e.status, msg)
			} else {
				ev(EventAWS, "AWS answered %d: %s", e.status, saml.PageSummary([]byte(e.body)))
			}
		default:
			ev(EventAWS, "AWS answered %d %s", e.status, e.statusText)
		}
	case e.host == hostConsole && strings.Contains(e.url, "/connect/federate/"):
		switch {
		case e.status >= 300 && e.status < 400:
			ev(EventConnect, "the Connect federation answered %d → %s", e.status, e.location)
		case e.body != "":
			if msg := saml.PageError([]byte(e.body)); msg != "" {
				ev(EventConnect, "the Connect federation answered %d with an error page: %q; close the window, or press Ctrl-C, for the report", e.status, msg)
			}
		}
	case e.host == hostConnect:
		if msg := saml.PageError([]byte(e.body)); msg != "" {
			ev(EventConnect, "Amazon Connect answered %d with an error page: %q; close the window, or press Ctrl-C, for the report", e.status, msg)
		}
	}
}

// intercept answers the post of a SAML message to an AWS sign-in host in
// the browser (StopBeforeAWS), from any tab of the recording's: it is
// recorded, and AWS never receives it. Anything else sent to a sign-in
// host (a favicon, a prefetch) is answered here too, and counts for
// nothing.
func (r *recorder) intercept(t *tab, ev *fetch.EventRequestPaused) {
	req := ev.Request
	var fields []nameValue
	if req != nil && req.Method == "POST" && signInPath(req.URL) {
		fields = formFields(postBody(t.ctx, req, network.RequestID(ev.NetworkID)))
	}
	if len(fields) == 0 {
		_, _ = chromedp.CallBrowser(r.browserCtx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: 204})
		return
	}
	e := &entry{id: network.RequestID(ev.NetworkID), tab: t.n, started: time.Now(), method: req.Method, url: stripQuery(req.URL), params: fields, saml: true, host: hostSignIn}
	fresh := r.captured(e)
	e.status, e.statusText, e.mimeType = 200, "OK (answered by samllint, not sent to AWS)", "text/html"
	_, _ = chromedp.CallBrowser(r.browserCtx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: 200,
		ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html; charset=utf-8"}, {Name: "Cache-Control", Value: "no-store"}},
		Body:            []byte(interceptedPage)})
	if fresh {
		said := "the post to " + e.url + " was answered here and not sent to AWS"
		r.event(Event{Kind: EventIntercepted, Tab: e.tab, Text: said})
		r.end(EndIntercepted, said)
	}
}

const interceptedPage = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Captured by samllint</title></head>` +
	`<body style="font: 16px system-ui, sans-serif; margin: 3em"><h1>Captured by samllint, not sent to AWS</h1>` +
	`<p>samllint recorded the SAMLResponse your IdP posted and answered it here: AWS never received it, so nobody signed in. The report is in your terminal.</p></body></html>`

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
