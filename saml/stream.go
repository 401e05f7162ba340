package saml

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// DecodeStream is Decode for large inputs: a HAR or SAML-tracer export is
// read entry by entry and each capture handed to fn as soon as it is found,
// so memory does not grow with the number of entries. Other inputs are
// read whole (within lim.MaxInput) and decoded as Decode does. An error
// from fn stops the stream and is returned.
func DecodeStream(r io.Reader, lim Limits, fn func(*Capture) error) error {
	return DecodeStreamContext(context.Background(), r, lim, fn)
}

// DecodeStreamContext is DecodeStream that stops once ctx is done, between
// reads and between entries, and returns its error.
func DecodeStreamContext(ctx context.Context, r io.Reader, lim Limits, fn func(*Capture) error) error {
	if ctx.Done() != nil {
		r = &ctxReader{ctx: ctx, r: r}
		inner := fn
		fn = func(c *Capture) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return inner(c)
		}
	}
	err := decodeStream(r, lim, fn)
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

func decodeStream(r io.Reader, lim Limits, fn func(*Capture) error) error {
	lim = lim.withDefaults()
	cr := &countingReader{r: r, max: int64(lim.MaxInput)}
	br := bufio.NewReaderSize(cr, 64<<10)
	first, err := firstByte(br)
	if err != nil && err != io.EOF {
		return decodeErr(StageInput, "unreadable input", "", err)
	}
	if first != '{' {
		// Not a HAR: read whole, but no more than MaxText.
		all, err := io.ReadAll(io.LimitReader(br, int64(lim.MaxText)+1))
		if err == nil && len(all) > lim.MaxText {
			err = errTooLarge
		}
		if err != nil {
			if errors.Is(err, errTooLarge) {
				return decodeErr(StageInput, fmt.Sprintf("more than %d bytes of input that is not a HAR or SAML-tracer export", lim.MaxText), fmt.Sprintf("at most %d bytes (a SAMLResponse is rarely over 100 KB)", lim.MaxText), nil)
			}
			return decodeErr(StageInput, "unreadable input", "", err)
		}
		caps, err := DecodeLimits(all, lim)
		if err != nil {
			return err
		}
		for _, c := range caps {
			if err := fn(c); err != nil {
				return err
			}
		}
		return nil
	}
	d := &decoder{lim: lim}
	dec := json.NewDecoder(br)
	s := &streamer{d: d, dec: dec, fn: fn}
	err = s.top()
	if cr.n > cr.max {
		err = errTooLarge
	}
	if errors.Is(err, errTooLarge) {
		return decodeErr(StageInput, fmt.Sprintf("more than %d bytes of input", lim.MaxInput), fmt.Sprintf("at most %d bytes", lim.MaxInput), nil)
	}
	return err
}

var errTooLarge = errors.New("input too large")

// ReadInput reads a whole input for Decode within the limits DecodeStream
// keeps: a HAR or SAML-tracer export (JSON) up to MaxInput, anything else
// up to MaxText, so that junk is refused before it fills memory. The error
// is a *DecodeError.
func ReadInput(r io.Reader, lim Limits) ([]byte, error) {
	lim = lim.withDefaults()
	br := bufio.NewReaderSize(r, 64<<10)
	first, err := firstByte(br)
	if err != nil && err != io.EOF {
		return nil, decodeErr(StageInput, "unreadable input", "", err)
	}
	max, what := lim.MaxText, " that is not a HAR or SAML-tracer export"
	if first == '{' || first == '[' {
		max, what = lim.MaxInput, ""
	}
	b, err := io.ReadAll(io.LimitReader(br, int64(max)+1))
	if err != nil {
		return nil, decodeErr(StageInput, "unreadable input", "", err)
	}
	if len(b) > max {
		return nil, decodeErr(StageInput, fmt.Sprintf("more than %d bytes of input%s", max, what), fmt.Sprintf("at most %d bytes", max), nil)
	}
	return b, nil
}

type countingReader struct {
	r   io.Reader
	n   int64
	max int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.max {
		return n, errTooLarge
	}
	return n, err
}

// firstByte returns the first byte after a BOM and whitespace, unread.
func firstByte(br *bufio.Reader) (byte, error) {
	if b, _ := br.Peek(3); bytes.HasPrefix(b, bomUTF8) {
		br.Discard(3)
	}
	for {
		b, err := br.Peek(1)
		if err != nil {
			return 0, err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			br.Discard(1)
		default:
			return b[0], nil
		}
	}
}

type streamer struct {
	d    *decoder
	dec  *json.Decoder
	fn   func(*Capture) error
	n    int // captures so far
	seen int // entries or requests so far
	kind string
	// follow holds back the last entry's captures for the requests that
	// follow them: one entry's worth of memory at most.
	follow follower
}

func (s *streamer) jsonErr(err error) error {
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
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return decodeErr(StageJSON, fmt.Sprintf("JSON whose %q is a %s", te.Field, te.Value), "a HAR export (log.entries) or a SAML-tracer export (requests)", nil)
	}
	return decodeErr(StageJSON, "unreadable JSON", "a HAR or SAML-tracer export", err)
}

func (s *streamer) delim(want json.Delim) error {
	t, err := s.dec.Token()
	if err != nil {
		return s.jsonErr(err)
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return decodeErr(StageJSON, fmt.Sprintf("JSON with %v where %v was expected", t, want), "a HAR export (log.entries) or a SAML-tracer export (requests)", nil)
	}
	return nil
}

// object walks an object's keys, calling each for the value of a known key
// and skipping the others.
func (s *streamer) object(each map[string]func() error) error {
	if err := s.delim('{'); err != nil {
		return err
	}
	for s.dec.More() {
		t, err := s.dec.Token()
		if err != nil {
			return s.jsonErr(err)
		}
		key, _ := t.(string)
		if f := each[key]; f != nil {
			if err := f(); err != nil {
				return err
			}
			continue
		}
		var skip json.RawMessage
		if err := s.dec.Decode(&skip); err != nil {
			return s.jsonErr(err)
		}
	}
	return s.delim('}')
}

func (s *streamer) top() error {
	s.follow = follower{emit: s.emit}
	err := s.object(map[string]func() error{
		"log": func() error {
			s.kind = "HAR"
			return s.object(map[string]func() error{"entries": entries(s, s.d.harEntry)})
		},
		"requests": func() error {
			s.kind = "SAML-tracer export"
			return entries(s, s.d.tracerRequest)()
		},
	})
	if err == nil {
		err = s.follow.flush()
	}
	if err != nil {
		return err
	}
	switch {
	case s.kind == "":
		return decodeErr(StageJSON, "JSON that is neither a HAR export nor a SAML-tracer export", `a HAR ({"log":{"entries":[…]}}) or a SAML-tracer export ({"requests":[…]})`, nil)
	case s.n == 0:
		return decodeErr(StageHAR, fmt.Sprintf("a %s with %d requests but no SAMLResponse or SAMLRequest", s.kind, s.seen), "a capture of the sign-in itself (enable \"Preserve log\" before signing in)", nil)
	}
	return nil
}

func (s *streamer) array(each func() error) error {
	if err := s.delim('['); err != nil {
		return err
	}
	for s.dec.More() {
		if err := each(); err != nil {
			return err
		}
	}
	return s.delim(']')
}

// entries decodes an array of T one element at a time and emits the
// captures each holds, each once the requests that followed it are known.
func entries[T any, PT interface {
	*T
	step(int) *Step
}](s *streamer, captures func(PT, int, []string) []*Capture) func() error {
	return func() error {
		return s.array(func() error {
			var v T
			if err := s.dec.Decode(&v); err != nil {
				return s.jsonErr(err)
			}
			s.seen++
			return s.follow.entry(captures(&v, s.seen, nil), PT(&v).step(s.seen))
		})
	}
}

func (s *streamer) emit(caps []*Capture) error {
	for _, c := range caps {
		s.n++
		c.Index = s.n
		if err := s.fn(c); err != nil {
			return err
		}
	}
	return nil
}
