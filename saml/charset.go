package saml

import (
	"bytes"
	"unicode/utf8"

	"github.com/samllint/samllint/internal/base/lazyre"
	"golang.org/x/text/encoding/unicode"
)

// XML 1.0 requires every processor to read UTF-16 (§4.3.3), and captures
// arrive in it: a PowerShell redirect writes UTF-16LE with a byte-order
// mark, and some tools write big-endian UTF-16 without one. Such input is
// read as UTF-16 whatever its declaration says, and held as UTF-8.

// fromUTF16 returns b as UTF-8 when it is UTF-16 text: with a byte-order
// mark, or without one when its first characters are ASCII, as XML 1.0
// Appendix F detects it, and the text holds no NUL. Without a mark, where
// markup is true, it must also start (after whitespace) with "<": binary
// data (DEFLATE) can look like UTF-16 without one. ok is false for
// anything else, which is left as it is.
func fromUTF16(b []byte, markup bool) (text []byte, ok bool) {
	var order unicode.Endianness
	bom := bytes.HasPrefix(b, bomUTF16LE) || bytes.HasPrefix(b, bomUTF16BE)
	switch {
	case bytes.HasPrefix(b, bomUTF16LE), len(b) >= 4 && b[0] != 0 && b[1] == 0 && b[3] == 0:
		order = unicode.LittleEndian
	case bytes.HasPrefix(b, bomUTF16BE), len(b) >= 4 && b[0] == 0 && b[1] != 0 && b[2] == 0:
		order = unicode.BigEndian
	default:
		return nil, false
	}
	policy := unicode.IgnoreBOM
	if bom {
		policy = unicode.ExpectBOM
	}
	out, err := unicode.UTF16(order, policy).NewDecoder().Bytes(b)
	if err != nil || !bom && (bytes.IndexByte(out, 0) >= 0 || !utf8.Valid(out)) {
		return nil, false
	}
	if t := bytes.TrimLeft(out, " \t\r\n"); !bom && markup && (len(t) == 0 || t[0] != '<') {
		return nil, false
	}
	return declareUTF8(out), true
}

// encodingDecl is the encoding pseudo-attribute of an XML declaration.
var encodingDecl = lazyre.New(`^(\s*<\?xml[^>]*?\sencoding\s*=\s*)("[^"]*"|'[^']*')`)

// declareUTF8 makes an XML declaration say what the bytes now are. The
// declaration lies outside every signature.
func declareUTF8(b []byte) []byte {
	head := b[:min(len(b), 200)]
	if m := encodingDecl.Regexp().FindSubmatchIndex(head); m != nil {
		return append(append(append([]byte{}, b[:m[4]]...), `"UTF-8"`...), b[m[5]:]...)
	}
	return b
}
