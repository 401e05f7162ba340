// Package lazyre is a regular expression compiled on its first use, so
// that a program importing saml or lint pays nothing for their patterns
// until it decodes or lints: compiled at initialisation, they were most
// of every run's start-up (a paste is one process).
package lazyre

import (
	"regexp"
	"sync"
)

// RE is a regexp.Regexp compiled on first use; a bad pattern panics then,
// as regexp.MustCompile would at start-up (the tests use each).
type RE struct {
	expr string
	once sync.Once
	re   *regexp.Regexp
}

// New returns expr, not compiled yet.
func New(expr string) *RE { return &RE{expr: expr} }

// Regexp is the compiled expression.
func (r *RE) Regexp() *regexp.Regexp {
	r.once.Do(func() { r.re = regexp.MustCompile(r.expr) })
	return r.re
}

func (r *RE) String() string                         { return r.expr }
func (r *RE) Match(b []byte) bool                    { return r.Regexp().Match(b) }
func (r *RE) MatchString(s string) bool              { return r.Regexp().MatchString(s) }
func (r *RE) FindString(s string) string             { return r.Regexp().FindString(s) }
func (r *RE) FindSubmatch(b []byte) [][]byte         { return r.Regexp().FindSubmatch(b) }
func (r *RE) FindStringSubmatch(s string) []string   { return r.Regexp().FindStringSubmatch(s) }
func (r *RE) FindAllString(s string, n int) []string { return r.Regexp().FindAllString(s, n) }
func (r *RE) FindAllStringSubmatch(s string, n int) [][]string {
	return r.Regexp().FindAllStringSubmatch(s, n)
}
func (r *RE) FindStringIndex(s string) []int { return r.Regexp().FindStringIndex(s) }
func (r *RE) ReplaceAllString(src, repl string) string {
	return r.Regexp().ReplaceAllString(src, repl)
}
func (r *RE) ReplaceAllStringFunc(src string, f func(string) string) string {
	return r.Regexp().ReplaceAllStringFunc(src, f)
}
