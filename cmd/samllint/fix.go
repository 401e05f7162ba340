package main

import (
	"io"
	"os"
	"path/filepath"

	"github.com/samllint/samllint/internal/format"
	"github.com/samllint/samllint/lint"
)

const fixUsage = `usage: samllint fix [flags] [--write DIR] [FILE|-]

Prints what to change so the sign-in works, with your own values: the trust
policy you gave, corrected and merged (ready for aws iam
update-assume-role-policy), or without one the statement it must hold; the
permissions to add for connect:GetFederationToken (aws iam put-role-policy);
and the IdP settings to change, named where they live in the IdP. It takes
the inputs "samllint lint" takes, and honours the config and --redact.`

func fixCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("fix", fixUsage, stdout, stderr)
	var flags lintFlags
	flags.register(fs)
	formatName := fs.String("format", "text", "output format: text or json")
	redact := fs.Bool("redact", false, "mask names, e-mail addresses, account IDs and signatures in the output")
	write := fs.String("write", "", "also write the corrected policies as JSON files into this directory")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := checkFormat(*formatName, "text", "json"); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageErr("fix takes one input, got %d", fs.NArg())
	}
	in, opts, err := flags.load(fs)
	if err != nil {
		return err
	}
	name, data, err := readInput(fs.Arg(0), stdin, stderr)
	if err != nil {
		return err
	}
	opts.Name = name
	results, err := lint.Lint(data, in, opts)
	if err != nil {
		return usageErr("%s: %w", name, err)
	}
	var plans []format.Plan
	for _, r := range results {
		if r.Err != nil {
			if len(results) == 1 {
				return usageErr("%s: %w", format.Label(r), r.Err)
			}
			plans = append(plans, format.Plan{Result: r})
			continue
		}
		plans = append(plans, format.Plan{Result: r, Plan: lint.Fix(r, in)})
	}
	if *write != "" {
		if err := writePlans(*write, plans); err != nil {
			return &exitError{code: 2, err: err}
		}
	}
	if *formatName == "json" {
		return format.FixJSON(stdout, plans, *redact)
	}
	return format.FixText(stdout, plans, *redact)
}

func writePlans(dir string, plans []format.Plan) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, p := range plans {
		if p.Plan == nil {
			continue
		}
		for _, fp := range []*lint.FixedPolicy{p.Plan.Trust, p.Plan.Permissions} {
			if fp == nil {
				continue
			}
			if err := os.WriteFile(filepath.Join(dir, fp.File), []byte(format.PolicyJSON(fp.Document)), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
