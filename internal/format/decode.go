package format

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/beevik/etree"
	"github.com/samllint/samllint/internal/redact"
	"github.com/samllint/samllint/saml"
)

// Decode writes "samllint decode" text: each message's facts, grouped by
// section, then the indented XML.
func Decode(w io.Writer, msgs []*saml.Message, withXML, redacted bool) error {
	var b strings.Builder
	for i, m := range msgs {
		if i > 0 {
			b.WriteString("\n")
		}
		c := m.Capture
		head := "message"
		if len(msgs) > 1 {
			head = fmt.Sprintf("message %d of %d", c.Index, len(msgs))
		}
		if c.Source != "" {
			head += ": " + c.Source
		}
		fmt.Fprintln(&b, head)
		section := ""
		for _, f := range saml.Facts(c, m.Response) {
			if f.Section != section {
				section = f.Section
				fmt.Fprintf(&b, "%s:\n", sectionTitles[section])
			}
			if len(f.Name) > 28 {
				fmt.Fprintf(&b, "  %s\n  %-28s %s\n", f.Name, "", f.Value)
				continue
			}
			fmt.Fprintf(&b, "  %-28s %s\n", f.Name, f.Value)
		}
		if m.Err != nil {
			fmt.Fprintf(&b, "  %-28s %s\n", "error", OneLine(m.Err.Error()))
			continue
		}
		if m.Response.Exceeded != nil {
			continue // the fact says it; there is no tree to show
		}
		for _, p := range m.Response.Coverage().Problems {
			fmt.Fprintf(&b, "  - %s\n", p.Text)
		}
		if withXML {
			fmt.Fprintln(&b, "\nXML (indented for reading; signatures cover the original bytes):")
			for _, l := range XMLLines(m.Response) {
				b.WriteString(l.Text + "\n")
			}
		}
	}
	s := b.String()
	if redacted {
		s = learn(msgs).String(s)
	}
	_, err := io.WriteString(w, Clean(s))
	return err
}

var sectionTitles = map[string]string{
	"capture": "Capture", "response": "Response", "encryption": "Encryption", "assertion": "Assertion",
	"attributes": "Attributes", "signatures": "Signatures", "coverage": "Coverage",
}

func learn(msgs []*saml.Message) *redact.Redactor {
	red := redact.New()
	for _, m := range msgs {
		red.Learn(m.Response, m.Capture)
	}
	return red
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

// DecodeJSON writes "samllint decode --format json": every message with
// its facts, its model (every part with its location path), coverage,
// and the trust anchors given.
func DecodeJSON(w io.Writer, msgs []*saml.Message, anchors *saml.Anchors, redacted bool) error {
	out := struct {
		Messages []decodedJSON `json:"messages"`
		Anchors  *saml.Anchors `json:"trust_anchors,omitempty"`
	}{Messages: []decodedJSON{}}
	if !anchors.Empty() {
		out.Anchors = anchors
	}
	for _, m := range msgs {
		d := decodedJSON{Capture: m.Capture, Chain: m.Capture.ChainString(), Response: m.Response, Facts: saml.Facts(m.Capture, m.Response)}
		if m.Err != nil {
			d.Error = OneLine(m.Err.Error())
			var ke *saml.KindError
			if errors.As(m.Err, &ke) {
				d.Kind = ke.Kind.String()
			}
		} else {
			d.Kind = saml.KindResponse.String()
		}
		if m.Response != nil {
			cv := m.Response.Coverage()
			d.Coverage = &cv
		}
		out.Messages = append(out.Messages, d)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if redacted {
		if b, err = learn(msgs).JSON(b, "  "); err != nil {
			return err
		}
	}
	_, err = w.Write(b)
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
