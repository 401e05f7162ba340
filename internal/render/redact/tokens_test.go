package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"

	"github.com/samllint/samllint/internal/test/testkit"
)

// jsonByTokens is JSON as it was written before 2026-12-07: every token
// through encoding/json's Decoder.Token, every string encoded again.
// TestJSONAsByTokens and FuzzJSON hold JSON to it byte for byte.
func (red *Redactor) jsonByTokens(doc []byte, indent string) ([]byte, error) {
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

// jsonDocs are documents of every kind JSON meets: encoding/json's own,
// compact and indented, with HTML characters escaped or not, and other
// producers' escapes, Unicode, line separators and invalid UTF-8.
var jsonDocs = []string{
	`{"a":"jane.doe@example.com","b":["arn:aws:iam::123456789012:role/R",1,2.5e-3,true,false,null],"c":{}}`,
	"{\n  \"user\": \"jane.doe@example.com\",\n  \"n\": [\n    1,\n    -0.5\n  ],\n  \"e\": []\n}\n",
	`{"html":"\u003cNameID\u003ejane@example.com\u003c/NameID\u003e \u0026 more"}`,
	`{"esc":"tab\there \/ slash \"quoted\" back\\slash \u00e9\u2028\u2029 jane@example.com"}`,
	"{\"raw\":\"caf\u00e9 \u2028 ok\",\"bad\":\"\xff\xfe jane@example.com\"}",
	`[ "123456789012" , {"k" : "4e7c2a19-8d3b-4f6a-9b2e-1c5d7f3a9e21" } ]`,
	`"jane.doe@example.com"`,
	`{"jane.doe@example.com":"key, not value"}`,
	`123`,
}

// TestJSONAsByTokens: JSON writes what the Decoder.Token walk it
// replaced wrote, byte for byte, compact and indented, with the same
// values learned before and while.
func TestJSONAsByTokens(t *testing.T) {
	for _, doc := range jsonDocs {
		checkJSONAsByTokens(t, []byte(doc))
	}
	for _, bad := range []string{``, `{"a":`, `{"a":"b"} {"c":1}`, `nope`} {
		if _, err := New().JSON([]byte(bad), ""); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func checkJSONAsByTokens(t *testing.T, doc []byte) {
	t.Helper()
	for _, indent := range []string{"", "  "} {
		a, b := New(), New()
		a.Person("Jane Doe")
		b.Person("Jane Doe")
		got, err := a.JSON(doc, indent)
		want, werr := b.jsonByTokens(doc, indent)
		if (err == nil) != (werr == nil) {
			t.Fatalf("%q indent %q: error %v, by tokens %v", doc, indent, err, werr)
		}
		if err == nil && !bytes.Equal(got, want) {
			t.Errorf("%q indent %q:\n got %q\nwant %q", doc, indent, got, want)
		}
	}
}

func FuzzJSON(f *testing.F) {
	for _, doc := range jsonDocs {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if !json.Valid(doc) {
			return
		}
		checkJSONAsByTokens(t, doc)
	})
}

// BenchmarkJSON masks a lint report's JSON (a golden file of
// testdata/golden/lint) as JSON does and as the Decoder.Token walk did,
// side by side.
func BenchmarkJSON(b *testing.B) {
	doc := testkit.Testdata(b, "golden", "lint", "clean-connect.json")
	for _, c := range []struct {
		name string
		f    func(*Redactor, []byte, string) ([]byte, error)
	}{{"literals", (*Redactor).JSON}, {"tokens", (*Redactor).jsonByTokens}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				red := New()
				red.Person("jane.doe@example.com")
				if _, err := c.f(red, doc, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
