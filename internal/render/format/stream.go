package format

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"unicode/utf8"

	"github.com/samllint/samllint/internal/render/redact"
)

// JSON and SARIF are single documents, but a HAR may hold a hundred
// thousand sign-ins: their writers stream, result by result, and keep the
// sections that come later in the document in spools (memory, then a
// temporary file), so that memory does not grow with the run.

// spoolMem is what a spool holds in memory before it moves to a file.
const spoolMem = 1 << 20

// spool holds a section of a document until it is its turn.
type spool struct {
	buf bytes.Buffer
	f   *os.File
	fw  *bufio.Writer // f, buffered: elements are a few hundred bytes each
	err error
}

func (s *spool) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.f == nil && s.buf.Len()+len(p) > spoolMem {
		if s.f, s.err = os.CreateTemp("", "samllint-spool-*"); s.err != nil {
			return 0, s.err
		}
		if _, s.err = s.f.Write(s.buf.Bytes()); s.err != nil {
			return 0, s.err
		}
		s.buf = bytes.Buffer{}
		s.fw = bufio.NewWriterSize(s.f, 64<<10)
	}
	if s.f != nil {
		n, err := s.fw.Write(p)
		s.err = err
		return n, err
	}
	return s.buf.Write(p)
}

// copyTo writes what the spool holds to w and frees it.
func (s *spool) copyTo(w io.Writer) error {
	defer s.close()
	if s.err != nil {
		return s.err
	}
	if s.f == nil {
		_, err := w.Write(s.buf.Bytes())
		return err
	}
	if err := s.fw.Flush(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, s.f)
	return err
}

func (s *spool) close() {
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
		s.f, s.fw = nil, nil
	}
	s.buf = bytes.Buffer{}
}

// jsonArray writes a JSON array one element at a time, indented as
// encoding/json indents it at depth indent.
type jsonArray struct {
	w      io.Writer
	indent string // of the array's own line
	n      int
	err    error
}

// add writes one element, given compact.
func (a *jsonArray) add(elem []byte) {
	if a.err != nil {
		return
	}
	sep := ",\n"
	if a.n == 0 {
		sep = "[\n"
	}
	a.n++
	var b bytes.Buffer
	b.WriteString(sep + a.indent + "  ")
	if err := json.Indent(&b, elem, a.indent+"  ", "  "); err != nil {
		a.err = err
		return
	}
	_, a.err = a.w.Write(b.Bytes())
}

// close ends the array.
func (a *jsonArray) close() error {
	if a.err != nil {
		return a.err
	}
	s := "\n" + a.indent + "]"
	if a.n == 0 {
		s = "[]"
	}
	_, err := io.WriteString(a.w, s)
	return err
}

// JSONArray is jsonArray for a document a front end writes itself (such
// as preflight's), so that its arrays stream and indent as this package's
// writers do.
type JSONArray struct{ a jsonArray }

// NewJSONArray starts an array on w whose own line is indented by indent.
func NewJSONArray(w io.Writer, indent string) *JSONArray {
	return &JSONArray{jsonArray{w: w, indent: indent}}
}

// Add writes one element, given as encoded JSON.
func (a *JSONArray) Add(elem []byte) error { a.a.add(elem); return a.a.err }

// Close ends the array.
func (a *JSONArray) Close() error { return a.a.close() }

// element encodes v compact, masked by red when it is set, with the
// characters a terminal would act on escaped.
func element(v any, red *redact.Redactor) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	if red != nil {
		var err error
		if out, err = red.JSON(out, ""); err != nil {
			return nil, err
		}
	}
	return EscapeJSON(out), nil
}

// EscapeJSON writes DEL, the C1 controls and the bidirectional controls in
// encoded JSON as \u escapes: encoding/json leaves them raw, and a
// terminal or a viewer showing the document would act on them. They can
// only occur inside strings, so the bytes are rewritten in place.
func EscapeJSON(b []byte) []byte {
	if !needsClean(string(b)) {
		return b
	}
	var out bytes.Buffer
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == 0x7f || r >= 0x80 && r <= 0x9f || isBidi(r) {
			const hex = "0123456789abcdef"
			out.WriteString(`\u`)
			out.WriteByte(hex[r>>12&0xf])
			out.WriteByte(hex[r>>8&0xf])
			out.WriteByte(hex[r>>4&0xf])
			out.WriteByte(hex[r&0xf])
		} else {
			out.Write(b[i : i+n])
		}
		i += n
	}
	return out.Bytes()
}
