package cli

import (
	"fmt"
	"io"

	"github.com/samllint/samllint/internal/render/format"
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
	in, opts, err := flags.load(fs, stderr)
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

// loadSide lints one side, keeping only the capture it names (FILE#N,
// the first by default): a side of any size is read in bounded memory.
func loadSide(arg string, in *lint.Inputs, opts lint.Options, stdin io.Reader, stderr io.Writer) (format.DiffSide, error) {
	ref := parseRef(arg)
	pick := max(ref.pick, 1)
	name, r, err := openInput(ref.path, stdin, stderr)
	if err != nil {
		return format.DiffSide{}, err
	}
	defer r.Close()
	opts.Name = name
	var picked *lint.Result
	n := 0
	err = lint.LintStream(r, in, opts, func(res *lint.Result) error {
		if n++; n == pick {
			picked = res
		}
		return nil
	})
	switch {
	case err != nil:
		return format.DiffSide{}, usageErr("%s: %w", name, err)
	case picked == nil:
		return format.DiffSide{}, inputRef{pick: pick}.missing(name, n)
	case picked.Err != nil:
		return format.DiffSide{}, usageErr("%s: %w", format.Label(picked), picked.Err)
	}
	if n > 1 {
		name = fmt.Sprintf("%s#%d", name, pick)
	}
	return format.DiffSide{Name: name, Result: picked}, nil
}
