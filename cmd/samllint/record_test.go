package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/samllint/samllint/internal/testkit"
)

// The hosts AWS and Amazon Connect answer from, which the test browser
// resolves to the stand-in below.
const (
	hostSignIn  = "signin.aws.amazon.com"
	hostFed     = "us-east-1.console.aws.amazon.com"
	hostConsole = "console.aws.amazon.com"
	hostConnect = "example-corp.my.connect.aws"
	// recordPassword is the test user's: it must appear in nothing
	// samllint writes.
	recordPassword = "Pw9-rec0rd-S3cr3t"
)

// standIn answers as AWS's sign-in endpoint, its console and Amazon
// Connect do, in the way a scenario asks.
type standIn struct {
	signIn  string // console: redirect to the RelayState; error: the invalid-response page; picker: the role picker
	connect string // ok: Connect loads; error: Connect's error page
	hits    atomic.Int32
}

var roleARNRe = regexp.MustCompile(`arn:aws:iam::\d{12}:role/[A-Za-z0-9+=.@_/-]+`)

func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, _, _ := net.SplitHostPort(r.Host)
	if host == "" {
		host = r.Host
	}
	page := func(title, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>%s</title></head><body>%s</body></html>", html.EscapeString(title), body)
	}
	switch {
	case host == hostSignIn && r.Method == "POST" && r.URL.Path == "/saml":
		s.hits.Add(1)
		r.ParseForm()
		relay := r.Form.Get("RelayState")
		if relay == "" {
			relay = "https://" + hostConsole + "/console/home"
		}
		switch {
		case s.signIn == "error":
			page("Amazon Web Services Sign-In", `<div id="container"><h1>Error</h1><p>Your request included an invalid SAML response. To logout, click <a href="/logout">here</a>.</p></div>`)
		case s.signIn == "picker" && r.Form.Get("roleIndex") == "":
			xml, _ := base64.StdEncoding.DecodeString(r.Form.Get("SAMLResponse"))
			var radios strings.Builder
			for _, arn := range roleARNRe.FindAllString(string(xml), -1) {
				fmt.Fprintf(&radios, `<div class="saml-role"><input type="radio" name="roleIndex" id="%[1]s" value="%[1]s"><label for="%[1]s">%[1]s</label></div>`, html.EscapeString(arn))
			}
			page("Amazon Web Services Sign-In", `<form id="saml_form" method="post" action="/saml"><p>Select a role:</p>`+radios.String()+
				`<input type="hidden" name="SAMLResponse" value="`+html.EscapeString(r.Form.Get("SAMLResponse"))+`">`+
				`<input type="hidden" name="RelayState" value="`+html.EscapeString(r.Form.Get("RelayState"))+`">`+
				`<button id="signin_button" type="submit">Sign in</button></form>`)
		default:
			http.Redirect(w, r, relay, http.StatusFound)
		}
	case host == hostSignIn:
		s.hits.Add(1)
		http.NotFound(w, r)
	case host == hostFed && strings.HasPrefix(r.URL.Path, "/connect/federate/"):
		if s.connect == "error" {
			page("Amazon Connect", `<p>Access Denied. Your account has been authenticated, but has not been onboarded to this application. Please contact your administrator.</p>`)
			return
		}
		// The federation's answer carries a token in its query, which
		// the recording must not keep.
		http.Redirect(w, r, "https://"+hostConnect+"/ccp-v2/?token=fed-token-do-not-keep", http.StatusFound)
	case host == hostConsole:
		page("AWS Management Console", "<h1>Console Home</h1>")
	case host == hostConnect:
		page("Amazon Connect - Contact Control Panel", "<h1>Amazon Connect</h1>")
	default:
		http.NotFound(w, r)
	}
}

// startStandIn serves s over TLS on loopback with a certificate for the
// AWS and Connect hosts, and returns the Chromium flags that send those
// hosts to it and trust that certificate alone.
func startStandIn(t *testing.T, s *standIn) []chromedp.ExecAllocatorOption {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: hostSignIn},
		DNSNames:  []string{hostSignIn, hostFed, hostConsole, hostConnect},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	srv := httptest.NewUnstartedServer(s)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	var rules []string
	for _, h := range []string{hostSignIn, hostFed, hostConsole, hostConnect} {
		rules = append(rules, fmt.Sprintf("MAP %s 127.0.0.1:%d", h, port))
	}
	spki := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return []chromedp.ExecAllocatorOption{
		chromedp.Flag("host-resolver-rules", strings.Join(rules, ",")),
		chromedp.Flag("ignore-certificate-errors-spki-list", base64.StdEncoding.EncodeToString(spki[:])),
		chromedp.DisableGPU, chromedp.Flag("disable-quic", true),
	}
}

// recordRun is what one recording printed.
type recordRun struct {
	code           int
	stdout, stderr string
}

// runRecord runs "samllint record" in this process with a headless
// browser (the only difference from a person's run), while drive signs in
// in its tab.
func runRecord(t *testing.T, flags []chromedp.ExecAllocatorOption, drive func(ctx context.Context), args ...string) recordRun {
	t.Helper()
	oldWindow, oldFlags, oldTab := windowOption, launchOptions, onTab
	t.Cleanup(func() { windowOption, launchOptions, onTab = oldWindow, oldFlags, oldTab })
	windowOption, launchOptions = chromedp.Headless, flags
	onTab = func(tab context.Context) {
		if drive != nil {
			go drive(tab)
		}
	}
	var out, errs syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(append([]string{"record", "--timeout", "60s"}, args...), strings.NewReader(""), &out, &errs)
	}()
	select {
	case code := <-done:
		return recordRun{code: code, stdout: out.String(), stderr: errs.String()}
	case <-time.After(90 * time.Second):
		t.Fatalf("record did not end:\n%s", errs.String())
	}
	return recordRun{}
}

// signIn fills SimpleSAMLphp's login form in the tab.
func signIn(password string) func(ctx context.Context) {
	return func(ctx context.Context) {
		_ = chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.ID("username")),
			chromedp.SetValue(chromedp.ID("username"), "jane"),
			chromedp.SetValue(chromedp.ID("password"), password),
			chromedp.Submit(chromedp.ID("password")))
	}
}

// signInThenClose signs in, then closes the window once AWS's error page
// shows, as a person does: the recording ends there.
func signInThenClose(password string) func(ctx context.Context) {
	return func(ctx context.Context) {
		signIn(password)(ctx)
		_ = chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("container")))
		_, _ = chromedp.Call(ctx, page.Close, cdp.Empty{})
	}
}

// TestRecord signs in through SimpleSAMLphp in headless Chromium with
// "samllint record", the AWS and Connect hosts answered by a stand-in
// over TLS, in each way a sign-in goes: the progress lines, the report,
// the exit status, and that the user's password is in nothing written.
func TestRecord(t *testing.T) {
	requireSimpleSAMLphp(t)
	if _, err := exec.LookPath("chromium"); err != nil {
		testkit.Missing(t, "SAMLLINT_REQUIRE_CHROMIUM", "chromium (apt-get install chromium)")
	}
	base := func() map[string][]string {
		return map[string][]string{
			"https://aws.amazon.com/SAML/Attributes/Role":            {sspRole(sspAccount, "ConnectAgent")},
			"https://aws.amazon.com/SAML/Attributes/RoleSessionName": {"jane.doe@example.com"},
		}
	}
	for _, c := range []struct {
		name       string
		cfg        sspConfig
		stand      *standIn
		extra      []string
		drive      func(password string) func(ctx context.Context)
		code       int
		progress   []string // lines samllint must print, in order
		report     []string // in the report
		noSignIn   bool     // nothing may reach the stand-in's sign-in endpoint
		compareHAR bool
	}{
		{name: "a working sign-in, ending at the Connect console", cfg: sspConfig{attrs: base(), relay: sspRelay},
			stand: &standIn{signIn: "console", connect: "ok"}, code: 0, compareHAR: true,
			progress: []string{"waiting for the sign-in at http://127.0.0.1:", "captured a SAMLResponse posted to https://signin.aws.amazon.com/saml at ",
				"verdict: no problems found", "AWS answered 302 → " + sspRelay + ": the AWS hop passed",
				"the Connect federation answered 302 → https://example-corp.my.connect.aws/ccp-v2/", "Amazon Connect loaded: the Connect hop passed", "Amazon Connect loaded"},
			report: []string{`"source": "HAR entry 1"`, "AWS accepted this response"}},
		{name: "the guide's provider-only Role, AWS's error page",
			cfg:   sspConfig{attrs: map[string][]string{"https://aws.amazon.com/SAML/Attributes/Role": {"arn:aws:iam::" + sspAccount + ":saml-provider/SimpleSAMLphp"}, "https://aws.amazon.com/SAML/Attributes/RoleSessionName": {"jane.doe@example.com"}}, relay: sspRelay},
			stand: &standIn{signIn: "error"}, code: 1, drive: signInThenClose,
			progress: []string{"verdict: sign-in will fail: ", "aws/role-missing-role-arn", `AWS answered 200 with its error page: "Your request included an invalid SAML response.`, "the browser window was closed"},
			report:   []string{"error   aws/role-missing-role-arn", "error   aws/capture-outcome"}},
		{name: "a role picker in two accounts",
			cfg:   sspConfig{attrs: map[string][]string{"https://aws.amazon.com/SAML/Attributes/Role": {sspRole(sspAccount, "ConnectAgent"), sspRole("210987654321", "ConnectSupervisor")}, "https://aws.amazon.com/SAML/Attributes/RoleSessionName": {"jane.doe@example.com"}}, relay: sspRelay},
			stand: &standIn{signIn: "picker", connect: "ok"}, code: 0,
			drive: func(password string) func(ctx context.Context) {
				return func(ctx context.Context) {
					signIn(password)(ctx)
					_ = chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`input[name=roleIndex]`)),
						chromedp.Click(chromedp.CSS(`input[name=roleIndex]`)), chromedp.Click(chromedp.ID("signin_button")))
				}
			},
			progress: []string{"AWS shows its role picker, 2 roles: arn:aws:iam::123456789012:role/ConnectAgent, arn:aws:iam::210987654321:role/ConnectSupervisor",
				"Amazon Connect loaded: the Connect hop passed"},
			report: []string{"recorded.har#1 (HAR entry 1)"}},
		{name: "--stop-before-aws", cfg: sspConfig{attrs: base(), relay: sspRelay}, stand: &standIn{signIn: "console"}, extra: []string{"--stop-before-aws"}, code: 0, noSignIn: true,
			progress: []string{"its post to AWS will be answered here, not sent", "captured a SAMLResponse posted to https://signin.aws.amazon.com/saml",
				"the post to https://signin.aws.amazon.com/saml was answered here and not sent to AWS", "the post to AWS was captured and not sent"},
			report: []string{"OK (answered by samllint, not sent to AWS)"}},
		{name: "an expired session, captured late", cfg: sspConfig{attrs: base(), relay: sspRelay, clock: "-10m"}, stand: &standIn{signIn: "error"}, code: 1, drive: signInThenClose,
			progress: []string{"verdict: sign-in will fail: ", "aws/assertion-too-old"},
			report:   []string{"error   aws/assertion-too-old", "when the browser posted it, as the capture records"}},
		{name: "the time allowed ran out at AWS's error page", cfg: sspConfig{attrs: base(), relay: sspRelay}, stand: &standIn{signIn: "error"}, code: 1,
			extra:    []string{"--timeout", "6s"},
			progress: []string{"captured a SAMLResponse", `AWS answered 200 with its error page: "Your request included an invalid SAML response.`, "the time allowed ran out", "1 sign-in captured; the report:"},
			report:   []string{"error   aws/capture-outcome"}},
		{name: "the window closed early", cfg: sspConfig{attrs: base(), relay: sspRelay}, stand: &standIn{signIn: "console"}, code: 2, noSignIn: true,
			drive: func(string) func(ctx context.Context) {
				return func(ctx context.Context) {
					// A person looks at the page before closing it.
					_ = chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("username")), chromedp.Sleep(500*time.Millisecond))
					_, _ = chromedp.Call(ctx, page.Close, cdp.Empty{})
				}
			},
			progress: []string{"the browser window was closed", "no SAMLResponse was posted before the browser window was closed; the last page was"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.password = recordPassword
			idp := startSimpleSAMLphp(t, c.cfg)
			dir := t.TempDir()
			md := filepath.Join(dir, "metadata.xml")
			os.WriteFile(md, idp.get(t, "saml2/idp/metadata.php"), 0o644)
			flags := startStandIn(t, c.stand)
			// A short TMPDIR: Chromium's socket path in it must fit.
			tmp, err := os.MkdirTemp("/tmp", "slr")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(tmp) })
			t.Setenv("TMPDIR", tmp)
			har := filepath.Join(dir, "recorded.har")
			drive := signIn(recordPassword)
			if c.drive != nil {
				drive = c.drive(recordPassword)
			}
			args := append(append([]string{"--metadata", md, "--har", har}, c.extra...), idp.ssoURL("urn:amazon:webservices", c.cfg.relay))
			if c.compareHAR {
				args = append([]string{"--format", "json"}, args...)
			}
			got := runRecord(t, flags, drive, args...)
			if os.Getenv("SAMLLINT_SHOW_RECORD") != "" {
				t.Logf("\n%s%s", got.stderr, got.stdout)
			}
			if got.code != c.code {
				t.Errorf("exit %d, want %d\nstderr:\n%s\nstdout:\n%s", got.code, c.code, got.stderr, got.stdout)
			}
			at := 0
			for _, want := range c.progress {
				i := strings.Index(got.stderr[at:], want)
				if i < 0 {
					t.Errorf("no %q in the progress, in order:\n%s", want, got.stderr)
					continue
				}
				at += i
			}
			for _, want := range c.report {
				if !strings.Contains(got.stdout+got.stderr, want) && !strings.Contains(readFile(har), want) {
					t.Errorf("the report lacks %q:\n%s", want, got.stdout)
				}
			}
			if c.noSignIn && c.stand.hits.Load() != 0 {
				t.Errorf("%d requests reached AWS's sign-in endpoint", c.stand.hits.Load())
			}
			// The password: in nothing written, and no profile left.
			for what, text := range map[string]string{"stdout": got.stdout, "stderr": got.stderr, "the HAR": readFile(har)} {
				if strings.Contains(text, recordPassword) {
					t.Errorf("the password is in %s", what)
				}
				if strings.Contains(text, "fed-token-do-not-keep") {
					t.Errorf("the federation's token is in %s", what)
				}
			}
			filepath.WalkDir(tmp, func(path string, d fs.DirEntry, err error) error {
				if err == nil && strings.HasPrefix(d.Name(), "samllint-record-") {
					t.Errorf("the browser profile %s was left behind", path)
				}
				if err == nil && !d.IsDir() {
					if b, _ := os.ReadFile(path); bytes.Contains(b, []byte(recordPassword)) {
						t.Errorf("the password is in %s", path)
					}
				}
				return nil
			})
			if c.compareHAR {
				// The HAR written lints, with "samllint lint", to the report
				// record printed: one pipeline.
				code, out, errs := runCLI(t, "", "lint", "--format", "json", "--metadata", md, har)
				var a, b struct {
					Findings []json.RawMessage `json:"findings"`
					Results  []struct{ Verdict string }
				}
				if json.Unmarshal([]byte(got.stdout), &a) != nil || json.Unmarshal([]byte(out), &b) != nil || code != got.code ||
					len(a.Findings) == 0 || fmt.Sprint(a) != fmt.Sprint(b) {
					t.Errorf("samllint lint on the HAR (exit %d, %s) differs from record's report:\n%s\n---\n%s", code, errs, got.stdout, out)
				}
			}
		})
	}
	t.Run("no browser found", func(t *testing.T) {
		cmd := samllintCmd("record", "https://example.com/")
		cmd.Env = append(cmd.Env, "PATH="+t.TempDir())
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		cmd.Run()
		msg := strings.TrimSpace(out.String())
		if code := cmd.ProcessState.ExitCode(); code != 2 || strings.Count(msg, "\n") != 0 ||
			!strings.Contains(msg, "no Chrome, Chromium or Edge found (tried google-chrome,") || !strings.Contains(msg, "/opt/google/chrome/chrome") ||
			!strings.Contains(msg, "give --browser PATH") {
			t.Errorf("exit %d: %q", code, msg)
		}
	})
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}
