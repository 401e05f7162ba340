package okta

import (
	"encoding/base64"
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"
)

// Form is the sign-in the prediction describes, as the browser would
// post it: an unsigned SAMLResponse issued at t, and the default
// RelayState. Its IDs say it was predicted.
func (p *Prediction) Form(t time.Time) []byte {
	form := url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(p.response(t))}}
	if p.RelayState != "" {
		form.Set("RelayState", p.RelayState)
	}
	return []byte(form.Encode())
}

func (p *Prediction) response(t time.Time) []byte {
	t = t.UTC()
	ts := func(d time.Duration) string { return t.Add(d).Format("2006-01-02T15:04:05Z") }
	x := html.EscapeString
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w(`<saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_predicted-response" Version="2.0" IssueInstant="%s"`, ts(0))
	if p.Destination != "" {
		w(` Destination="%s"`, x(p.Destination))
	}
	w(`><saml2:Issuer>%s</saml2:Issuer><saml2p:Status><saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></saml2p:Status>`, x(p.Issuer))
	w(`<saml2:Assertion ID="_predicted-assertion" Version="2.0" IssueInstant="%s"><saml2:Issuer>%s</saml2:Issuer><saml2:Subject>`, ts(0), x(p.Issuer))
	if p.NameID != "" {
		w(`<saml2:NameID>%s</saml2:NameID>`, x(p.NameID))
	}
	w(`<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml2:SubjectConfirmationData NotOnOrAfter="%s"`, ts(5*time.Minute))
	if p.Recipient != "" {
		w(` Recipient="%s"`, x(p.Recipient))
	}
	w(`/></saml2:SubjectConfirmation></saml2:Subject><saml2:Conditions NotBefore="%s" NotOnOrAfter="%s">`, ts(-5*time.Minute), ts(5*time.Minute))
	if p.Audience != "" {
		w(`<saml2:AudienceRestriction><saml2:Audience>%s</saml2:Audience></saml2:AudienceRestriction>`, x(p.Audience))
	}
	w(`</saml2:Conditions><saml2:AuthnStatement AuthnInstant="%s" SessionIndex="_predicted"><saml2:AuthnContext><saml2:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml2:AuthnContextClassRef></saml2:AuthnContext></saml2:AuthnStatement>`, ts(-2*time.Second))
	if len(p.Attributes) > 0 {
		b.WriteString(`<saml2:AttributeStatement>`)
		for _, a := range p.Attributes {
			w(`<saml2:Attribute Name="%s" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">`, x(a.Name))
			for _, v := range a.Values {
				w(`<saml2:AttributeValue>%s</saml2:AttributeValue>`, x(v))
			}
			b.WriteString(`</saml2:Attribute>`)
		}
		b.WriteString(`</saml2:AttributeStatement>`)
	}
	b.WriteString(`</saml2:Assertion></saml2p:Response>`)
	return []byte(b.String())
}
