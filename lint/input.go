package lint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/samllint/samllint/internal/base/policy"
	"github.com/samllint/samllint/okta"
	"github.com/samllint/samllint/saml"
)

// Input is a kind of thing a user can give beside the capture. Rules
// declare the inputs they need; front ends render each as what they call
// it (the CLI as a flag, the page as a field), from the same value.
type Input int

const (
	// InputMetadata is the IdP metadata uploaded to the IAM SAML provider,
	// "aws iam get-saml-provider" output, or PEM certificates, which serve
	// the same rules (as InputCertificate).
	InputMetadata Input = iota + 1
	InputCertificate
	// InputKey is the private key that decrypts EncryptedAssertions.
	InputKey
	InputRelayState
	InputTrustPolicy
	InputPermissionsPolicy
	// InputSCP is an AWS Organizations service control policy.
	InputSCP
	InputPermissionsBoundary
	InputConnectUsers
	// InputConnectInstance is the Connect instance ID, when no RelayState
	// names it.
	InputConnectInstance
	InputConfig
	// InputTime is the evaluation time, when the capture gives none.
	InputTime
	// InputAWS asks for the AWS rules on a capture that shows no sign of AWS.
	InputAWS
	// InputAWSRead is what --from-aws read from the account that no aws
	// CLI output carries (see AWSRead); samllint aws-export writes it.
	InputAWSRead
	// InputOkta is what --from-okta read from the Okta org (okta.Org);
	// samllint okta-export writes it.
	InputOkta
)

type inputInfo struct {
	flag, arg string // CLI flag and its argument
	field     string // the page's field
	what      string // what it is, for a person
	how       string // how to export it, when it comes from AWS
	file      bool   // read from a file
	many      bool   // may be given several times
	give      string // what a skipped check asks for, when not the flag itself
}

var inputInfos = map[Input]inputInfo{
	InputMetadata: {flag: "metadata", arg: "FILE", field: "IdP metadata or certificate", file: true, many: true,
		what: "the IdP metadata uploaded to the IAM SAML provider", how: "aws iam get-saml-provider --saml-provider-arn ARN > provider.json"},
	InputCertificate: {flag: "cert", arg: "FILE", field: "IdP metadata or certificate", file: true, many: true,
		what: "the IdP's signing certificate (PEM)"},
	InputKey: {flag: "key", arg: "FILE", field: "decryption key", file: true, many: true,
		what: "the private key that decrypts the EncryptedAssertion (PEM)"},
	InputRelayState: {flag: "relay-state", arg: "URL", field: "RelayState",
		what: "the RelayState sent beside the SAMLResponse"},
	InputTrustPolicy: {flag: "trust-policy", arg: "FILE", field: "trust policy", file: true,
		what: "the role's trust policy", how: "aws iam get-role --role-name ROLE > role.json"},
	InputPermissionsPolicy: {flag: "permissions-policy", arg: "FILE", field: "permissions policy", file: true, many: true,
		what: "a permissions policy of the role", how: "aws iam get-role-policy / aws iam get-policy-version"},
	InputSCP: {flag: "scp", arg: "FILE", field: "service control policies", file: true, many: true,
		what: "a service control policy of the account's organization", how: "aws organizations describe-policy --policy-id ID > scp.json"},
	InputPermissionsBoundary: {flag: "permissions-boundary", arg: "FILE", field: "permissions boundary", file: true,
		what: "the role's permissions boundary", how: "aws iam get-policy-version --policy-arn ARN --version-id v1 > boundary.json"},
	InputConnectUsers: {flag: "connect-users", arg: "FILE", field: "Connect users", file: true,
		what: "the Amazon Connect instance's users", how: "aws connect list-users --instance-id ID > users.json"},
	InputConnectInstance: {flag: "connect-instance", arg: "ID", field: "RelayState",
		what: "the Amazon Connect instance ID"},
	InputConfig: {flag: "config", arg: "FILE", field: "config", file: true,
		what: "a samllint config (.samllint.yaml)"},
	InputTime: {flag: "now", arg: "TIME", field: "evaluation time",
		what: "the time the response was posted (RFC 3339)"},
	InputAWS: {flag: "aws", field: "check the AWS rules anyway",
		what: "that the capture is meant for AWS"},
	// No page field: the page reads no account. A skipped check asks for
	// --from-aws; --aws-read replays what aws-export wrote.
	InputAWSRead: {flag: "aws-read", arg: "FILE", file: true, give: "--from-aws",
		what: "what samllint read from the AWS account (--from-aws)",
		how:  "samllint --from-aws, or samllint aws-export --out DIR CAPTURE"},
	InputOkta: {flag: "okta-read", arg: "FILE", file: true, give: "--from-okta",
		what: "what samllint read from the Okta org (--from-okta)",
		how:  "samllint --from-okta, or samllint okta-export --out DIR"},
}

// UnmarshalText reads an input from its flag name.
func (i *Input) UnmarshalText(b []byte) error {
	for k, v := range inputInfos {
		if v.flag == string(b) {
			*i = k
			return nil
		}
	}
	return fmt.Errorf("unknown input %q", b)
}

// MarshalText writes the input as its flag name, in JSON.
func (i Input) MarshalText() ([]byte, error) { return []byte(i.Flag()), nil }

// Flag is the command-line flag that gives the input, without dashes.
func (i Input) Flag() string { return inputInfos[i].flag }

// Arg names the flag's argument: FILE, URL, ID, TIME; "" for a switch.
func (i Input) Arg() string { return inputInfos[i].arg }

// Give is how a skipped check asks for the input on the command line:
// "--trust-policy FILE", or "--from-aws" for what is read from the account.
func (i Input) Give() string {
	info := inputInfos[i]
	switch {
	case info.give != "":
		return info.give
	case info.arg != "":
		return "--" + info.flag + " " + info.arg
	}
	return "--" + info.flag
}

// Field is what the page calls the input.
func (i Input) Field() string { return inputInfos[i].field }

// String says what the input is.
func (i Input) String() string { return inputInfos[i].what }

// Hint is how to export the input from AWS, or "".
func (i Input) Hint() string { return inputInfos[i].how }

// Repeatable reports whether several files of this kind may be given.
func (i Input) Repeatable() bool { return inputInfos[i].many }

// IsFile reports whether the input is read from a file.
func (i Input) IsFile() bool { return inputInfos[i].file }

// FileInputs lists the inputs read from files, in the order the loader
// reads them.
func FileInputs() []Input {
	return []Input{InputMetadata, InputCertificate, InputKey, InputTrustPolicy, InputPermissionsPolicy,
		InputSCP, InputPermissionsBoundary, InputConnectUsers, InputAWSRead, InputOkta, InputConfig}
}

// Expect holds values the user pins; rules compare the capture with them.
type Expect struct {
	Recipient       string `json:"recipient,omitempty" yaml:"recipient"`
	Audience        string `json:"audience,omitempty" yaml:"audience"`
	Issuer          string `json:"issuer,omitempty" yaml:"issuer"`
	Account         string `json:"account,omitempty" yaml:"account"`
	Region          string `json:"region,omitempty" yaml:"region"`
	ConnectInstance string `json:"connect_instance,omitempty" yaml:"connect_instance"`
}

// or fills e's empty fields from o.
func (e Expect) or(o Expect) Expect {
	pick := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	return Expect{pick(e.Recipient, o.Recipient), pick(e.Audience, o.Audience), pick(e.Issuer, o.Issuer),
		pick(e.Account, o.Account), pick(e.Region, o.Region), pick(e.ConnectInstance, o.ConnectInstance)}
}

// Provider is what "aws iam get-saml-provider" says about the IAM SAML
// provider beyond its metadata.
type Provider struct {
	Source string
	// UUID is SAMLProviderUUID, the last part of the provider-specific
	// endpoint https://signin.aws.amazon.com/saml/acs/<UUID>.
	UUID string
	// EncryptionMode is AssertionEncryptionMode: "Required", "Allowed" or "".
	EncryptionMode string
	// PrivateKeys is how many decryption keys IAM holds.
	PrivateKeys int
	// ValidUntil is the provider's expiration date, as IAM gives it.
	ValidUntil time.Time
}

func (in *Inputs) scpDocs() []*policy.Document {
	if in == nil {
		return nil
	}
	return in.scps
}

func (in *Inputs) boundaryDoc() *policy.Document {
	if in == nil {
		return nil
	}
	return in.boundary
}

// Provider is the IAM SAML provider's settings from get-saml-provider
// output given as metadata, or nil.
func (in *Inputs) Provider() *Provider {
	if in == nil {
		return nil
	}
	return in.provider
}

// Inputs are everything a user gives beside the capture, loaded. The zero
// value (or nil) is no input at all. Add and Load fill it; a front end
// builds one per run and every capture of the run shares it.
type Inputs struct {
	// RelayState overrides the RelayState found beside the message.
	RelayState *string
	// Expect pins values; they win over the config's.
	Expect Expect
	// AWS runs the AWS rules even on a capture that shows no sign of AWS.
	AWS bool

	anchors     *saml.Anchors // the IdP's: metadata XML and certificates
	iam         *saml.Anchors // the metadata IAM holds (get-saml-provider)
	keys        []any
	provider    *Provider
	trust       *policy.Document
	role        *policy.Role
	permissions []*policy.Document
	scps        []*policy.Document
	boundary    *policy.Document
	users       []string
	config      *Config
	aws         *AWSRead
	okta        *okta.Org
	scpLevels   []scpLevel // aws.SCP.Levels, parsed
}

// InputError says which input could not be loaded and why.
type InputError struct {
	Input Input
	Name  string
	Err   error
}

func (e *InputError) Error() string {
	if e.Name == "" {
		return e.Err.Error()
	}
	return e.Name + ": " + e.Err.Error()
}

func (e *InputError) Unwrap() error { return e.Err }

// ErrWrongPolicy is wrapped when a file holds a policy of another kind
// than the input asked for (a permissions policy given as trust policy).
var ErrWrongPolicy = errors.New("wrong kind of policy")

// Add loads one input from its content; name labels it in findings.
// Metadata may be XML or "aws iam get-saml-provider" output; a policy may
// be bare JSON, the output of aws iam get-role, get-role-policy or
// get-policy-version, or aws organizations describe-policy, a
// CloudFormation template or Terraform JSON.
func (in *Inputs) Add(kind Input, name string, data []byte) error {
	if err := in.add(kind, name, data); err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			return err
		}
		return &InputError{Input: kind, Name: name, Err: err}
	}
	return nil
}

func (in *Inputs) add(kind Input, name string, data []byte) error {
	switch kind {
	case InputMetadata:
		md, prov, err := loadMetadata(data, name)
		if err != nil {
			return err
		}
		if prov == nil {
			in.anchors = merge(in.anchors, md)
			break
		}
		// IAM's copy is what STS checks the signature against; the IdP's
		// own metadata, when given too, is compared with it.
		in.iam = merge(in.iam, md)
		in.provider = prov
	case InputCertificate:
		a, err := saml.LoadCertificates(data, name)
		if err != nil {
			return err
		}
		in.anchors = merge(in.anchors, a)
	case InputKey:
		k, err := saml.LoadPrivateKeys(data)
		if err != nil {
			return err
		}
		in.keys = append(in.keys, k...)
	case InputTrustPolicy:
		f, err := policy.Load(data, name)
		if err != nil {
			return err
		}
		if f.Trust == nil {
			return fmt.Errorf("it holds a permissions policy (no Principal); expected the role's trust policy: %w", ErrWrongPolicy)
		}
		in.trust, in.role = f.Trust, f.Role
		in.permissions = append(in.permissions, f.Permissions...)
	case InputPermissionsPolicy, InputSCP, InputPermissionsBoundary:
		f, err := policy.Load(data, name)
		if err != nil {
			return err
		}
		if len(f.Permissions) == 0 {
			return fmt.Errorf("it holds a trust policy; expected %s: %w", kind, ErrWrongPolicy)
		}
		switch kind {
		case InputPermissionsPolicy:
			in.permissions = append(in.permissions, f.Permissions...)
		case InputSCP:
			in.scps = append(in.scps, f.Permissions...)
		default:
			in.boundary = f.Permissions[0]
		}
	case InputConnectUsers:
		users, err := parseConnectUsers(data)
		if err != nil {
			return err
		}
		in.users = users
	case InputAWSRead:
		r, err := parseAWSRead(data)
		if err != nil {
			return err
		}
		return in.SetAWSRead(r)
	case InputOkta:
		o, err := okta.Parse(data)
		if err != nil {
			return err
		}
		in.okta = o
	case InputConfig:
		c, err := ParseConfig(data, name)
		if err != nil {
			return err
		}
		in.config = c
	default:
		return fmt.Errorf("%s is not read from a file", kind)
	}
	return nil
}

// merge returns a new set holding a's anchors and b's: a may be shared
// with a clone of the inputs.
func merge(a, b *saml.Anchors) *saml.Anchors {
	out := &saml.Anchors{}
	out.Add(a)
	out.Add(b)
	return out
}

// Load reads the input from path in fsys and adds it.
func (in *Inputs) Load(fsys fs.FS, kind Input, path string) error {
	b, err := fs.ReadFile(fsys, path)
	if err != nil {
		return &InputError{Input: kind, Name: path, Err: err}
	}
	return in.Add(kind, path, b)
}

// Has reports whether an input of this kind was given.
func (in *Inputs) Has(kind Input) bool {
	if in == nil {
		return false
	}
	switch kind {
	case InputMetadata, InputCertificate:
		return !in.anchors.Empty() || !in.iam.Empty()
	case InputKey:
		return len(in.keys) > 0
	case InputRelayState:
		return in.RelayState != nil
	case InputTrustPolicy:
		return in.trust != nil
	case InputPermissionsPolicy:
		return len(in.permissions) > 0
	case InputSCP:
		return len(in.scps) > 0
	case InputPermissionsBoundary:
		return in.boundary != nil
	case InputConnectUsers:
		return in.users != nil
	case InputConnectInstance:
		return in.expect().ConnectInstance != ""
	case InputConfig:
		return in.config != nil
	case InputAWS:
		return in.AWS
	case InputAWSRead:
		return in.aws != nil
	case InputOkta:
		return in.okta != nil
	}
	return false
}

// Anchors are the trust anchors signatures are checked against: the
// metadata IAM holds when given (get-saml-provider output, or read with
// --from-aws), since STS checks against that copy; else the metadata and
// certificates given; nil when none.
func (in *Inputs) Anchors() *saml.Anchors {
	switch {
	case in == nil:
		return nil
	case !in.iam.Empty():
		return in.iam
	case !in.anchors.Empty():
		return in.anchors
	}
	return nil
}

// idpAnchors are the IdP's own metadata and certificates when IAM's copy
// is given too, for comparing the two; else nil.
func (in *Inputs) idpAnchors() *saml.Anchors {
	if in == nil || in.iam.Empty() || in.anchors.Empty() {
		return nil
	}
	return in.anchors
}

// fromIAM reports whether the trust anchors are IAM's copy.
func (in *Inputs) fromIAM() bool { return in != nil && !in.iam.Empty() }

// Keys are the decryption keys given.
func (in *Inputs) Keys() []any {
	if in == nil {
		return nil
	}
	return in.keys
}

// Config is the config given, or nil.
func (in *Inputs) Config() *Config {
	if in == nil {
		return nil
	}
	return in.config
}

// SetConfig uses c as the run's config.
func (in *Inputs) SetConfig(c *Config) { in.config = c }

// SetConnectUsers sets the Connect instance's user names directly.
func (in *Inputs) SetConnectUsers(users []string) {
	in.users = append([]string{}, users...)
}

// expect merges the pins given with the config's.
func (in *Inputs) expect() Expect {
	if in == nil {
		return Expect{}
	}
	e := in.Expect
	if in.config != nil {
		e = e.or(in.config.Expect)
	}
	return e
}

// loadMetadata reads IdP metadata XML, or get-saml-provider output with
// the metadata inside.
func loadMetadata(data []byte, name string) (*saml.Anchors, *Provider, error) {
	t := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if bytes.Contains(t, []byte("-----BEGIN CERTIFICATE")) {
		// A certificate given where metadata is asked for serves the same
		// rules; the page has one field for both.
		a, err := saml.LoadCertificates(data, name)
		return a, nil, err
	}
	if !bytes.HasPrefix(t, []byte("{")) {
		a, err := saml.LoadMetadata(data, name)
		return a, nil, err
	}
	var out struct {
		SAMLMetadataDocument    *string
		SAMLProviderUUID        string
		AssertionEncryptionMode string
		PrivateKeyList          []json.RawMessage
		ValidUntil              string
	}
	if err := json.Unmarshal(t, &out); err != nil {
		return nil, nil, fmt.Errorf("unreadable JSON (%v); expected IdP metadata XML or aws iam get-saml-provider output", err)
	}
	if out.SAMLMetadataDocument == nil {
		return nil, nil, errors.New("JSON without SAMLMetadataDocument; expected IdP metadata XML or aws iam get-saml-provider output")
	}
	a, err := saml.LoadMetadata([]byte(*out.SAMLMetadataDocument), name+" (SAMLMetadataDocument, as IAM holds it)")
	if err != nil {
		return nil, nil, err
	}
	prov := &Provider{Source: name, UUID: out.SAMLProviderUUID, EncryptionMode: out.AssertionEncryptionMode, PrivateKeys: len(out.PrivateKeyList)}
	if out.ValidUntil != "" {
		// The CLI prints "2027-01-01T00:00:00+00:00", or with fractions.
		t, err := time.Parse(time.RFC3339Nano, out.ValidUntil)
		if err != nil {
			return nil, nil, fmt.Errorf("ValidUntil %q: expected an ISO 8601 time as aws iam get-saml-provider prints it", out.ValidUntil)
		}
		prov.ValidUntil = t.UTC()
	}
	return a, prov, nil
}

// parseConnectUsers reads "aws connect list-users" (UserSummaryList) or
// "aws connect describe-user" (User) output.
func parseConnectUsers(data []byte) ([]string, error) {
	var doc struct {
		UserSummaryList []struct{ Username string } `json:"UserSummaryList"`
		User            *struct{ Username string }  `json:"User"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("malformed JSON at byte %d: %w", se.Offset, err)
		}
		return nil, fmt.Errorf("unreadable JSON: %w", err)
	}
	names := []string{}
	for _, u := range doc.UserSummaryList {
		names = append(names, u.Username)
	}
	if doc.User != nil {
		names = append(names, doc.User.Username)
	}
	if doc.UserSummaryList == nil && doc.User == nil {
		return nil, errors.New("no UserSummaryList or User; expected the output of aws connect list-users or describe-user")
	}
	return names, nil
}
