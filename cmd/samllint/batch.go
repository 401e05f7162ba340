package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/saml"
)

// captureExts are the files a directory walk picks up; a named file is
// always read, whatever its name.
var captureExts = map[string]bool{
	".b64": true, ".base64": true, ".txt": true, ".xml": true, ".har": true, ".json": true,
	".form": true, ".log": true, ".html": true, ".htm": true, ".saml": true, ".post": true,
}

// expandInputs turns the arguments into the list of inputs, in order:
// files as given, directories walked recursively (sorted), globs expanded.
func expandInputs(args []string) ([]string, error) {
	if len(args) == 0 {
		return []string{"-"}, nil
	}
	var out []string
	for _, a := range args {
		if a == "-" {
			out = append(out, a)
			continue
		}
		paths := []string{a}
		if strings.ContainsAny(a, "*?[") {
			m, err := filepath.Glob(a)
			if err != nil {
				return nil, usageErr("bad pattern %q: %v", a, err)
			}
			if len(m) == 0 {
				return nil, usageErr("%s matches no file", a)
			}
			paths = m
		}
		for _, p := range paths {
			st, err := os.Stat(p)
			if err != nil {
				return nil, usageErr("cannot read input: %v", err)
			}
			if !st.IsDir() {
				out = append(out, p)
				continue
			}
			var found []string
			err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				name := d.Name()
				if strings.HasPrefix(name, ".") && path != p {
					if d.IsDir() {
						return filepath.SkipDir
					}
					return nil
				}
				if !d.IsDir() && captureExts[strings.ToLower(filepath.Ext(name))] {
					found = append(found, path)
				}
				return nil
			})
			if err != nil {
				return nil, usageErr("cannot read %s: %v", p, err)
			}
			sort.Strings(found)
			if len(found) == 0 {
				return nil, usageErr("%s holds no capture (files ending in .b64, .txt, .xml, .har, .json, .form, .log, .html)", p)
			}
			out = append(out, found...)
		}
	}
	return out, nil
}

// batch lints many inputs on several cores; results keep input order.
type batch struct {
	opts    lint.Options
	keys    []any
	atIssue bool
	cfg     *lint.Config
	stdin   io.Reader
	stderr  io.Writer
	jobs    int
	keepXML bool // --redact learns from the messages after linting
}

func (b *batch) rules() []*lint.Rule {
	if b.cfg != nil {
		return b.cfg.EnabledRules()
	}
	return lint.Rules()
}

// evalTime is the time suppressions expire against: the pinned evaluation
// time, or the wall clock when --at-issue gives each input its own.
func (b *batch) evalTime() time.Time {
	if !b.opts.Now.IsZero() {
		return b.opts.Now
	}
	return time.Now()
}

// run lints the inputs and hands each result to emit in input order, as
// soon as it and those before it are done. A single input (one large HAR)
// streams capture by capture; several are spread over the workers.
func (b *batch) run(inputs []string, emit func(result)) error {
	rules := b.rules()
	deliver := func(r result) {
		// Suppressions run in input order, so hit counts are deterministic.
		if b.cfg != nil && r.Report != nil {
			b.cfg.Suppress(r.Report, r.Input, issuerOf(r), r.Report.EvaluatedAt)
		}
		emit(r)
	}
	if len(inputs) == 1 {
		return b.lintInput(inputs[0], rules, deliver)
	}
	jobs := b.jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	type slot struct {
		results []result
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
				sl.err = b.lintInput(inputs[i], rules, func(r result) { sl.results = append(sl.results, r) })
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
			deliver(r)
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

func issuerOf(r result) string {
	if r.issuer != "" || r.resp == nil {
		return r.issuer
	}
	if a := r.resp.Consumed(); a != nil && a.Issuer != nil {
		return a.Issuer.Value
	}
	if r.resp.Issuer != nil {
		return r.resp.Issuer.Value
	}
	return ""
}

// lintInput reads, decodes and lints one input, streaming HAR exports
// capture by capture. Only an unreadable input is an error; an
// undecodable one is a result carrying its error.
func (b *batch) lintInput(in string, rules []*lint.Rule, emit func(result)) error {
	name, r, err := openInput(in, b.stdin, b.stderr)
	if err != nil {
		return err
	}
	defer r.Close()
	err = saml.DecodeStream(r, saml.DefaultLimits, func(c *saml.Capture) error {
		m := &saml.Message{Capture: c, Err: c.Err}
		if m.Err == nil {
			m.Response, m.Err = saml.ParseCapture(c, saml.ParseOptions{DecryptionKeys: b.keys})
		}
		if m.Response != nil {
			saml.Verify(m.Response, b.opts.Anchors)
		}
		res := lintOne(name, m, b.opts, b.atIssue, rules)
		res.issuer = issuerOf(res)
		if !b.keepXML {
			// A 50 MB HAR must not stay in memory: the report is all
			// that is printed.
			c.XML, res.resp = nil, nil
		}
		emit(res)
		return nil
	})
	if err != nil {
		emit(result{Input: name, Err: err})
	}
	return nil
}

func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}

// loadConfig reads --config or the nearest .samllint.yaml and merges it
// into opts; nil when there is none.
func (lf *lintFlags) loadConfig(opts *lint.Options) (*lint.Config, error) {
	file := lf.config
	if file == "" {
		wd, err := os.Getwd()
		if err == nil {
			file = lint.FindConfig(wd)
		}
	}
	if file == "" {
		return nil, nil
	}
	cfg, err := lint.LoadConfig(file)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	cfg.Apply(opts)
	return cfg, nil
}
