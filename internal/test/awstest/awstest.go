// Package awstest is a loopback stand-in for the AWS APIs samllint reads,
// for tests: it answers the real SDK clients in each service's wire
// protocol (IAM and STS: the Query protocol with XML answers;
// Organizations: JSON 1.1; Amazon Connect: REST-JSON), shaped as the API
// references' own examples, from a World the test describes. It records
// every request, and can deny, throttle or stall any action.
package awstest

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// World is the account, its organization and its Connect instances.
type World struct {
	// Caller is the account of the credentials (GetCallerIdentity).
	Caller string
	// Management is the organization's management account; "" means the
	// account is in no organization.
	Management string
	Providers  map[string]*Provider // by ARN
	Roles      map[string]*Role     // by name
	Policies   map[string]*Policy   // managed policies, by ARN
	// Parents maps an account or OU ID to its parent.
	Parents map[string]Parent
	// Attached maps a root, OU or account ID to its SCPs' IDs.
	Attached map[string][]string
	SCPs     map[string]*SCP      // by ID
	Connect  map[string]*Instance // by instance ID
	// Simulate is what SimulatePrincipalPolicy decides ("allowed",
	// "implicitDeny"); "" answers AccessDenied.
	Simulate string
	// FeatureSet is DescribeOrganization's: "ALL" (the default) or
	// "CONSOLIDATED_BILLING", where no policy type can be enabled.
	FeatureSet string
	// SCPsDisabled leaves SERVICE_CONTROL_POLICY out of the root's
	// enabled policy types (ListRoots), as in an organization with all
	// features where nobody enabled SCPs.
	SCPsDisabled bool
	// Trail is CloudTrail's event history: records as CloudTrail writes
	// them (JSON), answered by LookupEvents in their awsRegion.
	Trail []string
	// CallerError is the error GetCallerIdentity answers, as STS does for
	// credentials it refuses: "ExpiredToken", "InvalidClientTokenId",
	// "SignatureDoesNotMatch"; "" answers.
	CallerError string
}

// Provider is an IAM SAML provider.
type Provider struct {
	Metadata   string
	UUID       string
	Mode       string // AssertionEncryptionMode
	Keys       int
	ValidUntil time.Time
}

// Role is an IAM role.
type Role struct {
	ARN, ID    string
	Trust      string // the trust policy JSON
	MaxSession int
	Boundary   string   // managed policy ARN
	Attached   []string // managed policy ARNs
	Inline     [][2]string
}

// Policy is a managed policy's default version.
type Policy struct {
	Name, Version, Document string
}

// Parent is an OU or root.
type Parent struct{ ID, Type string }

// SCP is a service control policy.
type SCP struct{ Name, Content string }

// Instance is an Amazon Connect instance and its users.
type Instance struct {
	IdentityManagementType string
	Users                  []string
}

// Server answers as AWS does.
type Server struct {
	*httptest.Server
	World *World
	// PageSize is how many items a List or Search answer holds before it
	// is truncated (default 1, so that every paginated read pages).
	PageSize int

	mu       sync.Mutex
	requests []string
	deny     map[string]bool
	throttle map[string]int
	delay    time.Duration
	stall    map[string]time.Duration
}

// New starts a server for w, closed when the test ends.
func New(t testing.TB, w *World) *Server {
	s := &Server{World: w, PageSize: 1, deny: map[string]bool{}, throttle: map[string]int{}, stall: map[string]time.Duration{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Env points the SDK's standard configuration at the server, with
// made-up credentials and nothing read from the user's files or the
// instance metadata service.
func (s *Server) Env(t testing.TB) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_IAM": s.URL, "AWS_ENDPOINT_URL_STS": s.URL, "AWS_ENDPOINT_URL_ORGANIZATIONS": s.URL, "AWS_ENDPOINT_URL_CONNECT": s.URL, "AWS_ENDPOINT_URL_CLOUDTRAIL": s.URL,
		"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "us-east-1", "AWS_PROFILE": "", "AWS_DEFAULT_PROFILE": "", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_ENDPOINT_URL": "", "AWS_RETRY_MODE": "standard",
	} {
		t.Setenv(k, v)
	}
	if err := os.WriteFile(filepath.Join(dir, "config"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Deny makes these actions ("iam:GetRole") answer AccessDenied.
func (s *Server) Deny(actions ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range actions {
		s.deny[a] = true
	}
}

// Throttle makes an action answer with its service's throttling error n
// times before it answers.
func (s *Server) Throttle(action string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle[action] = n
}

// Stall delays every answer.
func (s *Server) Stall(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// StallAction delays the answers to one action only.
func (s *Server) StallAction(action string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stall[action] = d
}

// Requests are the actions asked for, in order ("iam:GetRole").
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// fault is what the server was told to answer instead, if anything.
func (s *Server) fault(action string) (string, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, action)
	delay := s.delay
	if d, ok := s.stall[action]; ok {
		delay = d
	}
	switch {
	case s.deny[action]:
		return "denied", delay
	case s.throttle[action] > 0:
		s.throttle[action]--
		return "throttled", delay
	}
	return "", delay
}

// signedFor is the service a request's Signature Version 4 Authorization
// names in its credential scope, and its region: AWS refuses a request
// signed for another service ("Credential should be scoped to correct
// service").
func signedFor(r *http.Request) (service, region string) {
	auth := r.Header.Get("Authorization")
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") || !ok {
		return "", ""
	}
	scope := strings.Split(strings.SplitN(cred, ",", 2)[0], "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return "", ""
	}
	return scope[3], scope[2]
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	want := "iam"
	switch {
	case strings.HasPrefix(r.Header.Get("X-Amz-Target"), cloudTrailTarget):
		want = "cloudtrail"
	case r.Header.Get("X-Amz-Target") != "":
		want = "organizations"
	case strings.HasPrefix(r.URL.Path, "/instance/") || r.URL.Path == "/search-users":
		want = "connect"
	case strings.Contains(string(body), "Version=2011-06-15"):
		want = "sts"
	}
	service, region := signedFor(r)
	if service != want || (want == "iam" || want == "organizations") && !slices.Contains([]string{"us-east-1", "us-gov-west-1", "cn-north-1", "cn-northwest-1"}, region) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(403)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>Credential should be scoped to a valid region and to the correct service, %s in %s, not %q in %q.</Message></Error></ErrorResponse>`, want, region, service, region)
		return
	}
	switch {
	case want == "cloudtrail":
		s.cloudTrail(w, r, body, region)
	case r.Header.Get("X-Amz-Target") != "":
		s.organizations(w, r, body)
	case strings.HasPrefix(r.URL.Path, "/instance/") || r.URL.Path == "/search-users":
		s.connect(w, r, body)
	default:
		s.query(w, r, body)
	}
}

// wait stalls, unless the client gives up first.
func wait(r *http.Request, d time.Duration) bool {
	if d == 0 {
		return true
	}
	select {
	case <-time.After(d):
		return true
	case <-r.Context().Done():
		return false
	}
}

// Query protocol: IAM (2010-05-08) and STS (2011-06-15).

func (s *Server) query(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	op := form.Get("Action")
	ns, svc := "https://iam.amazonaws.com/doc/2010-05-08/", "iam"
	if form.Get("Version") == "2011-06-15" {
		ns, svc = "https://sts.amazonaws.com/doc/2011-06-15/", "sts"
	}
	f, d := s.fault(svc + ":" + op)
	if !wait(r, d) {
		return
	}
	fail := func(status int, code, msg string) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`, ns, code, esc(msg), reqID)
	}
	switch f {
	case "denied":
		fail(403, "AccessDenied", fmt.Sprintf("User: arn:aws:iam::%s:user/reader is not authorized to perform: %s:%s because no identity-based policy allows the %s:%s action", s.World.Caller, svc, op, svc, op))
		return
	case "throttled":
		fail(400, "Throttling", "Rate exceeded")
		return
	}
	result, code, msg := s.queryResult(op, form)
	if code != "" {
		status := 400
		switch code {
		case "NoSuchEntity":
			status = 404
		case "ExpiredToken", "InvalidClientTokenId", "SignatureDoesNotMatch":
			status = 403
		}
		fail(status, code, msg)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<%sResponse xmlns="%s"><%sResult>%s</%sResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`, op, ns, op, result, op, reqID, op)
}

const reqID = "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE"

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func el(tag string, v any) string {
	var s string
	switch t := v.(type) {
	case string:
		s = esc(t)
	case time.Time:
		s = t.UTC().Format(time.RFC3339)
	default:
		s = fmt.Sprint(t)
	}
	return "<" + tag + ">" + s + "</" + tag + ">"
}

// iamEncode URL-encodes a policy document as IAM's API returns it.
func iamEncode(doc string) string { return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20") }

var created = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// page cuts items at marker, PageSize at a time.
func (s *Server) page(n int, marker string) (from, to int, next string) {
	from, _ = strconv.Atoi(marker)
	to = min(n, from+max(s.PageSize, 1))
	if to < n {
		next = strconv.Itoa(to)
	}
	return from, to, next
}

func truncated(next string) string {
	if next == "" {
		return el("IsTruncated", "false")
	}
	return el("IsTruncated", "true") + el("Marker", next)
}

func (s *Server) queryResult(op string, f url.Values) (string, string, string) {
	wd := s.World
	role := func() (*Role, string, string) {
		ro := wd.Roles[f.Get("RoleName")]
		if ro == nil {
			return nil, "NoSuchEntity", "The role with name " + f.Get("RoleName") + " cannot be found."
		}
		return ro, "", ""
	}
	switch op {
	case "GetCallerIdentity":
		switch wd.CallerError {
		case "ExpiredToken":
			return "", "ExpiredToken", "The security token included in the request is expired"
		case "InvalidClientTokenId":
			return "", "InvalidClientTokenId", "The security token included in the request is invalid."
		case "SignatureDoesNotMatch":
			return "", "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."
		}
		return el("Arn", "arn:aws:iam::"+wd.Caller+":user/reader") + el("UserId", "AIDACKCEVSQ6C2EXAMPLE") + el("Account", wd.Caller), "", ""
	case "GetSAMLProvider":
		p := wd.Providers[f.Get("SAMLProviderArn")]
		if p == nil {
			return "", "NoSuchEntity", "Manifest not found for arn " + f.Get("SAMLProviderArn")
		}
		keys := ""
		for i := range p.Keys {
			keys += "<member>" + el("KeyId", fmt.Sprintf("KEY%019d", i+1)) + el("Timestamp", created) + "</member>"
		}
		return el("SAMLMetadataDocument", p.Metadata) + el("CreateDate", created) + el("ValidUntil", p.ValidUntil) +
			el("SAMLProviderUUID", p.UUID) + el("AssertionEncryptionMode", p.Mode) + "<PrivateKeyList>" + keys + "</PrivateKeyList>", "", ""
	case "GetRole":
		ro, code, msg := role()
		if ro == nil {
			return "", code, msg
		}
		name := ro.ARN[strings.LastIndexByte(ro.ARN, '/')+1:]
		path := "/" + strings.TrimPrefix(strings.TrimSuffix(strings.SplitN(ro.ARN, ":role/", 2)[1], name), "/")
		out := el("Path", path) + el("RoleName", name) + el("RoleId", ro.ID) + el("Arn", ro.ARN) + el("CreateDate", created) +
			el("AssumeRolePolicyDocument", iamEncode(ro.Trust)) + el("MaxSessionDuration", max(ro.MaxSession, 3600))
		if ro.Boundary != "" {
			out += "<PermissionsBoundary>" + el("PermissionsBoundaryType", "Policy") + el("PermissionsBoundaryArn", ro.Boundary) + "</PermissionsBoundary>"
		}
		return "<Role>" + out + "</Role>", "", ""
	case "ListAttachedRolePolicies":
		ro, code, msg := role()
		if ro == nil {
			return "", code, msg
		}
		from, to, next := s.page(len(ro.Attached), f.Get("Marker"))
		out := ""
		for _, arn := range ro.Attached[from:to] {
			out += "<member>" + el("PolicyName", arn[strings.LastIndexByte(arn, '/')+1:]) + el("PolicyArn", arn) + "</member>"
		}
		return "<AttachedPolicies>" + out + "</AttachedPolicies>" + truncated(next), "", ""
	case "ListRolePolicies":
		ro, code, msg := role()
		if ro == nil {
			return "", code, msg
		}
		from, to, next := s.page(len(ro.Inline), f.Get("Marker"))
		out := ""
		for _, p := range ro.Inline[from:to] {
			out += el("member", p[0])
		}
		return "<PolicyNames>" + out + "</PolicyNames>" + truncated(next), "", ""
	case "GetRolePolicy":
		ro, code, msg := role()
		if ro == nil {
			return "", code, msg
		}
		for _, p := range ro.Inline {
			if p[0] == f.Get("PolicyName") {
				return el("RoleName", f.Get("RoleName")) + el("PolicyName", p[0]) + el("PolicyDocument", iamEncode(p[1])), "", ""
			}
		}
		return "", "NoSuchEntity", "The role policy with name " + f.Get("PolicyName") + " cannot be found."
	case "GetPolicy":
		p := wd.Policies[f.Get("PolicyArn")]
		if p == nil {
			return "", "NoSuchEntity", "Policy " + f.Get("PolicyArn") + " does not exist or is not attachable."
		}
		return "<Policy>" + el("PolicyName", p.Name) + el("DefaultVersionId", p.Version) + el("PolicyId", "ANPAJ2UCCR6DPCEXAMPLE") +
			el("Path", "/") + el("Arn", f.Get("PolicyArn")) + el("AttachmentCount", 1) + el("CreateDate", created) + el("UpdateDate", created) + "</Policy>", "", ""
	case "GetPolicyVersion":
		p := wd.Policies[f.Get("PolicyArn")]
		if p == nil || p.Version != f.Get("VersionId") {
			return "", "NoSuchEntity", "Policy " + f.Get("PolicyArn") + " version " + f.Get("VersionId") + " does not exist or is not attachable."
		}
		return "<PolicyVersion>" + el("Document", iamEncode(p.Document)) + el("IsDefaultVersion", "true") + el("VersionId", p.Version) + el("CreateDate", created) + "</PolicyVersion>", "", ""
	case "SimulatePrincipalPolicy":
		if wd.Simulate == "" {
			return "", "AccessDenied", "not authorized to perform: iam:SimulatePrincipalPolicy"
		}
		return "<EvaluationResults><member>" + el("EvalActionName", f.Get("ActionNames.member.1")) + el("EvalResourceName", f.Get("ResourceArns.member.1")) +
			el("EvalDecision", wd.Simulate) + "<MatchedStatements/><MissingContextValues/></member></EvaluationResults>" + el("IsTruncated", "false"), "", ""
	}
	return "", "InvalidAction", "Could not find operation " + op
}

// JSON 1.1: Organizations.

func (s *Server) organizations(w http.ResponseWriter, r *http.Request, body []byte) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSOrganizationsV20161128.")
	f, d := s.fault("organizations:" + op)
	if !wait(r, d) {
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	fail := func(code, msg string) {
		w.WriteHeader(400)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "Message": msg})
	}
	switch f {
	case "denied":
		fail("AccessDeniedException", "You don't have permissions to access this resource.")
		return
	case "throttled":
		fail("TooManyRequestsException", "AWS Organizations can't complete your request because another request is already in progress.")
		return
	}
	var in map[string]string
	_ = json.Unmarshal(body, &in)
	wd := s.World
	if wd.Management == "" {
		fail("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
		return
	}
	var out any
	switch op {
	case "DescribeOrganization":
		fs := wd.FeatureSet
		if fs == "" {
			fs = "ALL"
		}
		out = map[string]any{"Organization": map[string]any{"Id": "o-exampleorgid", "Arn": "arn:aws:organizations::" + wd.Management + ":organization/o-exampleorgid",
			"FeatureSet": fs, "MasterAccountArn": "arn:aws:organizations::" + wd.Management + ":account/o-exampleorgid/" + wd.Management,
			"MasterAccountId": wd.Management, "MasterAccountEmail": "bill@example.com", "AvailablePolicyTypes": []any{}}}
	case "ListRoots":
		// The root, with the policy types enabled on it (ListRoots'
		// PolicyTypes); none in a consolidated-billing organization.
		root := ""
		for _, p := range wd.Parents {
			if p.Type == "ROOT" {
				root = p.ID
			}
		}
		types := []any{}
		if wd.FeatureSet != "CONSOLIDATED_BILLING" && !wd.SCPsDisabled {
			types = append(types, map[string]string{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"})
		}
		out = map[string]any{"Roots": []any{map[string]any{"Id": root, "Name": "Root",
			"Arn": "arn:aws:organizations::" + wd.Management + ":root/o-exampleorgid/" + root, "PolicyTypes": types}}}
	case "ListParents":
		p, ok := wd.Parents[in["ChildId"]]
		if !ok {
			fail("ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
			return
		}
		out = map[string]any{"Parents": []any{map[string]string{"Id": p.ID, "Type": p.Type}}}
	case "ListPoliciesForTarget":
		ids := wd.Attached[in["TargetId"]]
		if wd.FeatureSet == "CONSOLIDATED_BILLING" || wd.SCPsDisabled {
			ids = nil // no SCP attached anywhere, and no error: as observed
		}
		from, to, next := s.page(len(ids), in["NextToken"])
		var list []any
		for _, id := range ids[from:to] {
			arn := "arn:aws:organizations::" + wd.Management + ":policy/o-exampleorgid/service_control_policy/" + id
			if id == "p-FullAWSAccess" { // AWS managed: no account, no organization
				arn = "arn:aws:organizations::aws:policy/service_control_policy/" + id
			}
			list = append(list, map[string]any{"Id": id, "Arn": arn,
				"Name": wd.SCPs[id].Name, "Description": "", "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": id == "p-FullAWSAccess"})
		}
		m := map[string]any{"Policies": list}
		if next != "" {
			m["NextToken"] = next
		}
		out = m
	case "DescribePolicy":
		p := wd.SCPs[in["PolicyId"]]
		if p == nil {
			fail("PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified.")
			return
		}
		out = map[string]any{"Policy": map[string]any{"PolicySummary": map[string]any{"Id": in["PolicyId"], "Name": p.Name, "Type": "SERVICE_CONTROL_POLICY"}, "Content": p.Content}}
	default:
		fail("InvalidInputException", "unknown operation "+op)
		return
	}
	_ = json.NewEncoder(w).Encode(out)
}

// REST-JSON: Amazon Connect.

func (s *Server) connect(w http.ResponseWriter, r *http.Request, body []byte) {
	op := "DescribeInstance"
	if r.URL.Path == "/search-users" {
		op = "SearchUsers"
	}
	f, d := s.fault("connect:" + op)
	if !wait(r, d) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fail := func(status int, code, msg string) {
		w.Header().Set("X-Amzn-ErrorType", code)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"Message": msg})
	}
	switch f {
	case "denied":
		fail(403, "AccessDeniedException", "You do not have sufficient access to perform this action.")
		return
	case "throttled":
		fail(429, "ThrottlingException", "Rate exceeded")
		return
	}
	if op == "DescribeInstance" {
		id := strings.TrimPrefix(r.URL.Path, "/instance/")
		ins := s.World.Connect[id]
		if ins == nil {
			fail(404, "ResourceNotFoundException", "Instance not found")
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"Instance": map[string]any{"Id": id, "Arn": "arn:aws:connect:us-east-1:" + s.World.Caller + ":instance/" + id,
			"IdentityManagementType": ins.IdentityManagementType, "InstanceAlias": "example-contact-center", "CreatedTime": created.Unix(),
			"ServiceRole":    "arn:aws:iam::" + s.World.Caller + ":role/aws-service-role/connect.amazonaws.com/AWSServiceRoleForAmazonConnect_EXAMPLE",
			"InstanceStatus": "ACTIVE", "InboundCallsEnabled": true, "OutboundCallsEnabled": true}})
		return
	}
	var in struct {
		InstanceId     string
		NextToken      string
		SearchCriteria struct {
			StringCondition struct{ FieldName, Value, ComparisonType string }
		}
	}
	if err := json.Unmarshal(body, &in); err != nil {
		fail(400, "InvalidRequestException", err.Error())
		return
	}
	ins := s.World.Connect[in.InstanceId]
	if ins == nil {
		fail(404, "ResourceNotFoundException", "Instance not found")
		return
	}
	sc := in.SearchCriteria.StringCondition
	var match []string
	for _, u := range ins.Users {
		if sc.FieldName == "Username" && sc.ComparisonType == "EXACT" && u == sc.Value {
			match = append(match, u)
		}
	}
	sort.Strings(match)
	from, to, next := s.page(len(match), in.NextToken)
	var users []any
	for i, u := range match[from:to] {
		users = append(users, map[string]any{"Arn": "arn:aws:connect:us-east-1:" + s.World.Caller + ":instance/" + in.InstanceId + "/agent/" + strconv.Itoa(i),
			"Id": strconv.Itoa(i), "Username": u, "SecurityProfileIds": []string{}, "IdentityInfo": map[string]string{}})
	}
	out := map[string]any{"Users": users, "ApproximateTotalCount": len(match)}
	if next != "" {
		out["NextToken"] = next
	}
	_ = json.NewEncoder(w).Encode(out)
}

// CloudTrail: LookupEvents in the JSON 1.1 protocol, as its API reference
// documents it (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html):
// one lookup attribute, StartTime and EndTime as epoch seconds, at most
// 50 results a page (PageSize when set) with NextToken, the events newest
// first, each with its record as the CloudTrailEvent string; throttling
// is a ThrottlingException
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/CommonErrors.html).

const cloudTrailTarget = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."

func (s *Server) cloudTrail(w http.ResponseWriter, r *http.Request, body []byte, region string) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), cloudTrailTarget)
	f, d := s.fault("cloudtrail:" + op)
	if !wait(r, d) {
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	fail := func(code, msg string) {
		w.WriteHeader(400)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
	}
	switch {
	case f == "denied":
		fail("AccessDeniedException", "User: arn:aws:iam::"+s.World.Caller+":user/reader is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action")
		return
	case f == "throttled":
		fail("ThrottlingException", "Rate exceeded")
		return
	case op != "LookupEvents":
		fail("UnknownOperationException", "")
		return
	}
	var in struct {
		LookupAttributes []struct{ AttributeKey, AttributeValue string }
		StartTime        *float64
		EndTime          *float64
		MaxResults       int
		NextToken        string
	}
	if err := json.Unmarshal(body, &in); err != nil {
		fail("SerializationException", err.Error())
		return
	}
	if len(in.LookupAttributes) > 1 {
		fail("InvalidLookupAttributesException", "You cannot specify more than one lookup attribute.")
		return
	}
	type rec struct {
		EventID, EventName, EventTime, AWSRegion, EventSource string
		raw                                                   string
		t                                                     time.Time
	}
	var match []rec
	for _, raw := range s.World.Trail {
		var e struct {
			EventID     string `json:"eventID"`
			EventName   string `json:"eventName"`
			EventTime   string `json:"eventTime"`
			AWSRegion   string `json:"awsRegion"`
			EventSource string `json:"eventSource"`
		}
		if json.Unmarshal([]byte(raw), &e) != nil || e.AWSRegion != region {
			continue
		}
		t, _ := time.Parse(time.RFC3339, e.EventTime)
		if len(in.LookupAttributes) == 1 && in.LookupAttributes[0].AttributeKey == "EventName" && in.LookupAttributes[0].AttributeValue != e.EventName {
			continue
		}
		if in.StartTime != nil && t.Before(time.Unix(int64(*in.StartTime), 0)) || in.EndTime != nil && t.After(time.Unix(int64(*in.EndTime), 0)) {
			continue
		}
		match = append(match, rec{e.EventID, e.EventName, e.EventTime, e.AWSRegion, e.EventSource, raw, t})
	}
	sort.SliceStable(match, func(i, j int) bool { return match[i].t.After(match[j].t) })
	size := s.PageSize
	if in.MaxResults > 0 && (size == 0 || in.MaxResults < size) {
		size = in.MaxResults
	}
	if size == 0 || size > 50 {
		size = 50
	}
	from := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(in.NextToken, "page-"))
		if err != nil || !strings.HasPrefix(in.NextToken, "page-") {
			fail("InvalidNextTokenException", "Invalid NextToken.")
			return
		}
		from = n
	}
	to := min(from+size, len(match))
	events := []map[string]any{}
	for _, m := range match[from:to] {
		events = append(events, map[string]any{"EventId": m.EventID, "EventName": m.EventName, "ReadOnly": "true",
			"EventTime": float64(m.t.Unix()), "EventSource": m.EventSource, "Resources": []any{}, "CloudTrailEvent": m.raw})
	}
	out := map[string]any{"Events": events}
	if to < len(match) {
		out["NextToken"] = "page-" + strconv.Itoa(to)
	}
	_ = json.NewEncoder(w).Encode(out)
}
