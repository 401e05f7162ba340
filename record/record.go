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
	"encoding/json"
	"errors"
	"fmt"
	"github.com/samllint/samllint/internal/textcut"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

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
	// checked without signing in.
	StopBeforeAWS bool
	// Inputs and Lint are what each capture is linted with, as by lint.Lint.
	Inputs *lint.Inputs
	Lint   lint.Options
	// Timeout ends the recording; zero means none (ctx still can).
	Timeout time.Duration
	// Limits bound the captures and the pages kept; zero fields are
	// saml.DefaultLimits'.
	Limits saml.Limits
}

// EventKind says what an Event reports.
type EventKind string

const (
	// EventWaiting: the tab is open; the user signs in.
	EventWaiting EventKind = "waiting"
	// EventCaptured: a SAMLResponse (or SAMLRequest) was posted; Capture
	// is set.
	EventCaptured EventKind = "captured"
	// EventVerdict: the capture's lint; Result is set.
	EventVerdict EventKind = "verdict"
	// EventAWS: what the AWS sign-in endpoint answered.
	EventAWS EventKind = "aws"
	// EventRolePicker: AWS shows its role picker; Roles lists them.
	EventRolePicker EventKind = "role-picker"
	// EventConnect: what Amazon Connect answered.
	EventConnect EventKind = "connect"
	// EventIntercepted: the post to AWS was answered in the browser and
	// not sent (StopBeforeAWS).
	EventIntercepted EventKind = "intercepted"
	// EventEnded: the recording ended; Text says why.
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
}

// End says why a recording ended.
type End string

const (
	EndAWSConsole   End = "the AWS console loaded"
	EndConnect      End = "Amazon Connect loaded"
	EndIntercepted  End = "the post to AWS was captured and not sent"
	EndWindowClosed End = "the browser window was closed"
	EndTimeout      End = "the time allowed ran out"
	EndCancelled    End = "the recording was stopped"
)

// Recording is what a recording kept.
type Recording struct {
	// Captures counts the SAML messages posted.
	Captures int
	End      End
	// LastPage is a line for the last page the tab showed, when it was
	// no AWS or Connect page: the IdP's, with its error if it shows one.
	LastPage string
	entries  []*entry
}

// HAR is the recording as a HAR 1.2 export, holding only the requests kept.
func (r *Recording) HAR() ([]byte, error) { return harOf(r.entries) }

// ErrNoTab is returned when ctx is not a chromedp context.
var ErrNoTab = errors.New("record: the context is not a chromedp tab's")

// Record records a sign-in in the tab of ctx (a chromedp context) until an
// AWS or Connect console loads, the window is closed, the post to AWS is
// intercepted (StopBeforeAWS), the Timeout passes or ctx is done, calling
// fn with each Event from one goroutine. The error is set only when the
// tab could not be driven.
func Record(ctx context.Context, opts Options, fn func(Event)) (*Recording, error) {
	if chromedp.FromContext(ctx) == nil {
		return nil, ErrNoTab
	}
	if opts.Inputs == nil {
		opts.Inputs = &lint.Inputs{}
	}
	opts.Limits = opts.Limits.WithDefaults()
	r := &recorder{opts: opts, emit: fn, rec: &Recording{}, tracked: map[network.RequestID]*entry{}}
	// Events are queued by the listener and handled here: a listener must
	// not run commands itself.
	q := &queue{signal: make(chan struct{}, 1)}
	if err := chromedp.Do(ctx); err != nil {
		return nil, fmt.Errorf("record: starting the tab: %w", err)
	}
	if err := chromedp.Listen(ctx, q.push); err != nil {
		return nil, fmt.Errorf("record: listening to the tab: %w", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		return nil, fmt.Errorf("record: enabling the tab's network events: %w", err)
	}
	if _, err := chromedp.Call(ctx, page.Enable, page.EnableParams{}); err != nil {
		return nil, fmt.Errorf("record: enabling the tab's page events: %w", err)
	}
	if opts.StopBeforeAWS {
		var patterns []*fetch.RequestPattern
		for _, h := range signInHostPatterns {
			patterns = append(patterns, &fetch.RequestPattern{URLPattern: "*://" + h + "/*", RequestStage: fetch.RequestStageRequest})
		}
		if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: patterns}); err != nil {
			return nil, fmt.Errorf("record: intercepting the post to AWS: %w", err)
		}
	}
	detached, _ := chromedp.Detached(ctx)
	start := opts.URL
	if start == "" {
		start = "about:blank"
	}
	// Navigate without waiting for the load: an IdP may never finish one.
	if _, err := chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: start}); err != nil {
		return nil, fmt.Errorf("record: opening %s: %w", start, err)
	}
	r.event(Event{Kind: EventWaiting, Text: waitingText(opts)})
	var timeout <-chan time.Time
	if opts.Timeout > 0 {
		t := time.NewTimer(opts.Timeout)
		defer t.Stop()
		timeout = t.C
	}
	for r.rec.End == "" {
		for _, ev := range q.take() {
			r.handle(ctx, ev)
			if r.rec.End != "" {
				break
			}
		}
		if r.rec.End != "" {
			break
		}
		select {
		case <-q.signal:
		case <-detached:
			r.end(EndWindowClosed)
		case <-ctx.Done():
			r.end(EndCancelled)
		case <-timeout:
			r.end(EndTimeout)
		case <-r.settled:
			r.end(r.pendingEnd)
		}
	}
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
		return "waiting for the sign-in: open your IdP's AWS or Amazon Connect app in the window; samllint waits for " + what
	}
	return "waiting for the sign-in at " + o.URL + ": sign in as usual; samllint waits for " + what
}

// queue holds the tab's events for the recording's goroutine.
type queue struct {
	mu     sync.Mutex
	events []any
	signal chan struct{}
}

func (q *queue) push(ev any) {
	switch ev.(type) {
	case *network.EventRequestWillBeSent, *network.EventResponseReceived, *network.EventLoadingFinished,
		*page.EventFrameNavigated, *page.EventLoadEventFired, *fetch.EventRequestPaused:
	default:
		return
	}
	q.mu.Lock()
	q.events = append(q.events, ev)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *queue) take() []any {
	q.mu.Lock()
	defer q.mu.Unlock()
	evs := q.events
	q.events = nil
	return evs
}

// entry is one request kept: a SAML message, or an AWS or Connect request
// that followed one.
type entry struct {
	id      network.RequestID
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
}

type nameValue struct{ Name, Value string }

type recorder struct {
	opts    Options
	emit    func(Event)
	rec     *Recording
	tracked map[network.RequestID]*entry
	seen    map[string]bool // SAMLResponse values already linted
	mainID  cdp.FrameID

	// A console loaded: the recording ends once the page has settled.
	pendingEnd End
	settled    <-chan time.Time

	// The last page's line, read off the recording's goroutine: reading a
	// page waits on its renderer, which a held post to AWS can stall.
	pageReads sync.WaitGroup
	pageMu    sync.Mutex
	pageSeq   int
	pageLine  string
	pageRead  int
}

func (r *recorder) event(ev Event) {
	if ev.At.IsZero() {
		ev.At = time.Now()
	}
	if r.emit != nil {
		r.emit(ev)
	}
}

func (r *recorder) end(e End) {
	if r.rec.End == "" {
		r.rec.End = e
		r.event(Event{Kind: EventEnded, Text: string(e)})
	}
}

func (r *recorder) handle(ctx context.Context, ev any) {
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		r.request(ctx, ev)
	case *network.EventResponseReceived:
		if e := r.tracked[ev.RequestID]; e != nil && ev.Response != nil {
			e.status, e.statusText, e.mimeType = int(ev.Response.Status), ev.Response.StatusText, ev.Response.MimeType
			e.wantBody = strings.Contains(ev.Response.MimeType, "html") && (e.host == hostSignIn || e.host == hostConnect || e.host == hostConsole)
			if !e.wantBody {
				r.answered(e)
			}
		}
	case *network.EventLoadingFinished:
		if e := r.tracked[ev.RequestID]; e != nil && e.wantBody {
			e.wantBody = false
			if res, err := chromedp.Call(ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: ev.RequestID}); err == nil {
				e.size = len(res.Body)
				e.body = shortPage(textcut.Bytes(string(res.Body), r.opts.Limits.MaxReply))
			}
			r.answered(e)
		}
	case *page.EventFrameNavigated:
		if ev.Frame == nil || ev.Frame.ParentID != "" {
			return
		}
		r.mainID = ev.Frame.ID
		r.pendingEnd = ""
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
			if r.pendingEnd == EndConnect {
				r.event(Event{Kind: EventConnect, Text: "Amazon Connect loaded: the Connect hop passed"})
			} else {
				r.event(Event{Kind: EventAWS, Text: "the AWS console loaded"})
			}
			return
		}
		if r.rec.Captures == 0 {
			r.pageSeq++
			r.pageReads.Add(1)
			go r.rememberPage(ctx, r.pageSeq)
		}
	case *fetch.EventRequestPaused:
		r.paused(ctx, ev)
	}
}

// rememberPage reads a line for the page the tab shows before any SAML
// post: what to say when the sign-in never came. Load number seq's line
// replaces an earlier one's only.
func (r *recorder) rememberPage(ctx context.Context, seq int) {
	defer r.pageReads.Done()
	ctx, cancel := context.WithTimeout(ctx, pageReadTimeout)
	defer cancel()
	// One round trip: the window may close at any moment.
	var p struct{ Title, Host, HTML string }
	js, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({Title: document.title, Host: location.host, `+
		`HTML: document.documentElement ? document.documentElement.outerHTML.slice(0, 262144) : ""})`))
	if err != nil || json.Unmarshal([]byte(js), &p) != nil {
		return
	}
	title, href, html := strings.TrimSpace(p.Title), p.Host, p.HTML
	var line string
	shown := saml.PageError([]byte(html))
	switch {
	case shown != "":
		line = "the page at " + href + " shows an error: " + shown
	case title != "":
		line = fmt.Sprintf("the last page was %q at %s", textcut.Bytes(title, 120), href)
	case href != "":
		line = "the last page was at " + href
	default:
		return
	}
	r.pageMu.Lock()
	defer r.pageMu.Unlock()
	if seq > r.pageRead {
		r.pageRead, r.pageLine = seq, line
	}
}

// pageReadTimeout bounds reading a page for its line.
const pageReadTimeout = 2 * time.Second

// request handles a request the tab sends.
func (r *recorder) request(ctx context.Context, ev *network.EventRequestWillBeSent) {
	if ev.Request == nil {
		return
	}
	if e := r.tracked[ev.RequestID]; e != nil && ev.RedirectResponse != nil {
		// A redirect ends the request of that ID; its next hop is a new
		// entry under the same ID.
		e.status, e.statusText = int(ev.RedirectResponse.Status), ev.RedirectResponse.StatusText
		e.location = stripQuery(headerValue(ev.RedirectResponse.Headers, "Location"))
		delete(r.tracked, ev.RequestID)
		r.answered(e)
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
	params, query := r.samlFields(ctx, ev)
	if len(params)+len(query) > 0 {
		e := &entry{id: ev.RequestID, started: at, method: req.Method, url: u, params: params, query: query, saml: true, host: kind}
		if len(query) == 0 {
			e.url = stripQuery(u)
		}
		if r.captured(e) {
			r.tracked[ev.RequestID] = e
		}
		return
	}
	// After a capture, the pages the tab goes to on AWS and Connect hosts
	// are the hops; their icons, scripts and prefetches are not.
	if r.rec.Captures > 0 && kind != hostOther && ev.Type == network.ResourceTypeDocument {
		e := &entry{id: ev.RequestID, started: at, method: req.Method, url: stripQuery(u), host: kind}
		r.tracked[ev.RequestID] = e
		r.rec.entries = append(r.rec.entries, e)
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
		r.rec.entries = append(r.rec.entries, &entry{id: e.id, started: e.started, method: e.method, url: stripQuery(e.url), host: e.host})
		r.tracked[e.id] = r.rec.entries[len(r.rec.entries)-1]
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
		r.event(Event{Kind: EventCaptured, At: e.started, Capture: c,
			Text: fmt.Sprintf("captured a %s posted to %s at %s", or(c.Param, "SAML message"), e.url, e.started.UTC().Format(time.RFC3339))})
		lo := r.opts.Lint
		lo.Limits = r.opts.Limits
		res := lint.LintCapture(c, r.opts.Inputs, lo)
		r.event(Event{Kind: EventVerdict, At: e.started, Capture: c, Result: res, Text: verdictLine(res)})
	}
	return true
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

// answered reports what AWS or Connect answered a kept request.
func (r *recorder) answered(e *entry) {
	if e.status == 0 {
		return
	}
	switch {
	case e.host == hostSignIn:
		switch {
		case e.status >= 300 && e.status < 400 && e.location != "":
			kind := hostOf(e.location)
			if kind == hostConsole || kind == hostConnect {
				r.event(Event{Kind: EventAWS, Text: fmt.Sprintf("AWS answered %d → %s: the AWS hop passed", e.status, e.location)})
			} else {
				r.event(Event{Kind: EventAWS, Text: fmt.Sprintf("AWS answered %d → %s", e.status, e.location)})
			}
		case e.body != "":
			if roles := rolePicker(e.body); len(roles) > 0 {
				r.event(Event{Kind: EventRolePicker, Roles: roles, Text: fmt.Sprintf("AWS shows its role picker, %d roles: %s", len(roles), strings.Join(roles, ", "))})
			} else if msg := saml.PageError([]byte(e.body)); msg != "" {
				r.event(Event{Kind: EventAWS, Text: fmt.Sprintf("AWS answered %d with its error page: %q; close the window, or press Ctrl-C, for the report", e.status, msg)})
			} else {
				r.event(Event{Kind: EventAWS, Text: fmt.Sprintf("AWS answered %d: %s", e.status, saml.PageSummary([]byte(e.body)))})
			}
		default:
			r.event(Event{Kind: EventAWS, Text: fmt.Sprintf("AWS answered %d %s", e.status, e.statusText)})
		}
	case e.host == hostConsole && strings.Contains(e.url, "/connect/federate/"):
		switch {
		case e.status >= 300 && e.status < 400:
			r.event(Event{Kind: EventConnect, Text: fmt.Sprintf("the Connect federation answered %d → %s", e.status, e.location)})
		case e.body != "":
			if msg := saml.PageError([]byte(e.body)); msg != "" {
				r.event(Event{Kind: EventConnect, Text: fmt.Sprintf("the Connect federation answered %d with an error page: %q", e.status, msg)})
			}
		}
	case e.host == hostConnect:
		if msg := saml.PageError([]byte(e.body)); msg != "" {
			r.event(Event{Kind: EventConnect, Text: fmt.Sprintf("Amazon Connect answered %d with an error page: %q", e.status, msg)})
		}
	}
}

// paused handles a request to an AWS sign-in host held by the Fetch
// domain (StopBeforeAWS): the post of a SAML message is recorded and
// answered here; anything else (a favicon, a prefetch) is answered here
// too, and counts for nothing.
func (r *recorder) paused(ctx context.Context, ev *fetch.EventRequestPaused) {
	req := ev.Request
	var fields []nameValue
	if req != nil && req.Method == "POST" && signInPath(req.URL) {
		fields = formFields(postBody(ctx, req, network.RequestID(ev.NetworkID)))
	}
	if len(fields) == 0 {
		_, _ = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: 204})
		return
	}
	e := &entry{id: network.RequestID(ev.NetworkID), started: time.Now(), method: req.Method, url: stripQuery(req.URL), params: fields, saml: true, host: hostSignIn}
	fresh := r.captured(e)
	e.status, e.statusText, e.mimeType = 200, "OK (answered by samllint, not sent to AWS)", "text/html"
	_, _ = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: 200,
		ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html; charset=utf-8"}, {Name: "Cache-Control", Value: "no-store"}},
		Body:            []byte(interceptedPage)})
	if fresh {
		r.event(Event{Kind: EventIntercepted, Text: "the post to " + e.url + " was answered here and not sent to AWS"})
		r.end(EndIntercepted)
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
