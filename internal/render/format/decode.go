package format

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/beevik/etree"
	"github.com/samllint/samllint/internal/render/redact"
	"github.com/samllint/samllint/saml"
)

// DecodeText writes "samllint decode" text message by message: each
// message's facts, grouped by section, then the indented XML. A message
// found in a HAR or SAML-tracer export is headed by its number there.
type DecodeText struct {
	w       io.Writer
	withXML bool
	red     *redact.Redactor
	n       int
	err     error
}

// NewDecodeText starts decode text on w.
func NewDecodeText(w io.Writer, withXML, redacted bool) *DecodeText {
	d := &DecodeText{w: w, withXML: withXML}
	if redacted {
		d.red = redact.New()
	}
	return d
}

// Finish ends the text.
func (d *DecodeText) Finish() error { return d.err }

// Message writes one message.
func (d *DecodeText) Message(m *saml.Message) {
	if d.err != nil {
		return
	}
	var b strings.Builder
	if d.n > 0 {
		b.WriteString("\n")
	}
	d.n++
	c := m.Capture
	head := "message"
	if c.Source != "" {
		head = fmt.Sprintf("message %d: %s", c.Index, c.Source)
	}
	Println(&b, head)
	section := ""
	for _, f := range saml.Facts(c, m.Response) {
		if f.Section != section {
			section = f.Section
			Printf(&b, "%s:\n", sectionTitles[section])
		}
		if len(f.Name) > 28 {
			Printf(&b, "  %s\n  %-28s %s\n", f.Name, "", f.Value)
			continue
		}
		Printf(&b, "  %-28s %s\n", f.Name, f.Value)
	}
	switch {
	case m.Err != nil:
		Printf(&b, "  %-28s %s\n", "error", OneLine(m.Err.Error()))
	case m.Response.Exceeded != nil:
		// the fact says it; there is no tree to show
	default:
		for _, p := range m.Response.Coverage().Problems {
			Printf(&b, "  - %s\n", p.Text)
		}
		if d.withXML {
			fmt.Fprintln(&b, "\nXML (indented for reading; signatures cover the original bytes):")
			for _, l := range XMLLines(m.Response) {
				b.WriteString(l.Text + "\n")
			}
		}
	}
	s := b.String()
	if d.red != nil {
		red := d.red.Scope()
		red.Learn(m.Response, m.Capture)
		s = red.String(s)
	}
	_, d.err = io.WriteString(d.w, Clean(s))
}

var sectionTitles = map[string]string{
	"capture": "Capture", "response": "Response", "encryption": "Encryption", "assertion": "Assertion",
	"attributes": "Attributes", "signatures": "Signatures", "coverage": "Coverage",
}

type decodedJSON struct {
	Capture  *saml.Capture  `json:"capture"`
	Chain    string         `json:"chain"`
	Error    string         `json:"error,omitempty"`
	Kind     string         `json:"kind,omitempty"`
	Facts    []saml.Fact    `json:"facts"`
	Response *saml.Response `json:"response,omitempty"`
	Coverage *saml.Coverage `json:"coverage,omitempty"`
}

// DecodeJSONWriter writes decode's JSON message by message.
type DecodeJSONWriter struct {
	w        io.Writer
	anchors  *saml.Anchors
	red      *redact.Redactor
	messages jsonArray
	err      error
}

// NewDecodeJSON starts decode's JSON document on w.
func NewDecodeJSON(w io.Writer, anchors *saml.Anchors, redacted bool) *DecodeJSONWriter {
	d := &DecodeJSONWriter{w: w, anchors: anchors, messages: jsonArray{w: w}}
	if redacted {
		d.red = redact.New()
	}
	_, d.err = io.WriteString(w, "{\n  \"messages\": ")
	d.messages.indent = "  "
	return d
}

// Message writes one message.
func (d *DecodeJSONWriter) Message(m *saml.Message) {
	if d.err != nil {
		return
	}
	dj := decodedJSON{Capture: m.Capture, Chain: m.Capture.ChainString(), Response: m.Response, Facts: saml.Facts(m.Capture, m.Response)}
	if m.Err != nil {
		dj.Error = OneLine(m.Err.Error())
		var ke *saml.KindError
		if errors.As(m.Err, &ke) {
			dj.Kind = ke.Kind.String()
		}
	} else {
		dj.Kind = saml.KindResponse.String()
	}
	if m.Response != nil {
		cv := m.Response.Coverage()
		dj.Coverage = &cv
	}
	var red *redact.Redactor
	if d.red != nil {
		red = d.red.Scope()
		red.Learn(m.Response, m.Capture)
	}
	b, err := element(dj, red)
	if err != nil {
		d.err = err
		return
	}
	d.messages.add(b)
}

// Finish writes the trust anchors and ends the document.
func (d *DecodeJSONWriter) Finish() error {
	if d.err != nil {
		return d.err
	}
	if err := d.messages.close(); err != nil {
		return err
	}
	if !d.anchors.Empty() {
		b, err := element(d.anchors, d.red)
		if err != nil {
			return err
		}
		var out bytes.Buffer
		out.WriteString(",\n  \"trust_anchors\": ")
		if err := json.Indent(&out, b, "  ", "  "); err != nil {
			return err
		}
		if _, err := d.w.Write(out.Bytes()); err != nil {
			return err
		}
	}
	_, err := io.WriteString(d.w, "\n}\n")
	return err
}

// XMLLines pretty-prints the message, each element on its own line, and
// labels each line with the location path of the element it opens.
// A response too large to model has no tree, and no lines.
func XMLLines(r *saml.Response) []xmlLine {
	orig := r.Doc()
	if orig == nil {
		return nil
	}
	cp := orig.Copy()
	oneLineText(cp.Root())
	cp.Indent(2)
	text, err := cp.WriteToString()
	if err != nil {
		return nil
	}
	var origEls []*etree.Element
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		origEls = append(origEls, e)
		for _, c := range e.ChildElements() {
			walk(c)
		}
	}
	walk(orig.Root())
	var out []xmlLine
	i := 0
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		l := xmlLine{Text: line}
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "<") && !strings.HasPrefix(t, "</") && !strings.HasPrefix(t, "<?") && !strings.HasPrefix(t, "<!") && i < len(origEls) {
			l.Path = r.PathOf(origEls[i])
			i++
		}
		out = append(out, l)
	}
	return out
}

// oneLineText makes every value in the tree one Line (text, attribute
// values, comments), so that the view keeps one element a line and a
// value's line break cannot start a line of the output.
func oneLineText(e *etree.Element) {
	for i := range e.Attr {
		e.Attr[i].Value = Line(e.Attr[i].Value)
	}
	for _, t := range e.Child {
		switch t := t.(type) {
		case *etree.Element:
			oneLineText(t)
		case *etree.CharData:
			if !t.IsWhitespace() {
				t.Data = Line(t.Data)
			}
		case *etree.Comment:
			t.Data = Line(t.Data)
		}
	}
}
