package cli

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/samllint/samllint/internal/base/lazyre"
	"github.com/samllint/samllint/internal/reach"
	"github.com/samllint/samllint/lint"
)

// skippedFile is a file a directory walk did not lint, and why.
type skippedFile struct{ path, why string }

// expandInputs turns the arguments into the list of inputs, in order:
// files as given, directories walked recursively (sorted, each file
// judged by its content, jobs at once), globs expanded.
func expandInputs(args []string, jobs int) ([]string, []skippedFile, error) {
	if len(args) == 0 {
		return []string{"-"}, nil, nil
	}
	var out []string
	var skipped []skippedFile
	for _, a := range args {
		if a == "-" {
			out = append(out, a)
			continue
		}
		if ref := parseRef(a); ref.pick > 0 {
			// FILE#N: one capture of a file, as reports name it.
			if st, err := os.Stat(ref.path); err != nil || st.IsDir() {
				if err == nil {
					err = fmt.Errorf("%s is a directory; #N picks a capture in a file", ref.path)
				}
				return nil, nil, usageErr("cannot read input: %v", err)
			}
			out = append(out, a)
			continue
		}
		paths := []string{a}
		if strings.ContainsAny(a, "*?[") {
			m, err := filepath.Glob(a)
			if err != nil {
				return nil, nil, usageErr("bad pattern %q: %v", a, err)
			}
			if len(m) == 0 {
				return nil, nil, usageErr("%s matches no file", a)
			}
			paths = m
		}
		for _, p := range paths {
			st, err := os.Stat(p)
			if err != nil {
				return nil, nil, usageErr("cannot read input: %v", err)
			}
			if !st.IsDir() {
				out = append(out, p)
				continue
			}
			var files []string
			err = walkFiles(p, func(path string) error { files = append(files, path); return nil })
			if err != nil {
				return nil, nil, usageErr("cannot read %s: %v", p, err)
			}
			var found []string
			for i, why := range judge(files, jobs) {
				if why != "" {
					skipped = append(skipped, skippedFile{files[i], why})
				} else {
					found = append(found, files[i])
				}
			}
			sort.Strings(found)
			if len(found) == 0 {
				return nil, skipped, usageErr("%s holds no SAML capture (%d files looked at)", p, len(skipped))
			}
			out = append(out, found...)
		}
	}
	return out, skipped, nil
}

// walkFiles calls fn with each regular file under root, in lexical
// order, leaving out hidden files and directories (.git, .DS_Store).
func walkFiles(root string, fn func(path string) error) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && path != root {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		return fn(path)
	})
}

// judge runs notCapture on each file, jobs at once (every core when jobs
// is 0), as --jobs lints them: a directory of captures is read before
// any is linted, so this would be the batch's serial part, and --jobs 1
// keeps samllint to one file at a time.
func judge(files []string, jobs int) []string {
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	why := make([]string, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(jobs, len(files)) {
		wg.Go(func() {
			for i := range next {
				why[i] = notCapture(files[i])
			}
		})
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	return why
}

// notCapture says why a file found in a directory is not a capture, from
// its first bytes; "" when it may hold a SAML message.
func notCapture(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	size := int64(64 << 10)
	if st, err := f.Stat(); err == nil && st.Size() < size {
		size = st.Size() + 1 // a file that grew still reads its head
	}
	head := make([]byte, size)
	n, _ := io.ReadFull(f, head)
	return notCaptureHead(head[:n], true)
}

// notCaptureHead judges a file by its first 64 KB.
func notCaptureHead(head []byte, top bool) string {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	t := bytes.TrimSpace(head)
	switch {
	case len(t) == 0:
		return "empty"
	case top && len(t) >= 2 && t[0] == 0x1f && t[1] == 0x8b:
		// A .gz capture: judge what it decompresses to.
		zr, err := gzip.NewReader(bytes.NewReader(t))
		if err != nil {
			return "gzip data with a broken header"
		}
		plain, _ := io.ReadAll(io.LimitReader(zr, 64<<10))
		return notCaptureHead(plain, false)
	case !utf8.Valid(t[:len(t)-min(len(t), 3)]):
		return "binary data"
	case t[0] == '{' || t[0] == '[':
		return notCaptureJSON(t)
	case bytes.HasPrefix(t, []byte("-----BEGIN ")):
		if bytes.Contains(t[:min(len(t), 64)], []byte("PRIVATE KEY")) {
			return "a PEM private key (give it with --key)"
		}
		return "a PEM certificate (give it with --cert, or --metadata)"
	case t[0] == '<':
		head := t[:min(len(t), 4096)]
		switch {
		case bytes.Contains(head, []byte("EntityDescriptor")) || bytes.Contains(head, []byte("EntitiesDescriptor")):
			return "SAML metadata (give it with --metadata)"
		case bytes.Contains(t, []byte("urn:oasis:names:tc:SAML")) || bytes.Contains(t, []byte("SAMLResponse")):
			return ""
		}
		return "markup that names no SAML namespace"
	case bytes.Contains(t, []byte("SAMLResponse")) || bytes.Contains(t, []byte("SAMLRequest")):
		return ""
	case yamlRe.Match(t):
		return "YAML (a .samllint.yaml config or a linttest case)"
	}
	// Base64 (or URL-encoded base64) of XML, or of DEFLATE. Its first 256
	// characters show nearly every capture to be one; only what they do
	// not is decoded at length (a directory of 400 captures was judged
	// in 60 ms of its 410, one file after another, with --jobs 1).
	if capture, _ := base64Capture(t[:min(len(t), 256)]); capture {
		return ""
	}
	switch capture, decoded := base64Capture(t[:min(len(t), 4096)]); {
	case capture:
		return ""
	case decoded:
		return "base64 of something that is not XML"
	}
	return "text that is neither base64, a form body, XML nor a HAR export"
}

// base64Capture decodes head as (URL-encoded or URL-safe) base64: capture
// when it is base64 of XML, of DEFLATE'd XML or of gzip, not just any
// word that happens to be base64; decoded when it is base64 at all.
func base64Capture(head []byte) (capture, decoded bool) {
	s := base64Head.Replace(string(head))
	s = s[:len(s)/4*4]
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		return false, false
	}
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '<' || len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		return true, true
	}
	x, _ := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(b)), 64))
	x = bytes.TrimSpace(x)
	return len(x) > 0 && x[0] == '<', true
}

// base64Head turns URL-encoded and URL-safe base64 into standard base64.
var base64Head = strings.NewReplacer("%2B", "+", "%2F", "/", "%3D", "=", "\n", "", "\r", "", "-", "+", "_", "/")

// yamlRe is a YAML mapping's first key, after comments.
var yamlRe = lazyre.New(`^(?:#[^\n]*\n|\s*\n)*[A-Za-z_][A-Za-z0-9_-]*:(?:\s|$)`)

// notCaptureJSON says what JSON that is no HAR or SAML-tracer export is,
// by its keys: what samllint takes beside a capture is named with its flag.
func notCaptureJSON(t []byte) string {
	has := func(key string) bool { return bytes.Contains(t, []byte(`"`+key+`"`)) }
	switch {
	case has("entries") || has("requests"):
		return "" // a HAR or SAML-tracer export; its messages may come later
	case has("SAMLMetadataDocument"):
		return "aws iam get-saml-provider output (give it with --metadata)"
	case has("UserSummaryList") || has("User") && has("Username"):
		return "Amazon Connect users (give them with --connect-users)"
	case has("Statement") || has("AssumeRolePolicyDocument") || has("assume_role_policy") || has("AWSTemplateFormatVersion") || has("PolicyDocument") || has("PolicyVersion") || has("Policy"):
		return "an IAM policy (give it with --trust-policy, --permissions-policy, --scp or --permissions-boundary)"
	}
	return "JSON that is not a HAR or SAML-tracer export"
}

// batch lints many inputs on several cores; results keep input order.
type batch struct {
	in     *lint.Inputs
	opts   lint.Options
	stdin  io.Reader
	stderr io.Writer
	jobs   int
	// keep holds on to each response for the output (redaction, JSON);
	// otherwise it is dropped once reported.
	keep bool
	// sources are inputs held in memory, by name: what record captured.
	sources map[string][]byte
}

// run lints the inputs and hands each result to emit in input order, as
// soon as it and those before it are done. A single input (one large HAR)
// streams capture by capture; several are spread over the workers.
func (b *batch) run(inputs []string, emit func(*lint.Result)) error {
	if len(inputs) == 1 {
		return b.lintInput(inputs[0], emit)
	}
	jobs := b.jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	type slot struct {
		results []*lint.Result
		err     error
		done    chan struct{}
	}
	slots := make([]*slot, len(inputs))
	for i := range slots {
		slots[i] = &slot{done: make(chan struct{})}
	}
	work := make(chan int)
	go func() {
		for i := range inputs {
			work <- i
		}
		close(work)
	}()
	for w := 0; w < min(jobs, len(inputs)); w++ {
		go func() {
			for i := range work {
				sl := slots[i]
				sl.err = b.lintInput(inputs[i], func(r *lint.Result) { sl.results = append(sl.results, r) })
				close(sl.done)
			}
		}()
	}
	start := time.Now()
	progress := isTerminalWriter(b.stderr)
	for i, sl := range slots {
		<-sl.done
		if sl.err != nil {
			return sl.err
		}
		for _, r := range sl.results {
			emit(r)
		}
		slots[i] = nil // let the results go once printed
		if progress && time.Since(start) > time.Second {
			fmt.Fprintf(b.stderr, "\rlinting %d/%d…", i+1, len(inputs))
		}
	}
	if progress && time.Since(start) > time.Second {
		fmt.Fprint(b.stderr, "\r\x1b[K")
	}
	return nil
}

// lintInput reads and lints one input through lint.LintStream. Only an
// unreadable input is an error; an undecodable one is a result carrying
// its error.
func (b *batch) lintInput(path string, emit func(*lint.Result)) error {
	ref := parseRef(path)
	var name string
	var r io.ReadCloser
	if src, ok := b.sources[path]; ok {
		name, r, ref = path, io.NopCloser(bytes.NewReader(src)), inputRef{path: path}
	} else {
		var err error
		if name, r, err = openInput(ref.path, b.stdin, b.stderr); err != nil {
			return err
		}
	}
	defer r.Close()
	opts := b.opts
	opts.Name = name
	n := 0
	err := lint.LintStream(r, b.in, opts, func(res *lint.Result) error {
		n++
		if !ref.picked(res.Capture.Index) {
			return nil
		}
		if !b.keep && res.Capture != nil {
			// A 50 MB HAR must not stay in memory: the report is all
			// that is printed.
			res.Capture.XML, res.Response = nil, nil
		}
		emit(res)
		return nil
	})
	var ce *reach.CredentialsError
	var oe *oktaError
	switch {
	case errors.As(err, &ce):
		// Credentials that cannot be used stop the whole run, not one file.
		return usageErr("--from-aws: %v", ce)
	case errors.As(err, &oe):
		return usageErr("--from-okta: %v", oe)
	case err != nil:
		emit(&lint.Result{Input: name, Err: err})
	case ref.pick > n:
		emit(&lint.Result{Input: name, Err: ref.missing("it", n)})
	}
	return nil
}
