package saml

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"time"
)

type nameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// json decodes a whole HAR or SAML-tracer export, as DecodeStream reads
// one: the error is set when no capture in it decodes.
func (d *decoder) json(b []byte, chain []string) ([]*Capture, error) {
	var caps []*Capture
	s := newStreamer(bytes.NewReader(b), d.lim, func(c *Capture) error { caps = append(caps, c); return nil })
	s.chain = chain
	if err := s.top(); err != nil {
		return nil, err
	}
	for _, c := range caps {
		if c.Err == nil {
			return caps, nil
		}
	}
	return nil, caps[0].Err
}

func (d *decoder) harEntry(e *harEntry, idx int, chain []string) []*Capture {
	base := func() *Capture {
		c := &Capture{
			Source: fmt.Sprintf("HAR entry %d", idx),
			Method: e.Request.Method,
			URL:    stripQuery(e.Request.URL),
			Chain:  append(append([]string{}, chain...), "har"),
			Reply:  harReply(e),
		}
		if t, err := time.Parse(time.RFC3339Nano, e.StartedDateTime); err == nil {
			t = t.UTC()
			c.SentAt = &t
		}
		return c
	}
	var out []*Capture
	// POST binding: the form body. Browsers give params, text, or both.
	if pd := e.Request.PostData; pd != nil {
		params := pd.Params
		if len(params) == 0 && pd.Text != "" {
			params = formParams(pd.Text)
		}
		if c := d.fromParams(base(), params, "HTTP-POST", "form"); c != nil {
			out = append(out, c)
		}
	}
	// Redirect binding: the query string.
	q := e.Request.QueryString
	if len(q) == 0 {
		if u, err := url.Parse(e.Request.URL); err == nil {
			q = formParams(u.RawQuery)
		}
	}
	if c := d.fromParams(base(), q, "HTTP-Redirect", "query"); c != nil {
		out = append(out, c)
	}
	return out
}

// fromParams builds a capture from name/value pairs, or returns nil when
// they hold no SAML message.
func (d *decoder) fromParams(c *Capture, params []nameValue, binding, step string) *Capture {
	var msg string
	for _, p := range params {
		switch p.Name {
		case "SAMLResponse", "SAMLRequest":
			if c.Param == "" {
				c.Param, msg = p.Name, p.Value
			}
		case "RelayState":
			rs := p.Value
			if u, err := url.QueryUnescape(rs); err == nil && pctRe.MatchString(rs) {
				rs = u
			}
			c.RelayState = &rs
		}
	}
	if c.Param == "" {
		return nil
	}
	c.Binding = binding
	c.Chain = append(c.Chain, step)
	if strings.TrimSpace(msg) == "" {
		c.Err = decodeErr(StageForm, "an empty "+c.Param+" parameter", "its base64 value", nil)
		return c
	}
	if err := d.value(msg, c, 0); err != nil {
		c.Err = err
	}
	return c
}

func formParams(q string) []nameValue {
	var out []nameValue
	for _, part := range strings.Split(q, "&") {
		name, val, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		out = append(out, nameValue{Name: name, Value: val})
	}
	return out
}

func stripQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

func harReply(e *harEntry) *Reply {
	r := e.Response
	if r.Status == 0 && r.StatusText == "" {
		if r.Error != "" {
			return &Reply{Failed: r.Error}
		}
		return nil
	}
	rep := &Reply{Status: r.Status, StatusText: r.StatusText, Location: r.RedirectURL}
	if rep.Location == "" {
		rep.Location = header(r.Headers, "Location")
	}
	if strings.Contains(strings.ToLower(r.Content.MimeType), "html") && r.Content.Text != "" {
		rep.ErrorText = errorText(replyBody(r.Content.Text, r.Content.Encoding))
	}
	return rep
}

// errorText is the known AWS or Connect error an HTML reply shows, or "":
// a reply page that shows none is not an error page worth quoting.
func errorText(body []byte) string {
	if t, isError := pageText(body); isError {
		return t
	}
	return ""
}

func header(h []nameValue, name string) string {
	for _, kv := range h {
		if strings.EqualFold(kv.Name, name) {
			return kv.Value
		}
	}
	return ""
}

func (d *decoder) tracerRequest(r *tracerRequest, idx int, chain []string) []*Capture {
	c := &Capture{
		Source: fmt.Sprintf("SAML-tracer request %d", idx),
		Method: r.Method,
		URL:    stripQuery(r.URL),
		Chain:  append(append([]string{}, chain...), "saml-tracer"),
	}
	if r.ResponseStatus != 0 {
		c.Reply = &Reply{Status: r.ResponseStatus, StatusText: r.ResponseStatusText, Location: header(r.ResponseHeaders, "Location")}
	}
	// SAML-tracer writes post as [[name, value], …]; older exports as
	// objects: the walker reads both.
	if got := d.fromParams(c, r.Post, "HTTP-POST", "form"); got != nil {
		return []*Capture{got}
	}
	if u, err := url.Parse(r.URL); err == nil {
		if got := d.fromParams(c, formParams(u.RawQuery), "HTTP-Redirect", "query"); got != nil {
			return []*Capture{got}
		}
	}
	// The export may carry only the decoded XML (parameters obfuscated).
	if strings.TrimSpace(r.SAML) != "" && strings.Contains(r.SAML, "urn:oasis:names:tc:SAML") {
		c.Chain = append(c.Chain, "decoded")
		if err := d.markup([]byte(strings.TrimSpace(r.SAML)), c); err != nil {
			c.Err = err
		}
		return []*Capture{c}
	}
	return nil
}

// maxSteps bounds the requests kept after each message: enough for the
// sign-in's redirects and the Connect page, not a whole browsing session.
const maxSteps = 10

// follower holds back the captures of the last SAML entry until the next
// one, attaching the AWS and Connect requests in between to them.
type follower struct {
	pending []*Capture
	emit    func([]*Capture) error
}

func (f *follower) entry(caps []*Capture, step *Step) error {
	if len(caps) > 0 {
		if err := f.flush(); err != nil {
			return err
		}
		f.pending = caps
		return nil
	}
	if step == nil {
		return nil
	}
	for _, c := range f.pending {
		if len(c.Then) < maxSteps {
			c.Then = append(c.Then, *step)
		}
	}
	return nil
}

func (f *follower) flush() error {
	p := f.pending
	f.pending = nil
	if len(p) == 0 {
		return nil
	}
	return f.emit(p)
}

// followHosts are the hosts whose answers say how a sign-in went on: AWS
// sign-in and console (the Connect federation URL), and Connect itself.
var followHosts = []string{"signin.aws.amazon.com", "signin.amazonaws", "console.aws.amazon.com", "console.amazonaws", ".my.connect.aws", ".awsapps.com"}

func followed(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	h := strings.ToLower(u.Hostname())
	for _, f := range followHosts {
		if strings.Contains(h, f) {
			return true
		}
	}
	return false
}

func (e *harEntry) step(idx int) *Step {
	if !followed(e.Request.URL) {
		return nil
	}
	st := &Step{Source: fmt.Sprintf("HAR entry %d", idx), Method: e.Request.Method, URL: stripQuery(e.Request.URL)}
	if r := harReply(e); r != nil {
		st.Reply = *r
	}
	return st
}

func (r *tracerRequest) step(idx int) *Step {
	if !followed(r.URL) {
		return nil
	}
	return &Step{Source: fmt.Sprintf("SAML-tracer request %d", idx), Method: r.Method, URL: stripQuery(r.URL),
		Reply: Reply{Status: r.ResponseStatus, StatusText: r.ResponseStatusText, Location: header(r.ResponseHeaders, "Location")}}
}

// netErrors say in words what Chrome's network errors mean for a request
// that got no answer (net/base/net_error_list.h names them).
var netErrors = []struct{ prefix, words string }{
	{"net::ERR_NAME_NOT_RESOLVED", "the browser could not look up the host"},
	{"net::ERR_NAME_RESOLUTION_FAILED", "the browser could not look up the host"},
	{"net::ERR_CONNECTION_REFUSED", "the host refused the connection"},
	{"net::ERR_CONNECTION_RESET", "the connection was reset"},
	{"net::ERR_CONNECTION_CLOSED", "the connection was closed without an answer"},
	{"net::ERR_EMPTY_RESPONSE", "the connection was closed without an answer"},
	{"net::ERR_CONNECTION_TIMED_OUT", "the connection timed out"},
	{"net::ERR_TIMED_OUT", "the request timed out"},
	{"net::ERR_ADDRESS_UNREACHABLE", "the host is unreachable"},
	{"net::ERR_INTERNET_DISCONNECTED", "the machine is offline"},
	{"net::ERR_NETWORK_CHANGED", "the network changed during the request"},
	{"net::ERR_PROXY_CONNECTION_FAILED", "the proxy could not be reached"},
	{"net::ERR_TUNNEL_CONNECTION_FAILED", "the proxy refused the connection"},
	{"net::ERR_PROXY_", "the proxy failed"},
	{"net::ERR_CERT_", "the host's TLS certificate was refused (TLS interception?)"},
	{"net::ERR_SSL_", "the TLS handshake failed"},
	{"net::ERR_BLOCKED_", "the browser blocked the request"},
}

// NetErrorWords is a request's failure as a person reads it:
// "net::ERR_NAME_NOT_RESOLVED (the browser could not look up the host
// (DNS))"; a failure not of Chrome's list is given as it is.
func NetErrorWords(failed string) string {
	for _, e := range netErrors {
		if strings.HasPrefix(failed, e.prefix) {
			return failed + " (" + e.words + ")"
		}
	}
	return failed
}
