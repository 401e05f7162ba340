// Package awsread reads, from the AWS account itself, what samllint's rules
// need beside a capture: the IAM SAML provider's metadata and settings as
// IAM holds them, the role's trust policy, permissions and boundary, the
// organization's SCPs level by level, and the Amazon Connect instance and
// user. It reads only the resources a capture names (its Role pair and
// RelayState), only with read actions (see Actions and
// docs/aws-read-policy.json), each resource once per run, and turns every
// failed read into an input left out with its reason, never into an error;
// only credentials that cannot be used at all end the run.
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
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go/logging"

	"github.com/samllint/samllint/lint"
)

// DefaultTimeout bounds the reads for one capture's target.
const DefaultTimeout = 20 * time.Second

// Options are how a Reader finds its credentials and how long it waits.
type Options struct {
	// Profile is the shared-config profile (AWS_PROFILE when empty).
	Profile string
	// Region is the region for IAM, STS and Organizations requests:
	// AWS_REGION or the profile's when empty, and when that is not in the
	// role's partition, the partition's first region (us-east-1,
	// us-gov-west-1, cn-north-1). Connect is always asked in the
	// RelayState's region.
	Region string
	// Timeout bounds the reads for one target; each call has a third of
	// it, so that one that stalls costs only its own checks. Zero is
	// DefaultTimeout.
	Timeout time.Duration
	// Notify is told, once each, what concerns the whole read ("the
	// credentials are for another account"); nil drops them.
	Notify func(string)
}

// CredentialsError is returned when the credentials cannot be used at
// all: none found, a profile that does not exist, an expired SSO session,
// keys AWS refuses, an endpoint that cannot be reached. Its message says
// the cause and the fix in a person's words.
type CredentialsError struct {
	// Profile is the profile in use, "" for none.
	Profile string
	Err     error
}

func (e *CredentialsError) Error() string {
	var nf config.SharedConfigProfileNotExistError
	var sso *ssocreds.InvalidTokenError
	var api *APIError
	var ne *NetError
	profile := e.Profile
	switch {
	case errors.As(e.Err, &nf):
		return fmt.Sprintf("the AWS profile %q is in neither %s: name one that is there (--aws-profile or AWS_PROFILE), or create it with aws configure --profile %s",
			nf.Profile, strings.Join(configFiles(), " nor "), nf.Profile)
	case errors.As(e.Err, &sso), strings.Contains(e.Err.Error(), "cached SSO token is expired"), strings.Contains(e.Err.Error(), "refresh cached SSO token failed"):
		if profile == "" {
			profile = "NAME"
		}
		return "the IAM Identity Center (SSO) session has expired: run aws sso login --profile " + profile + ", then run samllint again"
	case errors.As(e.Err, &api):
		switch api.Code {
		case "ExpiredToken", "ExpiredTokenException", "RequestExpired":
			return "the AWS credentials have expired (" + api.Code + "): get fresh ones (aws sso login --profile " + or(profile, "NAME") + ", or new keys), then run samllint again"
		case "InvalidClientTokenId", "UnrecognizedClientException":
			return "AWS does not know the access key (" + api.Code + "): it was deleted, mistyped, or belongs to another partition (GovCloud, China: give --aws-region)"
		case "SignatureDoesNotMatch":
			return "the AWS secret key does not match the access key (SignatureDoesNotMatch): check AWS_SECRET_ACCESS_KEY or the profile's aws_secret_access_key"
		}
		return "AWS refused the credentials (" + api.Code + ": " + clip(api.Message) + ")"
	case errors.As(e.Err, &ne):
		return "cannot reach AWS to check the credentials: " + ne.Error() + "; check the network, a proxy (HTTPS_PROXY) or AWS_ENDPOINT_URL"
	}
	msg := e.Err.Error()
	if i := strings.IndexByte(msg, '\n'); i > 0 {
		msg = msg[:i]
	}
	return "no AWS credentials (" + strings.TrimSpace(msg) + "): give a profile with --aws-profile NAME or AWS_PROFILE " +
		"(after aws sso login --profile NAME for IAM Identity Center), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
}

func (e *CredentialsError) Unwrap() error { return e.Err }

// configFiles are the shared config and credentials files the SDK reads.
func configFiles() []string {
	home, _ := os.UserHomeDir()
	cfg, creds := os.Getenv("AWS_CONFIG_FILE"), os.Getenv("AWS_SHARED_CREDENTIALS_FILE")
	if cfg == "" {
		cfg = filepath.Join(home, ".aws", "config")
	}
	if creds == "" {
		creds = filepath.Join(home, ".aws", "credentials")
	}
	return []string{cfg, creds}
}

// Reader reads targets with one account's credentials, each resource once.
type Reader struct {
	opts    Options
	profile string
	api     *api

	mu       sync.Mutex
	callers  map[string]string // the credentials' account, by partition
	regions  map[string]string // the region of the reads, by partition
	reads    map[string]*Read  // by lint.Target.Key
	resolved map[resolved]*lint.Inputs
	memo     map[string]*memo
	notified map[string]bool
}

// memo is one resource's read, kept for the run.
type memo struct {
	v     any
	err   error
	calls []Call
}

// New loads the standard AWS configuration (environment, shared config
// and credentials files, SSO profiles, AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE>) and checks that credentials can be had.
// The SDK logs nothing: what it would say is in the errors.
func New(ctx context.Context, opts Options) (*Reader, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	profile := opts.Profile
	if profile == "" {
		profile = os.Getenv("AWS_PROFILE")
	}
	lo := []func(*config.LoadOptions) error{config.WithLogger(logging.NewStandardLogger(io.Discard)), config.WithClientLogMode(0)}
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
		return nil, &CredentialsError{Profile: profile, Err: err}
	}
	if cfg.Credentials == nil {
		return nil, &CredentialsError{Profile: profile, Err: errors.New("no credential provider")}
	}
	if _, err := cfg.Credentials.Retrieve(cctx); err != nil {
		return nil, &CredentialsError{Profile: profile, Err: err}
	}
	return &Reader{opts: opts, profile: profile, api: newAPI(cfg), callers: map[string]string{}, regions: map[string]string{},
		reads: map[string]*Read{}, resolved: map[resolved]*lint.Inputs{}, memo: map[string]*memo{}, notified: map[string]bool{}}, nil
}

// Resolve implements lint.Resolver: the inputs given, with what the
// account holds for the target added. Captures of one target with the
// same inputs share the result, read and parsed once: rules only read
// their inputs. The error is a *CredentialsError when the credentials
// cannot be used at all, or ctx's.
func (r *Reader) Resolve(ctx context.Context, t lint.Target, in *lint.Inputs) (*lint.Inputs, error) {
	rd, err := r.Read(ctx, t)
	if err != nil {
		return nil, err
	}
	key := resolved{t.Key(), in}
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
	t  string
	in *lint.Inputs
}

// Read reads what the target names, once per target; failures are in
// the result (AWS.Unread). The error is a *CredentialsError when the
// credentials cannot be used at all, or ctx's.
func (r *Reader) Read(ctx context.Context, t lint.Target) (*Read, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rd := r.reads[t.Key()]; rd != nil {
		return rd, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	partition := or(t.Partition, "aws")
	s := &session{r: r, ctx: tctx, rd: &Read{Target: t}, partition: partition, region: r.region(partition)}
	caller, err := r.caller(tctx, s)
	if err != nil {
		return nil, err
	}
	s.rd.AWS.CallerAccount = caller
	s.read(r.choose(&s.rd.Target, caller))
	if err := ctx.Err(); err != nil {
		return nil, err // the caller gave up, not AWS: nothing to keep
	}
	r.reads[t.Key()] = s.rd
	return s.rd, nil
}

// region is where a partition's IAM, STS and Organizations reads go, and
// says so once when samllint chose it.
func (r *Reader) region(partition string) string {
	if reg := r.regions[partition]; reg != "" {
		return reg
	}
	reg := r.opts.Region
	if reg == "" {
		reg = r.api.cfg.Region
	}
	if reg == "" || !inPartition(reg, partition) {
		chosen := partitionRegion(partition)
		why := "no AWS region is set"
		if reg != "" {
			why = "the region set, " + reg + ", is not in the " + partition + " partition"
		}
		r.notify("reading the " + partition + " partition's IAM, STS and Organizations from " + chosen + ": " + why + " (--aws-region)")
		reg = chosen
	}
	r.regions[partition] = reg
	return reg
}

// caller is the credentials' account in a partition, from
// sts:GetCallerIdentity, which needs no permission: its failure is the
// credentials' or the network's, and ends the run.
func (r *Reader) caller(ctx context.Context, s *session) (string, error) {
	if c := r.callers[s.partition]; c != "" {
		return c, nil
	}
	var out struct {
		Account string `xml:"Account"`
	}
	err := s.call("sts:GetCallerIdentity", "*", func(ctx context.Context) error {
		return r.api.query(ctx, svcSTS, "2011-06-15", "GetCallerIdentity", s.partition, s.region, nil, &out)
	})
	if err != nil {
		var ce *CredentialsError
		if errors.As(err, &ce) {
			return "", ce
		}
		if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
			err = &NetError{Service: "STS", Host: "sts." + s.region, Err: context.DeadlineExceeded}
		}
		return "", &CredentialsError{Profile: r.profile, Err: err}
	}
	r.callers[s.partition] = out.Account
	return out.Account, nil
}

// choose picks the Role pair to read: the target's when it is in the
// credentials' account, else the first pair in that account, which
// becomes the target. It says which pair was read when the capture names
// several, and what to do when none is in the credentials' account; it
// reports whether anything of the account is to be read.
func (r *Reader) choose(t *lint.Target, caller string) bool {
	pairs := t.Pairs
	at := func(arn string) int {
		for i, p := range pairs {
			if p.RoleARN == arn {
				return i
			}
		}
		return -1
	}
	if t.Account == "" || t.Account == caller {
		if len(pairs) > 1 && t.RoleARN != "" {
			r.notify(fmt.Sprintf("read the role %s (pair %d of %d; the credentials are for %s)", t.RoleARN, at(t.RoleARN)+1, len(pairs), caller))
		}
		return true
	}
	var accounts []string
	for i, p := range pairs {
		if p.Account == caller && !t.AccountPinned {
			t.RoleARN, t.ProviderARN, t.Account = p.RoleARN, p.ProviderARN, p.Account
			r.notify(fmt.Sprintf("read the role %s (pair %d of %d; the credentials are for %s)", p.RoleARN, i+1, len(pairs), caller))
			return true
		}
		if !slices.Contains(accounts, p.Account) {
			accounts = append(accounts, p.Account)
		}
	}
	switch {
	case t.AccountPinned:
		r.notify(fmt.Sprintf("the AWS credentials are for account %s, not %s (--account): nothing was read from %s; use credentials for account %s (--aws-profile)", caller, t.Account, t.Account, t.Account))
	case len(accounts) > 1:
		r.notify(fmt.Sprintf("the AWS credentials are for account %s, and the capture's Role pairs are in accounts %s: nothing was read; use credentials for one of these accounts (--aws-profile), and --account ACCOUNT to pick its pair",
			caller, strings.Join(accounts, ", ")))
	default:
		r.notify(fmt.Sprintf("the AWS credentials are for account %s, not the role's account %s: nothing was read from %s; use credentials for account %s (--aws-profile)", caller, t.Account, t.Account, t.Account))
	}
	return false
}

func (r *Reader) notify(msg string) {
	if r.notified[msg] || r.opts.Notify == nil {
		return
	}
	r.notified[msg] = true
	r.opts.Notify(msg)
}

// once reads a resource once per run: key names it ("iam:GetRole arn").
// The calls it made are recorded in every read that uses it.
func (s *session) once(key string, f func() (any, error)) (any, error) {
	if m := s.r.memo[key]; m != nil {
		s.rd.Calls = append(s.rd.Calls, m.calls...)
		return m.v, m.err
	}
	start := len(s.rd.Calls)
	v, err := f()
	if s.ctx.Err() == nil || err == nil {
		// A read the run's own clock stopped may be tried by another target.
		s.r.memo[key] = &memo{v: v, err: err, calls: slices.Clone(s.rd.Calls[start:])}
	}
	return v, err
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
	// Calls are the API calls the read used, in order, those of a
	// resource another target read first included.
	Calls []Call
}

// Empty reports whether nothing was read: no file, and nothing of what
// aws-read.json carries but why.
func (rd *Read) Empty() bool {
	a := rd.AWS
	return len(rd.Files) == 0 && len(rd.Exports) == 0 && len(a.Missing) == 0 && a.SCP == nil && a.Instance == nil && a.UserSearch == nil && a.Simulation == nil
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
