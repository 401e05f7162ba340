package saml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/samllint/samllint/internal/base/lazyre"
	"github.com/samllint/samllint/internal/base/textcut"
)

// markup handles input that starts with '<': an HTML page (a saved
// auto-post form, or an error page pasted by mistake) or XML.
func (d *decoder) markup(b []byte, c *Capture) error {
	b = bytes.TrimPrefix(b, bomUTF8)
	if isHTML(b) {
		return d.html(b, c)
	}
	if err := quickCheck(b, d.lim); err != nil {
		return err
	}
	c.XML = b
	c.Chain = append(c.Chain, "xml")
	return nil
}

func isHTML(b []byte) bool {
	head := bytes.TrimSpace(b[:min(len(b), 2048)])
	if hasPrefixFold(head, "<!doctype html") || hasPrefixFold(head, "<html") {
		return true
	}
	if containsFold(head, "urn:oasis:names:tc:saml") {
		return false
	}
	return containsFold(head, "<html") || containsFold(head, "<body") || containsFold(head, "<form") || containsFold(head, "<input")
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix)
}

// containsFold is a case-insensitive bytes.Contains for an ASCII needle,
// without copying the haystack.
func containsFold(b []byte, needle string) bool {
	for i := 0; i+len(needle) <= len(b); i++ {
		if b[i] == needle[0] || b[i]|0x20 == needle[0] {
			if strings.EqualFold(string(b[i:i+len(needle)]), needle) {
				return true
			}
		}
	}
	return false
}

var (
	inputRe  = lazyre.New(`(?is)<input\b[^>]*>`)
	formRe   = lazyre.New(`(?is)<form\b[^>]*>`)
	attrRe   = lazyre.New(`(?is)\b(name|value|action|method)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))`)
	titleRe  = lazyre.New(`(?is)<title[^>]*>(.*?)</title>`)
	scriptRe = lazyre.New(`(?is)<(script|style)\b.*?</(script|style)>`)
	tagRe    = lazyre.New(`(?s)<[^>]*>`)
	spaceRe  = lazyre.New(`\s+`)
)

func attrs(tag string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRe.FindAllStringSubmatch(tag, -1) {
		m[strings.ToLower(a[1])] = html.UnescapeString(a[2] + a[3] + a[4])
	}
	return m
}

// html pulls the SAML message out of a saved auto-post form page.
func (d *decoder) html(b []byte, c *Capture) error {
	s := string(b)
	var msg string
	for _, tag := range inputRe.FindAllString(s, -1) {
		a := attrs(tag)
		switch a["name"] {
		case "SAMLResponse", "SAMLRequest":
			if msg == "" {
				c.Param, msg = a["name"], a["value"]
			}
		case "RelayState":
			rs := a["value"]
			c.RelayState = &rs
		}
	}
	if msg == "" {
		found := "an HTML page with no SAMLResponse form field"
		if t, _ := pageText(b); t != "" {
			found += fmt.Sprintf(" (it says %q)", t)
		}
		return decodeErr(StageKind, found, "the SAMLResponse value, the form that posts it, or a HAR export of the sign-in", nil)
	}
	if f := formRe.FindString(s); f != "" {
		a := attrs(f)
		c.URL = a["action"]
		c.Method = strings.ToUpper(a["method"])
	}
	c.Binding = "HTTP-POST"
	c.Chain = append(c.Chain, "html-form")
	return d.value(msg, c, 0)
}

// awsErrors are the texts AWS and Amazon Connect show on their error pages,
// as IAM's and Connect's SAML troubleshooting pages quote them; finding one
// in a reply names the failure exactly.
var awsErrors = []string{
	"Your request included an invalid SAML response",
	"Not authorized to perform sts:AssumeRoleWithSAML",
	"Response signature invalid",
	"Token must be redeemed within 5 minutes of issuance",
	"Issuer not present in specified provider",
	"Specified provider doesn't exist",
	"has not been onboarded to this application",
	"Access denied, Please contact your AWS account administrator",
	"Session Expired",
	"RoleSessionName",
	"Access Denied",
}

// idpErrors are the texts IdPs show when a sign-in fails on their own
// page (a wrong password, a locked account), as their sign-in pages
// word them.
var idpErrors = []string{
	"Incorrect username or password",               // SimpleSAMLphp
	"Your account or password is incorrect",        // Microsoft Entra ID
	"Incorrect user ID or password",                // AD FS
	"Invalid username or password",                 // Keycloak
	"Unable to sign in",                            // Okta Identity Engine
	"Sign in failed",                               // Okta Classic
	"We didn't recognize the username or password", // PingFederate
	"Wrong password",                               // Google Workspace
	"Your account has been locked",                 // several
	"Your account is locked",                       // several
	"The user name or password is incorrect",       // Windows-based IdPs
	"Authentication failed",                        // several
}

// errorBox finds, in IdPs' markup, an element that holds an error message
// by its id or class: Okta's o-form-error-container, Entra's passwordError,
// AD FS's errorText, Keycloak's input-error and kc-feedback-text,
// SimpleSAMLphp's message-box error, and the usual alert boxes.
var errorBox = lazyre.New(`(?is)<(div|p|span|section)\b[^>]*\b(?:id|class)\s*=\s*["'][^"']*\b(?:o-form-error-container|okta-form-infobox-error|passwordError|usernameError|errorText|error-text|input-error|kc-feedback-text|message-box error|alert-error|alert-danger|error-message|errorMessage)\b[^"']*["'][^>]*>(.*?)</(?:div|p|span|section)>`)

// IdPError is the error an IdP's own page shows (a wrong password, a
// locked account), from the earliest known text on, or the text of an
// element marked as its error; "" when the page shows none.
func IdPError(page []byte) string {
	text := visibleText(page)
	if first := earliest(text, idpErrors); first >= 0 {
		return clip(sentence(text[first:]), 200)
	}
	for _, m := range errorBox.Regexp().FindAllSubmatch(page, 4) {
		if t := visibleText(m[2]); t != "" {
			return clip(sentence(t), 200)
		}
	}
	return ""
}

// earliest is where the first of the phrases found in text begins, or -1.
func earliest(text string, phrases []string) int {
	first := -1
	for _, p := range phrases {
		if i := strings.Index(text, p); i >= 0 && (first < 0 || i < first) {
			first = i
		}
	}
	return first
}

// sentence is s to the end of its first sentence, or whole.
func sentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}

// visibleText is a page's text as a person reads it: without scripts or
// tags, its entities decoded, on one line.
func visibleText(b []byte) string {
	s := string(b)
	text := spaceRe.ReplaceAllString(html.UnescapeString(tagRe.ReplaceAllString(scriptRe.ReplaceAllString(s, " "), " ")), " ")
	return strings.NewReplacer(" .", ".", " ,", ",").Replace(strings.TrimSpace(text))
}

// pageText summarises an HTML page in one line: the AWS error it shows if it
// shows a known one (isError), else its title, else the start of its text.
func pageText(b []byte) (summary string, isError bool) {
	s := string(b)
	text := visibleText(b)
	// From the earliest known error on: "Access Denied. Your account has
	// been authenticated, but has not been onboarded…" whole.
	if first := earliest(text, awsErrors); first >= 0 {
		return clip(text[first:], 240), true
	}
	if m := titleRe.FindStringSubmatch(s); m != nil {
		if t := strings.TrimSpace(spaceRe.ReplaceAllString(html.UnescapeString(m[1]), " ")); t != "" {
			return clip(t, 120), false
		}
	}
	return clip(text, 120), false
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return textcut.Bytes(s, n) + "…"
}

// quickCheck is what the fast path checks before any tree is built: size,
// UTF-8, and no DTD (a DOCTYPE could declare entities). etree checks
// nesting depth and tag matching as it builds; checkXML runs when
// something fails, to say what and where.
func quickCheck(b []byte, lim Limits) error {
	if len(b) > lim.MaxXML || !utf8.Valid(b) {
		return checkXML(b, lim)
	}
	for rest := b; ; {
		i := bytes.Index(rest, []byte("<!"))
		if i < 0 {
			return nil
		}
		rest = rest[i+2:]
		if !bytes.HasPrefix(rest, []byte("--")) && !bytes.HasPrefix(rest, []byte("[CDATA[")) {
			return checkXML(b, lim) // a DOCTYPE, ENTITY or other declaration: refused there
		}
	}
}

// checkXML refuses, before any tree is built, what a SAML message never
// contains and an attacker might: DTDs and entity declarations (XXE, billion
// laughs), pathological nesting, several roots, other encodings.
func checkXML(b []byte, lim Limits) error {
	b = bytes.TrimPrefix(b, bomUTF8)
	if len(b) > lim.MaxXML {
		return decodeErr(StageXML, fmt.Sprintf("an XML document of %d bytes", len(b)), fmt.Sprintf("at most %d bytes", lim.MaxXML), nil)
	}
	if !utf8.Valid(b) {
		off := 0
		for off < len(b) {
			r, n := utf8.DecodeRune(b[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		return decodeErr(StageXML, fmt.Sprintf("bytes that are not UTF-8 (0x%02x at offset %d)", b[off], off), "UTF-8 XML, as SAML requires", nil)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	dec.CharsetReader = func(charset string, r io.Reader) (io.Reader, error) {
		switch strings.ToLower(charset) {
		case "utf-8", "utf8", "us-ascii", "ascii":
			return r, nil
		}
		return nil, fmt.Errorf("declared encoding %q", charset)
	}
	// RawToken skips namespace translation, a sixth of decode time; the
	// stack below does the end-tag matching Token would.
	var stack []xml.Name
	depth, roots := 0, 0
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return decodeErr(StageXML, fmt.Sprintf("malformed XML at line %d: %s", se.Line, se.Msg), "well-formed XML", nil)
			}
			return decodeErr(StageXML, "unreadable XML: "+err.Error(), "well-formed UTF-8 XML", nil)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return decodeErr(StageXML, fmt.Sprintf("a second root element <%s> at line %d", t.Name.Local, lineOf(dec, b)), "exactly one root element", nil)
				}
			}
			depth++
			if depth > lim.MaxDepth {
				return decodeErr(StageXML, fmt.Sprintf("elements nested more than %d deep", lim.MaxDepth), "a SAML message (they nest about 10 deep)", nil)
			}
			stack = append(stack, t.Name)
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1] != t.Name {
				open := "nothing"
				if len(stack) > 0 {
					open = "<" + rawName(stack[len(stack)-1]) + ">"
				}
				return decodeErr(StageXML, fmt.Sprintf("malformed XML at line %d: </%s> closes %s", lineOf(dec, b), rawName(t.Name), open), "well-formed XML", nil)
			}
			stack = stack[:len(stack)-1]
			depth--
		case xml.Directive:
			d := strings.ToUpper(strings.TrimSpace(string(t)))
			if strings.HasPrefix(d, "DOCTYPE") || strings.HasPrefix(d, "ENTITY") {
				what := "a DOCTYPE declaration"
				if strings.Contains(d, "<!ENTITY") || strings.HasPrefix(d, "ENTITY") {
					what = "a DOCTYPE with entity declarations"
				}
				return decodeErr(StageXML, what+" (refused: XXE and entity-expansion risk)", "a SAML message, which never carries a DTD", nil)
			}
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return decodeErr(StageXML, fmt.Sprintf("text outside the root element at line %d", lineOf(dec, b)), "one XML element and nothing else", nil)
			}
		}
	}
	if roots == 0 {
		return decodeErr(StageXML, "XML with no element", "a SAML message", nil)
	}
	if len(stack) > 0 {
		return decodeErr(StageXML, fmt.Sprintf("malformed XML: <%s> is never closed (truncated?)", rawName(stack[len(stack)-1])), "well-formed XML", nil)
	}
	return nil
}

func rawName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

func lineOf(dec *xml.Decoder, b []byte) int {
	off := int(dec.InputOffset())
	if off > len(b) {
		off = len(b)
	}
	return bytes.Count(b[:off], []byte("\n")) + 1
}

// PageError is the AWS or Amazon Connect error an HTML page shows, as
// their troubleshooting pages quote it ("Your request included an invalid
// SAML response…"), or "" when it shows none: how a capture's reply, or
// a page a browser loaded, names the failure.
func PageError(html []byte) string { return errorText(html) }

// PageTitle is an HTML page's title, on one line, or "".
func PageTitle(page []byte) string {
	if m := titleRe.FindSubmatch(page); m != nil {
		return clip(strings.TrimSpace(spaceRe.ReplaceAllString(html.UnescapeString(string(m[1])), " ")), 120)
	}
	return ""
}

// PageSummary is one line for an HTML page: the error it shows, else its
// title, else the start of its text.
func PageSummary(html []byte) string {
	s, _ := pageText(html)
	return s
}
