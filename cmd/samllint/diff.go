package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/saml"
)

const diffUsage = `usage: samllint diff [lint flags] [--all] A B

Compares two captures (any form samllint accepts): the verdict of each, then
the differences that matter for sign-in side by side (issuer, recipient,
destination, audiences, NameID, every attribute, times relative to each one's
IssueInstant, signing certificate, algorithms) and the findings one has that
the other does not. IDs, instants and signature values are left out unless
--all. Each response is evaluated at its own IssueInstant unless --now is
given. A HAR holding several responses: A.har#2 picks the second.
Exit status: 0 when nothing that matters differs, 1 when something does,
2 when an input cannot be read.

Flags:`

func diffCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var lf lintFlags
	lf.register(fs)
	all := fs.Bool("all", false, "also show the fields that are equal, and the noise (IDs, instants, signature values)")
	if err := parseFlags(fs, diffUsage, args, stderr); err != nil {
		return err
	}
	if lf.format != "text" && lf.format != "json" {
		return usageErr("--format %q: expected text or json", lf.format)
	}
	if fs.NArg() != 2 {
		return usageErr("diff takes two captures, got %d", fs.NArg())
	}
	if lf.now == "" {
		lf.atIssue = true
	}
	lf.relaySet = isSet(fs, "relay-state")
	opts, keys, err := lf.options()
	if err != nil {
		return err
	}
	var sides [2]*diffSide
	for i, arg := range fs.Args() {
		if sides[i], err = loadSide(arg, opts, keys, lf.atIssue, stdin, stderr); err != nil {
			return err
		}
	}
	d := compareSides(sides)
	var buf bytes.Buffer
	if lf.format == "json" {
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(newDiffDoc(sides, d, *all)); err != nil {
			return err
		}
	} else {
		writeDiffText(&buf, sides, d, *all)
	}
	out := buf.Bytes()
	if lf.redact {
		if lf.format == "json" {
			if out, err = redactJSON(out, sidesRedactor(sides), "  "); err != nil {
				return err
			}
		} else {
			out = []byte(sidesRedactor(sides).String(string(out)))
		}
	}
	if _, err := stdout.Write(out); err != nil {
		return err
	}
	// Like diff(1): 1 when the captures differ in what matters.
	if len(d.Differences(false)) > 0 || len(d.OnlyA) > 0 || len(d.OnlyB) > 0 {
		return &exitError{code: 1}
	}
	return nil
}

// diffSide is one side of a diff: a SAML response and its report.
type diffSide struct {
	name string
	msg  *saml.Message
	rep  *lint.Report
}

func compareSides(sides [2]*diffSide) *lint.Diff {
	return lint.Compare(sides[0].msg, sides[1].msg, sides[0].rep, sides[1].rep)
}

// diffDoc is the JSON form of a diff, for the CLI and the page.
type diffDoc struct {
	A           string         `json:"a"`
	B           string         `json:"b"`
	VerdictA    string         `json:"verdict_a"`
	VerdictB    string         `json:"verdict_b"`
	Differences []lint.DiffRow `json:"differences"`
	OnlyA       []lint.Finding `json:"only_a"`
	OnlyB       []lint.Finding `json:"only_b"`
}

func newDiffDoc(sides [2]*diffSide, d *lint.Diff, all bool) diffDoc {
	return diffDoc{sides[0].name, sides[1].name, d.VerdictA, d.VerdictB, d.Differences(all), d.OnlyA, d.OnlyB}
}

// sidesRedactor masks what either side reveals, the same way in both.
func sidesRedactor(sides [2]*diffSide) *saml.Redactor {
	red := saml.NewRedactor()
	for _, s := range sides {
		red.Learn(s.msg.Response, s.msg.Capture)
	}
	return red
}

// pickResponse returns the pick-th (from 1) SAML response that decoded,
// and how many there are.
func pickResponse(name string, msgs []*saml.Message, pick int) (*saml.Message, int, error) {
	var responses []*saml.Message
	for _, m := range msgs {
		if m.Err == nil && m.Capture.Param != "SAMLRequest" {
			responses = append(responses, m)
		}
	}
	switch {
	case len(responses) == 0:
		return nil, 0, fmt.Errorf("%s holds no SAML response", name)
	case pick > len(responses):
		return nil, len(responses), fmt.Errorf("%s holds %d SAML responses; #%d asked for", name, len(responses), pick)
	}
	return responses[pick-1], len(responses), nil
}

func loadSide(arg string, opts lint.Options, keys []any, atIssue bool, stdin io.Reader, stderr io.Writer) (*diffSide, error) {
	path, pick := arg, 1
	if i := strings.LastIndex(arg, "#"); i > 0 {
		if n, err := strconv.Atoi(arg[i+1:]); err == nil && n > 0 {
			path, pick = arg[:i], n
		}
	}
	name, data, err := readInput(path, stdin, stderr)
	if err != nil {
		return nil, err
	}
	msgs, err := saml.Read(data, saml.Options{Anchors: opts.Anchors, DecryptionKeys: keys})
	if err != nil {
		return nil, usageErr("%s: %w", name, err)
	}
	m, n, err := pickResponse(name, msgs, pick)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	if n > 1 {
		name = fmt.Sprintf("%s#%d", name, pick)
	}
	res := lintOne(name, m, opts, atIssue, lint.Rules())
	if res.Err != nil {
		return nil, usageErr("%s: %w", name, res.Err)
	}
	return &diffSide{name: name, msg: m, rep: res.Report}, nil
}

func writeDiffText(w io.Writer, sides [2]*diffSide, d *lint.Diff, all bool) {
	fmt.Fprintf(w, "A: %s — %s\n", sides[0].name, d.VerdictA)
	fmt.Fprintf(w, "B: %s — %s\n", sides[1].name, d.VerdictB)
	rows := d.Differences(all)
	if len(rows) == 0 {
		fmt.Fprintln(w, "\nNo difference that matters for sign-in.")
	} else {
		fw := 5
		for _, r := range rows {
			fw = max(fw, len(r.Field))
		}
		fmt.Fprintf(w, "\n%-*s  %s\n", fw, "field", "A  ⟷  B")
		for _, r := range rows {
			mark := "≠"
			if r.Same {
				mark = "="
			}
			fmt.Fprintf(w, "%-*s  A %s\n%-*s  B %s  %s\n", fw, r.Field, r.A, fw, "", r.B, mark)
		}
	}
	for _, side := range []struct {
		label string
		fs    []lint.Finding
	}{{"A", d.OnlyA}, {"B", d.OnlyB}} {
		fmt.Fprintf(w, "\nfindings only in %s: %d\n", side.label, len(side.fs))
		for _, f := range side.fs {
			fmt.Fprintf(w, "  %-7s %s: %s\n           at %s\n", f.Severity, f.Rule, f.Message, f.Path)
		}
	}
}
