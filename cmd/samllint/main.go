// Command samllint explains why a SAML sign-in to AWS or Amazon Connect
// fails, from the SAMLResponse the browser posted. It runs offline.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

const usage = `usage: samllint <command> [flags] [FILE...|-]

Commands:
  lint      report every reason the sign-in to AWS / Amazon Connect fails
            (the default: "samllint FILE" is "samllint lint FILE")
  decode    decode a captured SAMLResponse (base64, form body, URL, log line,
            raw XML, HTML form, HAR or SAML-tracer export) and show what it
            says, what is signed and what the signatures cover
  fix       print the corrected trust and permissions policies and the IdP
            settings to change, with your own values
  diff      compare two captures: why does it work for Alice and not for Bob
  serve     a local page to paste captures into (127.0.0.1 only, offline)
  rules     list the rules
  explain   explain one rule: samllint explain aws/role-missing-role-arn

With no FILE, or with -, samllint reads standard input.

Exit status: 0 success (lint: no finding at or above --fail-on), 1 findings
at or above --fail-on (diff: the captures differ), 2 could not run (bad flag,
unreadable or undecodable input).

Run "samllint <command> -h" for a command's flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// exitError carries an exit status through error returns; main prints its
// message as one line.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// run is main without the process: testable, and the only place that
// decides exit codes.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "lint"
	if len(args) > 0 {
		switch args[0] {
		case "lint", "decode", "rules", "explain", "fix", "diff", "serve":
			cmd, args = args[0], args[1:]
		case "help", "-h", "-help", "--help":
			fmt.Fprint(stdout, usage)
			return 0
		}
	}
	var err error
	switch cmd {
	case "lint":
		err = lintCmd(args, stdin, stdout, stderr)
	case "decode":
		err = decodeCmd(args, stdin, stdout, stderr)
	case "rules":
		err = rulesCmd(args, stdout, stderr)
	case "explain":
		err = explainCmd(args, stdout)
	case "fix":
		err = fixCmd(args, stdin, stdout, stderr)
	case "diff":
		err = diffCmd(args, stdin, stdout, stderr)
	case "serve":
		err = serveCmd(args, stdout, stderr)
	}
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) && ee.err == nil {
		return ee.code // findings were the output; nothing more to say
	}
	fmt.Fprintf(stderr, "samllint: %s\n", oneLine(err.Error()))
	if ee != nil {
		return ee.code
	}
	return 2
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// parseFlags parses a command's flags; usage, when set, heads the -h text.
// A bad flag is exit status 2; -h returns flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, usage string, args []string, stderr io.Writer) error {
	if usage != "" {
		fs.Usage = func() {
			fmt.Fprintln(stderr, usage)
			fs.PrintDefaults()
		}
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return &exitError{code: 2, err: err}
	}
	return nil
}
