package saml

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/samllint/samllint/internal/base/textcut"
)

// A HAR or SAML-tracer export is read token by token: what samllint does
// not read is skipped a token at a time, and no string is held longer
// than capReader lets through, so memory stays bounded whatever an entry
// holds (a 200 MB header, a 170 MB page).

// capReader passes JSON through, cutting every string after max bytes of
// its encoded content: at a character boundary, never inside an escape,
// so that what it passes on is still valid JSON.
type capReader struct {
	r   *bufio.Reader
	max int

	inString, escape, dropping bool
	hex                        int // \u digits still to come
	n                          int // content bytes of the current string passed on
}

func newCapReader(r io.Reader, max int) *capReader {
	return &capReader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

func (c *capReader) Read(p []byte) (int, error) {
	out := 0
	for out < len(p) {
		b, err := c.r.ReadByte()
		if err != nil {
			if out > 0 && err == io.EOF {
				return out, nil
			}
			return out, err
		}
		if c.pass(b) {
			p[out] = b
			out++
		}
		// Return what there is rather than wait while a long string is
		// dropped: the decoder can work meanwhile.
		if c.dropping && out > 0 && c.r.Buffered() == 0 {
			break
		}
	}
	return out, nil
}

// pass reports whether b goes on to the decoder.
func (c *capReader) pass(b byte) bool {
	if !c.inString {
		if b == '"' {
			c.inString, c.n, c.dropping = true, 0, false
		}
		return true
	}
	switch {
	case c.escape:
		c.escape = false
		if b == 'u' {
			c.hex = 4
		}
	case c.hex > 0:
		c.hex--
	case b == '"':
		c.inString = false
		return true
	case b == '\\':
		if c.n >= c.max {
			c.dropping = true
		}
		c.escape = true
	default:
		if c.n >= c.max && b&0xC0 != 0x80 {
			c.dropping = true
		}
	}
	if c.dropping {
		return false
	}
	c.n++
	return true
}

// walker reads JSON values a token at a time. name is the path of the
// value being read, for errors.
type walker struct {
	dec *json.Decoder
}

func (w *walker) jsonErr(err error) error {
	if errors.Is(err, errTooLarge) {
		return err
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return decodeErr(StageJSON, fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se), "a HAR or SAML-tracer export, complete and unedited", nil)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return decodeErr(StageJSON, "JSON that ends early (truncated export?)", "a complete HAR or SAML-tracer export", nil)
	}
	var de *DecodeError
	if errors.As(err, &de) {
		return err
	}
	return decodeErr(StageJSON, "unreadable JSON", "a HAR or SAML-tracer export", err)
}

func (w *walker) token() (json.Token, error) {
	t, err := w.dec.Token()
	if err != nil {
		return nil, w.jsonErr(err)
	}
	return t, nil
}

func describeToken(t json.Token) string {
	switch t := t.(type) {
	case json.Delim:
		if t == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return "a string"
	case nil:
		return "null"
	case bool:
		return "a boolean"
	}
	return "a number"
}

// skipRest skips what is left of a value whose first token was t.
func (w *walker) skipRest(t json.Token) error {
	d, ok := t.(json.Delim)
	if !ok || d == '}' || d == ']' {
		return nil
	}
	for depth := 1; depth > 0; {
		t, err := w.token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

func (w *walker) skip() error {
	t, err := w.token()
	if err != nil {
		return err
	}
	return w.skipRest(t)
}

func wrongType(name string, t json.Token, want string) error {
	return decodeErr(StageJSON, fmt.Sprintf("JSON whose %q is %s, not %s", name, describeToken(t), want), "a HAR export (log.entries) or a SAML-tracer export (requests)", nil)
}

// object reads an object, calling each with every key; each must read or
// skip the key's value. null counts as an empty object.
func (w *walker) object(name string, each func(key string) error) error {
	t, err := w.token()
	if err != nil || t == nil {
		return err
	}
	if t != json.Delim('{') {
		return wrongType(name, t, "an object")
	}
	for w.dec.More() {
		k, err := w.token()
		if err != nil {
			return err
		}
		key, _ := k.(string)
		if err := each(key); err != nil {
			return err
		}
	}
	_, err = w.token()
	return err
}

// array reads an array, calling each for every element; each must read
// or skip it. null counts as an empty array.
func (w *walker) array(name string, each func() error) error {
	t, err := w.token()
	if err != nil || t == nil {
		return err
	}
	if t != json.Delim('[') {
		return wrongType(name, t, "an array")
	}
	for w.dec.More() {
		if err := each(); err != nil {
			return err
		}
	}
	_, err = w.token()
	return err
}

// str reads a string; another scalar gives its text, an object or array
// is skipped and gives "".
func (w *walker) str() (string, error) {
	t, err := w.token()
	if err != nil {
		return "", err
	}
	switch v := t.(type) {
	case string:
		return v, nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(v), nil
	}
	return "", w.skipRest(t)
}

// num reads a number; anything else gives 0.
func (w *walker) num() (int, error) {
	t, err := w.token()
	if err != nil {
		return 0, err
	}
	if f, ok := t.(float64); ok && f >= 0 && f < 1e9 {
		return int(f), nil
	}
	return 0, w.skipRest(t)
}

// pairs reads name/value pairs, as objects {"name","value"} or as
// two-element arrays, keeping those keep wants, each value cut to max
// bytes (0: as it is).
func (w *walker) pairs(name string, keep func(string) bool, max int) ([]nameValue, error) {
	var out []nameValue
	err := w.array(name, func() error {
		t, err := w.token()
		if err != nil {
			return err
		}
		var nv nameValue
		switch t {
		case json.Delim('{'):
			for w.dec.More() {
				k, err := w.token()
				if err != nil {
					return err
				}
				var v string
				if v, err = w.str(); err != nil {
					return err
				}
				switch k {
				case "name":
					nv.Name = v
				case "value":
					nv.Value = v
				}
			}
		case json.Delim('['):
			for i := 0; w.dec.More(); i++ {
				v, err := w.str()
				if err != nil {
					return err
				}
				switch i {
				case 0:
					nv.Name = v
				case 1:
					nv.Value = v
				}
			}
		default:
			return w.skipRest(t)
		}
		if _, err := w.token(); err != nil { // the closing } or ]
			return err
		}
		if keep(nv.Name) {
			if max > 0 {
				nv.Value = textcut.Bytes(nv.Value, max)
			}
			out = append(out, nv)
		}
		return nil
	})
	return out, err
}

func samlParam(name string) bool {
	return name == "SAMLResponse" || name == "SAMLRequest" || name == "RelayState"
}

func locationHeader(name string) bool { return strings.EqualFold(name, "Location") }

// harEntry is what samllint reads of a HAR 1.2 entry (Chrome, Firefox,
// Edge, Safari): the rest is skipped.
type harEntry struct {
	StartedDateTime string
	Request         struct {
		Method, URL string
		QueryString []nameValue
		PostData    *harPostData
	}
	Response struct {
		Status                  int
		StatusText, RedirectURL string
		Headers                 []nameValue
		Content                 struct{ MimeType, Text, Encoding string }
		// Error is Chrome's _error: why a request got no answer.
		Error string
	}
}

type harPostData struct {
	MimeType, Text string
	Params         []nameValue
}

// readHAREntry reads one entry of log.entries.
func (w *walker) readHAREntry(lim Limits) (*harEntry, error) {
	e := &harEntry{}
	err := w.object("log.entries[]", func(key string) (err error) {
		switch key {
		case "startedDateTime":
			e.StartedDateTime, err = w.str()
		case "request":
			return w.object("request", func(key string) (err error) {
				rq := &e.Request
				switch key {
				case "method":
					rq.Method, err = w.str()
				case "url":
					rq.URL, err = w.str()
				case "queryString":
					rq.QueryString, err = w.pairs("request.queryString", samlParam, 0)
				case "postData":
					pd := &harPostData{}
					rq.PostData = pd
					return w.object("request.postData", func(key string) (err error) {
						switch key {
						case "mimeType":
							pd.MimeType, err = w.str()
						case "text":
							pd.Text, err = w.str()
						case "params":
							pd.Params, err = w.pairs("request.postData.params", samlParam, 0)
						default:
							err = w.skip()
						}
						return err
					})
				default:
					err = w.skip()
				}
				return err
			})
		case "response":
			return w.object("response", func(key string) (err error) {
				rs := &e.Response
				switch key {
				case "status":
					rs.Status, err = w.num()
				case "statusText":
					rs.StatusText, err = w.str()
				case "redirectURL":
					rs.RedirectURL, err = w.str()
					rs.RedirectURL = textcut.Bytes(rs.RedirectURL, lim.MaxHeader)
				case "_error":
					rs.Error, err = w.str()
					rs.Error = textcut.Bytes(rs.Error, lim.MaxHeader)
				case "headers":
					rs.Headers, err = w.pairs("response.headers", locationHeader, lim.MaxHeader)
				case "content":
					return w.object("response.content", func(key string) (err error) {
						c := &rs.Content
						switch key {
						case "mimeType":
							c.MimeType, err = w.str()
						case "text":
							// Base64 keeps whole groups, so the start decodes.
							c.Text, err = w.str()
							c.Text = textcut.Bytes(c.Text, lim.MaxReply/3*4)
						case "encoding":
							c.Encoding, err = w.str()
						default:
							err = w.skip()
						}
						return err
					})
				default:
					err = w.skip()
				}
				return err
			})
		default:
			err = w.skip()
		}
		return err
	})
	return e, err
}

// tracerRequest is what samllint reads of a SAML-tracer request.
type tracerRequest struct {
	Method, URL        string
	Post               []nameValue
	SAML               string
	ResponseStatus     int
	ResponseStatusText string
	ResponseHeaders    []nameValue
}

func (w *walker) readTracerRequest(lim Limits) (*tracerRequest, error) {
	r := &tracerRequest{}
	err := w.object("requests[]", func(key string) (err error) {
		switch key {
		case "method":
			r.Method, err = w.str()
		case "url":
			r.URL, err = w.str()
		case "post":
			r.Post, err = w.pairs("requests[].post", samlParam, 0)
		case "saml":
			r.SAML, err = w.str()
		case "responseStatus":
			r.ResponseStatus, err = w.num()
		case "responseStatusText":
			r.ResponseStatusText, err = w.str()
		case "responseHeaders":
			r.ResponseHeaders, err = w.pairs("requests[].responseHeaders", locationHeader, lim.MaxHeader)
		default:
			err = w.skip()
		}
		return err
	})
	return r, err
}

// replyBody is the start of an HTML reply as a HAR holds it: as text, or
// base64 when the browser says so.
func replyBody(text, encoding string) []byte {
	if encoding != "base64" {
		return []byte(text)
	}
	text = strings.TrimRight(text[:len(text)/4*4], "=")
	b, err := base64.RawStdEncoding.DecodeString(text)
	if err != nil {
		return []byte(text)
	}
	return b
}
