package cli

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/samllint/samllint/lint"
)

// inputFlags are the inputs a linting command takes beside the capture,
// registered from lint's typed inputs so that flag names, the page's
// fields and the rules' "give …" hints never drift apart.
type inputFlags struct {
	files      map[lint.Input]*multiFlag
	relay      string
	expect     lint.Expect
	aws        bool
	config     string
	withConfig bool   // --config is taken, and .samllint.yaml looked for
	require    string // --require-rules
}

var inputUsage = map[lint.Input]string{
	lint.InputMetadata:            "IdP metadata as uploaded to the IAM SAML provider, aws iam get-saml-provider output, or a PEM certificate (repeatable)",
	lint.InputCertificate:         "PEM certificate of the IdP to verify signatures against (repeatable)",
	lint.InputKey:                 "PEM private key to decrypt EncryptedAssertions with (repeatable)",
	lint.InputTrustPolicy:         "the role's trust policy: policy JSON, aws iam get-role output, CloudFormation or Terraform JSON",
	lint.InputPermissionsPolicy:   "a permissions policy of the role: policy JSON, aws iam get-role-policy or get-policy-version output (repeatable)",
	lint.InputSCP:                 "a service control policy of the account's organization: aws organizations describe-policy output (repeatable)",
	lint.InputPermissionsBoundary: "the role's permissions boundary: policy JSON or aws iam get-policy-version output",
	lint.InputConnectUsers:        "aws connect list-users (or describe-user) output, to check the Connect user exists",
	lint.InputAWSRead:             "what --from-aws read from the account beyond the other files: the aws-read.json samllint aws-export writes",
	lint.InputOkta:                "what --from-okta reads from the Okta org, offline: the okta-<app ID>.json samllint okta-export writes",
}

// registerFiles adds a flag for each of these file inputs.
func (f *inputFlags) registerFiles(fs *flag.FlagSet, kinds ...lint.Input) {
	if f.files == nil {
		f.files = map[lint.Input]*multiFlag{}
	}
	for _, in := range kinds {
		if in == lint.InputConfig {
			f.withConfig = true
			fs.StringVar(&f.config, in.Flag(), "", "config file (default: .samllint.yaml, .yml or .json in the working directory or a parent)")
			fs.StringVar(&f.require, "require-rules", "", "rules the config may not disable, lower or suppress: IDs or families (saml/*), comma-separated, or "+lint.RequireSignature+" for every signature rule; an attempt is an error")
			continue
		}
		m := &multiFlag{}
		f.files[in] = m
		fs.Var(m, in.Flag(), inputUsage[in])
	}
}

// register adds every input flag, --config included.
func (f *inputFlags) register(fs *flag.FlagSet) {
	f.registerFiles(fs, lint.FileInputs()...)
	fs.StringVar(&f.relay, lint.InputRelayState.Flag(), "", "the RelayState sent with the response (overrides one found in the input)")
	fs.StringVar(&f.expect.Recipient, "recipient", "", "expected Recipient (ACS URL)")
	fs.StringVar(&f.expect.Audience, "audience", "", "expected Audience")
	fs.StringVar(&f.expect.Issuer, "issuer", "", "expected Issuer (IdP entity ID)")
	fs.StringVar(&f.expect.Account, "account", "", "expected AWS account ID")
	fs.StringVar(&f.expect.Region, "region", "", "expected AWS region of the Connect instance")
	fs.StringVar(&f.expect.ConnectInstance, lint.InputConnectInstance.Flag(), "", "expected Amazon Connect instance ID")
	fs.BoolVar(&f.aws, lint.InputAWS.Flag(), false, "run the AWS rules even when the capture shows no sign of AWS")
}

// load reads every input given, and the config, into lint.Inputs.
func (f *inputFlags) load(fs *flag.FlagSet) (*lint.Inputs, error) {
	in := &lint.Inputs{Expect: f.expect, AWS: f.aws}
	fs.Visit(func(fl *flag.Flag) {
		if fl.Name == lint.InputRelayState.Flag() {
			rs := f.relay
			in.RelayState = &rs
		}
	})
	for _, kind := range lint.FileInputs() {
		var paths []string
		if m := f.files[kind]; m != nil {
			paths = *m
		}
		if kind == lint.InputConfig {
			paths = f.configFile()
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				return nil, usageErr("--%s: %v", kind.Flag(), err)
			}
			if err := in.Add(kind, p, b); err != nil {
				var ce *lint.ConfigError
				if errors.As(err, &ce) {
					return nil, &exitError{code: 2, err: ce}
				}
				return nil, usageErr("--%s %v", kind.Flag(), err)
			}
		}
	}
	if f.require != "" {
		c := in.Config()
		if c == nil {
			c = &lint.Config{}
			in.SetConfig(c)
		}
		if err := c.Require(strings.Split(f.require, ","), "--require-rules "+f.require); err != nil {
			return nil, usageErr("--require-rules: %v", err)
		}
	}
	return in, nil
}

// configFile is --config, or the nearest .samllint.yaml; nil when none,
// or when the command takes no config.
func (f *inputFlags) configFile() []string {
	if !f.withConfig {
		return nil
	}
	if f.config == "" {
		if wd, err := os.Getwd(); err == nil {
			f.config = lint.FindConfig(wd)
			// Named as from the working directory, as annotations on a
			// repository's files are.
			if rel, err := filepath.Rel(wd, f.config); err == nil && f.config != "" {
				f.config = rel
			}
		}
	}
	if f.config == "" {
		return nil
	}
	return []string{f.config}
}

// lintFlags are what every command that lints takes: the inputs with the
// config, and the clock.
type lintFlags struct {
	inputs inputFlags
	clock  clockFlags
	aws    awsFlags
	okta   oktaFlags
}

func (f *lintFlags) register(fs *flag.FlagSet) {
	f.inputs.register(fs)
	f.clock.register(fs)
	f.aws.register(fs, true)
	f.okta.register(fs, true)
}

// load turns the parsed flags into what lint.Lint takes; with --from-aws
// the options carry the account reader, whose notes go to stderr.
func (f *lintFlags) load(fs *flag.FlagSet, stderr io.Writer) (*lint.Inputs, lint.Options, error) {
	opts, err := f.clock.options()
	if err != nil {
		return nil, opts, err
	}
	in, err := f.inputs.load(fs)
	if err != nil {
		return nil, opts, err
	}
	if r, err := f.aws.reader(fs, stderr); err != nil {
		return nil, opts, err
	} else if r != nil {
		opts.Resolver = r
	}
	if opts.Resolver, err = f.okta.withOkta(fs, opts.Resolver); err != nil {
		return nil, opts, err
	}
	return in, opts, nil
}

// checkFormat refuses a --format value the command does not write.
func checkFormat(name string, allowed ...string) error {
	if slices.Contains(allowed, name) {
		return nil
	}
	return usageErr("--format %q: expected %s or %s", name, strings.Join(allowed[:len(allowed)-1], ", "), allowed[len(allowed)-1])
}

// clockFlags choose the evaluation time.
type clockFlags struct {
	now     string
	atIssue bool
	skew    time.Duration
}

func (c *clockFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.now, "now", "", "evaluation time, RFC 3339 (default: when the capture says it was posted; now for a fresh capture; else IssueInstant + 1 minute)")
	fs.BoolVar(&c.atIssue, "at-issue", false, "evaluate each response at its own IssueInstant")
	fs.DurationVar(&c.skew, "skew", 0, "clock-skew allowance for NotBefore/NotOnOrAfter (default: the config's, or 5m)")
}

// options turns the clock flags into lint.Options; the wall clock is read
// here, the CLI's one clock read, and only to judge a fresh paste.
func (c *clockFlags) options() (lint.Options, error) {
	opts := lint.Options{AtIssue: c.atIssue, Skew: c.skew, Wall: time.Now()}
	if c.now != "" {
		if c.atIssue {
			return opts, usageErr("--now and --at-issue exclude each other")
		}
		t, err := time.Parse(time.RFC3339, c.now)
		if err != nil {
			return opts, usageErr("--now %q: expected an RFC 3339 time such as 2026-11-20T10:01:00Z", c.now)
		}
		opts.Now = t
	}
	return opts, nil
}
