package saml

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
)

func capAll(t testing.TB, in string, max int) string {
	out, err := io.ReadAll(newCapReader(strings.NewReader(in), max))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestCapReader: long strings are cut after max bytes of their encoded
// content, at a character boundary and never inside an escape; the rest
// of the document passes untouched.
func TestCapReader(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"a":"0123456789","b":[1,"xy"]}`, `{"a":"0123","b":[1,"xy"]}`},
		{`["ab\"cdefgh"]`, `["ab\""]`},
		{`["abc\u00e9defg"]`, `["abc\u00e9"]`},
		{`["a\\\"bcdef"]`, `["a\\\""]`},
		{`["abcéééé"]`, `["abcé"]`},
		{`{"key-longer-than-max":1}`, `{"key-":1}`},
		{`["ab"]`, `["ab"]`},
	} {
		if got := capAll(t, c.in, 4); got != c.want {
			t.Errorf("%s: got %s, want %s", c.in, got, c.want)
		}
	}
}

// FuzzCapReader: valid JSON stays valid JSON, whatever is cut.
func FuzzCapReader(f *testing.F) {
	for _, s := range []string{`{"a":"0123456789"}`, `["\u00e9\\\"x"]`, `{"log":{"entries":[{"request":{"url":"https://x/"}}]}}`, `"ééé"`} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, in string, max int) {
		if max < 0 || max > 64 || !json.Valid([]byte(in)) {
			return
		}
		if out := capAll(t, in, max); !json.Valid([]byte(out)) {
			t.Fatalf("%q cut at %d is not JSON: %q", in, max, out)
		}
	})
}
