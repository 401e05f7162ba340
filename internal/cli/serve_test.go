package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/samllint/samllint/internal/render/page"
	"github.com/samllint/samllint/internal/test/testkit"
	"github.com/samllint/samllint/lint"
)

func startServer(t *testing.T) (*httptest.Server, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	srv := httptest.NewUnstartedServer(newWebHandler(port))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, port
}

func TestServeGuards(t *testing.T) {
	srv, port := startServer(t)
	do := func(method, host, ctype, origin, body string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+"/api/lint", strings.NewReader(body))
		if method == "GET" {
			req, _ = http.NewRequest(method, srv.URL+"/", nil)
		}
		req.Host = host
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	local := "127.0.0.1:" + strconv.Itoa(port)
	cases := []struct {
		name                              string
		method, host, ctype, origin, body string
		code                              int
	}{
		{"page", "GET", local, "", "", "", 200},
		{"localhost name", "GET", "localhost:" + strconv.Itoa(port), "", "", "", 200},
		{"DNS rebinding", "GET", "attacker.example:" + strconv.Itoa(port), "", "", "", 421},
		{"other port", "GET", "127.0.0.1:1", "", "", "", 421},
		{"no port is port 80", "GET", "127.0.0.1", "", "", "", 421},
		{"IPv6 literal, other port", "GET", "[::1]:1", "", "", "", 421},
		{"not JSON", "POST", local, "text/plain", "", "x", 415},
		{"cross origin", "POST", local, "application/json", "http://attacker.example", `{"input":"x"}`, 403},
		{"unknown field", "POST", local, "application/json", "", `{"inptu":"x"}`, 400},
		{"bad input", "POST", local, "application/json", "", `{"input":"%%%"}`, 422},
		{"too large", "POST", local, "application/json", "", `{"input":"` + strings.Repeat("A", maxRequest) + `"}`, 413},
	}
	for _, c := range cases {
		resp := do(c.method, c.host, c.ctype, c.origin, c.body)
		if resp.StatusCode != c.code {
			t.Errorf("%s: status %d, want %d", c.name, resp.StatusCode, c.code)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "connect-src 'self'") {
			t.Errorf("%s: CSP %q", c.name, csp)
		}
	}
	// The page loads nothing from elsewhere: no absolute URL in a src,
	// href, url() or fetch, and no inline script for the CSP to allow.
	for _, f := range []string{"index.html", "app.js", "app.css"} {
		b, _ := fs.ReadFile(page.Files(), f)
		for _, bad := range []string{`src="http`, `href="http`, `src="//`, `href="//`, "url(http", "url(//", "@import", `fetch("http`, "<script>"} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s contains %q", f, bad)
			}
		}
	}
}

func TestServeAPI(t *testing.T) {
	srv, _ := startServer(t)
	sample, _ := os.ReadFile(repo("testdata", "assertions", "okta-role-provider-only.b64"))
	good, _ := os.ReadFile(repo("testdata", "assertions", "okta-connect.b64"))
	post := func(path string, body any) []byte {
		t.Helper()
		b, _ := json.Marshal(body)
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d: %s", path, resp.StatusCode, out)
		}
		return out
	}

	var page struct {
		Results []struct {
			Verdict  string
			Clock    struct{ Time, Source, Reason string }
			Findings []struct {
				Rule     string
				Location struct{ Path string }
			}
			Facts    []struct{ Name, Value string }
			Timeline []struct{ Label, Rel string }
			XML      []struct{ Text, Path string }
		}
	}
	if err := json.Unmarshal(post("/api/lint", map[string]any{"input": string(sample)}), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != 1 {
		t.Fatalf("%d results, want 1", len(page.Results))
	}
	r := page.Results[0]
	if len(r.Findings) != 1 || r.Findings[0].Rule != "aws/role-missing-role-arn" {
		t.Fatalf("findings %+v", r.Findings)
	}
	// The finding's location is a line of the indented XML, so the page
	// can highlight it.
	found := false
	for _, l := range r.XML {
		found = found || l.Path == r.Findings[0].Location.Path
	}
	if r.Findings[0].Location.Path == "" || !found {
		t.Errorf("no XML line has the finding's path %q", r.Findings[0].Location.Path)
	}
	if r.Clock.Time == "" || r.Clock.Reason == "" || len(r.Timeline) == 0 || len(r.Facts) == 0 {
		t.Errorf("summary missing: clock %+v, %d ticks, %d facts", r.Clock, len(r.Timeline), len(r.Facts))
	}

	// The Connect users field feeds connect/user-unknown.
	relay := "https://us-east-1.console.aws.amazon.com/connect/federate/4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34"
	var withUsers struct {
		Results []struct{ Findings []struct{ Rule string } }
	}
	body := map[string]any{"input": string(good), "relay_state": relay, "connect_users": `{"UserSummaryList":[{"Username":"john.roe@example.com"}]}`}
	if err := json.Unmarshal(post("/api/lint", body), &withUsers); err != nil {
		t.Fatal(err)
	}
	if len(withUsers.Results) != 1 || len(withUsers.Results[0].Findings) != 1 || withUsers.Results[0].Findings[0].Rule != "connect/user-unknown" {
		t.Errorf("with a users list lacking the user: %+v", withUsers.Results)
	}

	// Downloads are the CLI's JSON and SARIF, redacted when asked.
	js := post("/api/lint", map[string]any{"input": string(sample), "format": "json", "redact": true})
	if !strings.Contains(string(js), `"aws/role-missing-role-arn"`) || strings.Contains(string(js), "123456789012") {
		t.Errorf("redacted JSON download: %s", js)
	}
	var sarif struct{ Version string }
	if err := json.Unmarshal(post("/api/lint", map[string]any{"input": string(sample), "format": "sarif"}), &sarif); err != nil || sarif.Version != "2.1.0" {
		t.Errorf("SARIF download: %v %q", err, sarif.Version)
	}

	var diff struct {
		VerdictA    string `json:"verdict_a"`
		VerdictB    string `json:"verdict_b"`
		Differences []struct{ Field string }
		OnlyA       []struct{ Rule string } `json:"only_a"`
	}
	if err := json.Unmarshal(post("/api/diff", map[string]any{"a": string(sample), "b": string(good)}), &diff); err != nil {
		t.Fatal(err)
	}
	if diff.VerdictA == diff.VerdictB || len(diff.OnlyA) != 1 || diff.OnlyA[0].Rule != "aws/role-missing-role-arn" || len(diff.Differences) == 0 {
		t.Errorf("diff %+v", diff)
	}
}

// TestServeInBrowser drives the page in headless Chromium: paste a
// capture, read the verdict and a finding, toggle redaction, download the
// JSON. .ci/run installs chromium and sets SAMLLINT_REQUIRE_CHROMIUM.
// With -update it also writes the README's screenshot.
// headlessChromium starts Chromium for the test, with nothing but the
// page's own traffic, and the set-up bound to live. .ci/run installs chromium and
// sets SAMLLINT_REQUIRE_CHROMIUM.
func headlessChromium(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	exe, err := exec.LookPath("chromium")
	if err != nil {
		testkit.Missing(t, "SAMLLINT_REQUIRE_CHROMIUM", "chromium (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1300))
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, testkit.SetUp)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	return ctx
}

func TestServeInBrowser(t *testing.T) {
	ctx := headlessChromium(t)
	srv, _ := startServer(t)
	downloads := t.TempDir()
	var err error

	sample, _ := os.ReadFile(repo("testdata", "assertions", "okta-role-provider-only.b64"))
	err = chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior:     browser.SetDownloadBehaviorBehaviorAllowAndName,
				DownloadPath: downloads,
			})
			return err
		}),
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("input")),
		chromedp.SetValue(chromedp.ID("input"), string(sample)),
		// Keyboard only: focus the field and submit with Ctrl+Enter.
		chromedp.Focus(chromedp.ID("input")),
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitVisible(chromedp.ID("verdict")),
	)
	if err != nil {
		t.Fatal(err)
	}
	verdict := mustText(t, ctx, chromedp.ID("verdict"))
	finding := mustText(t, ctx, chromedp.CSS(".finding.error"))
	if verdict != "sign-in will fail: 1 error, 0 warnings" {
		t.Errorf("verdict %q", verdict)
	}
	if !strings.Contains(finding, "aws/role-missing-role-arn") || !strings.Contains(finding, "arn:aws:iam::123456789012:saml-provider/Okta") {
		t.Errorf("finding %q", finding)
	}
	// The finding's location jumps to its highlighted XML line.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".finding.error button.jump"))); err != nil {
		t.Fatal(err)
	}
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.className + " " + document.activeElement.dataset.path`))
	if err != nil || focused != "hit /Response/Assertion[1]/AttributeStatement/Attribute[@Name='https://aws.amazon.com/SAML/Attributes/Role']/AttributeValue[1]" {
		t.Errorf("after jumping, focus is on %q (%v)", focused, err)
	}
	if *update {
		// The viewport at the report: the verdict and the first finding.
		if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.ID("verdict"))); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		writeScreenshot(t, repo("docs", "img", "serve.png"), png)
	}
	checkSignatureLayout(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("redact"))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, chromedp.ID("status"), "redacted")
	redacted := mustText(t, ctx, chromedp.ID("results"))
	if strings.Contains(redacted, "jane.doe@example.com") || strings.Contains(redacted, "123456789012") || !strings.Contains(redacted, "1##########2") {
		t.Error("the redacted view still shows the e-mail or the account ID")
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("download-json"))); err != nil {
		t.Fatal(err)
	}
	var file string
	testkit.WaitFor(t, "the JSON download", func() bool {
		m, _ := filepath.Glob(filepath.Join(downloads, "*"))
		for _, f := range m {
			if !strings.HasSuffix(f, ".crdownload") {
				file = f
			}
		}
		return file != ""
	})
	b, _ := os.ReadFile(file)
	var doc struct {
		Findings []struct{ Rule string } `json:"findings"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Findings) != 1 || doc.Findings[0].Rule != "aws/role-missing-role-arn" {
		t.Errorf("downloaded JSON: %v %s", err, b)
	}
	if strings.Contains(string(b), "jane.doe@example.com") {
		t.Error("the download in redacted view is not redacted")
	}
	checkFilePicker(t, ctx)
	checkPageLayout(t, ctx, "page")
	good, _ := os.ReadFile(repo("testdata", "assertions", "okta-connect.b64"))
	checkDiffPanel(t, ctx, string(sample), string(good))
	checkBidi(t, ctx)
}

// A bidirectional override in a capture shows as a marker, never
// reordering what is read.
func checkBidi(t *testing.T, ctx context.Context) {
	xml := strings.Replace(string(testkit.UnsignedSample(t)), ">jane.doe@example.com</saml2:AttributeValue>", ">\u202emoc.elgoog@nimda</saml2:AttributeValue>", 1)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("redact").checked = false`)); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("input"), base64.StdEncoding.EncodeToString([]byte(xml))),
		chromedp.Focus(chromedp.ID("input")),
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
	)
	if err != nil {
		t.Fatal(err)
	}
	var text string
	testkit.WaitFor(t, "the bidi capture's verdict", func() bool {
		if text, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.textContent`)); err != nil {
			t.Fatal(err)
		}
		return strings.Contains(text, "nimda")
	})
	if strings.ContainsRune(text, '\u202e') || !strings.Contains(text, "⟨U+202E⟩moc.elgoog@nimda") {
		i := strings.Index(text, "nimda")
		t.Errorf("the page applies a bidi override, or hides it: %q", text[max(0, i-40):min(len(text), i+10)])
	}
}

// A HAR chosen with the file picker: each sign-in in it is linted.
func checkFilePicker(t *testing.T, ctx context.Context) {
	har, err := filepath.Abs(repo("testdata", "assertions", "okta-connect.har"))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("input-file"), []string{har})); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the chosen HAR in the input", func() bool {
		v, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("input")))
		if err != nil {
			t.Fatal(err)
		}
		return strings.HasPrefix(strings.TrimSpace(v), "{")
	})
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("lint-button"))); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, chromedp.ID("status"), "2 captures linted")
	// The HAR context the CLI prints: where each message was posted, when,
	// and what AWS answered, with its error page's text.
	ctxText := mustText(t, ctx, chromedp.ID("results"))
	for _, want := range []string{"posted", "POST https://signin.aws.amazon.com/saml", "the server answered", "302 Found → https://us-east-1.console.aws.amazon.com/connect/federate/",
		"its page says", "Your request included an invalid SAML response"} {
		if !strings.Contains(ctxText, want) {
			t.Errorf("the page lacks the HAR context %q", want)
		}
	}
}

// checkPageLayout: with a HAR of two sign-ins linted, the page opens with
// a summary of both, the failing one first, linking to its report; at
// 1400 and 420 px wide nothing scrolls sideways, no value is clipped (long
// ones wrap), and the timeline's rows do not run into one another. A
// screenshot of each width is kept (in docs/ under -update).
func checkPageLayout(t *testing.T, ctx context.Context, shot string) {
	const probe = `(() => {
  const bad = [], doc = document.documentElement, vw = doc.clientWidth;
  if (doc.scrollWidth > vw + 1) bad.push('the page scrolls sideways: ' + doc.scrollWidth + ' > ' + vw);
  const results = document.getElementById('results');
  for (const e of results.querySelectorAll('dd, dt, td, th, h3, h4, p, li, .head, a, .chip')) {
    if (e.closest('pre.xml')) continue;
    const r = e.getBoundingClientRect();
    if (r.right > vw + 1) bad.push('overflows the viewport: ' + e.textContent.slice(0, 50));
    if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible') bad.push('clipped: ' + e.textContent.slice(0, 50));
  }
  for (const tl of results.querySelectorAll('.timeline')) {
    const rows = [...tl.children];
    for (let i = 0; i + 1 < rows.length; i++) {
      if (rows[i].getBoundingClientRect().bottom > rows[i + 1].getBoundingClientRect().top + 1) bad.push('timeline rows overlap: ' + rows[i].textContent);
    }
    for (const row of rows) {
      const [rel, label, at] = row.children;
      if (at.getBoundingClientRect().left < label.getBoundingClientRect().left - 1) bad.push('a time sits outside its row: ' + row.textContent);
    }
  }
  const nav = results.firstElementChild;
  if (!nav || !nav.matches('nav.summary')) bad.push('no summary at the top');
  else {
    const items = [...nav.querySelectorAll('li')];
    if (items.length !== 2 || !items[0].matches('.o-will-fail')) bad.push('the summary does not list the failing sign-in first: ' + nav.textContent);
    for (const a of nav.querySelectorAll('a')) if (!document.querySelector(a.getAttribute('href'))) bad.push('a summary link leads nowhere: ' + a.getAttribute('href'));
  }
  return bad.join('; ');
})()`
	for _, width := range []int64{1400, 420} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 1000), chromedp.ScrollIntoView(chromedp.ID("results"))); err != nil {
			t.Fatal(err)
		}
		if bad, err := chromedp.Run(ctx, chromedp.Evaluate[string](probe)); err != nil || bad != "" {
			t.Errorf("the page at %d px: %s %v", width, bad, err)
		}
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if *update {
			dir = repo("docs", "img")
		}
		writeScreenshot(t, filepath.Join(dir, fmt.Sprintf("%s-%d.png", shot, width)), png)
	}
	// The summary's first link jumps to the failing report.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("nav.summary li a"))); err != nil {
		t.Fatal(err)
	}
	if hash, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.hash`)); err != nil || hash != "#result-2" {
		t.Errorf("the failing sign-in's link goes to %q (%v), want #result-2", hash, err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 1300)); err != nil {
		t.Fatal(err)
	}
}

// checkSignatureLayout: the signature cards read well on a wide screen and
// on a phone. At 1400 and 420 px wide nothing overflows the viewport or
// is clipped, the card heads ("valid on <Response>") and the labels stay on
// one line, and long values wrap inside their card. A screenshot of each
// width is kept (in docs/ under -update, else in the test's directory).
func checkSignatureLayout(t *testing.T, ctx context.Context) {
	const probe = `(() => {
  const sigs = document.querySelector('.sigs');
  if (!sigs) return 'no signature cards';
  const vw = document.documentElement.clientWidth, bad = [];
  for (const e of sigs.querySelectorAll('li, dl, dt, dd, .sig-head')) {
    const r = e.getBoundingClientRect();
    if (r.right > vw + 1) bad.push('overflows the viewport: ' + e.textContent.slice(0, 40));
    if (e.scrollWidth > e.clientWidth + 1) bad.push('clipped: ' + e.textContent.slice(0, 40));
  }
  const oneLine = (e) => {
    const range = document.createRange();
    range.selectNodeContents(e);
    return new Set([...range.getClientRects()].map((r) => Math.round(r.bottom))).size <= 1;
  };
  for (const h of sigs.querySelectorAll('.sig-head, dt')) if (!oneLine(h)) bad.push('wraps: ' + h.textContent);
  return bad.join('; ');
})()`
	for _, width := range []int64{1400, 420} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 1000), chromedp.ScrollIntoView(chromedp.CSS(".sigs"))); err != nil {
			t.Fatal(err)
		}
		if bad, err := chromedp.Run(ctx, chromedp.Evaluate[string](probe)); err != nil || bad != "" {
			t.Errorf("signature cards at %d px: %s %v", width, bad, err)
		}
		png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(".sigs")))
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if *update {
			dir = repo("docs", "img")
		}
		writeScreenshot(t, filepath.Join(dir, fmt.Sprintf("signatures-%d.png", width)), png)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 1300)); err != nil {
		t.Fatal(err)
	}
}

// The compare panel: a failing and a working capture.
func checkDiffPanel(t *testing.T, ctx context.Context, failing, working string) {
	err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("diff-a"), failing),
		chromedp.SetValue(chromedp.ID("diff-b"), working),
		chromedp.Click(chromedp.ID("diff-button")),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, chromedp.ID("diff-results"), "Findings only in A (1)")
	out := mustText(t, ctx, chromedp.ID("diff-results"))
	for _, want := range []string{"Attribute Role", "aws/role-missing-role-arn", "Findings only in B (0)"} {
		if !strings.Contains(out, want) {
			t.Errorf("compare panel lacks %q:\n%s", want, out)
		}
	}
	// A finding's path jumps to its line in the XML of its side, opening it.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#diff-results button.jump"))); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('xml-a').open + " " + document.activeElement.closest('details').id + " " + document.activeElement.dataset.path`))
	if want := "true xml-a /Response/Assertion[1]/AttributeStatement/Attribute[@Name='https://aws.amazon.com/SAML/Attributes/Role']/AttributeValue[1]"; err != nil || got != want {
		t.Errorf("after the compare panel's jump: %q (%v), want %q", got, err, want)
	}
}

func mustText[S chromedp.Selectable](t *testing.T, ctx context.Context, sel S) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("reading %v: %v", sel, err)
	}
	return s
}

// waitText polls until the element's text contains want: the page updates
// after an API round trip.
func waitText[S chromedp.Selectable](t *testing.T, ctx context.Context, sel S, want string) {
	t.Helper()
	var got string
	if !testkit.Within(testkit.SetUp, func() bool {
		got = mustText(t, ctx, sel)
		return strings.Contains(got, want)
	}) {
		t.Fatalf("%v: text %q, want it to contain %q", sel, got, want)
	}
}

// BenchmarkServeLint: one paste through the page's API, as the page asks
// for it (report + summary + indented XML) and as the JSON download.
func BenchmarkServeLint(b *testing.B) {
	sample, err := os.ReadFile(repo("testdata", "assertions", "okta-connect.b64"))
	if err != nil {
		b.Fatal(err)
	}
	h := newWebHandler(80)
	for _, format := range []string{"page", "json"} {
		body, _ := json.Marshal(map[string]any{"input": string(sample), "format": format})
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("POST", "http://127.0.0.1/api/lint", strings.NewReader(string(body)))
				req.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}

// TestPageEqualsCLI: the page and the CLI run one pipeline. For the same
// capture and inputs, the page's JSON download is what samllint lint
// --format json prints, for every golden case (each with the default
// clock, which both choose the same way).
func TestPageEqualsCLI(t *testing.T) {
	srv, _ := startServer(t)
	pageEqualsCLI(t, func(body []byte) (int, []byte) {
		resp, err := http.Post(srv.URL+"/api/lint", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		page, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, page
	})
}

// pageEqualsCLI posts every golden case to a page's API and compares the
// answer with samllint lint --format json.
func pageEqualsCLI(t *testing.T, post func(body []byte) (int, []byte)) {
	dir, cases := goldenCases(t)
	t.Chdir(dir)
	fields := map[string]lint.Input{"--trust-policy": lint.InputTrustPolicy, "--permissions-policy": lint.InputPermissionsPolicy,
		"--connect-users": lint.InputConnectUsers, "--metadata": lint.InputMetadata}
	keys := map[lint.Input]string{lint.InputTrustPolicy: "trust_policy", lint.InputPermissionsPolicy: "permissions_policy",
		lint.InputConnectUsers: "connect_users", lint.InputMetadata: "metadata"}
	compared := 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data, _ := os.ReadFile(c.input)
			body := map[string]any{"format": "json", "name": c.input, "input": string(data)}
			var args []string
			labels := map[string]string{}
			for i := 0; i < len(c.args); i++ {
				switch a := c.args[i]; {
				case a == "--at-issue":
				case a == "--now":
					body["now"] = c.args[i+1]
					args = append(args, a, c.args[i+1])
					i++
				case fields[a] != 0 && body[keys[fields[a]]] == nil:
					b, _ := os.ReadFile(c.args[i+1])
					body[keys[fields[a]]] = string(b)
					labels["the "+fields[a].Field()+" field"] = c.args[i+1]
					args = append(args, a, c.args[i+1])
					i++
				default:
					t.Skipf("%s has no page field, or the page takes one", a)
				}
			}
			b, _ := json.Marshal(body)
			code, page := post(b)
			if code != 200 {
				t.Fatalf("page: %d %s", code, page)
			}
			_, cli, _ := runCLI(t, "", append(append([]string{"lint", "--format", "json"}, args...), c.input)...)
			got := string(page)
			for label, file := range labels {
				got = strings.ReplaceAll(got, label, file) // the page names inputs by field, the CLI by file
			}
			if cli != got {
				t.Errorf("the page's JSON differs from the CLI's:\n--- cli ---\n%s\n--- page ---\n%s", cli, got)
			}
			compared++
		})
	}
	if compared < 25 {
		t.Errorf("only %d golden cases compared", compared)
	}
}

// writeScreenshot writes a screenshot unless the file already shows the
// same picture: the browser's anti-aliasing varies a few pixels from run to
// run, and -update must not churn docs/ with them.
func writeScreenshot(t *testing.T, path string, shot []byte) {
	t.Helper()
	if old, err := os.ReadFile(path); err == nil && samePicture(old, shot) {
		return
	}
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
}

// samePicture: same size, and under 0.1% of the pixels differ.
func samePicture(a, b []byte) bool {
	ia, err1 := png.Decode(bytes.NewReader(a))
	ib, err2 := png.Decode(bytes.NewReader(b))
	if err1 != nil || err2 != nil || ia.Bounds() != ib.Bounds() {
		return false
	}
	r, differ := ia.Bounds(), 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if ia.At(x, y) != ib.At(x, y) {
				differ++
			}
		}
	}
	return differ*1000 < r.Dx()*r.Dy()
}
