package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/samllint/samllint/internal/format"
	"github.com/samllint/samllint/lint"
)

const diffUsage = `usage: samllint diff [flags] [--all] A B

Compares two captures (any form samllint accepts): the verdict of each, then
the differences that matter for sign-in side by side (issuer, recipient,
destination, audiences, NameID, every attribute, times relative to each one's
IssueInstant, signing certificate, algorithms) and the findings one has that
the other does not. IDs, instants and signature values are left out unless
--all. A capture holding several responses: A.har#2 picks the second, as
"samllint lint" numbers them.

Exit status: 0 when nothing that matters differs, 1 when something does,
2 when an input cannot be read.`

func diffCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("diff", diffUsage, stdout, stderr)
	var flags lintFlags
	flags.register(fs)
	formatName := fs.String("format", "text", "output format: text or json")
	redact := fs.Bool("redact", false, "mask names, e-mail addresses, account IDs, attribute values and signatures")
	all := fs.Bool("all", false, "also show the fields that are equal, and the noise (IDs, instants, signature values)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := checkFormat(*formatName, "text", "json"); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usageErr("diff takes two captures, got %d", fs.NArg())
	}
	in, opts, err := flags.load(fs)
	if err != nil {
		return err
	}
	var sides [2]format.DiffSide
	for i, arg := range fs.Args() {
		if sides[i], err = loadSide(arg, in, opts, stdin, stderr); err != nil {
			return err
		}
	}
	d := lint.Compare(sides[0].Result, sides[1].Result)
	if *formatName == "json" {
		err = format.DiffJSON(stdout, sides, d, *all, *redact, "  ")
	} else {
		err = format.DiffText(stdout, sides, d, *all, *redact)
	}
	if err != nil {
		return err
	}
	// Like diff(1): 1 when the captures differ in what matters.
	if len(d.Differences(false)) > 0 || len(d.OnlyA) > 0 || len(d.OnlyB) > 0 {
		return &exitError{code: 1}
	}
	return nil
}

// pickResponse returns the pick-th (from 1) result of an input, as lint
// numbers them, and how many there are.
func pickResponse(name string, results []*lint.Result, pick int) (*lint.Result, error) {
	switch {
	case len(results) == 0:
		return nil, fmt.Errorf("%s holds no SAML message", name)
	case pick > len(results):
		return nil, fmt.Errorf("%s holds %d SAML messages; #%d asked for", name, len(results), pick)
	}
	r := results[pick-1]
	if r.Err != nil {
		return nil, fmt.Errorf("%s: %w", format.Label(r), r.Err)
	}
	return r, nil
}

func loadSide(arg string, in *lint.Inputs, opts lint.Options, stdin io.Reader, stderr io.Writer) (format.DiffSide, error) {
	path, pick := arg, 1
	if i := strings.LastIndex(arg, "#"); i > 0 {
		if n, err := strconv.Atoi(arg[i+1:]); err == nil && n > 0 {
			path, pick = arg[:i], n
		}
	}
	name, data, err := readInput(path, stdin, stderr)
	if err != nil {
		return format.DiffSide{}, err
	}
	opts.Name = name
	results, err := lint.Lint(data, in, opts)
	if err != nil {
		return format.DiffSide{}, usageErr("%s: %w", name, err)
	}
	r, err := pickResponse(name, results, pick)
	if err != nil {
		return format.DiffSide{}, &exitError{code: 2, err: err}
	}
	if len(results) > 1 {
		name = fmt.Sprintf("%s#%d", name, pick)
	}
	return format.DiffSide{Name: name, Result: r}, nil
}
