// Package cli is samllint's command line, shared by cmd/samllint, which
// runs offline, and cmd/samllint-aws, which adds --from-aws and
// aws-export (they read the AWS account) and record (it drives a
// browser). The command is documented in docs/commands.md.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/samllint/samllint/internal/base/version"
	"github.com/samllint/samllint/internal/reach"
	"github.com/samllint/samllint/internal/render/format"
)

const usage = `usage: samllint <command> [flags] [FILE...|-]

Commands:
  lint      report every reason the sign-in to AWS / Amazon Connect fails
            (the default: "samllint FILE" is "samllint lint FILE")
  record    open a browser, capture the sign-in as you make it, and lint it
            the moment it is posted
  decode    decode a captured SAMLResponse (base64, form body, URL, log line,
            raw XML, HTML form, HAR or SAML-tracer export) and show what it
            says, what is signed and what the signatures cover
  fix       print the corrected trust and permissions policies and the IdP
            settings to change, with your own values
  diff      compare two captures: why does it work for Alice and not for Bob
  trail     explain the sign-ins AWS recorded (CloudTrail): the one nobody
            captured, after the fact
  preflight predict each Okta user's sign-in from the Okta app's
            configuration, and lint it: who cannot sign in, before they try
  aws-export  write what --from-aws reads from the AWS account into files,
            to lint the capture offline (in CI) with them
  okta-export write what --from-okta and preflight read from Okta into a
            file, to lint offline with it
  serve     a local page to paste captures into (127.0.0.1 only, offline)
  rules     list the rules
  explain   explain a rule, or an error message you saw:
            samllint explain aws/role-missing-role-arn
            samllint explain "Not authorized to perform sts:AssumeRoleWithSAML"
  version   print samllint's version

With no FILE, or with -, samllint reads standard input; on a terminal it
asks you to paste: XML and a HAR end by themselves, base64 at an empty line,
anything at Ctrl-D. FILE#N is the N-th capture of FILE, as reports number
them. Flags go before or after the inputs; -- ends them.

Exit status: 0 success (lint: no finding at or above --fail-on), 1 findings
at or above --fail-on (diff: the captures differ), 2 could not run (bad flag,
unreadable or undecodable input).

Run "samllint <command> -h" for a command's flags.
`

// outside reads AWS accounts and drives browsers: nil in samllint, which
// hands the runs that need it to samllint-aws (Delegate).
var outside reach.Reach

// Main runs samllint on the process's arguments and standard streams and
// returns its exit status; r is nil in a build without account reads and
// the browser.
func Main(r reach.Reach) int {
	tuneGC()
	outside = r
	return run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}

// tuneGC: samllint's live heap is a few megabytes while each response
// allocates about 400 KB, so at the default GOGC=100 the collector runs
// every few responses and takes the second core of a batch. A higher
// percentage under a memory limit keeps memory bounded and the cores on
// the lint. GOGC and GOMEMLIMIT, when set, win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(64 << 20)
	}
}

// exitError carries an exit status through error returns; run prints its
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

var commands = map[string]func(args []string, stdin io.Reader, stdout, stderr io.Writer) error{
	"lint": lintCmd, "decode": decodeCmd, "fix": fixCmd, "diff": diffCmd,
	"serve": serveCmd, "rules": rulesCmd, "explain": explainCmd, "version": versionCmd, "record": recordCmd, "aws-export": awsExportCmd,
	"trail": trailCmd, "preflight": preflightCmd, "okta-export": oktaExportCmd,
}

// run is main without the process: testable, and the only place that
// decides exit codes.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "lint"
	if len(args) > 0 {
		switch a := args[0]; {
		case commands[a] != nil:
			cmd, args = a, args[1:]
		case mistypedCommand(a) != "":
			sayf(stderr, "samllint: unknown command %q; did you mean %s? (samllint -h lists the commands)\n", a, mistypedCommand(a))
			return 2
		case a == "help" || a == "-h" || a == "-help" || a == "--help":
			if len(args) > 1 && commands[args[1]] != nil {
				return run([]string{args[1], "-h"}, stdin, stdout, stderr)
			}
			fmt.Fprint(stdout, usage)
			return 0
		case a == "-version" || a == "--version":
			cmd, args = "version", args[1:]
		}
	}
	err := commands[cmd](args, stdin, stdout, stderr)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) && ee.err == nil {
		return ee.code // findings were the output; nothing more to say
	}
	sayf(stderr, "samllint: %s\n", format.OneLine(err.Error()))
	if ee != nil {
		return ee.code
	}
	return 2
}

// sayf writes what may carry an input's bytes (a file name, an error
// quoting the input) through format.Clean, the one escaping every path to
// a terminal takes: no capture can retitle, recolour or reorder it. Its
// arguments are each made one line (format.Line), so a file name with a
// line break cannot start a line, such as a GitHub workflow command.
func sayf(w io.Writer, f string, args ...any) {
	var b strings.Builder
	format.Printf(&b, f, args...)
	io.WriteString(w, format.Clean(b.String()))
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// mistypedCommand is the command a first argument that is neither a
// command nor a file nearly spells ("lnt"), or "".
func mistypedCommand(a string) string {
	if a == "" || strings.ContainsAny(a, "-./\\:=") {
		return ""
	}
	if _, err := os.Stat(a); err == nil {
		return "" // a file that happens to be named like one
	}
	best, bestD := "", 3
	for name := range commands {
		if d := editDistance(a, name); d < bestD || d == bestD && name < best {
			best, bestD = name, d
		}
	}
	if bestD <= 2 && bestD < len(a) {
		return best
	}
	return ""
}

// editDistance is the Levenshtein distance between two short words.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// newFlags makes a command's flag set; head is the usage text above the
// flags, printed by -h on standard output.
func newFlags(name, head string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintln(stdout, strings.TrimRight(head, "\n"))
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(stdout, "\nFlags:")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
		}
	}
	return fs
}

// parse parses a command's flags, before and after its arguments alike
// ("samllint x.b64 --metadata m.xml"); "--" ends them. A bad flag is exit
// status 2 with one line; -h prints the command's usage and returns
// flag.ErrHelp. The arguments are fs.Args() after.
func parse(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		usage := fs.Usage
		fs.Usage = func() {} // the flag package calls it on -h; parse prints it once
		err := fs.Parse(args)
		fs.Usage = usage
		switch {
		case err == flag.ErrHelp:
			fs.Usage()
			return err
		case err != nil:
			return usageErr("%s: %v (samllint %s -h lists the flags)", fs.Name(), err, fs.Name())
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
	// Parsing "--" alone leaves the flags as they are and the arguments
	// as fs.Args().
	return fs.Parse(append([]string{"--"}, positional...))
}

// Version is samllint's version: the module version a build records
// (go install …@v1.2.3), else the VCS revision of a build from a clone.
func Version() string { return version.String() }

func versionCmd(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("version", "usage: samllint version\n\nPrints samllint's version: the module version, or the revision it was built from.", stdout, stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("version takes no arguments, got %q", fs.Arg(0))
	}
	bi, _ := debug.ReadBuildInfo()
	goVersion := ""
	if bi != nil {
		goVersion = " (" + bi.GoVersion + ")"
	}
	fmt.Fprintf(stdout, "samllint %s%s\n", Version(), goVersion)
	return nil
}
