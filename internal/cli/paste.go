package cli

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/samllint/samllint/saml"
)

// A terminal in canonical mode keeps at most 4,096 bytes of a line (macOS
// fewer) and drops the rest, so a one-line SAMLResponse of 10 KB pasted
// into "samllint" arrives cut. readPaste switches the terminal to
// non-canonical input for the paste (echo and Ctrl-C stay as they were),
// ends it on Ctrl-D or an empty line, and restores the terminal on every
// way out. Platforms without termios read as before.

// endOfPaste reports how much of buf is the paste, and whether it is
// complete: at Ctrl-D (EOT), or at an empty line after something was
// pasted. Leading empty lines are skipped, so Enter before pasting does
// not end it. Only buf[from:] is searched, so that a paste read piece by
// piece is scanned once: from must be at least 3 bytes before the new
// data, the longest separator less one.
func endOfPaste(buf []byte, from int) (int, bool) {
	if i := bytes.IndexByte(buf[from:], 0x04); i >= 0 {
		return from + i, true
	}
	start := max(from, len(buf)-len(bytes.TrimLeft(buf, "\r\n \t")))
	end := -1
	for _, sep := range []string{"\n\n", "\r\r", "\n\r\n", "\r\n\r\n"} {
		if i := bytes.Index(buf[start:], []byte(sep)); i >= 0 && (end < 0 || i < end) {
			end = i
		}
	}
	if end >= 0 {
		return start + end, true
	}
	return len(buf), false
}

// errPasteTooLong ends a paste past the input limit.
var errPasteTooLong = fmt.Errorf("the paste is longer than %d bytes; save it to a file and give its name", saml.DefaultLimits.MaxText)

// pasteReader reads a paste, keeping every byte, until Ctrl-D (EOT),
// which ends it as EOF does.
type pasteReader struct {
	r   io.Reader
	buf []byte
	eot bool
}

func (p *pasteReader) Read(b []byte) (int, error) {
	if p.eot {
		return 0, io.EOF
	}
	n, err := p.r.Read(b)
	if i := bytes.IndexByte(b[:n], 0x04); i >= 0 {
		n, p.eot, err = i, true, nil
	}
	p.buf = append(p.buf, b[:n]...)
	if len(p.buf) > saml.DefaultLimits.MaxText {
		return n, errPasteTooLong
	}
	return n, err
}

// readUntilEnd reads a paste from r until it is complete, by its form: XML
// when its root element closes and JSON (a HAR) when its braces balance,
// whatever blank lines they hold; base64 or a form body at an empty line.
// Ctrl-D or EOF ends any. XML or JSON the decoder cannot follow (an HTML
// page, a damaged paste) falls back to the empty line.
func readUntilEnd(r io.Reader) ([]byte, error) {
	p := &pasteReader{r: r}
	// The first byte that is not blank says the form.
	chunk := make([]byte, 64<<10)
	for len(bytes.TrimSpace(p.buf)) == 0 {
		n, err := p.Read(chunk)
		if err == io.EOF || p.eot || err != nil && n == 0 {
			return p.buf, ignoreEOF(err)
		}
	}
	var end int
	var ok bool
	switch first := bytes.TrimSpace(p.buf)[0]; first {
	case '<':
		end, ok = closeOfRoot(p)
	case '{', '[':
		end, ok = closeOfJSON(p)
	}
	if ok {
		return p.buf[:end], nil
	}
	// Base64, a form body, or markup the decoders gave up on: an empty
	// line or Ctrl-D ends it.
	for from := 0; ; {
		if end, done := endOfPaste(p.buf, from); done {
			return p.buf[:end], nil
		}
		if p.eot {
			return p.buf, nil
		}
		from = max(0, len(p.buf)-3)
		n, err := p.Read(chunk)
		if err != nil || n == 0 && p.eot {
			if end, done := endOfPaste(p.buf, from); done {
				return p.buf[:end], nil
			}
			return p.buf, ignoreEOF(err)
		}
	}
}

func ignoreEOF(err error) error {
	if err == io.EOF {
		return nil
	}
	return err
}

// closeOfRoot follows XML as it arrives until its root element closes,
// and says where; false when the decoder cannot follow it (HTML, or
// XML damaged in the paste) or the paste ended first.
func closeOfRoot(p *pasteReader) (int, bool) {
	dec := xml.NewDecoder(io.MultiReader(bytes.NewReader(p.buf), p))
	dec.Strict = true
	depth := 0
	for {
		tok, err := dec.RawToken()
		if err != nil {
			return 0, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 && strings.EqualFold(t.Name.Local, "html") {
				return 0, false // a page: its blank lines end nothing, but it is no XML to follow
			}
			depth++
		case xml.EndElement:
			if depth--; depth == 0 {
				return int(dec.InputOffset()), true
			}
		case xml.Directive:
			if bytes.HasPrefix(bytes.ToLower(t), []byte("doctype html")) {
				return 0, false
			}
		}
	}
}

// closeOfJSON follows JSON as it arrives until its outer value closes.
func closeOfJSON(p *pasteReader) (int, bool) {
	dec := json.NewDecoder(io.MultiReader(bytes.NewReader(p.buf), p))
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return 0, false
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			if depth--; depth == 0 {
				return int(dec.InputOffset()), true
			}
		}
	}
}

// readPaste reads what a person pastes on a terminal.
// The prompt comes after the switch: what is pasted once it shows must
// meet non-canonical input, or the line limit cuts it before samllint
// reads a byte. What was pasted before the prompt showed met canonical
// input, whose line limit cut its first line: that is refused by name.
func readPaste(f *os.File, stderr io.Writer) ([]byte, error) {
	restore, err := nonCanonical(f)
	if err != nil {
		// Not a termios terminal: the line discipline, if any, applies.
		pastePrompt(stderr)
		b, err := readUntilEnd(f)
		if n, ok := cutLine(b); ok {
			fmt.Fprintf(stderr, "samllint: warning: a line of the paste is %d bytes, this terminal's line limit, so it was probably cut; save the capture to a file and give its name\n", n)
		}
		return b, err
	}
	defer restore()
	pastePrompt(stderr)
	b, err := readUntilEnd(f)
	fmt.Fprintln(stderr)
	if err == nil {
		if n, ok := cutFirstLine(b); ok {
			return nil, fmt.Errorf("the terminal cut the paste: its first line is %d bytes, the terminal's line limit, because it was pasted before the prompt showed; paste again after the prompt, or save the capture to a file and give its name", n)
		}
	}
	return b, err
}

// cutFirstLine reports a first line of a terminal's line-limit length: a
// paste made before samllint switched the terminal, cut by it.
func cutFirstLine(b []byte) (int, bool) {
	b = bytes.TrimLeft(b, "\r\n")
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return cutLine(line)
}

// cutLine reports a line whose length is a terminal's canonical line
// limit (MAX_CANON: 1,024 on macOS and the BSDs, 4,096 on Linux, less one
// for the newline), the mark of a paste the terminal cut.
func cutLine(b []byte) (int, bool) {
	for line := range bytes.Lines(b) {
		n := len(bytes.TrimRight(line, "\r\n"))
		if n == 1023 || n == 1024 || n == 4095 || n == 4096 {
			return n, true
		}
	}
	return 0, false
}
