package lint

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/samllint/samllint/internal/base/policy"
	"github.com/samllint/samllint/saml"
)

// Target is what one capture's sign-in touches in AWS: the Role pair the
// pipeline picks (see the aws/role-mismatch rule) and the Connect instance
// its RelayState names. A Resolver reads these, and only these.
type Target struct {
	Partition   string `json:"partition,omitempty"`
	Account     string `json:"account,omitempty"` // the role's account
	RoleARN     string `json:"role_arn,omitempty"`
	ProviderARN string `json:"provider_arn,omitempty"`
	// Region and Instance are the Connect instance's, "" without one.
	Region   string `json:"region,omitempty"`
	Instance string `json:"instance,omitempty"`
	// SessionName is the RoleSessionName: the Connect user's name.
	SessionName string `json:"session_name,omitempty"`
	// Pairs are every Role pair of the capture, in order: a Resolver may
	// read another than the one picked, such as the pair in the
	// account of its credentials, when the account is not pinned.
	Pairs         []Pair `json:"pairs,omitempty"`
	AccountPinned bool   `json:"account_pinned,omitempty"`
	// Issuer is the response's Issuer, the IdP's entity ID, by which
	// Okta's app is found (--from-okta). It is no part of the AWS target's
	// key.
	Issuer string `json:"-"`
}

// Pair is one Role attribute value's role and provider.
type Pair struct {
	RoleARN     string `json:"role_arn"`
	ProviderARN string `json:"provider_arn"`
	Account     string `json:"account"` // the role's
}

// Key is the target as a map key: equal targets have equal keys.
func (t Target) Key() string {
	b, _ := json.Marshal(t) // strings, a bool and a slice of strings: it cannot fail
	return string(b)
}

// TargetOf is the target of one parsed message, given the inputs already
// loaded (an exported role or trust policy steers which Role pair is
// picked, as in the rules).
func TargetOf(m *saml.Message, in *Inputs) Target {
	c := newFacts(m, in, Clock{})
	t := Target{Partition: c.partition, Account: c.account, Region: c.region, Instance: c.instance}
	if parseRoleARN(c.roleARN) != nil {
		t.RoleARN = c.roleARN
	}
	if parseProviderARN(c.providerARN) != nil {
		t.ProviderARN = c.providerARN
	}
	if !c.connect {
		t.Region, t.Instance = "", ""
	}
	if c.assertion != nil {
		if at := c.assertion.Attribute(AttrRoleSessionName); at != nil && len(at.Values) > 0 {
			t.SessionName = at.Values[0].Value
		}
	}
	for _, p := range c.roles {
		if r, pr, ok := p.Pair(); ok {
			t.Pairs = append(t.Pairs, Pair{RoleARN: r.Raw, ProviderARN: pr.Raw, Account: r.Account})
		}
	}
	t.AccountPinned = c.expect.Account != ""
	t.Issuer = c.issuer()
	return t
}

// A Resolver supplies, per capture, the inputs the user did not give as
// files: the awsread package reads them from the AWS account. It returns
// the inputs to lint that capture with: in itself, or a Clone with more
// added. It must not change in, which other captures share. An error
// stops the run (no credentials at all); a read that fails is an input
// left out, with the reason recorded (AWSRead.Unread), never an error.
type Resolver interface {
	Resolve(ctx context.Context, t Target, in *Inputs) (*Inputs, error)
}

// AWSRead is what was read from the AWS account beyond what the aws CLI
// outputs the other inputs take carry: whose credentials read it, what
// does not exist, the SCPs level by level, the Connect instance, the user
// search, the policy simulator's answer, and what could not be read.
// samllint aws-export writes it as aws-read.json.
type AWSRead struct {
	// CallerAccount is the account of the credentials that read.
	CallerAccount string `json:"caller_account,omitempty"`
	// Missing are resources AWS answered do not exist.
	Missing []Missing `json:"missing,omitempty"`
	// SCP is the organization's SCPs that apply to the role's account,
	// every level read; nil when they were not read.
	SCP *SCPRead `json:"scp,omitempty"`
	// Instance is the Connect instance, from DescribeInstance.
	Instance *ConnectInstance `json:"connect_instance,omitempty"`
	// UserSearch is the SearchUsers lookup of the RoleSessionName.
	UserSearch *UserSearch `json:"connect_user_search,omitempty"`
	// Simulation is IAM's policy simulator's verdict on
	// connect:GetFederationToken, when it was allowed to answer.
	Simulation *Simulation `json:"simulation,omitempty"`
	// Unread says, per input, why it could not be read.
	Unread []Unread `json:"unread,omitempty"`
}

// Missing is a resource AWS says does not exist.
type Missing struct {
	// Kind is "saml-provider", "role" or "connect-instance".
	Kind string `json:"kind"`
	ARN  string `json:"arn"`
	// Message is AWS's own text.
	Message string `json:"message,omitempty"`
}

// SCPRead is the SCPs that apply to an account, level by level.
type SCPRead struct {
	// Exempt says why no SCP applies, when none does: the account is the
	// organization's management account, or in no organization.
	Exempt string `json:"exempt,omitempty"`
	// Levels are the root, each OU down to the account, and the account.
	Levels []SCPLevel `json:"levels,omitempty"`
}

// SCPLevel is one target and the SCPs attached to it.
type SCPLevel struct {
	ID       string      `json:"id"`   // r-…, ou-…, or the account ID
	Type     string      `json:"type"` // ROOT, ORGANIZATIONAL_UNIT or ACCOUNT
	Name     string      `json:"name,omitempty"`
	Policies []SCPPolicy `json:"policies"`
}

// SCPPolicy is one SCP: describe-policy's PolicySummary and Content.
type SCPPolicy struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Content string `json:"content"`
}

// ConnectInstance is what DescribeInstance says about the instance.
type ConnectInstance struct {
	ID                     string `json:"id"`
	Region                 string `json:"region"`
	Alias                  string `json:"alias,omitempty"`
	IdentityManagementType string `json:"identity_management_type"`
}

// UserSearch is a SearchUsers lookup of one exact user name.
type UserSearch struct {
	Username string   `json:"username"`
	Found    []string `json:"found"`
}

// Simulation is iam:SimulatePrincipalPolicy's answer for one action.
type Simulation struct {
	Action   string `json:"action"`
	Resource string `json:"resource"`
	// UserID is the aws:userid the resource was built with.
	UserID string `json:"user_id"`
	// Decision is "allowed", "explicitDeny" or "implicitDeny".
	Decision string `json:"decision"`
}

// Unread is an input that could not be read from the account, and why:
// "needs iam:GetRole on arn:aws:iam::…:role/… (AccessDenied)".
type Unread struct {
	Input  Input  `json:"input"`
	Reason string `json:"reason"`
}

func parseAWSRead(data []byte) (*AWSRead, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r AWSRead
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("unreadable aws-read.json (%v); expected the file samllint aws-export writes", err)
	}
	return &r, nil
}

// scpLevel is an SCP level with its documents parsed, once per read.
type scpLevel struct {
	SCPLevel
	docs  []*policy.Document
	names []string // "FullAWSAccess (p-FullAWSAccess)"
}

// SetAWSRead adds what was read from the account. The SCP levels'
// documents must be valid policies.
func (in *Inputs) SetAWSRead(r *AWSRead) error {
	var levels []scpLevel
	if r.SCP != nil {
		for _, l := range r.SCP.Levels {
			lv := scpLevel{SCPLevel: l}
			for _, p := range l.Policies {
				d, err := scpDoc(p)
				if err != nil {
					return err
				}
				lv.docs = append(lv.docs, d)
				lv.names = append(lv.names, p.Name+" ("+p.ID+")")
			}
			levels = append(levels, lv)
		}
	}
	in.aws, in.scpLevels = r, levels
	if r.UserSearch != nil {
		in.users = append([]string{}, r.UserSearch.Found...)
	}
	return nil
}

// AWSRead is what was read from the account, or nil.
func (in *Inputs) AWSRead() *AWSRead {
	if in == nil {
		return nil
	}
	return in.aws
}

func scpDoc(p SCPPolicy) (*policy.Document, error) {
	f, err := policy.Load([]byte(p.Content), "SCP "+p.Name+" ("+p.ID+")")
	if err != nil {
		return nil, err
	}
	if len(f.Permissions) == 0 {
		return nil, errors.New("SCP " + p.ID + " holds no permissions policy")
	}
	return f.Permissions[0], nil
}

// Clone returns a copy of the inputs that can be added to without
// changing in.
func (in *Inputs) Clone() *Inputs {
	if in == nil {
		return &Inputs{}
	}
	out := *in
	out.keys = slices.Clip(in.keys)
	out.permissions = slices.Clip(in.permissions)
	out.scps = slices.Clip(in.scps)
	out.users = slices.Clip(in.users)
	if in.aws != nil {
		a := *in.aws
		a.Unread = slices.Clip(a.Unread)
		a.Missing = slices.Clip(a.Missing)
		out.aws = &a
	}
	return &out
}

// unread joins the reasons the account read gave for these inputs, or "".
func (in *Inputs) unread(kinds ...Input) string {
	if in == nil || in.aws == nil {
		return ""
	}
	var out []string
	for _, u := range in.aws.Unread {
		if slices.Contains(kinds, u.Input) && !slices.Contains(out, u.Reason) {
			out = append(out, u.Reason)
		}
	}
	return strings.Join(out, "; ")
}

// missing is the resource of this kind AWS said does not exist, or nil.
func (in *Inputs) missing(kind string) *Missing {
	if in == nil || in.aws == nil {
		return nil
	}
	for i := range in.aws.Missing {
		if in.aws.Missing[i].Kind == kind {
			return &in.aws.Missing[i]
		}
	}
	return nil
}
