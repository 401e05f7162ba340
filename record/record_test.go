package record

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samllint/samllint/saml"

	// testkit defines -update, which go test ./... -update hands to every package.
	_ "github.com/samllint/samllint/internal/test/testkit"
)

func TestHostOf(t *testing.T) {
	for _, c := range []struct {
		url  string
		want hostKind
	}{
		{"https://signin.aws.amazon.com/saml", hostSignIn},
		{"https://us-east-2.signin.aws.amazon.com/saml/acs/SAMLSP4SHN3UUFDQ35UC", hostSignIn},
		{"https://signin.amazonaws-us-gov.com/saml", hostSignIn},
		{"https://signin.amazonaws.cn/saml", hostSignIn},
		{"https://SIGNIN.AWS.AMAZON.COM/saml", hostSignIn},
		{"https://us-east-1.console.aws.amazon.com/connect/federate/4f0a8d3e", hostConsole},
		{"https://console.amazonaws-us-gov.com/console/home", hostConsole},
		{"https://example-corp.my.connect.aws/ccp-v2/", hostConnect},
		{"https://example-corp.awsapps.com/connect/ccp-v2", hostConnect},
		// Look-alikes are other hosts: a suffix match needs a dot.
		{"https://evilsignin.aws.amazon.com/saml", hostOther},
		{"https://signin.aws.amazon.com.example.net/saml", hostOther},
		{"https://example.okta.com/app/amazon_aws/exk1/sso/saml", hostOther},
		{"::not a url", hostOther},
	} {
		if got := hostOf(c.url); got != c.want {
			t.Errorf("hostOf(%q) = %d, want %d", c.url, got, c.want)
		}
	}
}

func TestSignInPath(t *testing.T) {
	for url, want := range map[string]bool{
		"https://signin.aws.amazon.com/saml":                     true,
		"https://signin.aws.amazon.com/saml/":                    true,
		"https://signin.aws.amazon.com/saml/acs/SAMLSP4SHN3UUFD": true,
		"https://signin.aws.amazon.com/favicon.ico":              false,
		"https://signin.aws.amazon.com/samlx":                    false,
		"https://signin.aws.amazon.com/oauth":                    false,
	} {
		if got := signInPath(url); got != want {
			t.Errorf("signInPath(%q) = %v, want %v", url, got, want)
		}
	}
}

func TestStripQuery(t *testing.T) {
	got := stripQuery("https://user:pw@example-corp.my.connect.aws/ccp-v2/?token=secret#code=also")
	if got != "https://example-corp.my.connect.aws/ccp-v2/" {
		t.Errorf("stripQuery kept %q", got)
	}
}

func TestRolePicker(t *testing.T) {
	page := `<form><input type="radio" name="roleIndex" id="a" value="arn:aws:iam::123456789012:role/ConnectAgent">` +
		`<INPUT value='arn:aws-us-gov:iam::210987654321:role/Admin' name='roleIndex' type=radio>` +
		`<input type="radio" name="other" value="arn:aws:iam::1:role/NotOne"><input name="roleIndex" value="not-an-arn"></form>`
	got := strings.Join(rolePicker(page), " ")
	if got != "arn:aws:iam::123456789012:role/ConnectAgent arn:aws-us-gov:iam::210987654321:role/Admin" {
		t.Errorf("rolePicker = %q", got)
	}
	if rolePicker("<h1>Console Home</h1>") != nil {
		t.Error("a page without a picker lists roles")
	}
}

// The HAR a recording writes is read by saml.Decode as the recording
// saw it: the SAML post, its RelayState, its time and AWS's answer.
func TestHARReadsBack(t *testing.T) {
	xml, err := os.ReadFile("../testdata/assertions/okta-connect.b64")
	if err != nil {
		t.Fatal(err)
	}
	b64 := strings.TrimSpace(string(xml))
	at := time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC)
	relay := "https://us-east-1.console.aws.amazon.com/connect/federate/4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34"
	har, err := harOf([]*entry{{
		started: at, method: "POST", url: "https://signin.aws.amazon.com/saml", saml: true, host: hostSignIn,
		params: []nameValue{{"SAMLResponse", b64}, {"RelayState", relay}},
		status: 302, statusText: "Found", location: relay,
	}, {
		started: at.Add(time.Second), method: "GET", url: relay, host: hostConsole, status: 302, location: "https://example-corp.my.connect.aws/ccp-v2/",
	}})
	if err != nil {
		t.Fatal(err)
	}
	caps, err := saml.Decode(har)
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 1 {
		t.Fatalf("%d captures, want 1", len(caps))
	}
	c := caps[0]
	want, _ := base64.StdEncoding.DecodeString(b64)
	if string(c.XML) != string(want) || c.RelayState == nil || *c.RelayState != relay || c.SentAt == nil || !c.SentAt.Equal(at) ||
		c.Reply == nil || c.Reply.Status != 302 || c.Reply.Location != relay || len(c.Then) != 1 {
		t.Errorf("read back: source %q relay %v sent %v reply %+v then %d", c.Source, c.RelayState, c.SentAt, c.Reply, len(c.Then))
	}
}

func TestFindBrowser(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	_, err := findBrowser("linux", os.Getenv)
	if nf, ok := err.(*BrowserNotFound); !ok || len(nf.Tried) < 5 || !strings.Contains(err.Error(), "chromium, chromium-browser") {
		t.Fatalf("no browser: %v", err)
	}
	exe := filepath.Join(dir, "chromium")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := findBrowser("linux", os.Getenv); err != nil || got != exe {
		t.Errorf("findBrowser = %q, %v; want %s", got, err, exe)
	}
	win := browserLocations("windows", func(k string) string { return map[string]string{"ProgramFiles": `C:\Program Files`}[k] })
	if !strings.Contains(strings.Join(win, "|"), `Microsoft\Edge\Application\msedge.exe`) {
		t.Errorf("windows locations: %q", win)
	}
}

// TestShortPage: of AWS's and Connect's pages a recording keeps only what
// samllint reads (title, the error shown, the role picker's roles), and
// the HAR says so; a token in a script or elsewhere in the page is not
// written, and the HAR still reads back with AWS's error.
func TestShortPage(t *testing.T) {
	const token = "FEDTOKEN-5b1f0c2e9a"
	page := `<!DOCTYPE html><html><head><title>Amazon Web Services Sign-In</title><script>var t = "` + token + `";</script></head>` +
		`<body><div id="error"><h1>Your request included an invalid SAML response. To logout, click here.</h1></div>` +
		`<form><input type="hidden" name="csrf" value="` + token + `">` +
		`<input type="radio" name="roleIndex" value="arn:aws:iam::123456789012:role/ConnectAgent"></form></body></html>`
	short := shortPage(page)
	if strings.Contains(short, token) || strings.Contains(short, "<script") {
		t.Errorf("the short page keeps the script or the token: %s", short)
	}
	for _, want := range []string{"<title>Amazon Web Services Sign-In</title>", "Your request included an invalid SAML response", `value="arn:aws:iam::123456789012:role/ConnectAgent"`} {
		if !strings.Contains(short, want) {
			t.Errorf("the short page lacks %q: %s", want, short)
		}
	}
	b64, _ := os.ReadFile("../testdata/assertions/okta-connect.b64")
	har, err := harOf([]*entry{{started: time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC), method: "POST", url: "https://signin.aws.amazon.com/saml", saml: true, host: hostSignIn,
		params: []nameValue{{"SAMLResponse", strings.TrimSpace(string(b64))}}, status: 200, statusText: "OK", mimeType: "text/html", body: short, size: len(page)}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(har), token) || !strings.Contains(string(har), shortened) {
		t.Errorf("the HAR holds the token, or does not say the page was shortened:\n%s", har)
	}
	caps, err := saml.Decode(har)
	if err != nil || len(caps) != 1 || caps[0].Reply == nil || !strings.HasPrefix(caps[0].Reply.ErrorText, "Your request included an invalid SAML response") {
		t.Fatalf("read back: %v %+v", err, caps)
	}
}

// TestHARUnreached: a post that got no answer is written as Chrome's HAR
// writes it (status 0, _error), and read back as a reply that failed.
func TestHARUnreached(t *testing.T) {
	b64, _ := os.ReadFile("../testdata/assertions/okta-connect.b64")
	har, err := harOf([]*entry{{started: time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC), method: "POST", url: "https://signin.aws.amazon.com/saml", saml: true, host: hostSignIn,
		params: []nameValue{{"SAMLResponse", strings.TrimSpace(string(b64))}}, failed: "net::ERR_NAME_NOT_RESOLVED"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(har), `"_error": "net::ERR_NAME_NOT_RESOLVED"`) {
		t.Errorf("no _error in the HAR:\n%s", har)
	}
	caps, err := saml.Decode(har)
	if err != nil || len(caps) != 1 || caps[0].Reply == nil || caps[0].Reply.Failed != "net::ERR_NAME_NOT_RESOLVED" {
		t.Fatalf("read back: %v %+v", err, caps)
	}
	if got := saml.NetErrorWords(caps[0].Reply.Failed); got != "net::ERR_NAME_NOT_RESOLVED (the browser could not look up the host)" {
		t.Errorf("in words: %q", got)
	}
}
