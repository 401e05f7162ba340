// Command samplegen writes the synthetic Okta → AWS → Amazon Connect
// captures in testdata/: real AWS responses cannot be shipped, so these
// are signed here with test-only keys. It reuses existing keys so that
// re-running it changes nothing; run from the repository root:
//
//	go run ./internal/test/samplegen
package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/samllint/samllint/internal/test/testkit"
)

const (
	issuer     = "http://www.okta.com/exk1fxph8bAbCdEf0h7"
	account    = "123456789012"
	instanceID = "4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34"
	relayState = "https://us-east-1.console.aws.amazon.com/connect/federate/" + instanceID
	acs        = "https://signin.aws.amazon.com/saml"
)

var issueInstant = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// sha1 makes sign use rsa-sha1 and sha1 digests, for the weak-algorithm sample.
var sha1 bool

func main() {
	log.SetFlags(0)
	log.SetPrefix("samplegen: ")
	idp := keyPair("testdata/keys/idp", "okta-test.example.com", 1)
	rotated := keyPair("testdata/keys/idp-rotated", "okta-test.example.com", 2)

	writeMetadata("testdata/metadata/okta-idp-metadata.xml", idp)

	good := response(idp, "_a1b2c3", roleValue("ConnectAgent"))
	write("testdata/assertions/okta-connect.b64", wrap(base64.StdEncoding.EncodeToString(good), 76))
	write("testdata/assertions/okta-connect.form.txt", []byte(formBody(good)))

	bad := response(idp, "_d4e5f6", "arn:aws:iam::"+account+":saml-provider/Okta")
	write("testdata/assertions/okta-role-provider-only.b64", []byte(base64.StdEncoding.EncodeToString(bad)+"\n"))

	rot := response(rotated, "_a7b8c9", roleValue("ConnectAgent"))
	write("testdata/assertions/okta-rotated-cert.xml", rot)

	sha1 = true
	weak := response(idp, "_e1f2a3", roleValue("ConnectAgent"))
	sha1 = false
	write("testdata/assertions/okta-sha1.xml", weak)

	write("testdata/assertions/okta-connect.har", har(good, bad))

	goodSample = good
	writeGolden(idp, rotated)
	writeShapes(idp, rotated)
}

// goodSample is the clean response, the first sign-in of golden HARs.
var goodSample []byte

func roleValue(role string) string {
	return "arn:aws:iam::" + account + ":role/" + role + ",arn:aws:iam::" + account + ":saml-provider/Okta"
}

type pair struct {
	cert *x509.Certificate
	key  *rsa.PrivateKey
}

// keyPair loads base.key/base.crt, creating them (test-only) if absent.
func keyPair(base, cn string, serial int64) pair {
	keyPEM, err1 := os.ReadFile(base + ".key")
	certPEM, err2 := os.ReadFile(base + ".crt")
	if err1 != nil || err2 != nil {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		check(err)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: cn, Organization: []string{"samllint test IdP"}},
			NotBefore:    time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
			NotAfter:     time.Date(2049, 12, 31, 0, 0, 0, 0, time.UTC),
			KeyUsage:     x509.KeyUsageDigitalSignature,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		check(err)
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
		certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		write(base+".key", keyPEM)
		write(base+".crt", certPEM)
	}
	kb, _ := pem.Decode(keyPEM)
	cb, _ := pem.Decode(certPEM)
	key, err := x509.ParsePKCS1PrivateKey(kb.Bytes)
	check(err)
	cert, err := x509.ParseCertificate(cb.Bytes)
	check(err)
	return pair{cert: cert, key: key}
}

func ts(d time.Duration) string { return issueInstant.Add(d).Format("2006-01-02T15:04:05.000Z") }

// response builds an Okta-shaped AWS response, signs the Assertion and then
// the Response, as Okta's AWS app does.
func response(p pair, id, role string) []byte { return build(p, id, role, change{}) }

// change alters a response before it is signed, so golden captures show one
// problem each with valid signatures.
type change struct {
	assertion func(a *etree.Element) // before the assertion is signed
	response  func(r *etree.Element) // before the response is signed
	unsigned  bool
	encrypt   *x509.Certificate // replace the assertion by an EncryptedAssertion for this certificate
}

func build(p pair, id, role string, c change) []byte {
	const nsP = "urn:oasis:names:tc:SAML:2.0:protocol"
	const nsA = "urn:oasis:names:tc:SAML:2.0:assertion"
	a := etree.NewElement("saml2:Assertion")
	a.CreateAttr("xmlns:saml2", nsA)
	a.CreateAttr("ID", id+"assertion")
	a.CreateAttr("IssueInstant", ts(0))
	a.CreateAttr("Version", "2.0")
	iss := a.CreateElement("saml2:Issuer")
	iss.CreateAttr("Format", "urn:oasis:names:tc:SAML:2.0:nameid-format:entity")
	iss.SetText(issuer)
	subj := a.CreateElement("saml2:Subject")
	nid := subj.CreateElement("saml2:NameID")
	nid.CreateAttr("Format", "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
	nid.SetText("jane.doe@example.com")
	sc := subj.CreateElement("saml2:SubjectConfirmation")
	sc.CreateAttr("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer")
	scd := sc.CreateElement("saml2:SubjectConfirmationData")
	scd.CreateAttr("NotOnOrAfter", ts(5*time.Minute))
	scd.CreateAttr("Recipient", acs)
	cond := a.CreateElement("saml2:Conditions")
	cond.CreateAttr("NotBefore", ts(-5*time.Minute))
	cond.CreateAttr("NotOnOrAfter", ts(5*time.Minute))
	cond.CreateElement("saml2:AudienceRestriction").CreateElement("saml2:Audience").SetText("urn:amazon:webservices")
	as := a.CreateElement("saml2:AuthnStatement")
	as.CreateAttr("AuthnInstant", ts(-2*time.Second))
	as.CreateAttr("SessionIndex", id+"session")
	as.CreateElement("saml2:AuthnContext").CreateElement("saml2:AuthnContextClassRef").
		SetText("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")
	st := a.CreateElement("saml2:AttributeStatement")
	attr := func(name string, values ...string) {
		at := st.CreateElement("saml2:Attribute")
		at.CreateAttr("Name", name)
		at.CreateAttr("NameFormat", "urn:oasis:names:tc:SAML:2.0:attrname-format:uri")
		for _, v := range values {
			// No xsi:type="xs:string": goxmldsig's signer cannot write the
			// InclusiveNamespaces PrefixList="xs" that would keep the xs
			// declaration through exclusive canonicalization.
			at.CreateElement("saml2:AttributeValue").SetText(v)
		}
	}
	attr("https://aws.amazon.com/SAML/Attributes/Role", role)
	attr("https://aws.amazon.com/SAML/Attributes/RoleSessionName", "jane.doe@example.com")
	attr("https://aws.amazon.com/SAML/Attributes/SessionDuration", "43200")
	attr("https://aws.amazon.com/SAML/Attributes/PrincipalTag:Department", "Support")
	if c.assertion != nil {
		c.assertion(a)
	}
	signedA := a
	if !c.unsigned {
		signedA = sign(p, a)
	}
	if c.encrypt != nil {
		signedA = encrypt(signedA, c.encrypt)
	}

	r := etree.NewElement("saml2p:Response")
	r.CreateAttr("xmlns:saml2p", nsP)
	r.CreateAttr("Destination", acs)
	r.CreateAttr("ID", id+"response")
	r.CreateAttr("IssueInstant", ts(0))
	r.CreateAttr("Version", "2.0")
	riss := r.CreateElement("saml2:Issuer")
	riss.CreateAttr("xmlns:saml2", nsA)
	riss.CreateAttr("Format", "urn:oasis:names:tc:SAML:2.0:nameid-format:entity")
	riss.SetText(issuer)
	r.CreateElement("saml2p:Status").CreateElement("saml2p:StatusCode").CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:Success")
	r.AddChild(signedA)
	if c.response != nil {
		c.response(r)
	}
	signedR := r
	if !c.unsigned {
		signedR = sign(p, r)
	}

	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	doc.SetRoot(signedR)
	out, err := doc.WriteToBytes()
	check(err)
	return out
}

// sign signs el enveloped, as testkit does for the tests.
func sign(p pair, el *etree.Element) *etree.Element {
	method := dsig.RSASHA256SignatureMethod
	if sha1 {
		method = dsig.RSASHA1SignatureMethod
	}
	signed, err := testkit.SignEnveloped(testkit.KeyPair{Cert: p.cert, Key: p.key}, el, method)
	check(err)
	return signed
}

func formBody(xml []byte) string {
	return "SAMLResponse=" + url.QueryEscape(base64.StdEncoding.EncodeToString(xml)) +
		"&RelayState=" + url.QueryEscape(relayState)
}

// har is a Chrome-shaped HAR of two sign-in attempts: one AWS accepts (302
// to the Connect federation URL) and one it refuses with its error page.
func har(good, bad []byte) []byte {
	type nv struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	entry := func(started time.Time, method, u string, params []nv, status int, statusText, location, html string) map[string]any {
		req := map[string]any{"method": method, "url": u, "httpVersion": "HTTP/2", "headers": []nv{}, "queryString": []nv{}, "cookies": []nv{}, "headersSize": -1, "bodySize": 0}
		if params != nil {
			var body []string
			for _, p := range params {
				body = append(body, p.Name+"="+p.Value)
			}
			req["postData"] = map[string]any{"mimeType": "application/x-www-form-urlencoded", "text": strings.Join(body, "&"), "params": params}
		}
		content := map[string]any{"size": len(html), "mimeType": "text/html"}
		if html != "" {
			content["text"] = html
		}
		return map[string]any{
			"startedDateTime": started.Format("2006-01-02T15:04:05.000Z"),
			"time":            120,
			"request":         req,
			"response": map[string]any{
				"status": status, "statusText": statusText, "httpVersion": "HTTP/2", "headers": []nv{{"location", location}},
				"cookies": []nv{}, "content": content, "redirectURL": location, "headersSize": -1, "bodySize": -1,
			},
			"cache": map[string]any{}, "timings": map[string]any{"send": 0, "wait": 100, "receive": 20},
		}
	}
	post := func(x []byte) []nv {
		return []nv{{"SAMLResponse", url.QueryEscape(base64.StdEncoding.EncodeToString(x))}, {"RelayState", url.QueryEscape(relayState)}}
	}
	errPage := `<!DOCTYPE html><html><head><title>Amazon Web Services Sign-In</title></head><body><div id="content"><h1>Error</h1><p id="error_message">Your request included an invalid SAML response. To logout, click <a href="/logout">here</a>.</p></div></body></html>`
	doc := map[string]any{"log": map[string]any{
		"version": "1.2",
		"creator": map[string]any{"name": "WebInspector", "version": "537.36"},
		"pages":   []any{},
		"entries": []any{
			entry(issueInstant.Add(-3*time.Second), "GET", "https://example.okta.com/home/amazon_aws/0oa1fxph8bAbCdEf0h7/272", nil, 200, "OK", "", ""),
			entry(issueInstant.Add(1*time.Second), "POST", acs, post(good), 302, "Found", relayState, ""),
			entry(issueInstant.Add(40*time.Second), "POST", acs, post(bad), 200, "OK", "", errPage),
		},
	}}
	b, err := json.MarshalIndent(doc, "", "  ")
	check(err)
	return append(b, '\n')
}

// postedHAR is a Chrome-shaped HAR of one sign-in posted at the given
// time, which AWS refused with its generic error page.
func postedHAR(xml []byte, at time.Time, relay string) []byte {
	params := []map[string]string{{"name": "SAMLResponse", "value": url.QueryEscape(base64.StdEncoding.EncodeToString(xml))}}
	if relay != "" {
		params = append(params, map[string]string{"name": "RelayState", "value": url.QueryEscape(relay)})
	}
	doc := map[string]any{"log": map[string]any{
		"version": "1.2", "creator": map[string]any{"name": "WebInspector", "version": "537.36"}, "pages": []any{},
		"entries": []any{map[string]any{
			"startedDateTime": at.Format("2006-01-02T15:04:05.000Z"),
			"request": map[string]any{"method": "POST", "url": acs, "httpVersion": "HTTP/2", "headers": []any{}, "queryString": []any{}, "cookies": []any{},
				"headersSize": -1, "bodySize": 0, "postData": map[string]any{"mimeType": "application/x-www-form-urlencoded", "params": params}},
			"response": map[string]any{"status": 200, "statusText": "OK", "httpVersion": "HTTP/2", "headers": []any{}, "cookies": []any{},
				"content": map[string]any{"size": 0, "mimeType": "text/html"}, "redirectURL": "", "headersSize": -1, "bodySize": -1},
			"cache": map[string]any{}, "timings": map[string]any{"send": 0, "wait": 100, "receive": 20},
		}},
	}}
	b, err := json.MarshalIndent(doc, "", "  ")
	check(err)
	return append(b, '\n')
}

func writeMetadata(path string, p pair) {
	write(path, metadataXML(p, issuer, ` WantAuthnRequestsSigned="false"`,
		`    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://example.okta.com/app/amazon_aws/exk1fxph8bAbCdEf0h7/sso/saml"/>
`))
}

// metadataXML is IdP metadata with p's signing certificate: attrs go on
// the IDPSSODescriptor, extra after its KeyDescriptor.
func metadataXML(p pair, entityID, attrs, extra string) []byte {
	return []byte(fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="%s">
  <md:IDPSSODescriptor%s protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data>
          <ds:X509Certificate>%s</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
%s  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`, strings.ReplaceAll(entityID, "&", "&amp;"), attrs, wrap(base64.StdEncoding.EncodeToString(p.cert.Raw), 64), extra))
}

func wrap(s string, n int) []byte {
	var b bytes.Buffer
	for len(s) > n {
		b.WriteString(s[:n])
		b.WriteByte('\n')
		s = s[n:]
	}
	b.WriteString(s)
	b.WriteByte('\n')
	return b.Bytes()
}

func write(path string, b []byte) {
	check(os.MkdirAll(filepath.Dir(path), 0o755))
	check(os.WriteFile(path, b, 0o644))
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
