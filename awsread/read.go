package awsread

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/samllint/samllint/internal/base/textcut"
	"github.com/samllint/samllint/lint"
)

// Actions are every API action samllint may call, as IAM names them:
// docs/aws-read-policy.json allows exactly these, and TestAWSPolicy
// checks both against the calls in this package's source.
var Actions = []string{
	"sts:GetCallerIdentity",
	"iam:GetSAMLProvider",
	"iam:GetRole",
	"iam:ListAttachedRolePolicies",
	"iam:GetPolicy",
	"iam:GetPolicyVersion",
	"iam:ListRolePolicies",
	"iam:GetRolePolicy",
	"iam:SimulatePrincipalPolicy",
	"organizations:DescribeOrganization",
	"organizations:ListRoots",
	"organizations:ListParents",
	"organizations:ListPoliciesForTarget",
	"organizations:DescribePolicy",
	"connect:DescribeInstance",
	"connect:SearchUsers",
	"cloudtrail:LookupEvents",
}

const (
	iamVersion = "2010-05-08"
	orgTarget  = "AWSOrganizationsV20161128"
)

// session is one target's read.
type session struct {
	r         *Reader
	ctx       context.Context // the whole read's bound (--aws-timeout)
	rd        *Read
	partition string
	region    string

	role   *roleInfo
	permOK bool // every permissions policy was read
}

// perCall is the share of the read's time one call may take: a call that
// stalls costs only its own checks, and the rest still have time.
func (s *session) perCall() time.Duration { return s.r.opts.Timeout / 3 }

// errNotSent is a call the read's time ran out before.
var errNotSent = errors.New("not sent")

// call makes one API call within its bound, and records it.
func (s *session) call(action, resource string, f func(context.Context) error) error {
	if s.ctx.Err() != nil {
		s.rd.Calls = append(s.rd.Calls, Call{Action: action, Resource: resource, Err: "not sent"})
		return errNotSent
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.perCall())
	defer cancel()
	err := f(ctx)
	if err != nil && ctx.Err() != nil && s.ctx.Err() == nil {
		err = fmt.Errorf("%w (the call's bound, a third of --aws-timeout)", context.DeadlineExceeded)
	}
	s.rd.Calls = append(s.rd.Calls, Call{Action: action, Resource: resource, Err: code(err)})
	return err
}

func code(err error) string {
	var ae *APIError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ae):
		return ae.Code
	case errors.Is(err, errNotSent):
		return "not sent"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	return "error"
}

// why says why a call failed, for a person, in a sentence: what it
// needs, on what, or why it got no answer.
func (s *session) why(action, resource string, err error) string {
	on := ""
	if resource != "" && resource != "*" {
		on = " on " + resource
	}
	var ae *APIError
	var ne *NetError
	switch {
	case errors.Is(err, errNotSent):
		return action + on + " was not sent: the read's time (--aws-timeout " + s.r.opts.Timeout.String() + ") ran out before it"
	case errors.As(err, &ae) && isDenied(ae.Code):
		return "needs " + action + on + " (" + ae.Code + ")"
	case errors.Is(err, context.DeadlineExceeded):
		return action + on + " did not answer within " + s.perCall().String() + ", a third of --aws-timeout " + s.r.opts.Timeout.String()
	case errors.As(err, &ne):
		return action + on + " got no answer: " + ne.Error()
	case errors.As(err, &ae):
		return action + on + " failed: " + ae.Code + ": " + sentence(ae.Message)
	}
	return action + on + " failed: " + sentence(err.Error())
}

func isDenied(code string) bool {
	switch code {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation":
		return true
	}
	return false
}

func isCode(err error, codes ...string) (string, bool) {
	var ae *APIError
	if errors.As(err, &ae) && slices.Contains(codes, ae.Code) {
		return ae.Message, true
	}
	return "", false
}

// sentence is AWS's message on one line, whole when it is of a sane
// length, else cut at a word.
func sentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= 400 {
		return s
	}
	cut := textcut.Bytes(s, 400)
	if i := strings.LastIndexByte(cut, ' '); i > 200 {
		cut = cut[:i]
	}
	return cut + "…"
}

// clip is sentence, for a message inside another.
func clip(s string) string { return sentence(s) }

func (s *session) unread(kind lint.Input, reason string) {
	s.rd.AWS.Unread = append(s.rd.AWS.Unread, lint.Unread{Input: kind, Reason: reason})
}

func (s *session) file(name string, kind lint.Input, label string, v any) {
	b, _ := json.MarshalIndent(v, "", "    ") // maps, strings and numbers: it cannot fail
	s.rd.Files = append(s.rd.Files, File{Name: name, Input: kind, Label: label, Data: append(b, '\n')})
}

// accountKinds are the inputs read from the role's account.
var accountKinds = []lint.Input{lint.InputMetadata, lint.InputTrustPolicy, lint.InputPermissionsPolicy,
	lint.InputPermissionsBoundary, lint.InputSCP, lint.InputConnectInstance, lint.InputConnectUsers}

func (s *session) read(inAccount bool) {
	t := s.rd.Target
	if !inAccount {
		for _, k := range accountKinds {
			s.unread(k, "the AWS credentials are for account "+s.rd.AWS.CallerAccount+", not the role's account "+t.Account)
		}
		return
	}
	if t.ProviderARN != "" {
		s.provider(t.ProviderARN)
	}
	if t.RoleARN != "" {
		s.readRole(t.RoleARN)
	}
	if t.Instance != "" && t.Region != "" {
		if t.Account != "" {
			s.readSCPs(t.Account)
		}
		s.instance(t)
		if s.role != nil && s.permOK {
			s.simulate(t)
		}
	}
}

// cliTime is a time as the aws CLI prints it.
func cliTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05+00:00")
}

// member is a Query protocol list: <member>…</member> items.
type member[T any] struct {
	Items []T `xml:"member"`
}

func (s *session) provider(arn string) {
	type providerOut struct {
		SAMLMetadataDocument    string
		SAMLProviderUUID        string
		CreateDate, ValidUntil  time.Time
		AssertionEncryptionMode string
		PrivateKeyList          member[struct {
			KeyId     string
			Timestamp time.Time
		}]
	}
	v, err := s.once("iam:GetSAMLProvider "+arn, func() (any, error) {
		var out providerOut
		err := s.call("iam:GetSAMLProvider", arn, func(ctx context.Context) error {
			return s.r.api.query(ctx, svcIAM, iamVersion, "GetSAMLProvider", s.partition, s.region, url.Values{"SAMLProviderArn": {arn}}, &out)
		})
		return &out, err
	})
	if msg, ok := isCode(err, "NoSuchEntity"); ok {
		s.rd.AWS.Missing = append(s.rd.AWS.Missing, lint.Missing{Kind: "saml-provider", ARN: arn, Message: msg})
		return
	}
	if err != nil {
		s.unread(lint.InputMetadata, s.why("iam:GetSAMLProvider", arn, err))
		return
	}
	out := v.(*providerOut)
	keys := []any{}
	for _, k := range out.PrivateKeyList.Items {
		keys = append(keys, map[string]any{"KeyId": k.KeyId, "Timestamp": cliTime(k.Timestamp)})
	}
	doc := map[string]any{
		"SAMLMetadataDocument": out.SAMLMetadataDocument, "SAMLProviderUUID": out.SAMLProviderUUID,
		"CreateDate": cliTime(out.CreateDate), "ValidUntil": cliTime(out.ValidUntil),
		"AssertionEncryptionMode": out.AssertionEncryptionMode, "PrivateKeyList": keys,
	}
	s.file("provider.json", lint.InputMetadata, arn, doc)
}

// policyJSON decodes a policy document as IAM's API returns it
// (URL-encoded JSON), for the file the aws CLI would print.
func policyJSON(raw string) (any, error) {
	if u, err := url.QueryUnescape(raw); err == nil {
		raw = u
	}
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return nil, fmt.Errorf("the policy document IAM returned is not JSON: %w", err)
	}
	return v, nil
}

func roleName(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

// roleInfo is GetRole's Role.
type roleInfo struct {
	Path, RoleName, RoleId, Arn string
	CreateDate                  time.Time
	AssumeRolePolicyDocument    string
	MaxSessionDuration          int
	PermissionsBoundary         *struct {
		PermissionsBoundaryType, PermissionsBoundaryArn string
	}
}

func (s *session) readRole(arn string) {
	name := roleName(arn)
	v, err := s.once("iam:GetRole "+arn, func() (any, error) {
		var out struct{ Role roleInfo }
		err := s.call("iam:GetRole", arn, func(ctx context.Context) error {
			return s.r.api.query(ctx, svcIAM, iamVersion, "GetRole", s.partition, s.region, url.Values{"RoleName": {name}}, &out)
		})
		return &out.Role, err
	})
	if msg, ok := isCode(err, "NoSuchEntity"); ok {
		s.rd.AWS.Missing = append(s.rd.AWS.Missing, lint.Missing{Kind: "role", ARN: arn, Message: msg})
		why := "the role " + arn + " does not exist"
		for _, k := range []lint.Input{lint.InputTrustPolicy, lint.InputPermissionsPolicy, lint.InputPermissionsBoundary} {
			s.unread(k, why)
		}
		return
	}
	if err != nil {
		why := s.why("iam:GetRole", arn, err)
		for _, k := range []lint.Input{lint.InputTrustPolicy, lint.InputPermissionsBoundary} {
			s.unread(k, why)
		}
		s.permissions(name, arn)
		return
	}
	role := v.(*roleInfo)
	s.role = role
	trust, err := policyJSON(role.AssumeRolePolicyDocument)
	if err != nil {
		s.unread(lint.InputTrustPolicy, err.Error())
		return
	}
	r := map[string]any{
		"Path": role.Path, "RoleName": role.RoleName, "RoleId": role.RoleId,
		"Arn": role.Arn, "CreateDate": cliTime(role.CreateDate), "AssumeRolePolicyDocument": trust,
		"MaxSessionDuration": role.MaxSessionDuration,
	}
	if b := role.PermissionsBoundary; b != nil {
		r["PermissionsBoundary"] = map[string]any{"PermissionsBoundaryType": b.PermissionsBoundaryType, "PermissionsBoundaryArn": b.PermissionsBoundaryArn}
	}
	s.file("role.json", lint.InputTrustPolicy, role.Arn, map[string]any{"Role": r})
	s.permissions(name, arn)
	if b := role.PermissionsBoundary; b != nil && b.PermissionsBoundaryArn != "" {
		if f, why := s.managedPolicy(b.PermissionsBoundaryArn, "boundary.json", lint.InputPermissionsBoundary); why != "" {
			s.unread(lint.InputPermissionsBoundary, why)
		} else {
			s.rd.Files = append(s.rd.Files, f)
		}
	}
}

// list reads every page of a Query protocol list: page reads one, given
// the marker, and returns the next marker, "" at the end.
func (s *session) list(action, arn string, params url.Values, page func(ctx context.Context, params url.Values) (string, error)) error {
	for marker := ""; ; {
		p := url.Values{}
		for k, v := range params {
			p[k] = v
		}
		if marker != "" {
			p.Set("Marker", marker)
		}
		var next string
		err := s.call(action, arn, func(ctx context.Context) (err error) {
			next, err = page(ctx, p)
			return err
		})
		if err != nil || next == "" {
			return err
		}
		marker = next
	}
}

// permissions reads every policy of the role, attached and inline. A
// policy left out would make the ones read look like all of them, so any
// failure drops them all.
func (s *session) permissions(name, arn string) {
	type listed struct {
		files []File
		why   string
	}
	v, _ := s.once("permissions "+arn, func() (any, error) {
		var files []File
		type attachedOut struct {
			AttachedPolicies member[struct{ PolicyName, PolicyArn string }]
			IsTruncated      bool
			Marker           string
		}
		var attached []struct{ PolicyName, PolicyArn string }
		err := s.list("iam:ListAttachedRolePolicies", arn, url.Values{"RoleName": {name}}, func(ctx context.Context, p url.Values) (string, error) {
			var out attachedOut
			err := s.r.api.query(ctx, svcIAM, iamVersion, "ListAttachedRolePolicies", s.partition, s.region, p, &out)
			attached = append(attached, out.AttachedPolicies.Items...)
			return truncated(out.IsTruncated, out.Marker), err
		})
		if err != nil {
			return &listed{why: s.why("iam:ListAttachedRolePolicies", arn, err)}, nil
		}
		for i, p := range attached {
			f, why := s.managedPolicy(p.PolicyArn, fmt.Sprintf("policy-%d-%s.json", i+1, safe(p.PolicyName)), lint.InputPermissionsPolicy)
			if why != "" {
				return &listed{why: why}, nil
			}
			files = append(files, f)
		}
		var names []string
		err = s.list("iam:ListRolePolicies", arn, url.Values{"RoleName": {name}}, func(ctx context.Context, p url.Values) (string, error) {
			var out struct {
				PolicyNames member[string]
				IsTruncated bool
				Marker      string
			}
			err := s.r.api.query(ctx, svcIAM, iamVersion, "ListRolePolicies", s.partition, s.region, p, &out)
			names = append(names, out.PolicyNames.Items...)
			return truncated(out.IsTruncated, out.Marker), err
		})
		if err != nil {
			return &listed{why: s.why("iam:ListRolePolicies", arn, err)}, nil
		}
		for i, pn := range names {
			var out struct{ RoleName, PolicyName, PolicyDocument string }
			err := s.call("iam:GetRolePolicy", arn, func(ctx context.Context) error {
				return s.r.api.query(ctx, svcIAM, iamVersion, "GetRolePolicy", s.partition, s.region, url.Values{"RoleName": {name}, "PolicyName": {pn}}, &out)
			})
			if err != nil {
				return &listed{why: s.why("iam:GetRolePolicy", arn, err)}, nil
			}
			doc, err := policyJSON(out.PolicyDocument)
			if err != nil {
				return &listed{why: err.Error()}, nil
			}
			b, _ := json.MarshalIndent(map[string]any{"RoleName": name, "PolicyName": pn, "PolicyDocument": doc}, "", "    ")
			files = append(files, File{Name: fmt.Sprintf("inline-%d-%s.json", i+1, safe(pn)), Input: lint.InputPermissionsPolicy, Label: arn + " inline policy " + pn, Data: append(b, '\n')})
		}
		if len(files) == 0 {
			// A role with no policy may do nothing: say so, rather than skip.
			b, _ := json.MarshalIndent(map[string]any{"Version": "2012-10-17", "Statement": []any{}}, "", "    ")
			files = append(files, File{Name: "no-permissions-policy.json", Input: lint.InputPermissionsPolicy, Label: arn + " (no policy attached or inline)", Data: append(b, '\n')})
		}
		return &listed{files: files}, nil
	})
	l := v.(*listed)
	if l.why != "" {
		s.unread(lint.InputPermissionsPolicy, l.why)
		return
	}
	s.rd.Files = append(s.rd.Files, l.files...)
	s.permOK = true
}

func truncated(more bool, marker string) string {
	if !more {
		return ""
	}
	return marker
}

// managedPolicy reads a managed policy's default version, as
// aws iam get-policy-version prints it; or why it could not.
func (s *session) managedPolicy(arn, name string, kind lint.Input) (File, string) {
	type read struct {
		doc     any
		version string
		created time.Time
		why     string
	}
	v, _ := s.once("iam:GetPolicyVersion "+arn, func() (any, error) {
		var pol struct {
			Policy struct{ DefaultVersionId string }
		}
		err := s.call("iam:GetPolicy", arn, func(ctx context.Context) error {
			return s.r.api.query(ctx, svcIAM, iamVersion, "GetPolicy", s.partition, s.region, url.Values{"PolicyArn": {arn}}, &pol)
		})
		if err != nil {
			return &read{why: s.why("iam:GetPolicy", arn, err)}, nil
		}
		version := pol.Policy.DefaultVersionId
		var out struct {
			PolicyVersion struct {
				Document, VersionId string
				CreateDate          time.Time
			}
		}
		err = s.call("iam:GetPolicyVersion", arn, func(ctx context.Context) error {
			return s.r.api.query(ctx, svcIAM, iamVersion, "GetPolicyVersion", s.partition, s.region, url.Values{"PolicyArn": {arn}, "VersionId": {version}}, &out)
		})
		if err != nil {
			return &read{why: s.why("iam:GetPolicyVersion", arn, err)}, nil
		}
		doc, err := policyJSON(out.PolicyVersion.Document)
		if err != nil {
			return &read{why: err.Error()}, nil
		}
		return &read{doc: doc, version: out.PolicyVersion.VersionId, created: out.PolicyVersion.CreateDate}, nil
	})
	r := v.(*read)
	if r.why != "" {
		return File{}, r.why
	}
	b, _ := json.MarshalIndent(map[string]any{"PolicyVersion": map[string]any{"Document": r.doc, "VersionId": r.version,
		"IsDefaultVersion": true, "CreateDate": cliTime(r.created)}}, "", "    ")
	return File{Name: name, Input: kind, Label: arn + " (" + r.version + ")", Data: append(b, '\n')}, ""
}

// safe keeps a name usable as a file name.
func safe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, s)
}

// readSCPs reads the SCPs that apply to the account at every level: the
// account, each OU above it, and the root. Once per account.
func (s *session) readSCPs(account string) {
	type levels struct {
		read *lint.SCPRead
		why  string
	}
	v, _ := s.once("scps "+account, func() (any, error) {
		read, why := s.scpLevels(account)
		return &levels{read, why}, nil
	})
	l := v.(*levels)
	if l.why != "" {
		s.unread(lint.InputSCP, l.why)
		return
	}
	s.rd.AWS.SCP = l.read
	s.addSCPFiles(l.read)
}

// orgsWhy says why an Organizations read failed; refused, it adds where
// the reads work from.
func (s *session) orgsWhy(action, resource string, err error) string {
	why := s.why(action, resource, err)
	var ae *APIError
	if errors.As(err, &ae) && isDenied(ae.Code) {
		why += "; the Organizations reads work only from the management account or a delegated administrator: give the SCPs with --scp"
	}
	return why
}

func (s *session) org(action, resource string, in, out any) error {
	return s.call("organizations:"+action, resource, func(ctx context.Context) error {
		return s.r.api.json11(ctx, svcOrganizations, orgTarget, action, s.partition, s.region, in, out)
	})
}

// scpLevels reads the levels, or says why no SCP applies: the account is
// in no organization or is its management account, the organization has
// consolidated billing only, or SCPs are not enabled on its root.
func (s *session) scpLevels(account string) (*lint.SCPRead, string) {
	var org struct {
		Organization struct{ Id, MasterAccountId, FeatureSet string }
	}
	err := s.org("DescribeOrganization", "*", struct{}{}, &org)
	if _, ok := isCode(err, "AWSOrganizationsNotInUseException"); ok {
		return &lint.SCPRead{Exempt: "account " + account + " is in no AWS Organizations organization, so no SCP applies"}, ""
	}
	if err != nil {
		return nil, s.orgsWhy("organizations:DescribeOrganization", "", err)
	}
	o := org.Organization
	if o.MasterAccountId == account {
		return &lint.SCPRead{Exempt: "account " + account + " is the organization's management account, to which SCPs do not apply"}, ""
	}
	if o.FeatureSet == "CONSOLIDATED_BILLING" {
		return &lint.SCPRead{Exempt: "the organization " + o.Id + " has consolidated billing only, so SCPs are not enabled in this organization"}, ""
	}
	// Organizations ARNs name the management account and organization.
	orgARN := func(kind, id string) string {
		return "arn:" + s.partition + ":organizations::" + o.MasterAccountId + ":" + kind + "/" + o.Id + "/" + id
	}
	var roots struct {
		Roots []struct {
			Id          string
			PolicyTypes []struct{ Type, Status string }
		}
		NextToken string
	}
	if err := s.org("ListRoots", "*", struct{}{}, &roots); err != nil {
		return nil, s.orgsWhy("organizations:ListRoots", "", err)
	}
	enabled := false
	for _, r := range roots.Roots {
		for _, pt := range r.PolicyTypes {
			if pt.Type == "SERVICE_CONTROL_POLICY" && pt.Status == "ENABLED" {
				enabled = true
			}
		}
	}
	if !enabled {
		return &lint.SCPRead{Exempt: "SCPs are not enabled in this organization (the root's policy types do not include SERVICE_CONTROL_POLICY), so no SCP applies"}, ""
	}
	targetARN := func(l lint.SCPLevel) string {
		switch l.Type {
		case "ROOT":
			return orgARN("root", l.ID)
		case "ORGANIZATIONAL_UNIT":
			return orgARN("ou", l.ID)
		}
		return orgARN("account", l.ID)
	}
	levels := []lint.SCPLevel{{ID: account, Type: "ACCOUNT"}}
	child := levels[0]
	for depth := 0; depth < 8; depth++ { // OUs nest at most 5 deep
		var out struct{ Parents []struct{ Id, Type string } }
		if err := s.org("ListParents", targetARN(child), map[string]string{"ChildId": child.ID}, &out); err != nil {
			return nil, s.orgsWhy("organizations:ListParents", targetARN(child), err)
		}
		if len(out.Parents) == 0 {
			break
		}
		p := out.Parents[0]
		lv := lint.SCPLevel{ID: p.Id, Type: p.Type}
		if p.Type == "ROOT" {
			lv.Name = "Root"
		}
		levels = append([]lint.SCPLevel{lv}, levels...)
		if p.Type == "ROOT" {
			break
		}
		child = lv
	}
	described := map[string]lint.SCPPolicy{}
	for i := range levels {
		type summary struct{ Id, Arn, Name string }
		var ids []summary
		for token := ""; ; {
			in := map[string]string{"TargetId": levels[i].ID, "Filter": "SERVICE_CONTROL_POLICY"}
			if token != "" {
				in["NextToken"] = token
			}
			var out struct {
				Policies  []summary
				NextToken string
			}
			err := s.org("ListPoliciesForTarget", targetARN(levels[i]), in, &out)
			if _, ok := isCode(err, "PolicyTypeNotEnabledException"); ok {
				return &lint.SCPRead{Exempt: "SCPs are not enabled in this organization, so no SCP applies"}, ""
			}
			if err != nil {
				return nil, s.orgsWhy("organizations:ListPoliciesForTarget", targetARN(levels[i]), err)
			}
			ids = append(ids, out.Policies...)
			if token = out.NextToken; token == "" {
				break
			}
		}
		levels[i].Policies = []lint.SCPPolicy{}
		for _, ps := range ids {
			p, ok := described[ps.Id]
			if !ok {
				var out struct{ Policy struct{ Content string } }
				if err := s.org("DescribePolicy", ps.Arn, map[string]string{"PolicyId": ps.Id}, &out); err != nil {
					return nil, s.orgsWhy("organizations:DescribePolicy", ps.Arn, err)
				}
				p = lint.SCPPolicy{ID: ps.Id, Name: ps.Name, Content: out.Policy.Content}
				described[ps.Id] = p
			}
			levels[i].Policies = append(levels[i].Policies, p)
		}
	}
	return &lint.SCPRead{Levels: levels}, ""
}

// addSCPFiles writes each SCP as describe-policy prints it, for
// aws-export; the levels themselves are in aws-read.json.
func (s *session) addSCPFiles(read *lint.SCPRead) {
	seen := map[string]bool{}
	for _, l := range read.Levels {
		for _, p := range l.Policies {
			if seen[p.ID] {
				continue
			}
			seen[p.ID] = true
			b, _ := json.MarshalIndent(map[string]any{"Policy": map[string]any{
				"PolicySummary": map[string]any{"Id": p.ID, "Name": p.Name, "Type": "SERVICE_CONTROL_POLICY"}, "Content": p.Content}}, "", "    ")
			s.rd.Exports = append(s.rd.Exports, File{Name: "scp-" + safe(p.ID) + ".json", Input: lint.InputSCP, Label: "SCP " + p.Name + " (" + p.ID + ")", Data: append(b, '\n')})
		}
	}
}

func (s *session) connect(action, method, path, arn string, region string, in, out any) error {
	return s.call("connect:"+action, arn, func(ctx context.Context) error {
		return s.r.api.restJSON(ctx, svcConnect, action, method, path, s.partition, region, in, out)
	})
}

func (s *session) instance(t lint.Target) {
	arn := "arn:" + s.partition + ":connect:" + t.Region + ":" + or(t.Account, "<account-id>") + ":instance/" + t.Instance
	type instanceOut struct {
		Instance struct{ Id, InstanceAlias, IdentityManagementType string }
	}
	v, err := s.once("connect:DescribeInstance "+arn, func() (any, error) {
		var out instanceOut
		err := s.connect("DescribeInstance", "GET", "/instance/"+url.PathEscape(t.Instance), arn, t.Region, nil, &out)
		return &out, err
	})
	if msg, ok := isCode(err, "ResourceNotFoundException"); ok {
		s.rd.AWS.Missing = append(s.rd.AWS.Missing, lint.Missing{Kind: "connect-instance", ARN: arn, Message: msg})
		s.unread(lint.InputConnectUsers, "the instance "+arn+" does not exist")
		return
	}
	if err != nil {
		s.unread(lint.InputConnectInstance, s.why("connect:DescribeInstance", arn, err))
	} else {
		ins := v.(*instanceOut).Instance
		s.rd.AWS.Instance = &lint.ConnectInstance{ID: ins.Id, Region: t.Region, Alias: ins.InstanceAlias, IdentityManagementType: ins.IdentityManagementType}
	}
	if t.SessionName == "" {
		return
	}
	type search struct {
		found []string
		why   string
	}
	sv, _ := s.once("connect:SearchUsers "+arn+" "+t.SessionName, func() (any, error) {
		found := []string{}
		token := ""
		for page := 0; page < 10; page++ {
			in := map[string]any{"InstanceId": t.Instance, "MaxResults": 100,
				"SearchCriteria": map[string]any{"StringCondition": map[string]string{"FieldName": "Username", "Value": t.SessionName, "ComparisonType": "EXACT"}}}
			if token != "" {
				in["NextToken"] = token
			}
			var out struct {
				Users     []struct{ Username string }
				NextToken string
			}
			if err := s.connect("SearchUsers", "POST", "/search-users", arn, t.Region, in, &out); err != nil {
				return &search{why: s.why("connect:SearchUsers", arn, err)}, nil
			}
			for _, u := range out.Users {
				found = append(found, u.Username)
			}
			if token = out.NextToken; token == "" {
				break
			}
		}
		return &search{found: found}, nil
	})
	sr := sv.(*search)
	if sr.why != "" {
		s.unread(lint.InputConnectUsers, sr.why)
		return
	}
	s.rd.AWS.UserSearch = &lint.UserSearch{Username: t.SessionName, Found: sr.found}
	b, _ := json.MarshalIndent(map[string]any{"UserSummaryList": usernames(sr.found)}, "", "    ")
	s.rd.Exports = append(s.rd.Exports, File{Name: "connect-users.json", Input: lint.InputConnectUsers, Label: arn + " users named " + t.SessionName, Data: append(b, '\n')})
}

func usernames(names []string) []any {
	out := []any{}
	for _, n := range names {
		out = append(out, map[string]string{"Username": n})
	}
	return out
}

func or(v, placeholder string) string {
	if v == "" {
		return placeholder
	}
	return v
}

// simulate asks IAM's policy simulator whether the role may call
// connect:GetFederationToken for this session's Connect user. Optional:
// a refusal is no finding.
func (s *session) simulate(t lint.Target) {
	userid := s.role.RoleId + ":" + t.SessionName
	resource := "arn:" + s.partition + ":connect:" + t.Region + ":" + t.Account + ":instance/" + t.Instance + "/user/" + userid
	var out struct {
		EvaluationResults member[struct{ EvalDecision string }]
	}
	params := url.Values{"PolicySourceArn": {s.role.Arn}, "ActionNames.member.1": {"connect:GetFederationToken"}, "ResourceArns.member.1": {resource}}
	for i, kv := range [][2]string{{"aws:userid", userid}, {"aws:RequestedRegion", t.Region}} {
		n := "ContextEntries.member." + strconv.Itoa(i+1) + "."
		params.Set(n+"ContextKeyName", kv[0])
		params.Set(n+"ContextKeyType", "string")
		params.Set(n+"ContextKeyValues.member.1", kv[1])
	}
	err := s.call("iam:SimulatePrincipalPolicy", t.RoleARN, func(ctx context.Context) error {
		return s.r.api.query(ctx, svcIAM, iamVersion, "SimulatePrincipalPolicy", s.partition, s.region, params, &out)
	})
	if err != nil || len(out.EvaluationResults.Items) == 0 {
		return
	}
	s.rd.AWS.Simulation = &lint.Simulation{Action: "connect:GetFederationToken", Resource: resource, UserID: userid, Decision: out.EvaluationResults.Items[0].EvalDecision}
}
