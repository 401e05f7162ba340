package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// JSON masks the string values of a JSON document. Masking the
// encoded text instead would cut through escapes such as \u003c and leave
// invalid JSON. Keys are left alone: they are the schema, not the data.
// indent is the indentation of the output ("" for compact).
func (red *Redactor) JSON(doc []byte, indent string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	type frame struct {
		object bool
		n      int
	}
	var stack []frame
	var out bytes.Buffer
	str := func(s string) {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.Encode(s) // a string always encodes
		out.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("redacting JSON: %w", err)
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			out.WriteByte(byte(d))
			continue
		}
		isKey := false
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			switch {
			case top.object && top.n%2 == 1:
				out.WriteByte(':')
			case top.n > 0:
				out.WriteByte(',')
			}
			isKey = top.object && top.n%2 == 0
			top.n++
		}
		switch v := tok.(type) {
		case json.Delim:
			out.WriteByte(byte(v))
			stack = append(stack, frame{object: v == '{'})
		case string:
			if !isKey {
				v = red.String(v)
			}
			str(v)
		case json.Number:
			out.WriteString(v.String())
		case bool:
			fmt.Fprint(&out, v)
		case nil:
			out.WriteString("null")
		}
	}
	if indent == "" {
		return out.Bytes(), nil
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, out.Bytes(), "", indent); err != nil {
		return nil, fmt.Errorf("redacting JSON: %w", err)
	}
	pretty.WriteByte('\n')
	return pretty.Bytes(), nil
}
