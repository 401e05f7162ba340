package saml

// Options configure Read.
type Options struct {
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
	lim = lim.withDefaults()
	caps, err := DecodeLimits(input, lim)
	if err != nil {
		return nil, err
	}
	out := make([]*Message, 0, len(caps))
	for _, c := range caps {
		m := &Message{Capture: c, Err: c.Err}
		if m.Err == nil {
			m.Response, m.Err = ParseCapture(c, ParseOptions{Limits: lim, DecryptionKeys: opts.DecryptionKeys})
		}
		if m.Response != nil {
			Verify(m.Response, opts.Anchors)
		}
		out = append(out, m)
	}
	return out, nil
}
