package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// JSON masks the string values of a JSON document. Masking the
// encoded text instead would cut through escapes such as \u003c and leave
// invalid JSON. Keys are left alone: they are the schema, not the data.
// indent is the indentation of the output ("" for compact).
//
// The document is walked string literal by string literal: a literal of
// printable ASCII without escapes is its own value and is copied when
// masking leaves it alone; any other string is decoded and encoded again
// as encoding/json writes it (HTML characters left as they are), and so
// is every masked one. Decoder.Token did the same walk at three times
// the cost, decoding each value through reflection; the output is the
// same byte for byte (TestJSONAsByTokens, FuzzJSON).
func (red *Redactor) JSON(doc []byte, indent string) ([]byte, error) {
	if !json.Valid(doc) {
		var v any
		err := json.Unmarshal(doc, &v)
		if err == nil {
			err = errors.New("not one JSON value")
		}
		return nil, fmt.Errorf("redacting JSON: %w", err)
	}
	s := jsonStrings{out: make([]byte, 0, len(doc)+len(doc)/8)}
	s.enc = json.NewEncoder(&s.buf)
	s.enc.SetEscapeHTML(false)
	for i := 0; i < len(doc); {
		switch c := doc[i]; c {
		case ' ', '\t', '\n', '\r':
			i++
		case '"':
			end := i + 1
			for doc[end] != '"' {
				if doc[end] == '\\' {
					end++
				}
				end++
			}
			end++
			next := end
			for next < len(doc) && (doc[next] == ' ' || doc[next] == '\t' || doc[next] == '\n' || doc[next] == '\r') {
				next++
			}
			if err := s.add(doc[i:end], next < len(doc) && doc[next] == ':', red); err != nil {
				return nil, fmt.Errorf("redacting JSON: %w", err)
			}
			i = end
		default:
			s.out = append(s.out, c)
			i++
		}
	}
	if indent == "" {
		return s.out, nil
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, s.out, "", indent); err != nil {
		return nil, fmt.Errorf("redacting JSON: %w", err)
	}
	pretty.WriteByte('\n')
	return pretty.Bytes(), nil
}

// jsonStrings is JSON's output and the encoder of the strings it writes
// again.
type jsonStrings struct {
	out []byte
	buf bytes.Buffer
	enc *json.Encoder
}

// add writes one string literal of a valid document: masked unless it is
// a key.
func (s *jsonStrings) add(lit []byte, key bool, red *Redactor) error {
	plain := true
	for _, b := range lit[1 : len(lit)-1] {
		if b < 0x20 || b > 0x7e || b == '\\' {
			plain = false
			break
		}
	}
	var v string
	if plain {
		v = string(lit[1 : len(lit)-1])
	} else if err := json.Unmarshal(lit, &v); err != nil {
		return err
	}
	if !key {
		if m := red.String(v); m != v {
			plain, v = false, m
		}
	}
	if plain {
		s.out = append(s.out, lit...)
		return nil
	}
	s.buf.Reset()
	if err := s.enc.Encode(v); err != nil {
		return err
	}
	s.out = append(s.out, bytes.TrimSuffix(s.buf.Bytes(), []byte("\n"))...)
	return nil
}
