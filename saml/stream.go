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
	lim = lim.WithDefaults()
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
	s := newStreamer(br, lim, fn)
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
	lim = lim.WithDefaults()
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
	walker
	d     *decoder
	lim   Limits
	fn    func(*Capture) error
	chain []string // decoding steps before the JSON (utf-16)
	n     int      // captures so far
	seen  int      // entries or requests so far
	kind  string
	// follow holds back the last entry's captures for the requests that
	// follow them: one entry's worth of memory at most.
	follow follower
}

// newStreamer reads a HAR or SAML-tracer export from r. No string longer
// than a message value may be is held; the rest is dropped as it is read.
func newStreamer(r io.Reader, lim Limits, fn func(*Capture) error) *streamer {
	lim = lim.WithDefaults()
	s := &streamer{d: &decoder{lim: lim}, lim: lim, fn: fn}
	s.dec = json.NewDecoder(newCapReader(r, lim.maxValue()+1))
	return s
}

func (s *streamer) top() error {
	s.follow = follower{emit: s.emit}
	err := s.object("", func(key string) error {
		switch key {
		case "log":
			s.kind = "HAR"
			return s.object("log", func(key string) error {
				if key != "entries" {
					return s.skip()
				}
				return s.array("log.entries", func() error {
					e, err := s.readHAREntry(s.lim)
					if err != nil {
						return err
					}
					s.seen++
					return s.follow.entry(s.d.harEntry(e, s.seen, s.chain), e.step(s.seen))
				})
			})
		case "requests":
			s.kind = "SAML-tracer export"
			return s.array("requests", func() error {
				r, err := s.readTracerRequest(s.lim)
				if err != nil {
					return err
				}
				s.seen++
				return s.follow.entry(s.d.tracerRequest(r, s.seen, s.chain), r.step(s.seen))
			})
		}
		return s.skip()
	})
	if err == nil {
		err = s.follow.flush()
	}
	if err == nil && s.dec.More() {
		err = decodeErr(StageJSON, "more JSON after the export", "one HAR or SAML-tracer export", nil)
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
