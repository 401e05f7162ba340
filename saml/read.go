package saml

import (
	"context"
	"io"
)

// Options configure Read.
type Options struct {
	// Context, when set, stops the work once it is done; Read then
	// returns its error.
	Context        context.Context
	Limits         Limits
	Anchors        *Anchors // nil: verify against embedded certificates only
	DecryptionKeys []any
}

// Message is one capture of an input, parsed and verified.
type Message struct {
	Capture  *Capture
	Response *Response // nil when Err is set
	Err      error     // why this capture could not be decoded or parsed
}

// Read decodes input, then parses and verifies every message found in it.
// The error is set only when nothing in the input could be decoded; a
// capture that fails alone (one of several in a HAR) carries its own Err.
func Read(input []byte, opts Options) ([]*Message, error) {
	lim := opts.Limits
	lim = lim.WithDefaults()
	caps, err := DecodeLimits(input, lim)
	if err != nil {
		return nil, err
	}
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	out := make([]*Message, 0, len(caps))
	for _, c := range caps {
		m := &Message{Capture: c, Err: c.Err}
		if m.Err == nil {
			m.Response, m.Err = ParseCapture(c, ParseOptions{Context: ctx, Limits: lim, DecryptionKeys: opts.DecryptionKeys})
		}
		if m.Response != nil {
			if err := VerifyContext(ctx, m.Response, opts.Anchors); err != nil {
				return nil, err
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// ReadStream is Read for large inputs: a HAR or SAML-tracer export is
// read entry by entry, and each message handed to fn as soon as it is
// parsed and verified, so memory does not grow with the number of
// messages. An error from fn, or the Context's, stops the stream and is
// returned.
func ReadStream(r io.Reader, opts Options, fn func(*Message) error) error {
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	lim := opts.Limits.WithDefaults()
	return DecodeStreamContext(ctx, r, lim, func(c *Capture) error {
		m := &Message{Capture: c, Err: c.Err}
		if m.Err == nil {
			m.Response, m.Err = ParseCapture(c, ParseOptions{Context: ctx, Limits: lim, DecryptionKeys: opts.DecryptionKeys})
		}
		if m.Response != nil {
			if err := VerifyContext(ctx, m.Response, opts.Anchors); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		return fn(m)
	})
}
