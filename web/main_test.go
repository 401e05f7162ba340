package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/samllint/samllint/internal/render/page"

	// testkit defines -update, which go test ./... -update hands to every package.
	_ "github.com/samllint/samllint/internal/test/testkit"
)

// TestStatic: the served page becomes the static one, marked as such and
// carrying its CSP once; a page without the markers is refused, not
// published without its policy.
func TestStatic(t *testing.T) {
	html, err := fs.ReadFile(page.Files(), "index.html")
	if err != nil {
		t.Fatal(err)
	}
	out, err := static(html)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if !strings.Contains(s, `<html lang="en" data-site="static">`) || strings.Count(s, `http-equiv="Content-Security-Policy"`) != 1 ||
		!strings.Contains(s, `content="`+CSP+`"`) {
		t.Errorf("the static page lacks its marker or CSP:\n%.600s", s)
	}
	for _, directive := range []string{"default-src 'none'", "connect-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "worker-src 'self'", "form-action 'none'"} {
		if !strings.Contains(CSP, directive) {
			t.Errorf("the CSP lacks %s", directive)
		}
	}
	if _, err := static([]byte("<html><body>no markers</body></html>")); err == nil {
		t.Error("a page without <html lang=\"en\"> and its charset was accepted")
	}
}

// TestSize: the raw size is the bytes written, the gzipped one smaller for
// text that repeats.
func TestSize(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.js"), []byte(strings.Repeat("samllint ", 1000)), 0o644)
	os.WriteFile(filepath.Join(dir, "b.css"), []byte("body{}"), 0o644)
	raw, gz, err := size(dir)
	if err != nil || raw != 9006 || gz <= 0 || gz >= raw {
		t.Errorf("size: raw %d, gzipped %d, %v; want 9006 and less", raw, gz, err)
	}
}

// TestWarmupSample: the capture the page's worker lints to warm up is the
// repository's sample, byte for byte (go:embed cannot reach testdata).
func TestWarmupSample(t *testing.T) {
	a, err := os.ReadFile(filepath.Join("wasm", "warmup.b64"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("..", "testdata", "assertions", "okta-connect.b64"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("web/wasm/warmup.b64 differs from testdata/assertions/okta-connect.b64: copy it again")
	}
}
