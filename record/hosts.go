package record

import (
	"html"
	"net/url"
	"regexp"
	"strings"

	"github.com/samllint/samllint/saml"
)

// hostKind is what a URL's host is to a sign-in.
type hostKind int

const (
	hostOther   hostKind = iota
	hostSignIn           // an AWS sign-in endpoint: the SAML post goes there
	hostConsole          // the AWS console, where the Connect federation URL is
	hostConnect          // Amazon Connect itself
)

// signInHostPatterns are the AWS sign-in hosts, as Fetch URL patterns:
// global and regional, in the commercial, GovCloud and China partitions.
var signInHostPatterns = []string{
	"signin.aws.amazon.com", "*.signin.aws.amazon.com",
	"signin.amazonaws-us-gov.com", "*.signin.amazonaws-us-gov.com",
	"signin.amazonaws.cn", "*.signin.amazonaws.cn",
}

func hostOf(raw string) hostKind {
	u, err := url.Parse(raw)
	if err != nil {
		return hostOther
	}
	h := strings.ToLower(u.Hostname())
	is := func(suffixes ...string) bool {
		for _, s := range suffixes {
			if h == s || strings.HasSuffix(h, "."+s) {
				return true
			}
		}
		return false
	}
	switch {
	case is("signin.aws.amazon.com", "signin.amazonaws-us-gov.com", "signin.amazonaws.cn"):
		return hostSignIn
	case is("console.aws.amazon.com", "console.amazonaws-us-gov.com", "console.amazonaws.cn"):
		return hostConsole
	case is("my.connect.aws", "awsapps.com"):
		return hostConnect
	}
	return hostOther
}

// signInPath: the SAML endpoints, /saml and /saml/acs/<provider id>.
func signInPath(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	p := strings.TrimSuffix(u.Path, "/")
	return p == "/saml" || strings.HasPrefix(p, "/saml/acs/")
}

// stripQuery drops a URL's query and fragment, where tokens travel
// (the federation's SigninToken, Connect's auth codes).
func stripQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u.String()
}

func headerValue(h map[string]any, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			if s, ok := v.(string); ok {
				return s
			}
		}
	}
	return ""
}

// roleIndexRe finds the role choices of AWS's role picker ("Select a
// role"): radio inputs named roleIndex whose values are role ARNs.
var roleIndexRe = regexp.MustCompile(`(?is)<input\b[^>]*\bname\s*=\s*["']roleIndex["'][^>]*>`)
var valueRe = regexp.MustCompile(`(?is)\bvalue\s*=\s*["']([^"']+)["']`)

// rolePicker lists the roles AWS's role picker offers, or nil when the
// page is none.
func rolePicker(html string) []string {
	var roles []string
	for _, tag := range roleIndexRe.FindAllString(html, -1) {
		if m := valueRe.FindStringSubmatch(tag); m != nil && strings.HasPrefix(m[1], "arn:") {
			roles = append(roles, m[1])
		}
	}
	return roles
}

// shortened is the HAR's note on every page shortPage kept.
const shortened = "shortened by samllint record: only the page's title, the error it shows and the role picker's roles are kept"

// shortPage is an AWS or Connect page as a recording keeps it: only what
// samllint reads of it (its title, the error it shows, the roles of
// AWS's role picker), in a page of its own. Never its scripts or the rest
// of its body: a page may embed a token.
func shortPage(page string) string {
	b := []byte(page)
	var out strings.Builder
	out.WriteString("<html><head><title>" + html.EscapeString(saml.PageTitle(b)) + "</title></head><body>")
	if msg := saml.PageError(b); msg != "" {
		out.WriteString("<p>" + html.EscapeString(msg) + "</p>")
	}
	for _, role := range rolePicker(page) {
		out.WriteString(`<input type="radio" name="roleIndex" value="` + html.EscapeString(role) + `">`)
	}
	out.WriteString("</body></html>")
	return out.String()
}
