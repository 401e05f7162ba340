package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"
)

// inputRef is an argument naming an input: FILE, "-", or FILE#N for
// the N-th capture in it, as every report numbers them
// ("okta-connect.har#2 (HAR entry 3)").
type inputRef struct {
	path string
	pick int // 0: every capture
}

func parseRef(arg string) inputRef {
	if i := strings.LastIndex(arg, "#"); i > 0 {
		if n, err := strconv.Atoi(arg[i+1:]); err == nil && n > 0 {
			if _, err := os.Stat(arg); err != nil { // a file really named x#2 is itself
				return inputRef{path: arg[:i], pick: n}
			}
		}
	}
	return inputRef{path: arg}
}

// picked says whether a capture is one the reference names.
func (r inputRef) picked(index int) bool { return r.pick == 0 || index == r.pick }

// missing is the error when FILE#N names no capture: the input holds n.
func (r inputRef) missing(name string, n int) error {
	return usageErr("%s holds %d %s; #%d is not one of them", name, n, map[bool]string{true: "capture", false: "captures"}[n == 1], r.pick)
}

// openInput opens FILE, or standard input for "" and "-". On a terminal
// it reads a paste first (see paste.go): the terminal's line limit would
// cut a long SAMLResponse.
func openInput(path string, stdin io.Reader, stderr io.Writer) (string, io.ReadCloser, error) {
	if path == "" || path == "-" {
		if f, ok := stdin.(*os.File); ok && isTerminal(f) {
			b, err := readPaste(f, stderr)
			if err != nil {
				return "<stdin>", nil, usageErr("<stdin>: %v", err)
			}
			return "<stdin>", io.NopCloser(bytes.NewReader(b)), nil
		}
		return "<stdin>", io.NopCloser(stdin), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return path, nil, usageErr("cannot read input: %v", err)
	}
	return path, f, nil
}

// isTerminal asks the terminal driver, as a character device (/dev/null)
// is no terminal and gets no paste prompt.
func isTerminal(f *os.File) bool {
	return term.IsTerminal(int(f.Fd()))
}

func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}

func colorOK(w io.Writer) bool {
	return isTerminalWriter(w) && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}

// pastePrompt says what to paste, since a silent wait looks like a hang.
func pastePrompt(stderr io.Writer) {
	fmt.Fprintln(stderr, "Paste the SAMLResponse (base64, a form body, XML, or a HAR file's text). XML and a HAR end by themselves; end base64 or a form body with an empty line, or anything with Ctrl-D:")
}
