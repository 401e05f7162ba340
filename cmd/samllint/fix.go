package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/saml"
)

const fixUsage = `usage: samllint fix [lint flags] [--write DIR] [FILE|-]

Prints what to change so the sign-in works, with your own values: the corrected
trust policy and the permissions policy for connect:GetFederationToken (full
documents, ready for aws iam update-assume-role-policy / put-role-policy), and
the IdP settings to change, named where they live in the IdP. Give the same
inputs as to "samllint lint" (--trust-policy, --permissions-policy, ...).

Flags:`

func fixCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fix", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var lf lintFlags
	lf.register(fs)
	write := fs.String("write", "", "also write the corrected policies as JSON files into this directory")
	if err := parseFlags(fs, fixUsage, args, stderr); err != nil {
		return err
	}
	if lf.format != "text" && lf.format != "json" {
		return usageErr("--format %q: expected text or json", lf.format)
	}
	if fs.NArg() > 1 {
		return usageErr("fix takes one input, got %d", fs.NArg())
	}
	lf.relaySet = isSet(fs, "relay-state")
	opts, keys, err := lf.options()
	if err != nil {
		return err
	}
	name, data, err := readInput(fs.Arg(0), stdin, stderr)
	if err != nil {
		return err
	}
	msgs, err := saml.Read(data, saml.Options{Anchors: opts.Anchors, DecryptionKeys: keys})
	if err != nil {
		return usageErr("%s: %w", name, err)
	}
	var plans []*lint.Plan
	for _, m := range msgs {
		if m.Err != nil {
			return usageErr("%s: %s: %w", name, m.Capture.Source, m.Err)
		}
		o := opts
		if lf.atIssue {
			o.Now = m.Response.IssueInstant.Time
		}
		plan, err := lint.Fix(m, o)
		if err != nil {
			return usageErr("%s: %w", name, err)
		}
		plans = append(plans, plan)
	}
	if *write != "" {
		if err := writePlans(*write, plans); err != nil {
			return &exitError{code: 2, err: err}
		}
	}
	if lf.format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(plans)
	}
	for i, plan := range plans {
		if len(plans) > 1 {
			fmt.Fprintf(stdout, "# %s: %s\n\n", name, msgs[i].Capture.Source)
		}
		writePlan(stdout, plan)
	}
	return nil
}

func writePlan(w io.Writer, plan *lint.Plan) {
	fmt.Fprintln(w, plan.Report.Verdict)
	empty := true
	for _, fp := range []struct {
		title string
		p     *lint.FixedPolicy
	}{{"Trust policy", plan.Trust}, {"Permissions policy", plan.Permissions}} {
		if fp.p == nil {
			continue
		}
		empty = false
		fmt.Fprintf(w, "\n## %s (%s)\n", fp.title, fp.p.File)
		for _, c := range fp.p.Changes {
			fmt.Fprintf(w, "# - %s\n", c)
		}
		fmt.Fprintf(w, "# apply: %s\n", fp.p.Command)
		fmt.Fprint(w, lint.PrettyJSON(fp.p.Document))
	}
	if len(plan.IdP) > 0 {
		empty = false
		fmt.Fprintln(w, "\n## IdP settings")
		for _, c := range plan.IdP {
			fmt.Fprintf(w, "- %s\n  (%s) %s\n", c.Setting, c.Rule, c.Change)
		}
	}
	if len(plan.Notes) > 0 {
		fmt.Fprintln(w, "\n## Not changed automatically")
		for _, n := range plan.Notes {
			fmt.Fprintf(w, "- %s\n", n)
		}
	}
	if empty {
		fmt.Fprintln(w, "\nNothing to change in the policies or the IdP settings samllint can see.")
	}
}

func writePlans(dir string, plans []*lint.Plan) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, plan := range plans {
		for _, p := range []*lint.FixedPolicy{plan.Trust, plan.Permissions} {
			if p == nil {
				continue
			}
			if err := os.WriteFile(filepath.Join(dir, p.File), []byte(lint.PrettyJSON(p.Document)), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// options turns the lint flags into lint.Options (and decryption keys).
func (lf *lintFlags) options() (lint.Options, []any, error) {
	var opts lint.Options
	if lf.now != "" && lf.atIssue {
		return opts, nil, usageErr("--now and --at-issue exclude each other")
	}
	now := time.Time{}
	if lf.now != "" {
		t, err := time.Parse(time.RFC3339, lf.now)
		if err != nil {
			return opts, nil, usageErr("--now %q: expected an RFC 3339 time such as 2026-11-20T10:01:00Z", lf.now)
		}
		now = t
	} else if !lf.atIssue {
		now = time.Now() // the CLI's one clock read; rules only ever see Options.Now
	}
	anchors, keys, err := lf.trust.load()
	if err != nil {
		return opts, nil, err
	}
	opts = lint.Options{Now: now, Skew: lf.skew, Anchors: anchors, Expect: lf.expect, AWS: lf.aws}
	if anchors.Empty() {
		opts.Anchors = nil
	}
	if lf.relaySet {
		rs := lf.relay
		opts.RelayState = &rs
	}
	if err := lf.loadIAM(&opts); err != nil {
		return opts, nil, err
	}
	return opts, keys, nil
}
