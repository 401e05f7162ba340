// Package awsread reads, from the AWS account itself, what samllint's rules
// need beside a capture: the IAM SAML provider's metadata and settings as
// IAM holds them, the role's trust policy, permissions and boundary, the
// organization's SCPs level by level, and the Amazon Connect instance and
// user. It reads only the resources a capture names (its Role pair and
// RelayState), only with read actions (see Actions and
// docs/aws-read-policy.json), and turns every failed read into an input
// left out with its reason, never into an error.
//
// A Reader is a lint.Resolver: set it as lint.Options.Resolver and every
// capture of a run is linted with its account's inputs. Read returns the
// same data in the file formats the aws CLI prints, which is what
// samllint aws-export writes.
package awsread

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/samllint/samllint/lint"
)

// DefaultTimeout bounds the reads for one capture's target.
const DefaultTimeout = 20 * time.Second

// Options are how a Reader finds its credentials and how long it waits.
type Options struct {
	// Profile is the shared-config profile (AWS_PROFILE when empty).
	Profile string
	// Region is the region for IAM, STS and Organizations requests
	// (AWS_REGION or the profile's when empty, else us-east-1). Connect
	// is always asked in the RelayState's region.
	Region string
	// Timeout bounds the reads for one target; zero is DefaultTimeout.
	Timeout time.Duration
	// Notify is told, once each, what concerns the whole read ("the
	// credentials are for another account"); nil drops them.
	Notify func(string)
}

// CredentialsError is returned by New when no credentials can be found.
type CredentialsError struct{ Err error }

func (e *CredentialsError) Error() string {
	msg := e.Err.Error()
	if i := strings.IndexByte(msg, '\n'); i > 0 {
		msg = msg[:i]
	}
	return "no AWS credentials (" + strings.TrimSpace(msg) + "): give a profile with --aws-profile NAME or AWS_PROFILE " +
		"(after aws sso login --profile NAME for IAM Identity Center), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
}

func (e *CredentialsError) Unwrap() error { return e.Err }

// Reader reads targets from one account's credentials, each once.
type Reader struct {
	opts Options
	cfg  aws.Config
	iam  *iam.Client
	sts  *sts.Client
	org  *organizations.Client

	mu       sync.Mutex
	connect  map[string]*connect.Client // by region
	caller   *string
	reads    map[lint.Target]*Read
	resolved map[resolved]*lint.Inputs
	scps     map[string]*lint.SCPRead // by account
	notified map[string]bool
}

// New loads the standard AWS configuration (environment, shared config
// and credentials files, SSO profiles, AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE>) and checks that credentials can be had.
func New(ctx context.Context, opts Options) (*Reader, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	var lo []func(*config.LoadOptions) error
	if opts.Profile != "" {
		lo = append(lo, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.Region != "" {
		lo = append(lo, config.WithRegion(opts.Region))
	}
	cctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(cctx, lo...)
	if err != nil {
		return nil, &CredentialsError{Err: err}
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1" // IAM and Organizations are global; STS answers everywhere
	}
	if cfg.Credentials == nil {
		return nil, &CredentialsError{Err: errors.New("no credential provider")}
	}
	if _, err := cfg.Credentials.Retrieve(cctx); err != nil {
		return nil, &CredentialsError{Err: err}
	}
	return &Reader{opts: opts, cfg: cfg, iam: iam.NewFromConfig(cfg), sts: sts.NewFromConfig(cfg), org: organizations.NewFromConfig(cfg),
		connect: map[string]*connect.Client{}, reads: map[lint.Target]*Read{}, resolved: map[resolved]*lint.Inputs{}, scps: map[string]*lint.SCPRead{}, notified: map[string]bool{}}, nil
}

// Resolve implements lint.Resolver: the inputs given, with what the
// account holds for the target added.
// Captures of one target with the same inputs share the result, read
// and parsed once: rules only read their inputs.
func (r *Reader) Resolve(ctx context.Context, t lint.Target, in *lint.Inputs) (*lint.Inputs, error) {
	rd, err := r.Read(ctx, t)
	if err != nil {
		return nil, err
	}
	key := resolved{t, in}
	r.mu.Lock()
	defer r.mu.Unlock()
	if out := r.resolved[key]; out != nil {
		return out, nil
	}
	out := in.Clone()
	if err := rd.Apply(out); err != nil {
		return nil, err
	}
	r.resolved[key] = out
	return out, nil
}

type resolved struct {
	t  lint.Target
	in *lint.Inputs
}

// Read reads what the target names, once per target; failures are in
// the result (AWS.Unread), and the error is ctx's alone.
func (r *Reader) Read(ctx context.Context, t lint.Target) (*Read, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rd := r.reads[t]; rd != nil {
		return rd, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	rd := &Read{Target: t}
	s := &session{r: r, ctx: tctx, rd: rd}
	s.read()
	if err := ctx.Err(); err != nil {
		return nil, err // the caller gave up, not AWS: nothing to keep
	}
	r.reads[t] = rd
	return rd, nil
}

func (r *Reader) notify(msg string) {
	if r.notified[msg] || r.opts.Notify == nil {
		return
	}
	r.notified[msg] = true
	r.opts.Notify(msg)
}

func (r *Reader) connectIn(region string) *connect.Client {
	c := r.connect[region]
	if c == nil {
		c = connect.NewFromConfig(r.cfg, func(o *connect.Options) { o.Region = region })
		r.connect[region] = c
	}
	return c
}

// Read is what was read for one target.
type Read struct {
	Target lint.Target
	// Files are what was read in the formats the aws CLI prints and the
	// file flags take, in reading order.
	Files []File
	// Exports are files aws-export writes beside Files that Apply does
	// not add, since AWS carries them too: each SCP as describe-policy
	// prints it, and the Connect users found.
	Exports []File
	// AWS is the rest: see lint.AWSRead.
	AWS lint.AWSRead
	// Calls are the API calls made, in order.
	Calls []Call
}

// File is one input in an aws CLI output format.
type File struct {
	// Name is the file name samllint aws-export gives it.
	Name  string
	Input lint.Input
	// Label names it in findings: the ARN it was read from.
	Label string
	Data  []byte
}

// Call is one API call: "iam:GetRole" on a resource, and its error code
// ("" when it succeeded).
type Call struct {
	Action   string
	Resource string
	Err      string
}

// Apply adds what was read to in.
func (rd *Read) Apply(in *lint.Inputs) error {
	for _, f := range rd.Files {
		if err := in.Add(f.Input, f.Label, f.Data); err != nil {
			return fmt.Errorf("reading %s back: %w", f.Label, err)
		}
	}
	a := rd.AWS
	return in.SetAWSRead(&a)
}
