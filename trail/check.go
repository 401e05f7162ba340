package trail

import (
	"fmt"
	"html"
	"net/url"
	"strconv"
	"strings"
	"time"

	"encoding/base64"

	"github.com/samllint/samllint/lint"
)

// decidable are the rules whose inputs an event's request parameters
// hold in full, with what the account holds: the Role pair, the session
// name and duration, the Connect instance. Others (the audience, trust
// conditions on attributes, signatures) depend on what only the
// assertion held, and stay candidates.
var decidable = map[string]bool{
	"aws/trust-principal": true, "aws/trust-action": true, "aws/role-not-found": true, "aws/provider-not-found": true,
	"aws/provider-expired": true, "aws/session-duration-over-role-max": true, "aws/role-account-mismatch": true,
	"connect/missing-get-federation-token": true, "connect/scp-or-boundary-denies": true, "connect/user-unknown": true,
	"connect/instance-not-found": true, "connect/instance-not-saml": true,
}

// Decidable reports whether Check can settle a rule from a record with
// the account read.
func Decidable(rule string) bool { return decidable[rule] }

// Verdict is what checking a candidate against the account found.
type Verdict struct {
	Rule *lint.Rule
	// Finding is set when the account shows the problem.
	Finding *lint.Finding
	// Fine: the check ran and found nothing; Why says why it did not run
	// otherwise.
	Fine bool
	Why  string
}

// Check lints what an attempt's record holds, the Role pair, the session
// name and duration and, for Connect, the instance, as a sign-in made at
// the event's time, with in and opts (opts.Resolver reading the account,
// for --from-aws), and returns the verdicts on the diagnosis's decidable
// candidates: the same rules as every capture goes through, on the only
// fields the record carries. Candidates the record cannot decide are left
// out.
func Check(a Attempt, d *Diagnosis, in *lint.Inputs, opts lint.Options) ([]Verdict, error) {
	s := a.SignIn
	if s == nil || s.RoleARN == "" || s.ProviderARN == "" {
		return nil, nil
	}
	var decide []*lint.Rule
	for _, r := range d.Causes {
		if decidable[r.ID] {
			decide = append(decide, r)
		}
	}
	if len(decide) == 0 {
		return nil, nil
	}
	form := url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(assertion(s))}}
	if c := a.Connect; c != nil && c.Instance != "" {
		form.Set("RelayState", "https://"+c.Region+".console.aws.amazon.com/connect/federate/"+c.Instance)
	}
	opts.Now, opts.AtIssue, opts.Name = s.Time, false, "the record of "+s.ID
	results, err := lint.Lint([]byte(form.Encode()), in, opts)
	if err != nil {
		return nil, err
	}
	if len(results) != 1 || results[0].Err != nil {
		return nil, fmt.Errorf("the record's sign-in could not be linted: %v", results[0].Err)
	}
	rep := results[0].Report
	var out []Verdict
	for _, r := range decide {
		v := Verdict{Rule: r, Fine: true}
		for i, f := range rep.Findings {
			if f.Rule == r.ID && f.Suppressed == nil {
				v.Finding, v.Fine = &rep.Findings[i], false
				break
			}
		}
		for _, sk := range rep.Skipped {
			if sk.Rule == r.ID && v.Finding == nil {
				v.Fine, v.Why = false, strings.TrimSpace(sk.Reason+" "+sk.Because)
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// assertion is an unsigned SAMLResponse carrying what the record holds,
// posted at the event's time to the endpoint whose region logged it.
func assertion(e *Event) []byte {
	recipient := "https://signin.aws.amazon.com/saml"
	if e.Region != "" && e.Region != "us-east-1" {
		recipient = "https://" + e.Region + ".signin.aws.amazon.com/saml"
	}
	audience := e.Audience
	if audience == "" {
		audience = "https://signin.aws.amazon.com/saml"
	}
	issuer := e.Issuer
	if issuer == "" {
		issuer = "urn:samllint:trail:issuer-not-recorded"
	}
	subject := e.Subject
	if subject == "" {
		subject = e.SessionName
	}
	t := e.Time.UTC()
	ts := func(d time.Duration) string { return t.Add(d).Format("2006-01-02T15:04:05Z") }
	x := html.EscapeString
	var attrs strings.Builder
	attr := func(name, value string) {
		fmt.Fprintf(&attrs, `<saml:Attribute Name="%s"><saml:AttributeValue>%s</saml:AttributeValue></saml:Attribute>`, x(name), x(value))
	}
	attr("https://aws.amazon.com/SAML/Attributes/Role", e.RoleARN+","+e.ProviderARN)
	attr("https://aws.amazon.com/SAML/Attributes/RoleSessionName", e.SessionName)
	if e.DurationSeconds > 0 {
		attr("https://aws.amazon.com/SAML/Attributes/SessionDuration", strconv.Itoa(e.DurationSeconds))
	}
	if e.SourceIdentity != "" {
		attr("https://aws.amazon.com/SAML/Attributes/SourceIdentity", e.SourceIdentity)
	}
	return []byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_trail-response" Version="2.0" IssueInstant="` + ts(0) + `" Destination="` + x(recipient) + `">` +
		`<saml:Issuer>` + x(issuer) + `</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
		`<saml:Assertion ID="_trail-assertion" Version="2.0" IssueInstant="` + ts(0) + `"><saml:Issuer>` + x(issuer) + `</saml:Issuer>` +
		`<saml:Subject><saml:NameID>` + x(subject) + `</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
		`<saml:SubjectConfirmationData NotOnOrAfter="` + ts(5*time.Minute) + `" Recipient="` + x(recipient) + `"/></saml:SubjectConfirmation></saml:Subject>` +
		`<saml:Conditions NotBefore="` + ts(-time.Minute) + `" NotOnOrAfter="` + ts(5*time.Minute) + `"><saml:AudienceRestriction><saml:Audience>` + x(audience) + `</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
		`<saml:AuthnStatement AuthnInstant="` + ts(-time.Second) + `" SessionIndex="_trail"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
		`<saml:AttributeStatement>` + attrs.String() + `</saml:AttributeStatement></saml:Assertion></samlp:Response>`)
}
