package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

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

// readUntilEnd reads a paste from r until endOfPaste says it is complete,
// EOF, or the input limit.
func readUntilEnd(r io.Reader) ([]byte, error) {
	limit := saml.DefaultLimits.MaxText
	var buf []byte
	chunk := make([]byte, 64<<10)
	for {
		n, err := r.Read(chunk)
		from := max(0, len(buf)-3)
		buf = append(buf, chunk[:n]...)
		if end, done := endOfPaste(buf, from); done {
			return buf[:end], nil
		}
		if len(buf) > limit {
			return nil, fmt.Errorf("the paste is longer than %d bytes; save it to a file and give its name", limit)
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// readPaste reads what a person pastes on a terminal.
// The prompt comes after the switch: what is pasted once it shows must
// meet non-canonical input, or the line limit cuts it before samllint
// reads a byte.
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
	return b, err
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
