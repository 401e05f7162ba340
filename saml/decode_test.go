package saml

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/samllint/samllint/internal/test/testkit"
)

func testdata(t testing.TB, parts ...string) []byte { return testkit.Testdata(t, parts...) }

// sampleXML is the synthetic Okta → AWS response, signed twice.
func sampleXML(t testing.TB) []byte { return testkit.SampleXML(t) }

func deflate(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func wrapAt(s string, n int, sep string) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + sep)
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

// modelJSON is the parsed, verified model as JSON: two encodings of one
// message must produce the same bytes.
func modelJSON(t testing.TB, input []byte, anchors *Anchors) (string, *Message) {
	t.Helper()
	msgs, err := Read(input, Options{Anchors: anchors})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	if msgs[0].Err != nil {
		t.Fatalf("message error: %v", msgs[0].Err)
	}
	b, err := json.Marshal(msgs[0].Response)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), msgs[0]
}

func TestDecodeInvariance(t *testing.T) {
	xml := sampleXML(t)
	b64 := base64.StdEncoding.EncodeToString(xml)
	rs := "https://us-east-1.console.aws.amazon.com/connect/federate/4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34"
	harOf := func(value string) string {
		h := map[string]any{"log": map[string]any{"entries": []any{map[string]any{
			"startedDateTime": "2026-11-20T10:00:01.000Z",
			"request": map[string]any{"method": "POST", "url": "https://signin.aws.amazon.com/saml",
				"postData": map[string]any{"mimeType": "application/x-www-form-urlencoded", "params": []any{
					map[string]string{"name": "SAMLResponse", "value": value},
					map[string]string{"name": "RelayState", "value": url.QueryEscape(rs)},
				}}},
			"response": map[string]any{"status": 302, "statusText": "Found", "redirectURL": rs},
		}}}}
		b, _ := json.Marshal(h)
		return string(b)
	}
	tracer, _ := json.Marshal(map[string]any{"requests": []any{map[string]any{
		"method": "POST", "url": "https://signin.aws.amazon.com/saml",
		"post": [][]string{{"SAMLResponse", b64}, {"RelayState", rs}}, "responseStatus": 302,
	}}})
	cases := []struct {
		name, input string
		chain       string
		relay       bool
	}{
		{"raw xml", string(xml), "xml", false},
		{"xml with BOM", "\ufeff" + string(xml), "xml", false},
		{"xml without declaration", string(xml[bytes.IndexByte(xml, '>')+1:]), "xml", false},
		{"xml in whitespace", "\n\n  " + string(xml) + "\n", "xml", false},
		{"base64", b64, "base64 → xml", false},
		{"base64 wrapped at 64", wrapAt(b64, 64, "\n"), "base64 → xml", false},
		{"base64 wrapped at 76 CRLF", wrapAt(b64, 76, "\r\n"), "base64 → xml", false},
		{"base64 without padding", strings.TrimRight(b64, "="), "base64 → xml", false},
		{"base64 in double quotes", `"` + b64 + `"`, "base64 → xml", false},
		{"base64 in single quotes", "'" + b64 + "'", "base64 → xml", false},
		{"base64url", base64.RawURLEncoding.EncodeToString(xml), "base64url → xml", false},
		{"base64url padded", base64.URLEncoding.EncodeToString(xml), "base64url → xml", false},
		{"base64 with + turned to spaces", strings.ReplaceAll(b64, "+", " "), "space-as-plus → base64 → xml", false},
		{"base64 of base64", base64.StdEncoding.EncodeToString([]byte(b64)), "base64 → base64-again → base64 → xml", false},
		{"url-encoded", url.QueryEscape(b64), "url-decode → base64 → xml", false},
		{"double url-encoded", url.QueryEscape(url.QueryEscape(b64)), "url-decode → url-decode → base64 → xml", false},
		{"triple url-encoded", url.QueryEscape(url.QueryEscape(url.QueryEscape(b64))), "url-decode → url-decode → url-decode → base64 → xml", false},
		{"form body", "SAMLResponse=" + url.QueryEscape(b64) + "&RelayState=" + url.QueryEscape(rs), "form → url-decode → base64 → xml", true},
		{"form body, RelayState first", "RelayState=" + url.QueryEscape(rs) + "&SAMLResponse=" + url.QueryEscape(b64), "form → url-decode → base64 → xml", true},
		{"log line", `2026-11-20T10:00:01Z INFO POST /saml body="SAMLResponse=` + url.QueryEscape(b64) + `&RelayState=` + url.QueryEscape(rs) + `" status=302`, "log → url-decode → base64 → xml", true},
		{"deflate base64", base64.StdEncoding.EncodeToString(deflate(t, xml)), "base64 → inflate → xml", false},
		{"url with deflated message", "https://signin.aws.amazon.com/saml?SAMLResponse=" + url.QueryEscape(base64.StdEncoding.EncodeToString(deflate(t, xml))) + "&RelayState=" + url.QueryEscape(rs), "url → url-decode → base64 → inflate → xml", true},
		{"html auto-post form", `<!DOCTYPE html><html><body onload="document.forms[0].submit()"><form method="post" action="https://signin.aws.amazon.com/saml"><input type="hidden" name="SAMLResponse" value="` + b64 + `"/><input type="hidden" name="RelayState" value="` + rs + `"/></form></body></html>`, "html-form → base64 → xml", true},
		{"har", harOf(url.QueryEscape(b64)), "har → form → url-decode → base64 → xml", true},
		{"har with decoded params", harOf(b64), "har → form → base64 → xml", true},
		{"saml-tracer", string(tracer), "saml-tracer → form → base64 → xml", true},
		{"lone hidden input from devtools", `<input type="hidden" name="SAMLResponse" value="` + b64 + `">`, "html-form → base64 → xml", false},
		{"gzip file", string(gzipOf(t, xml)), "gunzip → xml", false},
		{"base64 of gzip", base64.StdEncoding.EncodeToString(gzipOf(t, xml)), "base64 → gunzip → xml", false},
		{"gzip of a form body", string(gzipOf(t, []byte("SAMLResponse="+url.QueryEscape(b64)+"&RelayState="+url.QueryEscape(rs)))), "gunzip → form → url-decode → base64 → xml", true},
	}
	want, _ := modelJSON(t, xml, nil)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, m := modelJSON(t, []byte(c.input), nil)
			if got != want {
				t.Errorf("model differs from the raw XML's")
			}
			if cs := m.Capture.ChainString(); cs != c.chain {
				t.Errorf("chain = %q, want %q", cs, c.chain)
			}
			if c.relay {
				if m.Capture.RelayState == nil || *m.Capture.RelayState != rs {
					t.Errorf("relay state = %v, want %q", m.Capture.RelayState, rs)
				}
			} else if m.Capture.RelayState != nil {
				t.Errorf("relay state = %q, want none", *m.Capture.RelayState)
			}
		})
	}
}

func TestDecodeHAR(t *testing.T) {
	caps, err := Decode(testdata(t, "assertions", "okta-connect.har"))
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 2 {
		t.Fatalf("got %d captures, want 2 (the HAR's two SAMLResponse posts)", len(caps))
	}
	first, second := caps[0], caps[1]
	if first.Source != "HAR entry 2" || second.Source != "HAR entry 3" {
		t.Errorf("sources = %q, %q; want HAR entries 2 and 3, in order", first.Source, second.Source)
	}
	if first.URL != "https://signin.aws.amazon.com/saml" || first.Method != "POST" || first.Binding != "HTTP-POST" {
		t.Errorf("first capture sent %s %s (%s)", first.Method, first.URL, first.Binding)
	}
	if first.Reply == nil || first.Reply.Status != 302 || !strings.Contains(first.Reply.Location, "/connect/federate/") {
		t.Errorf("first reply = %+v, want 302 to the Connect federation URL", first.Reply)
	}
	if second.Reply == nil || !strings.HasPrefix(second.Reply.ErrorText, "Your request included an invalid SAML response") {
		t.Errorf("second reply = %+v, want AWS's error page text", second.Reply)
	}
	if first.SentAt == nil || first.SentAt.Format("15:04:05") != "10:00:01" {
		t.Errorf("sent at = %v", first.SentAt)
	}
	for _, c := range caps {
		if c.RelayState == nil || !strings.Contains(*c.RelayState, "4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34") {
			t.Errorf("%s: relay state = %v", c.Source, c.RelayState)
		}
	}
}

func TestDecodeHARKeepsGoodMessagesBesideBadOnes(t *testing.T) {
	har := `{"log":{"entries":[
	 {"request":{"method":"POST","url":"https://signin.aws.amazon.com/saml","postData":{"text":"SAMLResponse=%%%"}},"response":{"status":200}},
	 {"request":{"method":"POST","url":"https://signin.aws.amazon.com/saml","postData":{"text":"SAMLResponse=` + url.QueryEscape(base64.StdEncoding.EncodeToString(sampleXML(t))) + `"}},"response":{"status":302}}]}}`
	msgs, err := Read([]byte(har), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].Err == nil || msgs[1].Err != nil || msgs[1].Response == nil {
		t.Fatalf("want the bad first message with its error and the good second one parsed; got %d messages", len(msgs))
	}
	var de *DecodeError
	if !errors.As(msgs[0].Err, &de) || de.Stage != StageURL {
		t.Errorf("first message error = %v, want a url-decode DecodeError", msgs[0].Err)
	}
}

func TestDecodeRedirectBindingRequest(t *testing.T) {
	req := `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" Version="2.0" IssueInstant="2026-11-20T10:00:00Z"/>`
	u := "https://example.okta.com/app/sso/saml?SAMLRequest=" + url.QueryEscape(base64.StdEncoding.EncodeToString(deflate(t, []byte(req)))) + "&RelayState=xyz"
	caps, err := Decode([]byte(u))
	if err != nil {
		t.Fatal(err)
	}
	c := caps[0]
	if c.Param != "SAMLRequest" || c.Binding != "HTTP-Redirect" || c.URL != "https://example.okta.com/app/sso/saml" {
		t.Errorf("capture = %+v", c)
	}
	_, err = Parse(c.XML)
	var ke *KindError
	if !errors.As(err, &ke) || ke.Kind != KindAuthnRequest || !errors.Is(err, ErrNotResponse) {
		t.Fatalf("Parse error = %v, want a KindError for an AuthnRequest", err)
	}
	if !strings.Contains(err.Error(), "AuthnRequest") || !strings.Contains(err.Error(), "signin.aws.amazon.com/saml") {
		t.Errorf("error %q should name the AuthnRequest and say what to capture instead", err)
	}
}

// TestDecodeBadInput: every kind of bad input gets one line saying what was
// found and what was expected, never a panic.
func TestDecodeBadInput(t *testing.T) {
	xml := sampleXML(t)
	b64 := base64.StdEncoding.EncodeToString(xml)
	var gz bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write(xml)
	gw.Close()
	deep := strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000)
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&lol3;</samlp:Response>`
	bomb := base64.StdEncoding.EncodeToString(deflate(t, append([]byte("<a>"), bytes.Repeat([]byte("A"), 20<<20)...)))
	latin1 := []byte(`<?xml version="1.0"?><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><x>caf` + "\xe9" + `</x></samlp:Response>`)
	cases := []struct {
		name, input string
		want        []string // substrings of the one-line error
	}{
		{"empty", "", []string{"empty input", "expected"}},
		{"whitespace only", " \n\t \n", []string{"only whitespace", "expected"}},
		{"truncated base64", b64[:len(b64)-len(b64)%4-3], []string{"one too many", "truncated"}},
		{"base64 cut mid-document", b64[:len(b64)/2], []string{"malformed XML", "expected well-formed"}},
		{"mixed alphabets", b64[:100] + "-_" + b64[102:], []string{"mix of the standard", "one alphabet"}},
		{"invalid character", b64[:50] + "!" + b64[51:], []string{`'!'`, "offset 50"}},
		{"a properties file", "# settings\nonelogin.saml2.strict = true\n", []string{"no capture form", `starts with '#'`, "expected base64"}},
		{"padding in the middle", b64 + b64, []string{"after '=' padding"}},
		{"plain words", "hello world", []string{`this is not a SAMLResponse: plain text ("hello world")`, "expected the SAMLResponse"}},
		{"an error page's text", "Your request included an invalid SAML response.", []string{"plain text", "samllint explain"}},
		{"a bare URL", "https://example.okta.com/home/amazon_aws/0oa1/272", []string{"this is not a SAMLResponse: a URL with no SAMLResponse in it", "HAR export"}},
		{"binary garbage", "\x00\x01\x02\xff\xfe\x80garbage", []string{"binary data", "expected"}},
		{"base64 of garbage", base64.StdEncoding.EncodeToString([]byte{0x93, 0x11, 0xfe, 0x00, 0x42, 0x99, 0x18, 0x07, 0x7f, 0x00}), []string{"neither XML nor DEFLATE"}},
		{"deflate of non-XML", base64.StdEncoding.EncodeToString(deflate(t, bytes.Repeat([]byte{0x99, 0x01}, 40))), []string{"other than XML"}},
		{"deflate bomb", bomb, []string{"inflates past", "decompression bomb"}},
		{"html page", "<!DOCTYPE html><html><head><title>Sign In - Okta</title></head><body>Please sign in</body></html>", []string{"HTML page", "Sign In - Okta"}},
		{"aws error page", "<html><body><p>Your request included an invalid SAML response. To logout, click here.</p></body></html>", []string{"HTML page", "invalid SAML response"}},
		{"json that is not a har", `{"name":"x","items":[1,2,3]}`, []string{"neither a HAR", "log"}},
		{"truncated json", `{"log":{"entries":[{"request":`, []string{"ends early", "complete"}},
		{"json with wrong types", `{"log":{"entries":{"a":1}}}`, []string{"JSON whose", "HAR export"}},
		{"har without saml", `{"log":{"entries":[{"request":{"method":"GET","url":"https://example.com/"},"response":{"status":200}}]}}`, []string{"HAR with 1 requests but no SAMLResponse", "Preserve log"}},
		{"billion laughs", laughs, []string{"DOCTYPE with entity declarations", "never carries a DTD"}},
		{"xxe", `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:Response>`, []string{"DOCTYPE"}},
		{"100000-deep nesting", deep, []string{"nested more than 256 deep"}},
		{"non-UTF-8", string(latin1), []string{"not UTF-8", "0xe9"}},
		{"declared latin-1", `<?xml version="1.0" encoding="ISO-8859-1"?><r/>`, []string{"ISO-8859-1"}},
		{"two root elements", "<a/><b/>", []string{"second root element <b>", "exactly one root"}},
		{"text after root", "<a/>trailing", []string{"text outside the root"}},
		{"unclosed element", "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"><x>", []string{"malformed XML", "never closed"}},
		{"mismatched end tag", "<a><b></a></b>", []string{"</a> closes <b>", "line 1"}},
		{"xml with no element", `<?xml version="1.0"?>`, []string{"no element"}},
		{"jwt", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", []string{"JSON Web Token", "not OIDC tokens"}},
		{"jwt in base64", base64.StdEncoding.EncodeToString([]byte("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")), []string{"JSON Web Token"}},
		{"oidc form_post", "id_token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln&state=af0ifjsldkj", []string{"OpenID Connect"}},
		{"oauth callback", "https://app.example.com/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz", []string{"OAuth authorization response"}},
		{"ws-federation", "wa=wsignin1.0&wresult=%3Ct%3ARequestSecurityTokenResponse%3E", []string{"WS-Federation"}},
		{"soap envelope without a response", `<soap11:Envelope xmlns:soap11="http://schemas.xmlsoap.org/soap/envelope/"><soap11:Body><samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/></soap11:Body></soap11:Envelope>`, []string{"SOAP envelope", "no SAML Response"}},
		{"broken gzip", "\x1f\x8b\x08\x00garbage", []string{"gzip"}},
		{"gzip inside gzip", string(nestedGzip(t, 2)), []string{"gzip data inside gzip data"}},
		{"base64 of gzip nested 50 deep", base64.StdEncoding.EncodeToString(nestedGzip(t, 50)), []string{"nested more than four deep"}},
		{"pem certificate", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", []string{"PEM CERTIFICATE", "this is a certificate, not a SAML 2.0 Response"}},
		{"relay state only", "RelayState=https%3A%2F%2Fexample.com", []string{"RelayState but no SAMLResponse"}},
		{"empty SAMLResponse", "SAMLResponse=&RelayState=x", []string{"empty SAMLResponse"}},
		{"bad percent escape", "SAMLResponse=%ZZabc", []string{"malformed percent-escape"}},
		{"url-encoded four times", url.QueryEscape(url.QueryEscape(url.QueryEscape(url.QueryEscape(b64)))), []string{"three rounds"}},
		{"short nonsense", "hello", []string{"expected"}},
	}
	if len(cases) < 25 {
		t.Fatalf("only %d bad-input cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msgs, err := Read([]byte(c.input), Options{})
			if err == nil && len(msgs) == 1 {
				err = msgs[0].Err
			}
			if err == nil {
				t.Fatalf("no error for bad input")
			}
			var de *DecodeError
			var ke *KindError
			if !errors.As(err, &de) && !errors.As(err, &ke) {
				t.Errorf("error %T is neither *DecodeError nor *KindError", err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans lines: %q", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestDecodeInputLimit(t *testing.T) {
	_, err := DecodeLimits([]byte(strings.Repeat("A", 2000)), Limits{MaxInput: 1000, MaxXML: 1000, MaxDepth: 10})
	var de *DecodeError
	if !errors.As(err, &de) || de.Stage != StageInput || !strings.Contains(err.Error(), "at most 1000 bytes") {
		t.Fatalf("err = %v, want an input-size DecodeError", err)
	}
}

func TestDecodeUTF16(t *testing.T) {
	// PowerShell's Out-File writes UTF-16 by default.
	s := base64.StdEncoding.EncodeToString(sampleXML(t))
	var b bytes.Buffer
	b.Write([]byte{0xFF, 0xFE})
	for _, r := range s {
		b.WriteByte(byte(r))
		b.WriteByte(0)
	}
	caps, err := Decode(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got := caps[0].ChainString(); got != "utf-16 → base64 → xml" {
		t.Errorf("chain = %q", got)
	}
}

func ExampleDecode() {
	caps, err := Decode([]byte("SAMLResponse=PHNhbWxwOlJlc3BvbnNlLz4%3D&RelayState=https%3A%2F%2Fus-east-1.console.aws.amazon.com%2Fconnect%2Ffederate%2Fabc"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(caps[0].ChainString())
	fmt.Println(*caps[0].RelayState)
	fmt.Println(string(caps[0].XML))
	// Output:
	// form → url-decode → base64 → xml
	// https://us-east-1.console.aws.amazon.com/connect/federate/abc
	// <samlp:Response/>
}

// TestDecodeStreamMatchesDecode: streaming a HAR gives the captures Decode
// gives, in order, and non-JSON input is decoded whole.
func TestDecodeStreamMatchesDecode(t *testing.T) {
	for _, in := range [][]byte{testdata(t, "assertions", "okta-connect.har"), testdata(t, "assertions", "okta-connect.b64")} {
		want, err := Decode(in)
		if err != nil {
			t.Fatal(err)
		}
		var got []*Capture
		if err := DecodeStream(bytes.NewReader(in), DefaultLimits, func(c *Capture) error { got = append(got, c); return nil }); err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(want)
		b, _ := json.Marshal(got)
		if string(a) != string(b) {
			t.Errorf("stream differs:\n%s\n%s", a, b)
		}
		for i := range want {
			if !bytes.Equal(want[i].XML, got[i].XML) {
				t.Errorf("capture %d XML differs", i+1)
			}
		}
	}
	for _, c := range []struct{ in, want string }{
		{`{"log":{"entries":[{"request":`, "ends early"},
		{`{"log":{"entries":[]}}`, "HAR with 0 requests but no SAMLResponse"},
		{`{"x":1}`, "neither a HAR"},
		{`{"log":{"entries":{"a":1}}}`, `"log.entries" is an object, not an array`},
	} {
		err := DecodeStream(strings.NewReader(c.in), DefaultLimits, func(*Capture) error { return nil })
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.in, err, c.want)
		}
	}
	err := DecodeStream(strings.NewReader(strings.Repeat(" ", 100)+"{}"), Limits{MaxInput: 50, MaxXML: 50, MaxDepth: 5}, func(*Capture) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "at most 50 bytes") {
		t.Errorf("limit: %v", err)
	}
}

func gzipOf(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return buf.Bytes()
}

// TestUnwrapEnvelopes: a Response in an ECP SOAP envelope or an
// ArtifactResponse is read as the Response itself, and its signatures,
// which may rely on namespaces the wrapper declares, still verify.
func TestUnwrapEnvelopes(t *testing.T) {
	xml := sampleXML(t)
	body := string(xml[bytes.IndexByte(xml, '>')+1:]) // without the XML declaration
	anchors := sampleAnchors(t)
	for name, doc := range map[string]string{
		"ECP SOAP 1.1":             `<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Header><ecp:Response xmlns:ecp="urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp" S:mustUnderstand="1" S:actor="http://schemas.xmlsoap.org/soap/actor/next" AssertionConsumerServiceURL="https://signin.aws.amazon.com/saml"/></S:Header><S:Body>` + body + `</S:Body></S:Envelope>`,
		"SOAP 1.2":                 `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>` + body + `</env:Body></env:Envelope>`,
		"ArtifactResponse in SOAP": `<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><samlp:ArtifactResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_art" Version="2.0" IssueInstant="2026-11-20T10:00:00Z"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` + body + `</samlp:ArtifactResponse></S:Body></S:Envelope>`,
	} {
		t.Run(name, func(t *testing.T) {
			msgs, err := Read([]byte(doc), Options{Anchors: anchors})
			if err != nil || len(msgs) != 1 || msgs[0].Err != nil {
				t.Fatalf("not read: %v %+v", err, msgs)
			}
			r := msgs[0].Response
			if r.Wrapper == "" || r.ID != "_a1b2c3response" || r.Consumed() == nil {
				t.Errorf("not unwrapped: wrapper %q, id %q", r.Wrapper, r.ID)
			}
			if v := verdicts(r); v != "valid,valid" {
				t.Errorf("signatures %s after unwrapping, want valid,valid", v)
			}
			if cv := r.Coverage(); !cv.Covered {
				t.Errorf("coverage problems: %+v", cv.Problems)
			}
		})
	}
}

// nestedGzip is the sample wrapped in n layers of gzip.
func nestedGzip(t *testing.T, n int) []byte {
	b := sampleXML(t)
	for range n {
		b = gzipOf(t, b)
	}
	return b
}

// TestDecodeUTF16Declared: UTF-16 XML is read whatever its declaration
// says, with a byte-order mark or (big-endian, as XML 1.0 Appendix F
// detects it) without, raw or in base64; and what is read declares UTF-8.
func TestDecodeUTF16Declared(t *testing.T) {
	xml := `<?xml version="1.0" encoding="UTF-16"?>` + "\n" + string(sampleXML(t))
	encode := func(s string, bigEndian, bom bool) []byte {
		var b bytes.Buffer
		if bom {
			if bigEndian {
				b.Write([]byte{0xFE, 0xFF})
			} else {
				b.Write([]byte{0xFF, 0xFE})
			}
		}
		for _, u := range utf16.Encode([]rune(s)) {
			if bigEndian {
				b.Write([]byte{byte(u >> 8), byte(u)})
			} else {
				b.Write([]byte{byte(u), byte(u >> 8)})
			}
		}
		return b.Bytes()
	}
	for _, tc := range []struct {
		name  string
		input []byte
		chain string
	}{
		{"UTF-16LE with a BOM, declared UTF-16", encode(xml, false, true), "utf-16 → xml"},
		{"UTF-16BE with a BOM", encode(xml, true, true), "utf-16 → xml"},
		{"UTF-16BE without a BOM", encode(xml, true, false), "utf-16 → xml"},
		{"UTF-16LE without a BOM", encode(xml, false, false), "utf-16 → xml"},
		{"base64 of UTF-16BE", []byte(base64.StdEncoding.EncodeToString(encode(xml, true, true))), "base64 → utf-16 → xml"},
		{"base64 of UTF-16LE without a BOM", []byte(base64.StdEncoding.EncodeToString(encode(xml, false, false))), "base64 → utf-16 → xml"},
	} {
		caps, err := Decode(tc.input)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := caps[0].ChainString(); got != tc.chain {
			t.Errorf("%s: chain %q, want %q", tc.name, got, tc.chain)
		}
		if !bytes.HasPrefix(caps[0].XML, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
			t.Errorf("%s: held as %.60q", tc.name, caps[0].XML)
		}
		r, err := Parse(caps[0].XML)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if Verify(r, sampleAnchors(t)); verdicts(r) != "valid,valid" {
			t.Errorf("%s: signatures %s after reading it as UTF-16", tc.name, verdicts(r))
		}
	}
	// Within the limits: UTF-16 of an input past MaxInput is refused as before.
	if _, err := DecodeLimits(encode(xml, false, true), Limits{MaxInput: 1000}); err == nil || !strings.Contains(err.Error(), "at most 1000 bytes") {
		t.Errorf("an oversized UTF-16 input: %v", err)
	}
}
