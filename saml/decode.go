package saml

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/samllint/samllint/internal/base/lazyre"
)

// Limits bound the work Decode and Parse do on one input, so hostile or
// mistaken input cannot exhaust memory or time.
//
// Every stage is bounded by one of them: a HAR or SAML-tracer export is
// streamed entry by entry within MaxInput; any other input is read whole
// only up to MaxText; one message value (base64 or percent-encoded) may be
// at most as long as MaxXML bytes need in base64; DEFLATE and gzip stop
// at MaxXML (MaxText for a gzipped file); XML nesting stops at MaxDepth.
// Memory therefore stays within a small multiple of MaxText plus one HAR
// entry, whatever the input.
//
// The counts bound what a response may hold before it is modelled and
// its signatures canonicalized: far beyond any real response, and each
// checked in one pass, so no input costs more than linear time. A
// response past one is reported by Response.Exceeded and not checked
// further.
type Limits struct {
	MaxInput int // bytes of a HAR or SAML-tracer export, read as a stream
	MaxText  int // bytes of any other input, read whole
	MaxXML   int // bytes of one decoded or inflated SAML message
	MaxDepth int // element nesting depth

	MaxElements     int // elements in one message
	MaxXMLAttrs     int // attributes (namespace declarations included) in one message
	MaxElementAttrs int // attributes on one element
	MaxNamespaces   int // namespace prefixes in scope at one element
	MaxSignatures   int // ds:Signature elements
	MaxAssertions   int // saml:Assertion elements, wherever they sit
	MaxAttributes   int // saml:Attribute elements
	MaxValues       int // saml:AttributeValue elements
	// MaxHeader bounds a HAR header value and MaxReply the part of a
	// reply body read: what the rules use is a Location and the start of
	// an error page, and the rest is skipped while streaming.
	MaxHeader int
	MaxReply  int
}

// DefaultLimits are generous for real captures: AWS itself refuses a
// SAMLResponse over 100,000 base64 characters (STS-API SAMLAssertionType),
// so 10 MiB of XML is a hundred times what AWS takes.
//
// The counts are ten times and more what a response AWS would take can
// hold: a 100,000-character SAMLResponse is 75 KB of XML, a few thousand
// elements; real ones sign once or twice, declare a dozen prefixes, and
// carry one assertion.
var DefaultLimits = Limits{MaxInput: 256 << 20, MaxText: 16 << 20, MaxXML: 10 << 20, MaxDepth: 256,
	MaxElements: 20000, MaxXMLAttrs: 100000, MaxElementAttrs: 256, MaxNamespaces: 64, MaxSignatures: 32, MaxAssertions: 100,
	MaxAttributes: 2000, MaxValues: 5000, MaxHeader: 64 << 10, MaxReply: 256 << 10}

// maxValue is the longest message value worth decoding: base64 of MaxXML
// bytes, with a tenth more for line breaks and percent-escapes.
func (l Limits) maxValue() int { return l.MaxXML/3*4 + l.MaxXML/10 + 1024 }

// WithDefaults fills zero limits from DefaultLimits.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits
	if l.MaxInput == 0 {
		l.MaxInput = d.MaxInput
	}
	if l.MaxText == 0 {
		l.MaxText = min(d.MaxText, l.MaxInput)
	}
	if l.MaxXML == 0 {
		l.MaxXML = d.MaxXML
	}
	for _, f := range []struct {
		v *int
		d int
	}{
		{&l.MaxDepth, d.MaxDepth}, {&l.MaxElements, d.MaxElements}, {&l.MaxXMLAttrs, d.MaxXMLAttrs}, {&l.MaxElementAttrs, d.MaxElementAttrs},
		{&l.MaxNamespaces, d.MaxNamespaces}, {&l.MaxSignatures, d.MaxSignatures}, {&l.MaxAssertions, d.MaxAssertions},
		{&l.MaxAttributes, d.MaxAttributes}, {&l.MaxValues, d.MaxValues}, {&l.MaxHeader, d.MaxHeader}, {&l.MaxReply, d.MaxReply},
	} {
		if *f.v == 0 {
			*f.v = f.d
		}
	}
	return l
}

// Capture is one SAML message found in the input, with what travelled beside it.
type Capture struct {
	Index      int        `json:"index"`            // 1-based position among the captures of one input
	Source     string     `json:"source,omitempty"` // where in the input it was found, e.g. "HAR entry 12"
	Chain      []string   `json:"chain"`            // decoding steps applied, in order
	Param      string     `json:"param,omitempty"`  // SAMLResponse or SAMLRequest, when it came from a form or URL
	Binding    string     `json:"binding,omitempty"`
	Method     string     `json:"method,omitempty"`
	URL        string     `json:"url,omitempty"` // where the browser sent it
	RelayState *string    `json:"relay_state,omitempty"`
	SentAt     *time.Time `json:"sent_at,omitempty"` // HAR startedDateTime
	Reply      *Reply     `json:"reply,omitempty"`
	// Then lists the AWS and Amazon Connect requests the browser made
	// after posting the message, as a HAR records them (at most
	// maxSteps, up to the next SAML message): how the sign-in went on.
	Then []Step `json:"then,omitempty"`
	XML  []byte `json:"-"`
	Err  error  `json:"-"` // set when this message (of several) could not be decoded
}

// Reply is what the server answered to the request that carried the message.
type Reply struct {
	Status     int    `json:"status"`
	StatusText string `json:"status_text,omitempty"`
	Location   string `json:"location,omitempty"`
	ErrorText  string `json:"error_text,omitempty"` // the error an HTML reply shows, e.g. AWS's sign-in error page
	// Failed is why no answer came (Status 0): the browser's error, such
	// as net::ERR_NAME_NOT_RESOLVED (a HAR's _error), or that none came in
	// time. NetErrorWords says it in words.
	Failed string `json:"failed,omitempty"`
}

// Step is one request the browser made after posting the message.
type Step struct {
	Source string `json:"source"` // "HAR entry 14"
	Method string `json:"method"`
	URL    string `json:"url"` // without its query
	Reply
}

// ChainString renders the decoding chain as "har → form → base64 → xml".
func (c *Capture) ChainString() string { return strings.Join(c.Chain, " → ") }

// Decode finds every SAML message in a captured payload: base64 (either
// alphabet), URL-encoded values and form bodies, URLs, log lines, DEFLATE,
// raw XML, HTML auto-post forms, HAR and SAML-tracer exports. The form is
// detected from the content. A returned error is a *DecodeError.
func Decode(input []byte) ([]*Capture, error) { return DecodeLimits(input, DefaultLimits) }

// DecodeLimits is Decode with explicit limits.
func DecodeLimits(input []byte, lim Limits) ([]*Capture, error) {
	d := decoder{lim: lim.WithDefaults()}
	return d.top(input)
}

type decoder struct{ lim Limits }

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

func (d *decoder) top(in []byte) ([]*Capture, error) {
	if len(in) > d.lim.MaxInput {
		return nil, decodeErr(StageInput, fmt.Sprintf("input of %d bytes", len(in)), fmt.Sprintf("at most %d bytes", d.lim.MaxInput), nil)
	}
	var chain []string
	if u, ok := fromUTF16(in, false); ok {
		in = u
		chain = append(chain, "utf-16")
	}
	in = bytes.TrimPrefix(in, bomUTF8)
	trimmed := bytes.TrimSpace(in)
	if len(trimmed) == 0 {
		if len(in) == 0 {
			return nil, decodeErr(StageInput, "empty input", "a SAMLResponse (base64, form body, URL, raw XML, HAR or SAML-tracer export)", nil)
		}
		return nil, decodeErr(StageInput, "only whitespace", "a SAMLResponse (base64, form body, URL, raw XML, HAR or SAML-tracer export)", nil)
	}
	if bytes.HasPrefix(trimmed, []byte("-----BEGIN ")) {
		what := string(trimmed[len("-----BEGIN "):])
		what, _, _ = strings.Cut(what, "-----")
		k := KindPEM
		switch {
		case strings.Contains(what, "CERTIFICATE"):
			k = KindCertificate
		case strings.Contains(what, "PRIVATE KEY"):
			k = KindPrivateKey
		}
		return nil, &KindError{Kind: k, Hint: "a PEM " + clip(what, 40) + " block is given beside the SAMLResponse, as an input of its own"}
	}
	if trimmed[0] != '{' && trimmed[0] != '[' && len(trimmed) > d.lim.MaxText {
		return nil, decodeErr(StageInput, fmt.Sprintf("%d bytes of input that is not a HAR or SAML-tracer export", len(trimmed)), fmt.Sprintf("at most %d bytes (a SAMLResponse is rarely over 100 KB)", d.lim.MaxText), nil)
	}
	switch trimmed[0] {
	case '{', '[':
		return d.json(trimmed, chain)
	case '<':
		c := &Capture{Chain: chain}
		if err := d.markup(trimmed, c); err != nil {
			return nil, err
		}
		return number([]*Capture{c}), nil
	}
	if isGzip(trimmed) {
		// A saved .gz of a capture or log: decompressed within MaxText.
		plain, err := gunzip(trimmed, d.lim.MaxText)
		if err != nil {
			return nil, err
		}
		if isGzip(bytes.TrimSpace(plain)) {
			// One layer is a saved .gz; more would recurse without bound.
			return nil, decodeErr(StageInflate, "gzip data inside gzip data", "one gzip layer around a capture", nil)
		}
		caps, err := d.top(plain)
		for _, c := range caps {
			c.Chain = append([]string{"gunzip"}, c.Chain...)
		}
		return caps, err
	}
	if !utf8.Valid(trimmed) {
		return nil, decodeErr(StageInput, fmt.Sprintf("binary data that is not text (starts %s)", hexPrefix(trimmed)), "base64 text, a form body, XML or a HAR export", nil)
	}
	c := &Capture{Chain: chain}
	if err := d.text(string(trimmed), c); err != nil {
		return nil, err
	}
	return number([]*Capture{c}), nil
}

func number(cs []*Capture) []*Capture {
	for i, c := range cs {
		c.Index = i + 1
	}
	return cs
}

// findParam returns the index of the first "SAMLResponse=" or
// "SAMLRequest=" that starts a parameter, or -1. (A regexp is 40% of decode
// time on a 10 KB paste.)
func findParam(s string) int {
	best := -1
	for _, key := range []string{"SAMLResponse=", "SAMLRequest="} {
		for off := 0; ; {
			i := strings.Index(s[off:], key)
			if i < 0 {
				break
			}
			i += off
			if i == 0 || strings.IndexByte("?& \t\r\n\"'=;:,([{", s[i-1]) >= 0 {
				if best < 0 || i < best {
					best = i
				}
				break
			}
			off = i + 1
		}
	}
	return best
}

// text handles everything that is not JSON or markup: form bodies, URLs, log
// lines, percent-encoded and base64 values.
func (d *decoder) text(s string, c *Capture) error {
	s = strings.TrimSpace(s)
	s = unquote(s)
	if start := findParam(s); start >= 0 {
		return d.params(s, start, c)
	}
	if strings.Contains(s, "RelayState=") {
		return decodeErr(StageForm, "a RelayState but no SAMLResponse or SAMLRequest parameter", "the SAMLResponse form field as well", nil)
	}
	if what := otherProtocol(s); what != "" {
		return decodeErr(StageKind, what, "a SAMLResponse: AWS SAML federation takes SAML 2.0 only", nil)
	}
	if (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) && !strings.ContainsAny(s, " \t\r\n") {
		return decodeErr(StageKind, fmt.Sprintf("a URL with no SAMLResponse in it (%q)", clip(s, 80)), "the SAMLResponse the IdP posts to such an address: a HAR export of the sign-in, or the posted form body", nil)
	}
	err := d.value(s, c, 0)
	var de *DecodeError
	if errors.As(err, &de) && (de.Stage == StageBase64 && strings.HasPrefix(de.Found, "character ") || de.Stage == StageInflate) && prose(s) {
		return decodeErr(StageKind, fmt.Sprintf("plain text (%q)", clip(s, 60)), "the SAMLResponse (base64, a form body, raw XML) or a HAR export of the sign-in; an error message you saw is for samllint explain", nil)
	}
	return err
}

// prose reports whether s reads as words rather than an encoded value:
// several fields, one at least a word of letters, and none as long as a
// wrapped base64 line.
func prose(s string) bool {
	fields := strings.Fields(s)
	if len(fields) < 2 {
		return false
	}
	word := false
	for _, f := range fields {
		if len(f) > 40 {
			return false
		}
		letters := strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) })
		if len(letters) >= 2 && strings.IndexFunc(letters, func(r rune) bool { return !unicode.IsLetter(r) }) < 0 {
			word = true
		}
	}
	return word
}

// otherProtocol names a form body or URL of another sign-in protocol.
func otherProtocol(s string) string {
	has := func(p string) bool {
		return strings.HasPrefix(s, p) || strings.Contains(s, "&"+p) || strings.Contains(s, "?"+p) || strings.Contains(s, "#"+p)
	}
	switch {
	case has("id_token="), has("access_token="):
		return "an OpenID Connect / OAuth response (id_token or access_token)"
	case has("code=") && has("state="):
		return "an OAuth authorization response (code and state)"
	case has("wresult="), has("wa=wsignin1.0"):
		return "a WS-Federation sign-in message (wresult)"
	}
	return ""
}

func unquote(s string) string {
	for len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// params extracts the SAML message and RelayState from a form body, a URL or
// a log line containing one of them.
func (d *decoder) params(s string, start int, c *Capture) error {
	kind := "form"
	switch {
	case strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://"):
		kind = "url"
		if u, err := url.Parse(firstField(s)); err == nil {
			u.RawQuery, u.Fragment = "", ""
			c.URL = u.String()
		}
		c.Binding = "HTTP-Redirect"
		c.Method = "GET"
	case start == 0 || strings.HasPrefix(s, "RelayState=") || strings.HasPrefix(s, "SigAlg=") || strings.HasPrefix(s, "Signature="):
		c.Binding = "HTTP-POST"
	default:
		kind = "log"
	}
	// The query runs from the first parameter before the SAML one to the
	// first character that cannot appear in a URL-encoded value.
	q := s[start:]
	if kind != "log" {
		if i := strings.IndexAny(s, "?"); kind == "url" && i >= 0 {
			q = s[i+1:]
		} else if kind == "form" {
			q = s
		}
	} else if j := strings.LastIndexAny(s[:start], " \t\"'?"); j >= 0 {
		q = s[j+1:]
	} else {
		q = s
	}
	if k := strings.IndexAny(q, " \t\r\n\"'<>#"); k >= 0 && kind != "form" {
		q = q[:k]
	}
	c.Chain = append(c.Chain, kind)
	var msg string
	for _, part := range strings.Split(q, "&") {
		name, val, _ := strings.Cut(part, "=")
		switch name {
		case "SAMLResponse", "SAMLRequest":
			if c.Param != "" {
				continue // the first message wins; a form carries one
			}
			c.Param, msg = name, strings.TrimSpace(val)
		case "RelayState":
			rs, err := url.QueryUnescape(val)
			if err != nil {
				rs = val
			}
			c.RelayState = &rs
		}
	}
	if msg == "" {
		return decodeErr(StageForm, fmt.Sprintf("an empty %s parameter", c.Param), "its base64 value", nil)
	}
	return d.value(msg, c, 0)
}

func firstField(s string) string {
	if i := strings.IndexAny(s, " \t\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

var pctRe = lazyre.New(`%[0-9A-Fa-f]{2}`)

// value decodes one message value: percent-encoding (any number of times),
// base64, then DEFLATE or nested base64, down to XML.
func (d *decoder) value(s string, c *Capture, depth int) error {
	if depth > 4 {
		return decodeErr(StageBase64, "more than four nested encodings", "base64 of the XML, at most URL-encoded twice", nil)
	}
	s = unquote(strings.TrimSpace(s))
	if len(s) > d.lim.maxValue() {
		return decodeErr(StageBase64, fmt.Sprintf("a value of %d characters", len(s)), fmt.Sprintf("at most %d (base64 of a message up to %d bytes)", d.lim.maxValue(), d.lim.MaxXML), nil)
	}
	for i := 0; strings.Contains(s, "%"); i++ {
		if i == 3 {
			return decodeErr(StageURL, "a value still percent-encoded after three rounds of URL decoding", "a value URL-encoded at most twice", nil)
		}
		// PathUnescape keeps '+': a SAML value is base64, where '+' is data, never a space.
		u, err := url.PathUnescape(s)
		if err != nil {
			return decodeErr(StageURL, "a malformed percent-escape", "%XX escapes with two hex digits", err)
		}
		s = u
		c.Chain = append(c.Chain, "url-decode")
	}
	if strings.HasPrefix(s, "<") {
		return d.markup([]byte(s), c)
	}
	if jwtRe.MatchString(s) {
		return decodeErr(StageKind, "a JSON Web Token (an OIDC ID token or OAuth access token)", "a SAMLResponse: AWS SAML federation takes SAML, not OIDC tokens", nil)
	}
	raw, step, err := decodeBase64(s)
	if err != nil {
		return err
	}
	c.Chain = append(c.Chain, step)
	return d.binary(raw, c, depth)
}

// binary classifies what base64 decoded to.
func (d *decoder) binary(b []byte, c *Capture, depth int) error {
	if u, ok := fromUTF16(b, true); ok {
		b = u
		c.Chain = append(c.Chain, "utf-16")
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(b, bomUTF8), " \t\r\n")
	switch {
	case len(t) > 0 && t[0] == '<':
		return d.markup(b, c)
	case isGzip(b):
		// Not a SAML binding, but what some proxies and tools log.
		if depth > 4 {
			return decodeErr(StageInflate, "gzip nested more than four deep", "base64 of the XML or of one gzip of it", nil)
		}
		plain, err := gunzip(b, d.lim.MaxXML)
		if err != nil {
			return err
		}
		c.Chain = append(c.Chain, "gunzip")
		return d.binary(plain, c, depth+1)
	case bytes.HasPrefix(t, []byte(`{"alg"`)) || bytes.HasPrefix(t, []byte(`{"typ"`)) || jwtRe.Match(t):
		return decodeErr(StageKind, "a JSON Web Token (an OIDC ID token or OAuth access token)", "a SAMLResponse: AWS SAML federation takes SAML, not OIDC tokens", nil)
	}
	if utf8.Valid(b) && isBase64Text(string(b)) {
		c.Chain = append(c.Chain, "base64-again")
		return d.value(string(b), c, depth+1)
	}
	inflated, err := inflate(b, d.lim.MaxXML)
	if err != nil {
		var de *DecodeError
		if asDecodeErr(err, &de) {
			return err
		}
		return decodeErr(StageInflate, fmt.Sprintf("%d bytes of binary data that are neither XML nor DEFLATE (starts %s)", len(b), hexPrefix(b)), "base64 of the XML, or of its raw DEFLATE compression", err)
	}
	c.Chain = append(c.Chain, "inflate")
	if c.Binding == "" {
		c.Binding = "HTTP-Redirect"
	}
	t = bytes.TrimLeft(bytes.TrimPrefix(inflated, bomUTF8), " \t\r\n")
	if len(t) == 0 || t[0] != '<' {
		return decodeErr(StageInflate, "DEFLATE data that inflates to something other than XML", "compressed SAML XML", nil)
	}
	return d.markup(inflated, c)
}

func hexPrefix(b []byte) string {
	if len(b) > 4 {
		b = b[:4]
	}
	return fmt.Sprintf("% x", b)
}

// jwtRe is a JWT's compact serialization: three base64url parts, the
// first a JSON header ("eyJ" is base64 of `{"`).
var jwtRe = lazyre.New(`^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$`)

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

func gunzip(b []byte, max int) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, decodeErr(StageInflate, "gzip data with a broken header", "a complete .gz file", err)
	}
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if err != nil {
		return nil, decodeErr(StageInflate, "truncated or corrupt gzip data", "a complete .gz file", err)
	}
	if len(out) > max {
		return nil, decodeErr(StageInflate, fmt.Sprintf("gzip data that decompresses past %d bytes", max), "a capture of reasonable size (a decompression bomb?)", nil)
	}
	return out, nil
}

func inflate(b []byte, max int) ([]byte, error) {
	r := flate.NewReader(bytes.NewReader(b))
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if err != nil {
		return nil, err
	}
	if len(out) > max {
		return nil, decodeErr(StageInflate, fmt.Sprintf("DEFLATE data that inflates past %d bytes", max), "a SAML message of reasonable size (a decompression bomb?)", nil)
	}
	return out, nil
}

// plainBase64 reports whether s holds only the standard alphabet, '='
// and line breaks.
func plainBase64(s string) bool {
	for i := 0; i < len(s); i++ {
		if !plainB64[s[i]] {
			return false
		}
	}
	return true
}

var plainB64 = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n" {
		t[c] = true
	}
	return t
}()

func isBase64Text(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) < 8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isB64Char(s[i]) && s[i] != '\r' && s[i] != '\n' {
			return false
		}
	}
	return true
}

func isB64Char(ch byte) bool {
	return ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' ||
		ch == '+' || ch == '/' || ch == '-' || ch == '_' || ch == '='
}

// decodeBase64 accepts both alphabets, with or without padding, wrapped at any
// width. It names the first offending character rather than failing vaguely.
func decodeBase64(s string) ([]byte, string, error) {
	// Fast path: standard alphabet, padded, wrapped with line breaks at
	// most (the decoder skips \r and \n), which is how browsers post it.
	if plainBase64(s) {
		if out, err := base64.StdEncoding.DecodeString(s); err == nil {
			return out, "base64", nil
		}
	}
	// A lone-line value with spaces and no '+' is the classic result of
	// form-decoding a base64 string: '+' became ' '.
	spaceAsPlus := strings.Contains(s, " ") && !strings.ContainsAny(s, "\r\n\t+")
	var b strings.Builder
	b.Grow(len(s))
	std, urlsafe := false, false
	padAt := -1
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == ' ' && spaceAsPlus:
			ch = '+'
		case ch == ' ' || ch == '\r' || ch == '\n' || ch == '\t' || ch == '\\' && i+1 < len(s) && (s[i+1] == 'n' || s[i+1] == 'r'):
			if ch == '\\' {
				i++ // a literal "\n" left by a JSON or log escape
			}
			continue
		}
		switch {
		case ch == '+' || ch == '/':
			std = true
		case ch == '-' || ch == '_':
			urlsafe = true
		case ch == '=':
			if padAt < 0 {
				padAt = b.Len()
			}
		case isB64Char(ch):
		default:
			what := fmt.Sprintf("character %q at offset %d", rune(s[i]), i)
			if b.Len() == 0 {
				// Not a damaged value but text of another kind altogether.
				what = fmt.Sprintf("text that is no capture form: it starts with %q", rune(s[i]))
			}
			return nil, "", decodeErr(StageBase64, what, "base64 (A-Z a-z 0-9 + / =), a form body, raw XML or a HAR export", nil)
		}
		if padAt >= 0 && ch != '=' {
			return nil, "", decodeErr(StageBase64, fmt.Sprintf("data after '=' padding at offset %d (two values run together?)", i), "one base64 value with padding only at its end", nil)
		}
		b.WriteByte(ch)
	}
	clean := b.String()
	if std && urlsafe {
		return nil, "", decodeErr(StageBase64, "a mix of the standard (+/) and URL-safe (-_) base64 alphabets", "one alphabet throughout", nil)
	}
	body := strings.TrimRight(clean, "=")
	if len(body) == 0 {
		return nil, "", decodeErr(StageBase64, "no base64 data", "a base64 SAMLResponse", nil)
	}
	if len(body)%4 == 1 {
		return nil, "", decodeErr(StageBase64, fmt.Sprintf("%d base64 characters, one too many for whole bytes (truncated copy?)", len(body)), "the complete value", nil)
	}
	enc, step := base64.RawStdEncoding, "base64"
	if urlsafe {
		enc, step = base64.RawURLEncoding, "base64url"
	}
	if spaceAsPlus {
		step = "space-as-plus → " + step
	}
	out, err := enc.DecodeString(body)
	if err != nil {
		return nil, "", decodeErr(StageBase64, "invalid base64", "the complete base64 value", err)
	}
	return out, step, nil
}

func asDecodeErr(err error, target **DecodeError) bool {
	de, ok := err.(*DecodeError)
	if ok {
		*target = de
	}
	return ok
}
