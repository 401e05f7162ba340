package lint

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/samllint/samllint/saml"
)

// captureAt points at what a capture records beside the message: the URL
// it was posted to, AWS's reply, a later request.
func captureAt(p *Pass, path string) Location {
	return Location{Source: SourceCapture, File: p.Capture.Source, Path: path}
}

// diagnose is Diagnose, set in init: a rule reading the registry from
// its check would make the registry's initialization refer to itself.
var diagnose func(string) Diagnosis

func init() { diagnose = Diagnose }

// causes names the rules whose documented symptom is text, most likely
// first, for a fix: "see aws/trust-principal, aws/trust-audience".
func causes(text, self string) string {
	var ids []string
	for _, r := range diagnose(text).Causes {
		if r.ID != self && len(ids) < 4 {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return ""
	}
	return " Its documented causes, most likely first: " + strings.Join(ids, ", ") + " (each reported above when it applies)."
}

var captureOutcome = &Rule{
	ID: "aws/capture-outcome", Severity: Error, Scope: ScopeAWS,
	Title: "the capture shows how AWS or Amazon Connect answered the sign-in",
	Why: "A HAR export records more than the SAMLResponse: what the AWS sign-in endpoint answered, and the requests that followed. " +
		"A redirect to the console or to the Connect federation URL proves the AWS hop passed, whatever samllint thinks of the " +
		"assertion, so look at the Connect hop; an AWS or Connect error page names the failure as the user saw it.",
	Fix:        "Follow the finding: fix the Connect hop when AWS accepted the response, else the cause the error page names.",
	References: []string{refIAMTS, refConnectTS, "HAR 1.2 specification — https://w3c.github.io/web-performance/specs/HAR/Overview.html"},
	Check: func(p *Pass) {
		c := p.Capture
		if c == nil || c.Reply == nil && len(c.Then) == 0 {
			return
		}
		if r := c.Reply; r != nil {
			switch {
			case r.Failed != "":
				// The browser's network, not AWS: whether AWS accepts this
				// response is for the other rules to say.
				p.ReportAt(Warning, Finding{Message: "AWS never answered this post: it did not reach AWS: " + saml.NetErrorWords(r.Failed), Location: captureAt(p, "reply"),
					Expected: "an answer from the AWS sign-in endpoint", Actual: "no answer: " + r.Failed,
					Fix: "Sign in again from a network that reaches " + host(c.URL) + " (no proxy, captive portal or TLS interception in the way); this capture says nothing of what AWS would answer."})
			case r.ErrorText != "":
				p.Report(Finding{Message: fmt.Sprintf("AWS answered this post with its error page: %q", r.ErrorText), Location: captureAt(p, "reply"),
					Expected: "a redirect to the console or the RelayState", Actual: fmt.Sprintf("%d %s: %s", r.Status, r.StatusText, r.ErrorText),
					Fix: "This sign-in failed at the AWS hop." + causes(r.ErrorText, p.Rule.ID)})
			case r.Status >= 300 && r.Status < 400 && acceptedRedirect(r.Location):
				p.ReportAt(Info, Finding{Message: fmt.Sprintf("AWS accepted this response: the sign-in endpoint redirected to %s, so the AWS hop passed", r.Location), Location: captureAt(p, "reply"),
					Expected: "a redirect to the console or the RelayState", Actual: fmt.Sprintf("%d → %s", r.Status, r.Location),
					Fix: "If the sign-in still failed, look at what came after: the Connect hop (GetFederationToken permission, the Connect user name)."})
			}
		}
		for _, st := range c.Then {
			if st.Failed != "" && strings.Contains(st.URL, "/connect/federate/") {
				p.ReportAt(Warning, Finding{Message: "the Connect federation request did not reach AWS: " + saml.NetErrorWords(st.Failed), Location: Location{Source: SourceCapture, File: st.Source, Path: "reply"},
					Expected: "an answer from the Connect federation URL", Actual: fmt.Sprintf("%s %s → no answer: %s", st.Method, st.URL, st.Failed),
					Fix: "Sign in again from a network that reaches " + host(st.URL) + "; the AWS hop's outcome is above."})
				break
			}
			if st.ErrorText == "" {
				continue
			}
			p.Report(Finding{Message: fmt.Sprintf("after the sign-in, %s answered with %q", host(st.URL), st.ErrorText), Location: Location{Source: SourceCapture, File: st.Source, Path: "reply"},
				Expected: "the Amazon Connect console", Actual: fmt.Sprintf("%s %s → %d %s", st.Method, st.URL, st.Status, st.ErrorText),
				Fix: "The AWS hop passed and the Connect hop failed." + causes(st.ErrorText, p.Rule.ID)})
			break // the first error page is the one the user saw
		}
	},
}

// acceptedRedirect: where AWS sends a browser whose response it accepted,
// the console or the RelayState (for Connect, its federation URL).
func acceptedRedirect(loc string) bool {
	l := strings.ToLower(loc)
	return strings.Contains(l, "console.aws.amazon.com") || strings.Contains(l, "console.amazonaws") ||
		strings.Contains(l, "/connect/federate/") || strings.Contains(l, ".my.connect.aws") || strings.Contains(l, ".awsapps.com")
}

func host(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}

// postedElsewhere reports the Recipient of a message the capture shows
// posted to another URL: AWS compares Recipient with the endpoint that
// received the post.
func postedElsewhere(p *Pass, sc *saml.SubjectConfirmation) (Finding, bool) {
	c := p.Capture
	if c == nil || c.Binding != "HTTP-POST" || c.URL == "" || sc.Recipient == "" {
		return Finding{}, false
	}
	if strings.TrimSuffix(c.URL, "/") == strings.TrimSuffix(sc.Recipient, "/") {
		return Finding{}, false
	}
	if _, ok := parseEndpoint(c.URL); !ok {
		return Finding{}, false // posted to a proxy or test page: not AWS's comparison
	}
	return Finding{Message: "the browser posted to " + c.URL + ", but the Recipient names " + sc.Recipient, Location: xmlAt(sc.DataPath + "/@Recipient"),
		Expected: c.URL, Actual: sc.Recipient,
		Fix: "Use one ACS URL: set " + p.facts.idp() + "'s ACS / Recipient to the endpoint it posts to (" + c.URL + "), and list it in the trust policy's SAML:aud."}, true
}
