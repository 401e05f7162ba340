// Command web writes samllint's page as a static site into a directory:
//
//	go run ./web DIR
//
// The site is the page "samllint serve" shows (internal/render/page's files, not
// a copy), with samllint itself compiled to WebAssembly (samllint.wasm)
// answering its API inside the browser. It needs no server code: any
// static host serves it (GitHub Pages, an internal web server,
// python3 -m http.server), and once loaded it works offline. The page
// carries its Content-Security-Policy in a meta element, since a static
// host sends no headers of samllint's: it may load only its own files
// and connect to nothing else.
//
// SAMLLINT_VERSION and SAMLLINT_COMMIT, when set, stamp the module's
// version (see internal/base/version); CI and the release set them.
package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/samllint/samllint/internal/render/page"
)

// CSP is the static page's policy: its own files only, WebAssembly
// compiled from its own module, its worker (worker.js, where the module
// runs) from its own origin, no connection elsewhere.
const CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'none'; base-uri 'none'"

func main() {
	if len(os.Args) != 2 || strings.HasPrefix(os.Args[1], "-") {
		fmt.Fprintln(os.Stderr, "usage: go run ./web DIR\n\nWrites samllint's page as a static site into DIR (created if missing).")
		os.Exit(2)
	}
	if err := build(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "web: "+err.Error())
		os.Exit(1)
	}
}

func build(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	goroot, err := goEnv("GOROOT")
	if err != nil {
		return err
	}
	ldflags := "-s -w"
	if v := os.Getenv("SAMLLINT_VERSION"); v != "" {
		ldflags += " -X github.com/samllint/samllint/internal/base/version.Version=" + v
	}
	if c := os.Getenv("SAMLLINT_COMMIT"); c != "" {
		ldflags += " -X github.com/samllint/samllint/internal/base/version.Commit=" + c
	}
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", filepath.Join(dir, "samllint.wasm"), "./web/wasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building samllint.wasm: %w", err)
	}
	// The loader the Go release ships for its own WebAssembly (lib/wasm
	// since Go 1.24, misc/wasm before).
	var loader []byte
	for _, p := range []string{"lib/wasm/wasm_exec.js", "misc/wasm/wasm_exec.js"} {
		if loader, err = os.ReadFile(filepath.Join(goroot, p)); err == nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("wasm_exec.js is not in GOROOT: %w", err)
	}
	files := map[string][]byte{"wasm_exec.js": loader}
	err = fs.WalkDir(page.Files(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(page.Files(), p)
		files[p] = b
		return err
	})
	if err != nil {
		return err
	}
	html, err := static(files["index.html"])
	if err != nil {
		return err
	}
	files["index.html"] = html
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	raw, gz, err := size(dir)
	if err != nil {
		return err
	}
	fmt.Printf("wrote the static site to %s: %.1f MB, %.1f MB gzipped\n", dir, float64(raw)/1e6, float64(gz)/1e6)
	return nil
}

// static turns the served page into the static one: marked as such (the
// script then runs samllint.wasm instead of calling a server), with its
// CSP in a meta element.
func static(html []byte) ([]byte, error) {
	const root, charset = `<html lang="en">`, `<meta charset="utf-8">`
	if !bytes.Contains(html, []byte(root)) || !bytes.Contains(html, []byte(charset)) {
		return nil, errors.New(`index.html has no <html lang="en"> or <meta charset="utf-8"> to mark as static`)
	}
	html = bytes.Replace(html, []byte(root), []byte(`<html lang="en" data-site="static">`), 1)
	return bytes.Replace(html, []byte(charset), []byte(charset+"\n"+`<meta http-equiv="Content-Security-Policy" content="`+CSP+`">`), 1), nil
}

// size is the site's size, raw and gzipped file by file (as a host
// serving it compressed sends it).
func size(dir string) (raw, gz int64, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, 0, err
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return 0, 0, err
		}
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = io.Copy(w, bytes.NewReader(b))
		_ = w.Close()
		raw += int64(len(b))
		gz += int64(buf.Len())
	}
	return raw, gz, nil
}

// goEnv is a go env value of the go command that builds the module.
func goEnv(key string) (string, error) {
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %w", key, err)
	}
	return strings.TrimSpace(string(out)), nil
}
