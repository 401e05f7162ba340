package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/samllint/samllint/internal/reach"
	"github.com/samllint/samllint/internal/render/redact"
	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/saml"
)

// awsFlags choose whether and how the AWS side is read from the account.
type awsFlags struct {
	from            bool
	profile, region string
	timeout         awsTimeout
	said            string // how errors name the command: --from-aws or aws-export
}

// awsTimeout is --aws-timeout: a duration above zero, with its unit.
type awsTimeout time.Duration

func (d *awsTimeout) String() string { return time.Duration(*d).String() }

func (d *awsTimeout) Set(s string) error {
	v, err := time.ParseDuration(s)
	switch {
	case err != nil && strings.Trim(s, "0123456789.") == "":
		return fmt.Errorf("%q has no unit: use a unit, such as %ss", s, s)
	case err != nil:
		return fmt.Errorf("%q: expected a duration such as 30s or 2m", s)
	case v <= 0:
		return fmt.Errorf("%q: expected a duration above zero, such as 30s", s)
	}
	*d = awsTimeout(v)
	return nil
}

func (a *awsFlags) register(fs *flag.FlagSet, withSwitch bool) {
	// Errors name what the person typed: the switch, or aws-export,
	// which reads without it.
	a.said = "aws-export"
	if withSwitch {
		a.said = "--from-aws"
		fs.BoolVar(&a.from, "from-aws", false, "read the SAML provider, role, policies, SCPs and Connect instance from the AWS account itself, with your AWS credentials (samllint's only network use besides record)")
	}
	fs.StringVar(&a.profile, "aws-profile", "", "AWS profile to read with (default: AWS_PROFILE, else the default credential chain)")
	fs.StringVar(&a.region, "aws-region", "", "region for the IAM, STS and Organizations calls (default: AWS_REGION or the profile's when in the role's partition, else the partition's first: us-east-1, us-gov-west-1, cn-north-1); Connect is asked in the RelayState's region")
	a.timeout = awsTimeout(reach.DefaultAWSTimeout)
	fs.Var(&a.timeout, "aws-timeout", "how long the AWS reads for one capture may take, retries included; each call has a third of it")
}

// strayFlag refuses a flag of the prefix given without the switch that
// uses it; the file input of that prefix stands on its own.
func strayFlag(fs *flag.FlagSet, prefix string, file lint.Input, needs string) error {
	var stray string
	fs.Visit(func(f *flag.Flag) {
		if strings.HasPrefix(f.Name, prefix) && f.Name != file.Flag() {
			stray = f.Name
		}
	})
	if stray != "" {
		return usageErr("--%s applies only with %s", stray, needs)
	}
	return nil
}

// reader is the account reader the flags ask for, or nil without
// --from-aws. Notes go to stderr, once each.
func (a *awsFlags) reader(fs *flag.FlagSet, stderr io.Writer) (reach.AWSReader, error) {
	if !a.from {
		return nil, strayFlag(fs, "aws-", lint.InputAWSRead, "--from-aws")
	}
	if outside == nil {
		return nil, errNoReach(a.said)
	}
	r, err := outside.AWS(context.Background(), reach.AWSOptions{Profile: a.profile, Region: a.region, Timeout: time.Duration(a.timeout),
		Notify: func(msg string) { sayf(stderr, "samllint: note: %s\n", msg) }})
	if err != nil {
		return nil, usageErr("%s: %v", a.said, err)
	}
	return r, nil
}

const awsExportUsage = `usage: samllint aws-export --out DIR [flags] FILE[#N]

Reads from the AWS account what the capture's sign-in touches, as --from-aws
does, and writes it into DIR in the formats the file flags take:
provider.json (aws iam get-saml-provider), metadata.xml (the metadata IAM
holds), role.json (aws iam get-role), one file per permissions policy (aws
iam get-policy-version, get-role-policy), boundary.json, one scp-*.json per
SCP (aws organizations describe-policy), connect-users.json, and
aws-read.json for the rest (the SCP levels, the Connect instance, what does
not exist, what could not be read). It then prints the samllint command
that lints the capture offline with them, carrying every flag given that
changes findings and the evaluation time used, so that it reports what
--from-aws reports, and a setup can be committed beside its captures and
checked in CI without AWS access. With --redact the files are for sharing:
they no longer match the capture, and no command is printed.

A capture holding sign-ins with different roles needs FILE#N to pick one.
Exit status: 0 written, 2 could not run or nothing could be read.`

func awsExportCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("aws-export", awsExportUsage, stdout, stderr)
	var flags lintFlags
	flags.inputs.register(fs)
	flags.clock.register(fs)
	flags.aws.register(fs, false)
	out := fs.String("out", "", "the directory to write into (created if missing)")
	redactOut := fs.Bool("redact", false, "mask names, e-mail addresses and account IDs in the files written (they then no longer match the capture)")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *out == "":
		return usageErr("aws-export needs --out DIR")
	case fs.NArg() != 1:
		return usageErr("aws-export takes one capture, got %d", fs.NArg())
	}
	flags.aws.from = true
	in, opts, err := flags.load(fs, stderr)
	if err != nil {
		return err
	}
	reader := opts.Resolver.(reach.AWSReader)
	opts.Resolver = nil // the capture is read here only to find its target
	ref := parseRef(fs.Arg(0))
	name, r, err := openInput(ref.path, stdin, stderr)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		return usageErr("cannot read input: %v", err)
	}
	opts.Name = name
	results, err := lint.Lint(data, in, opts)
	if err != nil {
		return usageErr("%s: %v", name, err)
	}
	var targets []lint.Target
	var picked *lint.Result
	for i, res := range results {
		if !ref.picked(i+1) || res.Response == nil {
			continue
		}
		t := lint.TargetOf(&saml.Message{Capture: res.Capture, Response: res.Response}, in)
		if !slices.ContainsFunc(targets, func(o lint.Target) bool { return o.Key() == t.Key() }) {
			targets = append(targets, t)
		}
		if picked == nil {
			picked = res
		}
	}
	switch {
	case ref.pick > len(results):
		return ref.missing(name, len(results))
	case picked == nil:
		return usageErr("%s holds no SAML response to read the AWS side for", name)
	case len(targets) > 1:
		return usageErr("%s holds sign-ins with %d different roles or instances; pick one with %s#N", name, len(targets), ref.path)
	case targets[0].RoleARN == "" && targets[0].ProviderARN == "" && targets[0].Instance == "":
		return usageErr("%s names no role, SAML provider or Connect instance to read: expected a Role attribute (role ARN,provider ARN) or a Connect RelayState", name)
	}
	read, err := reader.Read(context.Background(), targets[0])
	if err != nil {
		return usageErr("aws-export: %v", err)
	}
	if read.Empty {
		why := "the account answered nothing"
		for _, u := range read.AWS.Unread {
			why = u.Reason
			break
		}
		return usageErr("aws-export read nothing for %s: %s", name, why)
	}
	var red *redact.Redactor
	if *redactOut {
		red = redact.New()
		red.Learn(picked.Response, picked.Capture)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return usageErr("--out: %v", err)
	}
	write := func(file string, b []byte) error {
		if red != nil {
			if strings.HasSuffix(file, ".json") {
				if m, err := red.JSON(b, "    "); err == nil {
					b = append(m, '\n')
				}
			} else {
				b = []byte(red.String(string(b)))
			}
		}
		if err := os.WriteFile(filepath.Join(*out, file), b, 0o644); err != nil {
			return usageErr("--out: %v", err)
		}
		return nil
	}
	// The offline command: every flag given that changes findings, the
	// evaluation time this capture is judged at, and the files written.
	cmd := append([]string{"samllint"}, findingFlags(fs, picked)...)
	var written []string
	for _, f := range append(append([]reach.File{}, read.Files...), read.Exports...) {
		if err := write(f.Name, f.Data); err != nil {
			return err
		}
		written = append(written, f.Name)
		cmd = append(cmd, "--"+f.Input.Flag(), filepath.Join(*out, f.Name))
		if f.Name == "provider.json" {
			var p struct{ SAMLMetadataDocument string }
			if json.Unmarshal(f.Data, &p) == nil && p.SAMLMetadataDocument != "" {
				if err := write("metadata.xml", []byte(p.SAMLMetadataDocument)); err != nil {
					return err
				}
				written = append(written, "metadata.xml")
			}
		}
	}
	b, _ := json.MarshalIndent(read.AWS, "", "    ")
	if err := write("aws-read.json", append(b, '\n')); err != nil {
		return err
	}
	written = append(written, "aws-read.json")
	cmd = append(cmd, "--"+lint.InputAWSRead.Flag(), filepath.Join(*out, "aws-read.json"))
	if picked.Capture != nil && picked.Capture.RelayState == nil && in.RelayState != nil && !visited(fs, lint.InputRelayState.Flag()) {
		cmd = append(cmd, "--relay-state", *in.RelayState)
	}
	if c := in.Config(); c != nil && c.Path != "" && !visited(fs, lint.InputConfig.Flag()) {
		cmd = append(cmd, "--config", c.Path) // found, not given: wherever the command runs
	}
	cmd = append(cmd, fs.Arg(0))
	sayf(stdout, "wrote %d %s to %s: %s\n", len(written), map[bool]string{true: "file", false: "files"}[len(written) == 1], *out, strings.Join(written, ", "))
	for _, u := range read.AWS.Unread {
		sayf(stdout, "not read: %s: %s\n", u.Input.Flag(), u.Reason)
	}
	if red != nil {
		// The capture's names and account IDs no longer match the files:
		// a command linting it with them would report false errors.
		sayf(stdout, "the files are redacted, for sharing: they cannot lint the capture, whose account IDs and names they no longer match; run aws-export without --redact to lint offline\n")
		return nil
	}
	sayf(stdout, "lint offline with:\n  %s\n", shellJoin(cmd))
	return nil
}

// shellJoin quotes what a POSIX shell would split or expand.
// findingFlags are the flags given that change findings, as given, with
// the evaluation time the result was judged at when none was given: the
// offline command must judge the capture at the same moment.
func findingFlags(fs *flag.FlagSet, res *lint.Result) []string {
	var out []string
	skip := map[string]bool{"out": true, "redact": true, "aws-profile": true, "aws-region": true, "aws-timeout": true}
	fs.Visit(func(f *flag.Flag) {
		if skip[f.Name] {
			return
		}
		if m, ok := f.Value.(*multiFlag); ok {
			for _, v := range *m {
				out = append(out, "--"+f.Name, v)
			}
			return
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			out = append(out, "--"+f.Name+"="+f.Value.String())
			return
		}
		out = append(out, "--"+f.Name, f.Value.String())
	})
	if !visited(fs, "now") && !visited(fs, "at-issue") && res.Report != nil && !res.Report.Clock.Time.IsZero() {
		out = append(out, "--now", res.Report.Clock.Time.UTC().Format(time.RFC3339Nano))
	}
	return out
}

func visited(fs *flag.FlagSet, name string) bool {
	seen := false
	fs.Visit(func(f *flag.Flag) { seen = seen || f.Name == name })
	return seen
}

func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@#,+", r))
		}) < 0 {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}
