package record

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// tab is one tab of the recording: its own, or one opened from one of its
// tabs (an IdP dashboard's app tile with target=_blank, window.open, a
// form with a target), and from those in turn.
type tab struct {
	ctx    context.Context
	cancel context.CancelFunc // of a tab the recording attached to
	id     target.ID
	n      int // Event.Tab
	open   bool
}

// holdPatterns are the requests the browser's Fetch domain holds for the
// recording: every document request, whose SAML fields are recorded from
// the browser's own hold, before any tab it may come from is attached;
// and with StopBeforeAWS every request to an AWS sign-in host, which is
// answered in the browser.
func holdPatterns(stop bool) []*fetch.RequestPattern {
	out := []*fetch.RequestPattern{{URLPattern: "*", ResourceType: network.ResourceTypeDocument, RequestStage: fetch.RequestStageRequest}}
	if stop {
		for _, h := range signInHostPatterns {
			out = append(out, &fetch.RequestPattern{URLPattern: "*://" + h + "/*", RequestStage: fetch.RequestStageRequest})
		}
	}
	return out
}

// watch sends a tab's network and page events to the recording.
func (r *recorder) watch(t *tab) error {
	if err := chromedp.Listen(t.ctx, r.q.pushFor(t)); err != nil {
		return fmt.Errorf("record: listening to tab %d: %w", t.n, err)
	}
	if _, err := chromedp.Call(t.ctx, network.Enable, network.EnableParams{}); err != nil {
		return fmt.Errorf("record: enabling tab %d's network events: %w", t.n, err)
	}
	if _, err := chromedp.Call(t.ctx, page.Enable, page.EnableParams{}); err != nil {
		return fmt.Errorf("record: enabling tab %d's page events: %w", t.n, err)
	}
	return nil
}

// browserEvent handles what the browser reports: tabs opened and closed,
// and requests it holds.
func (r *recorder) browserEvent(ev any) {
	switch ev := ev.(type) {
	case *target.EventTargetCreated:
		info := ev.TargetInfo
		if info == nil || info.Type != "page" || r.tabs[info.TargetID] != nil || r.tabs[info.OpenerID] == nil {
			return // not a tab, or not opened from one of the recording's
		}
		opener := r.tabs[info.OpenerID]
		t := &tab{id: info.TargetID, n: len(r.tabs) + 1, open: true}
		r.tabs[t.id] = t
		r.event(Event{Kind: EventTab, Tab: t.n, Text: fmt.Sprintf("a tab opened from tab %d: recorded too", opener.n)})
		// Attached off the recording's goroutine, which its first commands
		// wait on: the SAML fields of its document requests are read from
		// the browser's hold meanwhile (fetched). The tab is detached, not
		// closed, when the recording ends.
		t.ctx, t.cancel = chromedp.NewContext(r.browserCtx, chromedp.WithTargetID(t.id), chromedp.WithDetachOnCancel(),
			chromedp.WithListener(r.q.pushFor(t)))
		go func() {
			if err := chromedp.Do(t.ctx); err == nil {
				// chromedp enables the DOM domain on attach, and reads the
				// node map its DOM events name without the lock its
				// attach writes it under: the recording needs no DOM, so
				// the events stop here.
				_, _ = chromedp.Call(t.ctx, dom.Disable, cdp.Empty{})
				_, _ = chromedp.Call(t.ctx, network.Enable, network.EnableParams{})
				_, _ = chromedp.Call(t.ctx, page.Enable, page.EnableParams{})
			}
		}()
	case *target.EventTargetDestroyed:
		r.closed(ev.TargetID)
	case *fetch.EventRequestPaused:
		r.held(ev)
	}
}

// closed ends the recording once its tabs are closed: every tab, or
// every tab that posted a capture.
func (r *recorder) closed(id target.ID) {
	t := r.tabs[id]
	if t == nil || !t.open {
		return
	}
	t.open = false
	captured := map[int]bool{}
	for _, e := range r.rec.entries {
		if e.saml {
			captured[e.tab] = true
		}
	}
	for _, o := range r.tabs {
		if o.open && (len(captured) == 0 || captured[o.n]) {
			return
		}
	}
	r.end(EndWindowClosed, "")
}

// held decides a request the browser holds: the post to AWS is answered
// here with StopBeforeAWS; a SAML message of a tab of the recording's is
// recorded; everything goes on, untouched, whoever's tab sent it.
func (r *recorder) held(ev *fetch.EventRequestPaused) {
	t := r.tabs[target.ID(ev.FrameID)]
	signIn := ev.Request != nil && hostOf(ev.Request.URL) == hostSignIn
	if t == nil && r.opts.StopBeforeAWS && signIn {
		t = r.frameOf(ev.FrameID) // an iframe's post
	}
	switch {
	case t == nil:
		r.proceed(ev)
	case r.opts.StopBeforeAWS && signIn:
		r.intercept(t, ev)
	default:
		r.fetched(t, ev)
		r.proceed(ev)
	}
}

// fetched records the SAML message a document request carries, as the
// browser holds it: a tab just opened is recorded from its first request,
// attached or not. The tab's own events of the request, when they come,
// find it recorded.
func (r *recorder) fetched(t *tab, ev *fetch.EventRequestPaused) {
	req := ev.Request
	key := tabRequest{t.id, network.RequestID(ev.NetworkID)}
	if req == nil || r.tracked[key] != nil {
		return
	}
	var body strings.Builder
	for _, p := range req.PostDataEntries {
		body.Write(p.Bytes)
	}
	params := formFields(body.String())
	var query []nameValue
	if u, err := url.Parse(req.URL); err == nil {
		if query = samlOnly(u.Query()); !hasMessage(query) {
			query = nil
		}
	}
	if len(params)+len(query) == 0 {
		return
	}
	kind := hostOf(req.URL)
	e := &entry{id: key.id, tab: t.n, started: time.Now(), method: req.Method, url: req.URL, params: params, query: query, saml: true, host: kind}
	if len(query) == 0 {
		e.url = stripQuery(req.URL)
	}
	if r.captured(e) {
		r.tracked[key] = e
		if kind == hostSignIn {
			r.await(e)
		}
	}
}

// frameOf is the recording's tab whose page holds the frame, or nil.
func (r *recorder) frameOf(id cdp.FrameID) *tab {
	for _, t := range r.tabs {
		if t.open {
			if tree, err := chromedp.Call(t.ctx, page.GetFrameTree, cdp.Empty{}); err == nil && holdsFrame(tree.FrameTree, id) {
				return t
			}
		}
	}
	return nil
}

func holdsFrame(tree *page.FrameTree, id cdp.FrameID) bool {
	if tree == nil {
		return false
	}
	if tree.Frame != nil && tree.Frame.ID == id {
		return true
	}
	for _, c := range tree.ChildFrames {
		if holdsFrame(c, id) {
			return true
		}
	}
	return false
}

func (r *recorder) proceed(ev *fetch.EventRequestPaused) {
	_, _ = chromedp.CallBrowser(r.browserCtx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
}

// release lets the browser go: nothing more is held (a browser a person
// uses, with --attach), and the tabs it attached to are left as they are.
func (r *recorder) release() {
	for _, t := range r.tabs {
		if t.cancel != nil {
			t.cancel()
		}
	}
	_, _ = chromedp.CallBrowser(r.browserCtx, fetch.Disable, cdp.Empty{})
}
