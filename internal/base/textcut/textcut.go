// Package textcut shortens text from inputs for messages, never cutting a
// character in two.
package textcut

import "unicode/utf8"

// Bytes cuts s to at most n bytes, at a character boundary.
func Bytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
