package cli

import (
	"bufio"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/samllint/samllint/internal/render/redact"
	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/okta"
	"github.com/samllint/samllint/oktaread"
	"github.com/samllint/samllint/preflight"
)

// oktaFlags choose whether and how Okta's configuration is read.
type oktaFlags struct {
	from             bool
	org, app, key    string
	keyID            string
	timeout          time.Duration
	said             string // what the person typed, for errors
	registered       bool
	registeredSwitch bool
}

func (o *oktaFlags) register(fs *flag.FlagSet, withSwitch bool) {
	o.said, o.registered = fs.Name(), true
	if withSwitch {
		o.said, o.registeredSwitch = "--from-okta", true
		fs.BoolVar(&o.from, "from-okta", false, "read the Okta app's settings, assignments and signing keys from the Okta org (OKTA_API_TOKEN, or OKTA_CLIENT_ID with --okta-key), with GETs only: findings whose cause is in Okta name the Okta field")
	}
	fs.StringVar(&o.org, "okta-org", "", "the Okta org's URL, https://ORG.okta.com (default: OKTA_ORG_URL)")
	fs.StringVar(&o.app, "okta-app", "", "the Okta app's ID (0oa…); default: the app whose metadata's entityID is the capture's Issuer")
	fs.StringVar(&o.key, "okta-key", "", "PEM private key of the OAuth service app OKTA_CLIENT_ID names (private_key_jwt), instead of an API token")
	fs.StringVar(&o.keyID, "okta-key-id", "", "the key's kid in the service app, when it has several")
	fs.DurationVar(&o.timeout, "okta-timeout", 20*time.Second, "how long each Okta request may take")
}

// client is the Okta reader the flags and the environment ask for.
func (o *oktaFlags) client(fs *flag.FlagSet) (*oktaread.Client, error) {
	if !o.registered {
		return nil, nil // a command that reads no Okta (aws-export)
	}
	if o.registeredSwitch && !o.from {
		return nil, strayFlag(fs, "okta-", lint.InputOkta, "--from-okta")
	}
	org := o.org
	if org == "" {
		org = os.Getenv("OKTA_ORG_URL")
	}
	if org == "" {
		return nil, usageErr("%s: no Okta org: give --okta-org https://ORG.okta.com or set OKTA_ORG_URL", o.said)
	}
	opts := oktaread.Options{Org: org, Token: os.Getenv("OKTA_API_TOKEN"), Timeout: o.timeout}
	if id := os.Getenv("OKTA_CLIENT_ID"); id != "" && o.key != "" {
		k, err := loadSigner(o.key)
		if err != nil {
			return nil, usageErr("--okta-key %s: %v", o.key, err)
		}
		opts.ClientID, opts.PrivateKey, opts.KeyID, opts.Token = id, k, o.keyID, ""
	} else if o.key != "" {
		return nil, usageErr("--okta-key needs OKTA_CLIENT_ID, the service app's client ID")
	}
	c, err := oktaread.New(opts)
	if err != nil {
		return nil, usageErr("%s: %v", o.said, err)
	}
	return c, nil
}

// loadSigner reads a PEM private key (PKCS #8, PKCS #1 or SEC 1).
func loadSigner(path string) (crypto.Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("no PEM block; expected the service app's private key, -----BEGIN PRIVATE KEY-----")
	}
	var key any
	if key, err = x509.ParsePKCS8PrivateKey(blk.Bytes); err != nil {
		if key, err = x509.ParsePKCS1PrivateKey(blk.Bytes); err != nil {
			if key, err = x509.ParseECPrivateKey(blk.Bytes); err != nil {
				return nil, errors.New("unreadable private key; expected an RSA or EC P-256 key in PEM")
			}
		}
	}
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, errors.New("not a signing key")
	}
	return s, nil
}

// oktaError is a read from Okta that failed: it ends the run.
type oktaError struct{ err error }

func (e *oktaError) Error() string { return e.err.Error() }
func (e *oktaError) Unwrap() error { return e.err }

// oktaResolver adds, per capture, what Okta holds for the app that issued
// it, after the next resolver's (the AWS account's) inputs.
type oktaResolver struct {
	c    *oktaread.Client
	app  string
	next lint.Resolver

	mu    sync.Mutex
	apps  map[string]string    // issuer → app ID
	base  map[string]*okta.Org // app ID → the app, its users and groups, keys, metadata
	cache map[string]*okta.Org // app ID and user → the view a capture gets
}

func (r *oktaResolver) Resolve(ctx context.Context, t lint.Target, in *lint.Inputs) (*lint.Inputs, error) {
	if r.next != nil {
		var err error
		if in, err = r.next.Resolve(ctx, t, in); err != nil {
			return nil, err
		}
	}
	if in.Okta() != nil {
		return in, nil // --okta-read given: it wins
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	app := r.app
	if app == "" {
		if !strings.HasPrefix(t.Issuer, oktaIssuer) {
			// Not Okta's response (another IdP's, or a CloudTrail record
			// that kept no Issuer): there is no Okta app to read for it.
			return in, nil
		}
		var ok bool
		if app, ok = r.apps[t.Issuer]; !ok {
			id, err := r.c.FindApp(ctx, t.Issuer)
			if err != nil {
				return nil, &oktaError{err}
			}
			r.apps[t.Issuer], app = id, id
		}
	}
	org, err := r.view(ctx, app, t.SessionName)
	if err != nil {
		return nil, &oktaError{err}
	}
	in = in.Clone()
	in.SetOkta(org)
	return in, nil
}

// view is what was read of the app, once for the run, with the one user
// the capture names and that user's groups: a batch of captures reads
// the app's users once, and each user's groups once.
func (r *oktaResolver) view(ctx context.Context, app, login string) (*okta.Org, error) {
	key := app + "\x00" + strings.ToLower(login)
	if v, ok := r.cache[key]; ok {
		return v, nil
	}
	base, ok := r.base[app]
	if !ok {
		var err error
		if base, err = r.c.Read(ctx, app, oktaread.ReadOptions{NoUserGroups: true}); err != nil {
			return nil, err
		}
		r.base[app] = base
	}
	v := *base
	v.Users = nil
	if u := base.User(login); u != nil {
		user := *u
		if oktaread.NeedsUserGroups(&base.App, len(base.Groups)) {
			groups, err := r.c.UserGroups(ctx, u.ID)
			if err != nil {
				return nil, err
			}
			user.Groups = groups
		}
		v.Users = []okta.User{user}
	}
	v.Index()
	r.cache[key] = &v
	return &v, nil
}

// oktaIssuer starts the Issuer of every Okta app, whatever the org's
// domain: http://www.okta.com/<the app's external key>.
const oktaIssuer = "http://www.okta.com/"

// withOkta wraps the run's resolver with the Okta reads --from-okta asks
// for.
func (o *oktaFlags) withOkta(fs *flag.FlagSet, next lint.Resolver) (lint.Resolver, error) {
	c, err := o.client(fs)
	if err != nil || c == nil {
		return next, err
	}
	return &oktaResolver{c: c, app: o.app, next: next, apps: map[string]string{}, base: map[string]*okta.Org{}, cache: map[string]*okta.Org{}}, nil
}

const preflightUsage = `usage: samllint preflight [--okta-app ID | --okta-read FILE] [--user LOGIN] [flags]

Predicts, from the Okta app's configuration, the sign-in into AWS of each
user assigned to it (or of --user), and lints it with the same rules as a
captured one: the Role values Okta's documented behaviour gives the user
(the Identity Provider ARN and SAML roles, or group mapping's Group Filter
and Role Value Pattern, with "Join all roles"), the session name and
duration, the ACS, the audience and the default RelayState. It prints the
users whose sign-in would fail and why, then the findings.

Okta is read live (the org from --okta-org or OKTA_ORG_URL; OKTA_API_TOKEN,
or OKTA_CLIENT_ID with --okta-key) or from what "samllint okta-export"
wrote (--okta-read FILE). Every value is predicted from configuration;
what samllint cannot predict (an Okta Expression Language statement) is
said, and the rules that need it are skipped. There is no signature: the
app's signing keys are compared with the metadata IAM holds (--metadata
with aws iam get-saml-provider output, or --from-aws). With --from-aws the
role's trust and permissions, the SCPs, the Connect instance and each
user's Connect account are read too. docs/okta.md says what is read.

Exit status: 0 no finding at or above --fail-on; 1 findings at or above
it; 2 could not run.`

func preflightCmd(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("preflight", preflightUsage, stdout, stderr)
	var flags lintFlags
	flags.inputs.register(fs)
	flags.clock.register(fs)
	flags.aws.register(fs, true)
	flags.okta.register(fs, false)
	// Reading Okta is what preflight does: --from-okta is accepted, as on
	// the other commands, and changes nothing.
	fs.Bool("from-okta", true, "read the Okta app live (implied; --okta-read FILE reads okta-export's file instead)")
	var users stringsFlag
	fs.Var(&users, "user", "only this user (the app username), repeatable")
	formatName := fs.String("format", "text", "output format: text, json, sarif or github")
	failOn := fs.String("fail-on", "error", "exit 1 when a finding is at or above: error, warning, info or none")
	redactOut := fs.Bool("redact", false, "mask names, e-mail addresses, account IDs and attribute values in the output")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := checkFormat(*formatName, "text", "json", "sarif", "github"); err != nil {
		return err
	}
	threshold, err := lint.ParseSeverity(*failOn)
	if err != nil {
		return usageErr("--fail-on: %v", err)
	}
	if fs.NArg() > 0 {
		return usageErr("preflight takes no capture (it predicts the sign-in); got %q: lint it with samllint --from-okta", fs.Arg(0))
	}
	opts, err := flags.clock.options()
	if err != nil {
		return err
	}
	if opts.Now.IsZero() {
		opts.Now = preflight.Time(opts.Wall)
	}
	in, err := flags.inputs.load(fs)
	if err != nil {
		return err
	}
	if r, err := flags.aws.reader(fs, stderr); err != nil {
		return err
	} else if r != nil {
		opts.Resolver = r
	}
	org := in.Okta()
	if org == nil {
		if flags.okta.app == "" {
			return usageErr("preflight needs the Okta app: --okta-app ID (read live), or --okta-read FILE (what samllint okta-export wrote)")
		}
		c, err := flags.okta.client(fs)
		if err != nil {
			return err
		}
		progress := progressTo(stderr, "reading Okta users")
		org, err = c.Read(context.Background(), flags.okta.app, oktaread.ReadOptions{User: single(users), Progress: progress})
		progressDone(stderr, progress)
		if err != nil {
			return &exitError{code: 2, err: fmt.Errorf("--from-okta: %w", err)}
		}
	}
	var red *redact.Redactor
	if *redactOut {
		red = redact.New()
	}
	buf := bufio.NewWriterSize(stdout, 64<<10)
	var out preflightWriter
	switch *formatName {
	case "text":
		out = newPreflightText(org, opts.Now, colorOK(stdout) && red == nil, red)
	case "json":
		out = newPreflightJSON(buf, org, opts.Now, red)
	default:
		out = newPreflightFormat(buf, *formatName, red != nil)
	}
	fails := false
	progress := progressTo(stderr, "predicting sign-ins")
	err = preflight.Stream(context.Background(), org, in, preflight.Options{Users: users, Lint: opts, Progress: progress},
		func(u *preflight.User) error {
			fails = fails || u.Result.Report.Fails(threshold)
			return out.user(u)
		})
	progressDone(stderr, progress)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if err := out.finish(buf); err != nil {
		return err
	}
	if err := buf.Flush(); err != nil {
		return err
	}
	if fails {
		return &exitError{code: 1}
	}
	return nil
}

func single(users []string) string {
	if len(users) == 1 {
		return users[0]
	}
	return ""
}

// progressTo is a progress line on stderr when it is a terminal, else nil.
func progressTo(stderr io.Writer, what string) func(done, total int) {
	if !isTerminalWriter(stderr) {
		return nil
	}
	return func(done, total int) {
		const width = 30
		n := width
		if total > 0 {
			n = done * width / total
		}
		fmt.Fprintf(stderr, "\r%s [%s%s] %d/%d", what, strings.Repeat("#", n), strings.Repeat(" ", width-n), done, total)
	}
}

func progressDone(stderr io.Writer, p func(int, int)) {
	if p != nil {
		fmt.Fprint(stderr, "\r\033[K")
	}
}

const oktaExportUsage = `usage: samllint okta-export --out DIR --okta-app ID [--user LOGIN] [flags]

Reads from the Okta org what --from-okta and preflight read for the app
(its settings, user and group assignments with each user's groups, its
signing keys and metadata) and writes it into DIR as okta-<app ID>.json,
with the metadata beside it as okta-<app ID>-metadata.xml. Lint offline
with it: samllint preflight --okta-read DIR/okta-<app ID>.json, or
samllint --okta-read DIR/okta-<app ID>.json CAPTURE; the findings are the
live run's. The API token and the AWS keys of the app's API integration
are never written.`

func oktaExportCmd(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("okta-export", oktaExportUsage, stdout, stderr)
	var flags oktaFlags
	flags.register(fs, false)
	out := fs.String("out", "", "directory to write into (created if missing)")
	user := fs.String("user", "", "only this user (the app username)")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *out == "":
		return usageErr("okta-export needs --out DIR")
	case flags.app == "":
		return usageErr("okta-export needs --okta-app ID")
	case fs.NArg() > 0:
		return usageErr("okta-export takes no input; got %q", fs.Arg(0))
	}
	c, err := flags.client(fs)
	if err != nil {
		return err
	}
	progress := progressTo(stderr, "reading Okta users")
	org, err := c.Read(context.Background(), flags.app, oktaread.ReadOptions{User: *user, Progress: progress})
	progressDone(stderr, progress)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("okta-export: %w", err)}
	}
	b, err := org.Marshal()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return usageErr("--out: %v", err)
	}
	name := filepath.Join(*out, "okta-"+safeName(org.App.ID)+".json")
	if err := os.WriteFile(name, b, 0o644); err != nil {
		return usageErr("--out: %v", err)
	}
	md := filepath.Join(*out, "okta-"+safeName(org.App.ID)+"-metadata.xml")
	if err := os.WriteFile(md, []byte(org.Metadata), 0o644); err != nil {
		return usageErr("--out: %v", err)
	}
	sayf(stdout, "wrote %s (%d %s, %d %s, %d signing %s) and %s\n", name, len(org.Users), plural(len(org.Users), "user", "users"),
		len(org.Groups), plural(len(org.Groups), "group", "groups"), len(org.Keys), plural(len(org.Keys), "key", "keys"), md)
	sayf(stdout, "lint offline with: samllint preflight --okta-read %s\n", shellJoin([]string{name}))
	return nil
}

// safeName keeps an app ID a file name.
func safeName(id string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 || r == '\n' {
			return '_'
		}
		return r
	}, id)
}
