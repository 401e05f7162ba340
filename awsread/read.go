package awsread

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/samllint/samllint/internal/textcut"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	itypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

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
	"organizations:ListParents",
	"organizations:ListPoliciesForTarget",
	"organizations:DescribePolicy",
	"connect:DescribeInstance",
	"connect:SearchUsers",
}

// session is one target's read.
type session struct {
	r   *Reader
	ctx context.Context
	rd  *Read

	role   *itypes.Role
	permOK bool // every permissions policy was read
}

// call makes one API call and records it.
func (s *session) call(action, resource string, f func(context.Context) error) error {
	err := f(s.ctx)
	s.rd.Calls = append(s.rd.Calls, Call{Action: action, Resource: resource, Err: code(err)})
	return err
}

func code(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return "error"
}

// why says why a call failed, for a person: what it needs, on what.
func (s *session) why(action, resource string, err error) string {
	on := ""
	if resource != "" && resource != "*" {
		on = " on " + resource
	}
	var ae smithy.APIError
	switch {
	case errors.As(err, &ae) && isDenied(ae.ErrorCode()):
		return "needs " + action + on + " (" + ae.ErrorCode() + ")"
	case s.ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return action + on + " did not answer within " + s.r.opts.Timeout.String() + " (--aws-timeout)"
	case errors.As(err, &ae):
		return action + on + " failed: " + ae.ErrorCode() + ": " + clip(ae.ErrorMessage())
	}
	return action + on + " failed: " + clip(err.Error())
}

func isDenied(code string) bool {
	switch code {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException":
		return true
	}
	return false
}

func isCode(err error, codes ...string) (string, bool) {
	var ae smithy.APIError
	if errors.As(err, &ae) && slices.Contains(codes, ae.ErrorCode()) {
		return ae.ErrorMessage(), true
	}
	return "", false
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = textcut.Bytes(s, 200) + "…"
	}
	return s
}

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

func (s *session) read() {
	t := s.rd.Target
	caller, callerErr := s.callerAccount()
	s.rd.AWS.CallerAccount = caller
	if callerErr != "" {
		s.r.notify("could not tell whose credentials these are: " + callerErr)
	}
	if caller != "" && t.Account != "" && caller != t.Account {
		why := fmt.Sprintf("the AWS credentials are for account %s, not the role's account %s: nothing was read from %s; use credentials for account %s (--aws-profile)", caller, t.Account, t.Account, t.Account)
		s.r.notify(why)
		for _, k := range accountKinds {
			s.unread(k, why)
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

func (s *session) callerAccount() (string, string) {
	if s.r.caller != nil {
		return *s.r.caller, ""
	}
	var out *sts.GetCallerIdentityOutput
	err := s.call("sts:GetCallerIdentity", "*", func(ctx context.Context) (err error) {
		out, err = s.r.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		return err
	})
	if err != nil {
		return "", s.why("sts:GetCallerIdentity", "", err)
	}
	acct := aws.ToString(out.Account)
	s.r.caller = &acct
	return acct, ""
}

// cliTime is a time as the aws CLI prints it.
func cliTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05+00:00")
}

func (s *session) provider(arn string) {
	var out *iam.GetSAMLProviderOutput
	err := s.call("iam:GetSAMLProvider", arn, func(ctx context.Context) (err error) {
		out, err = s.r.iam.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
		return err
	})
	if msg, ok := isCode(err, "NoSuchEntity"); ok {
		s.rd.AWS.Missing = append(s.rd.AWS.Missing, lint.Missing{Kind: "saml-provider", ARN: arn, Message: msg})
		return
	}
	if err != nil {
		s.unread(lint.InputMetadata, s.why("iam:GetSAMLProvider", arn, err))
		return
	}
	keys := []any{}
	for _, k := range out.PrivateKeyList {
		keys = append(keys, map[string]any{"KeyId": aws.ToString(k.KeyId), "Timestamp": cliTime(k.Timestamp)})
	}
	doc := map[string]any{
		"SAMLMetadataDocument": aws.ToString(out.SAMLMetadataDocument), "SAMLProviderUUID": aws.ToString(out.SAMLProviderUUID),
		"CreateDate": cliTime(out.CreateDate), "ValidUntil": cliTime(out.ValidUntil),
		"AssertionEncryptionMode": string(out.AssertionEncryptionMode), "PrivateKeyList": keys,
	}
	s.file("provider.json", lint.InputMetadata, arn, doc)
}

// policyJSON decodes a policy document as IAM's API returns it
// (URL-encoded JSON), for the file the aws CLI would print.
func policyJSON(doc *string) (any, error) {
	raw := aws.ToString(doc)
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

func (s *session) readRole(arn string) {
	name := roleName(arn)
	var out *iam.GetRoleOutput
	err := s.call("iam:GetRole", arn, func(ctx context.Context) (err error) {
		out, err = s.r.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		return err
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
	role := out.Role
	s.role = role
	trust, err := policyJSON(role.AssumeRolePolicyDocument)
	if err != nil {
		s.unread(lint.InputTrustPolicy, err.Error())
		return
	}
	r := map[string]any{
		"Path": aws.ToString(role.Path), "RoleName": aws.ToString(role.RoleName), "RoleId": aws.ToString(role.RoleId),
		"Arn": aws.ToString(role.Arn), "CreateDate": cliTime(role.CreateDate), "AssumeRolePolicyDocument": trust,
		"MaxSessionDuration": aws.ToInt32(role.MaxSessionDuration),
	}
	if b := role.PermissionsBoundary; b != nil {
		r["PermissionsBoundary"] = map[string]any{"PermissionsBoundaryType": string(b.PermissionsBoundaryType), "PermissionsBoundaryArn": aws.ToString(b.PermissionsBoundaryArn)}
	}
	s.file("role.json", lint.InputTrustPolicy, aws.ToString(role.Arn), map[string]any{"Role": r})
	s.permissions(name, arn)
	if b := role.PermissionsBoundary; b != nil && b.PermissionsBoundaryArn != nil {
		if f, why := s.managedPolicy(*b.PermissionsBoundaryArn, "boundary.json", lint.InputPermissionsBoundary); why != "" {
			s.unread(lint.InputPermissionsBoundary, why)
		} else {
			s.rd.Files = append(s.rd.Files, f)
		}
	}
}

// permissions reads every policy of the role, attached and inline. A
// policy left out would make the ones read look like all of them, so any
// failure drops them all.
func (s *session) permissions(name, arn string) {
	var files []File
	fail := func(why string) { s.unread(lint.InputPermissionsPolicy, why) }
	var attached []itypes.AttachedPolicy
	var marker *string
	for {
		var out *iam.ListAttachedRolePoliciesOutput
		err := s.call("iam:ListAttachedRolePolicies", arn, func(ctx context.Context) (err error) {
			out, err = s.r.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name), Marker: marker})
			return err
		})
		if err != nil {
			fail(s.why("iam:ListAttachedRolePolicies", arn, err))
			return
		}
		attached = append(attached, out.AttachedPolicies...)
		if !out.IsTruncated || out.Marker == nil {
			break
		}
		marker = out.Marker
	}
	for i, p := range attached {
		f, why := s.managedPolicy(aws.ToString(p.PolicyArn), fmt.Sprintf("policy-%d-%s.json", i+1, safe(aws.ToString(p.PolicyName))), lint.InputPermissionsPolicy)
		if why != "" {
			fail(why)
			return
		}
		files = append(files, f)
	}
	var names []string
	marker = nil
	for {
		var out *iam.ListRolePoliciesOutput
		err := s.call("iam:ListRolePolicies", arn, func(ctx context.Context) (err error) {
			out, err = s.r.iam.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name), Marker: marker})
			return err
		})
		if err != nil {
			fail(s.why("iam:ListRolePolicies", arn, err))
			return
		}
		names = append(names, out.PolicyNames...)
		if !out.IsTruncated || out.Marker == nil {
			break
		}
		marker = out.Marker
	}
	for i, pn := range names {
		var out *iam.GetRolePolicyOutput
		err := s.call("iam:GetRolePolicy", arn, func(ctx context.Context) (err error) {
			out, err = s.r.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(pn)})
			return err
		})
		if err != nil {
			fail(s.why("iam:GetRolePolicy", arn, err))
			return
		}
		doc, err := policyJSON(out.PolicyDocument)
		if err != nil {
			fail(err.Error())
			return
		}
		b, _ := json.MarshalIndent(map[string]any{"RoleName": name, "PolicyName": pn, "PolicyDocument": doc}, "", "    ")
		files = append(files, File{Name: fmt.Sprintf("inline-%d-%s.json", i+1, safe(pn)), Input: lint.InputPermissionsPolicy, Label: arn + " inline policy " + pn, Data: append(b, '\n')})
	}
	if len(files) == 0 {
		// A role with no policy may do nothing: say so, rather than skip.
		b, _ := json.MarshalIndent(map[string]any{"Version": "2012-10-17", "Statement": []any{}}, "", "    ")
		files = append(files, File{Name: "no-permissions-policy.json", Input: lint.InputPermissionsPolicy, Label: arn + " (no policy attached or inline)", Data: append(b, '\n')})
	}
	s.rd.Files = append(s.rd.Files, files...)
	s.permOK = true
}

// managedPolicy reads a managed policy's default version, as
// aws iam get-policy-version prints it; or why it could not.
func (s *session) managedPolicy(arn, name string, kind lint.Input) (File, string) {
	var pol *iam.GetPolicyOutput
	err := s.call("iam:GetPolicy", arn, func(ctx context.Context) (err error) {
		pol, err = s.r.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		return err
	})
	if err != nil {
		return File{}, s.why("iam:GetPolicy", arn, err)
	}
	version := aws.ToString(pol.Policy.DefaultVersionId)
	var out *iam.GetPolicyVersionOutput
	err = s.call("iam:GetPolicyVersion", arn, func(ctx context.Context) (err error) {
		out, err = s.r.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(version)})
		return err
	})
	if err != nil {
		return File{}, s.why("iam:GetPolicyVersion", arn, err)
	}
	doc, err := policyJSON(out.PolicyVersion.Document)
	if err != nil {
		return File{}, err.Error()
	}
	v := out.PolicyVersion
	b, _ := json.MarshalIndent(map[string]any{"PolicyVersion": map[string]any{"Document": doc, "VersionId": aws.ToString(v.VersionId),
		"IsDefaultVersion": v.IsDefaultVersion, "CreateDate": cliTime(v.CreateDate)}}, "", "    ")
	return File{Name: name, Input: kind, Label: arn + " (" + version + ")", Data: append(b, '\n')}, ""
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
	if got, ok := s.r.scps[account]; ok {
		if got != nil {
			s.rd.AWS.SCP = got
			s.addSCPFiles(got)
		}
		return
	}
	read, why := s.scpLevels(account)
	if why != "" {
		s.unread(lint.InputSCP, why)
		return // not cached: another target may be read within its own time
	}
	s.r.scps[account] = read
	s.rd.AWS.SCP = read
	s.addSCPFiles(read)
}

const orgsWhere = "; the Organizations reads work only from the management account or a delegated administrator: give the SCPs with --scp"

func (s *session) scpLevels(account string) (*lint.SCPRead, string) {
	var org *organizations.DescribeOrganizationOutput
	err := s.call("organizations:DescribeOrganization", "*", func(ctx context.Context) (err error) {
		org, err = s.r.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		return err
	})
	if _, ok := isCode(err, "AWSOrganizationsNotInUseException"); ok {
		return &lint.SCPRead{Exempt: "account " + account + " is in no AWS Organizations organization, so no SCP applies"}, ""
	}
	if err != nil {
		return nil, s.why("organizations:DescribeOrganization", "", err) + orgsWhere
	}
	if aws.ToString(org.Organization.MasterAccountId) == account {
		return &lint.SCPRead{Exempt: "account " + account + " is the organization's management account, to which SCPs do not apply"}, ""
	}
	// Organizations ARNs name the management account and organization.
	orgARN := func(kind, id string) string {
		return "arn:" + or(s.rd.Target.Partition, "aws") + ":organizations::" + aws.ToString(org.Organization.MasterAccountId) + ":" + kind + "/" + aws.ToString(org.Organization.Id) + "/" + id
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
		var out *organizations.ListParentsOutput
		err := s.call("organizations:ListParents", targetARN(child), func(ctx context.Context) (err error) {
			out, err = s.r.org.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(child.ID)})
			return err
		})
		if err != nil {
			return nil, s.why("organizations:ListParents", targetARN(child), err) + orgsWhere
		}
		if len(out.Parents) == 0 {
			break
		}
		p := out.Parents[0]
		lv := lint.SCPLevel{ID: aws.ToString(p.Id), Type: string(p.Type)}
		if p.Type == otypes.ParentTypeRoot {
			lv.Name = "Root"
		}
		levels = append([]lint.SCPLevel{lv}, levels...)
		if p.Type == otypes.ParentTypeRoot {
			break
		}
		child = lv
	}
	described := map[string]lint.SCPPolicy{}
	for i := range levels {
		var ids []otypes.PolicySummary
		var token *string
		for {
			var out *organizations.ListPoliciesForTargetOutput
			err := s.call("organizations:ListPoliciesForTarget", targetARN(levels[i]), func(ctx context.Context) (err error) {
				out, err = s.r.org.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(levels[i].ID), Filter: otypes.PolicyTypeServiceControlPolicy, NextToken: token})
				return err
			})
			if _, ok := isCode(err, "PolicyTypeNotEnabledException"); ok {
				return &lint.SCPRead{Exempt: "service control policies are not enabled in the organization"}, ""
			}
			if err != nil {
				return nil, s.why("organizations:ListPoliciesForTarget", targetARN(levels[i]), err) + orgsWhere
			}
			ids = append(ids, out.Policies...)
			if out.NextToken == nil {
				break
			}
			token = out.NextToken
		}
		levels[i].Policies = []lint.SCPPolicy{}
		for _, ps := range ids {
			id := aws.ToString(ps.Id)
			p, ok := described[id]
			if !ok {
				var out *organizations.DescribePolicyOutput
				err := s.call("organizations:DescribePolicy", aws.ToString(ps.Arn), func(ctx context.Context) (err error) {
					out, err = s.r.org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
					return err
				})
				if err != nil {
					return nil, s.why("organizations:DescribePolicy", aws.ToString(ps.Arn), err) + orgsWhere
				}
				p = lint.SCPPolicy{ID: id, Name: aws.ToString(ps.Name), Content: aws.ToString(out.Policy.Content)}
				described[id] = p
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

func (s *session) instance(t lint.Target) {
	c := s.r.connectIn(t.Region)
	arn := "arn:" + or(t.Partition, "aws") + ":connect:" + t.Region + ":" + or(t.Account, "<account-id>") + ":instance/" + t.Instance
	var out *connect.DescribeInstanceOutput
	err := s.call("connect:DescribeInstance", arn, func(ctx context.Context) (err error) {
		out, err = c.DescribeInstance(ctx, &connect.DescribeInstanceInput{InstanceId: aws.String(t.Instance)})
		return err
	})
	if msg, ok := isCode(err, "ResourceNotFoundException"); ok {
		s.rd.AWS.Missing = append(s.rd.AWS.Missing, lint.Missing{Kind: "connect-instance", ARN: arn, Message: msg})
		s.unread(lint.InputConnectUsers, "the instance "+arn+" does not exist")
		return
	}
	if err != nil {
		s.unread(lint.InputConnectInstance, s.why("connect:DescribeInstance", arn, err))
	} else if ins := out.Instance; ins != nil {
		s.rd.AWS.Instance = &lint.ConnectInstance{ID: aws.ToString(ins.Id), Region: t.Region, Alias: aws.ToString(ins.InstanceAlias), IdentityManagementType: string(ins.IdentityManagementType)}
	}
	if t.SessionName == "" {
		return
	}
	found := []string{}
	var token *string
	for page := 0; page < 10; page++ {
		var out *connect.SearchUsersOutput
		err := s.call("connect:SearchUsers", arn, func(ctx context.Context) (err error) {
			out, err = c.SearchUsers(ctx, &connect.SearchUsersInput{InstanceId: aws.String(t.Instance), NextToken: token, MaxResults: aws.Int32(100),
				SearchCriteria: &ctypes.UserSearchCriteria{StringCondition: &ctypes.StringCondition{
					FieldName: aws.String("Username"), Value: aws.String(t.SessionName), ComparisonType: ctypes.StringComparisonTypeExact}}})
			return err
		})
		if err != nil {
			s.unread(lint.InputConnectUsers, s.why("connect:SearchUsers", arn, err))
			return
		}
		for _, u := range out.Users {
			found = append(found, aws.ToString(u.Username))
		}
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	s.rd.AWS.UserSearch = &lint.UserSearch{Username: t.SessionName, Found: found}
	b, _ := json.MarshalIndent(map[string]any{"UserSummaryList": usernames(found)}, "", "    ")
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
	userid := aws.ToString(s.role.RoleId) + ":" + t.SessionName
	resource := "arn:" + or(t.Partition, "aws") + ":connect:" + t.Region + ":" + t.Account + ":instance/" + t.Instance + "/user/" + userid
	var out *iam.SimulatePrincipalPolicyOutput
	err := s.call("iam:SimulatePrincipalPolicy", t.RoleARN, func(ctx context.Context) (err error) {
		out, err = s.r.iam.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
			PolicySourceArn: aws.String(aws.ToString(s.role.Arn)), ActionNames: []string{"connect:GetFederationToken"}, ResourceArns: []string{resource},
			ContextEntries: []itypes.ContextEntry{
				{ContextKeyName: aws.String("aws:userid"), ContextKeyType: itypes.ContextKeyTypeEnumString, ContextKeyValues: []string{userid}},
				{ContextKeyName: aws.String("aws:RequestedRegion"), ContextKeyType: itypes.ContextKeyTypeEnumString, ContextKeyValues: []string{t.Region}},
			}})
		return err
	})
	if err != nil || len(out.EvaluationResults) == 0 {
		return
	}
	s.rd.AWS.Simulation = &lint.Simulation{Action: "connect:GetFederationToken", Resource: resource, UserID: userid, Decision: string(out.EvaluationResults[0].EvalDecision)}
}
