package lint

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/samllint/samllint/internal/base/lazyre"
)

// AWS attribute names, exact and case-sensitive (refIAMAssert).
const (
	attrPrefix            = "https://aws.amazon.com/SAML/Attributes/"
	AttrRole              = attrPrefix + "Role"
	AttrRoleSessionName   = attrPrefix + "RoleSessionName"
	AttrSessionDuration   = attrPrefix + "SessionDuration"
	AttrSourceIdentity    = attrPrefix + "SourceIdentity"
	AttrPrincipalTag      = attrPrefix + "PrincipalTag:"
	AttrTransitiveTagKeys = attrPrefix + "TransitiveTagKeys"
)

// ARN and endpoint shapes, from the IAM API's role and provider name
// patterns and the AWS sign-in endpoint list (refSignInEP), for Go's RE2.
var (
	// The account's and the names' lengths (12; 1–64, 1–128) are checked apart: a counted
	// repetition makes RE2 compile that many copies, at every start.
	roleARNRe     = lazyre.New(`^arn:(aws(?:-[a-z]+)*):iam::(\d+):role/((?:[\x21-\x7E]+/)?)([\w+=,.@-]+)$`)
	providerARNRe = lazyre.New(`^arn:(aws(?:-[a-z]+)*):iam::(\d+):saml-provider/([\w.-]+)$`)
	anyARNRe      = lazyre.New(`^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$`)
	endpointRe    = lazyre.New(`^https://(?:([a-z]{2}(?:-gov)?-[a-z]+-\d)\.)?signin\.(aws\.amazon\.com|amazonaws-us-gov\.com|amazonaws\.cn)/saml(/acs/[A-Z0-9]+)?$`)
	sessionNameRe = lazyre.New(`^[A-Za-z0-9_+=,.@-]+$`) // 2–64: validSessionName
	connectUserRe = lazyre.New(`^[A-Za-z0-9_.@-]+$`)    // 2–64: validConnectUser
	emailRe       = lazyre.New(`^[^@]+@[^@]+\.[^@]+$`)
	// sfUserRe is Salesforce Service Cloud Voice's Connect user name:
	// alias@userid@orgid (userid@orgid for government orgs), with
	// 15- or 18-character IDs keyed 005 (user) and 00D (org).
	sfUserRe   = lazyre.New(`^([A-Za-z0-9_.-]+@)?005[A-Za-z0-9]{12}([A-Za-z0-9]{3})?@00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$`)
	uuidRe     = lazyre.New(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	templateRe = lazyre.New(`\$\{|\{\{|appuser\.|user\.|%[a-z]`)
	// regionalSignInRe is a regional sign-in endpoint, to name one whose region AWS does not list.
	regionalSignInRe = lazyre.New(`^https://([a-z0-9-]+)\.signin\.aws\.amazon\.com/saml$`)
)

// regions are the AWS regions samllint knows, for "is this a real region"
// (refSignInEP, plus us-east-1, GovCloud and China).
var regions = map[string]bool{}

// validTagKey and validTagValue are STS's session tag syntax: 1–128 and
// 0–256 characters of the tag character set.
func validTagKey(k string) bool {
	n := utf8.RuneCountInString(k)
	return n >= 1 && n <= 128 && tagChars(k)
}

func validTagValue(v string) bool {
	return utf8.RuneCountInString(v) <= 256 && tagChars(v)
}

// tagChars reports whether s is all of the tag character set,
// [\p{L}\p{Z}\p{N}_.:/=+\-@]: a loop, since RE2 compiles those Unicode
// classes into a program that took 1.5 ms, a tenth of a paste's run.
func tagChars(s string) bool {
	for _, r := range s {
		if !unicode.In(r, unicode.L, unicode.Z, unicode.N) && !strings.ContainsRune("_.:/=+-@", r) {
			return false
		}
	}
	return true
}

func init() {
	for _, r := range strings.Fields(`us-east-1 us-east-2 us-west-1 us-west-2 af-south-1 ap-east-1 ap-east-2
		ap-south-1 ap-south-2 ap-southeast-1 ap-southeast-2 ap-southeast-3 ap-southeast-4 ap-southeast-5
		ap-southeast-6 ap-southeast-7 ap-northeast-1 ap-northeast-2 ap-northeast-3 ca-central-1 ca-west-1
		eu-central-1 eu-central-2 eu-west-1 eu-west-2 eu-west-3 eu-south-1 eu-south-2 eu-north-1
		il-central-1 mx-central-1 me-south-1 me-central-1 sa-east-1 us-gov-west-1 us-gov-east-1
		cn-north-1 cn-northwest-1`) {
		regions[r] = true
	}
}

// acceptedAudiences are the audiences AWS accepts: its SP metadata's entity
// ID, the GovCloud and China ones, and the URL Entra's gallery app sends.
var acceptedAudiences = map[string]string{
	"urn:amazon:webservices":                "aws",
	"urn:amazon:webservices:govcloud":       "aws-us-gov",
	"urn:amazon:webservices:cn-north-1":     "aws-cn",
	"urn:amazon:webservices:cn-northwest-1": "aws-cn",
	"https://signin.aws.amazon.com/saml":    "aws",
}

// endpoint is a parsed AWS sign-in SAML endpoint.
type endpoint struct {
	Region    string // "" for the host without a region prefix
	Partition string
	ACS       bool   // provider-specific /saml/acs/<id>
	ACSPath   string // "/acs/<id>" when ACS
	Domain    string // signin.aws.amazon.com and the partitions' kin
}

// inRegion is the same endpoint on the sign-in host of region, keeping
// a provider-specific /saml/acs/<id> path: encryption needs it.
func (e endpoint) inRegion(region string) string {
	return "https://" + regionPrefix(region) + "signin." + e.Domain + "/saml" + e.ACSPath
}

// matchEndpoint is endpointRe's match with the provider ID's length
// checked: 22–64 characters after /saml/acs/.
func matchEndpoint(u string) []string {
	m := endpointRe.FindStringSubmatch(u)
	if m == nil || (m[3] != "" && (len(m[3]) < len("/acs/")+22 || len(m[3]) > len("/acs/")+64)) {
		return nil
	}
	return m
}

// validSessionName is RoleSessionName's syntax: 2–64 of its characters.
func validSessionName(s string) bool {
	return len(s) >= 2 && len(s) <= 64 && sessionNameRe.MatchString(s)
}

// validConnectUser is a Connect user name's syntax: 2–64 of its characters.
func validConnectUser(s string) bool {
	return len(s) >= 2 && len(s) <= 64 && connectUserRe.MatchString(s)
}

func parseEndpoint(u string) (endpoint, bool) {
	m := matchEndpoint(u)
	if m == nil {
		return endpoint{}, false
	}
	e := endpoint{Region: m[1], ACS: m[3] != "", ACSPath: m[3], Domain: m[2]}
	switch m[2] {
	case "amazonaws-us-gov.com":
		e.Partition = "aws-us-gov"
	case "amazonaws.cn":
		e.Partition = "aws-cn"
	default:
		e.Partition = "aws"
	}
	if e.Region != "" && !regions[e.Region] {
		return e, false
	}
	return e, true
}

// RegionPartition is the partition a region belongs to: aws-us-gov,
// aws-cn or aws.
func RegionPartition(region string) string {
	switch {
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	}
	return "aws"
}

// repairEndpoint is u without its fault, when what remains is an AWS
// sign-in endpoint: a trailing slash, http for https, upper case in the
// scheme and host, stray spaces. An admin keeps the endpoint in use.
func repairEndpoint(u string) (string, bool) {
	if _, ok := parseEndpoint(u); ok {
		return u, true
	}
	s := strings.TrimSpace(u)
	s = strings.TrimSuffix(s, "/")
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return "", false
	}
	host, path, _ := strings.Cut(rest, "/")
	if !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") {
		return "", false
	}
	s = "https://" + strings.ToLower(host) + "/" + path
	if _, ok := parseEndpoint(s); ok {
		return s, true
	}
	// The path is case-insensitive in the eyes of whoever typed /SAML;
	// the provider ID is not, so only the fixed part is lowered.
	if p, id, hasACS := strings.Cut(path, "/acs/"); hasACS || strings.EqualFold(path, "saml") {
		s = "https://" + strings.ToLower(host) + "/" + strings.ToLower(p)
		if hasACS {
			s += "/acs/" + id
		}
		if _, ok := parseEndpoint(s); ok {
			return s, true
		}
	}
	return "", false
}

// endpointHint names a near-miss of an AWS endpoint, or "".
func endpointHint(u string) string {
	l := strings.ToLower(strings.TrimSpace(u))
	switch {
	case u == "":
		return "it is empty"
	case strings.HasSuffix(l, "/saml/") && matchEndpoint(strings.TrimSuffix(u, "/")) != nil:
		return "it has a trailing slash"
	case strings.HasPrefix(l, "http://") && matchEndpoint("https://"+u[len("http://"):]) != nil:
		return "it uses http, not https"
	case u != l && matchEndpoint(l) != nil:
		return "the case differs"
	case strings.HasSuffix(l, "signin.aws.amazon.com/static/saml"):
		return "/static/saml is an unusual endpoint; use /saml"
	case strings.Contains(l, "localhost") || strings.Contains(l, "127.0.0.1"):
		return "it points at this computer, not AWS (a test setting left in the IdP app?)"
	case strings.Contains(l, ".my.connect.aws") || strings.Contains(l, ".awsapps.com"):
		return "it is the Amazon Connect access URL; the IdP must post to the AWS sign-in endpoint, and Connect is reached through the RelayState"
	case strings.Contains(l, "console.aws.amazon.com"):
		return "it is the console URL; the console is reached after sign-in, through the RelayState"
	case strings.Contains(l, "signin..com") || strings.Contains(l, "signin.aws.amazon.com") && !strings.HasSuffix(l, "/saml"):
		return "the host or path is malformed"
	}
	if m := regionalSignInRe.FindStringSubmatch(l); m != nil && !regions[m[1]] {
		return "region " + m[1] + " is not an AWS region"
	}
	return ""
}

// iamARN is a parsed IAM ARN from a Role attribute value.
type iamARN struct {
	Raw       string
	Partition string
	Account   string
	Kind      string // "role" or "saml-provider"
	Path      string // role path, "/" when none
	Name      string
}

func parseRoleARN(s string) *iamARN {
	m := roleARNRe.FindStringSubmatch(s)
	if m == nil || len(m[2]) != 12 || len(m[4]) > 64 || len("/"+m[3]) > 512 {
		return nil
	}
	path := "/" + m[3]
	return &iamARN{Raw: s, Partition: m[1], Account: m[2], Kind: "role", Path: path, Name: m[4]}
}

func parseProviderARN(s string) *iamARN {
	m := providerARNRe.FindStringSubmatch(s)
	if m == nil || len(m[2]) != 12 || len(m[3]) > 128 {
		return nil
	}
	return &iamARN{Raw: s, Partition: m[1], Account: m[2], Kind: "saml-provider", Name: m[3]}
}

// rolePair is one Role attribute value, taken apart.
type rolePair struct {
	Value     string
	Path      string
	Parts     []string // comma-separated parts, trimmed
	Roles     []*iamARN
	Providers []*iamARN
	// Others are parts that are neither a role nor a provider ARN.
	Others []string
	// Spaces is true when the value or a part had surrounding whitespace.
	Spaces bool
}

// Pair returns the role and provider ARN when the value is exactly one of each.
func (p *rolePair) Pair() (role, provider *iamARN, ok bool) {
	if len(p.Roles) == 1 && len(p.Providers) == 1 && len(p.Others) == 0 {
		return p.Roles[0], p.Providers[0], true
	}
	return nil, nil, false
}

func parseRoleValue(value, path string) *rolePair {
	p := &rolePair{Value: value, Path: path}
	for _, part := range strings.Split(value, ",") {
		t := strings.TrimSpace(part)
		if t != part {
			p.Spaces = true
		}
		p.Parts = append(p.Parts, t)
		switch {
		case parseRoleARN(t) != nil:
			p.Roles = append(p.Roles, parseRoleARN(t))
		case parseProviderARN(t) != nil:
			p.Providers = append(p.Providers, parseProviderARN(t))
		default:
			p.Others = append(p.Others, t)
		}
	}
	return p
}

// relayInfo is a parsed RelayState.
type relayInfo struct {
	Raw        string
	URL        string // after undoing an extra URL-encoding
	Encoded    bool   // it was URL-encoded once more than it should be
	Region     string // "" with the regionless host (us-east-1)
	Regionless bool
	GovCloud   bool
	Instance   string
	Query      url.Values
	RawQuery   string
	OK         bool // the federation URL shape, before the instance ID check
}

var relayRe = lazyre.New(`^https://(?:([a-z0-9-]+)\.console\.aws\.amazon\.com|(console\.amazonaws-us-gov\.com)|(console\.aws\.amazon\.com))/connect/federate/([^?#]*)(?:\?([^#]*))?$`)

func parseRelay(raw string) *relayInfo {
	ri := &relayInfo{Raw: raw, URL: strings.TrimSpace(raw)}
	if strings.HasPrefix(strings.ToLower(ri.URL), "https%3a") {
		if u, err := url.QueryUnescape(ri.URL); err == nil {
			ri.URL, ri.Encoded = u, true
		}
	}
	m := relayRe.FindStringSubmatch(ri.URL)
	if m == nil {
		return ri
	}
	ri.OK = true
	ri.Region, ri.GovCloud, ri.Regionless = m[1], m[2] != "", m[3] != ""
	if ri.GovCloud {
		ri.Region = "us-gov-west-1"
	}
	if ri.Regionless {
		ri.Region = "us-east-1"
	}
	ri.Instance = m[4]
	ri.RawQuery = m[5]
	ri.Query, _ = url.ParseQuery(m[5])
	return ri
}

// federateURL is the Connect federation URL for a region and instance
// (refConnect).
func federateURL(region, instance string) string {
	if region == "us-gov-west-1" {
		return "https://console.amazonaws-us-gov.com/connect/federate/" + instance
	}
	return "https://" + region + ".console.aws.amazon.com/connect/federate/" + instance
}

// nearest returns the candidate closest to s by edit distance, and the
// distance.
func nearest(s string, candidates []string) (string, int) {
	best, bd := "", 1<<30
	for _, c := range candidates {
		if d := levenshtein(strings.ToLower(s), strings.ToLower(c)); d < bd {
			best, bd = c, d
		}
	}
	return best, bd
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, s := range parts {
		if s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, sep)
}
