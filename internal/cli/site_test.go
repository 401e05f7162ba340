package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/samllint/samllint/internal/test/testkit"
	"github.com/samllint/samllint/lint"
)

var site struct {
	once sync.Once
	dir  string
	err  error
	out  []byte
}

// staticSite builds the static site once per test run, as users do:
// go run ./web DIR.
func staticSite(t testing.TB) string {
	t.Helper()
	site.once.Do(func() {
		site.dir, site.err = os.MkdirTemp("", "samllint-site-")
		if site.err != nil {
			return
		}
		cmd := exec.Command("go", "run", "./web", site.dir)
		cmd.Dir = testkit.Root()
		site.out, site.err = cmd.CombinedOutput()
	})
	if site.err != nil {
		t.Fatalf("go run ./web: %v\n%s", site.err, site.out)
	}
	return site.dir
}

// skipSiteUnderRace skips a static-site test in CI's race step: samllint
// runs there as WebAssembly inside the browser, which the race detector
// does not see, and the test's own Go side is a file server and chromedp.
// go test ./... runs them; under -race they cost half a minute for nothing.
func skipSiteUnderRace(t *testing.T) {
	t.Helper()
	if raceEnabled {
		t.Skip("samllint runs as WebAssembly in the browser here, out of the race detector's sight; go test ./... runs this")
	}
}

// serveStatic serves the site as a plain static file server does.
func serveStatic(t testing.TB, dir string) *httptest.Server {
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return srv
}

// TestStaticSiteBudget: the site is the page's own three files, the
// loader and the module, within 3.5 MB gzipped, and its page forbids any
// connection but to itself.
func TestStaticSiteBudget(t *testing.T) {
	skipSiteUnderRace(t)
	dir := staticSite(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var gz int
	for _, e := range entries {
		names = append(names, e.Name())
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		w.Write(b)
		w.Close()
		gz += buf.Len()
	}
	if got := strings.Join(names, " "); got != "app.css app.js index.html samllint.wasm wasm_exec.js worker.js" {
		t.Errorf("the site holds %s", got)
	}
	t.Logf("site: %.2f MB gzipped", float64(gz)/1e6)
	if gz > 3_500_000 {
		t.Errorf("the site is %.2f MB gzipped, over its 3.5 MB budget", float64(gz)/1e6)
	}
	html, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	for _, want := range []string{`data-site="static"`, `http-equiv="Content-Security-Policy"`, "connect-src 'self'", "'wasm-unsafe-eval'", "worker-src 'self'", "Nothing you paste leaves this browser"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("index.html lacks %q", want)
		}
	}
}

// openSite opens the static site in headless Chromium, recording every
// request the browser makes, the page's and its worker's alike (the
// DevTools Network domain of a page does not see its workers'), and
// waits until samllint.wasm answers in its worker. Every request goes
// through a proxy that records it and passes only those to url's host.
func openSite(t *testing.T, url string) (context.Context, func() []string) {
	var mu sync.Mutex
	var requests []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Chromium's own services (sign-in, autofill, its updater) call
		// Google as it starts, with or without a page, and without the
		// Sec-Fetch-Mode every page's and worker's request carries.
		h := r.URL.Hostname()
		browsers := r.Header.Get("Sec-Fetch-Mode") == "" && (strings.HasSuffix(h, ".google.com") || strings.HasSuffix(h, ".googleapis.com"))
		if !browsers {
			mu.Lock()
			requests = append(requests, r.URL.String())
			mu.Unlock()
		}
		if r.Method == http.MethodConnect || "http://"+r.URL.Host != url {
			http.Error(w, "not the site's origin", http.StatusBadGateway)
			return
		}
		r.RequestURI = ""
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	t.Cleanup(proxy.Close)
	// <-loopback: Chromium sends loopback requests past a proxy unless told.
	ctx := headlessChromium(t, chromedp.ProxyServer(proxy.URL), chromedp.Flag("proxy-bypass-list", "<-loopback>"))
	if err := chromedp.Do(ctx, chromedp.Navigate(url+"/"), chromedp.WaitVisible(chromedp.ID("input"))); err != nil {
		t.Fatal(err)
	}
	if !testkit.Within(testkit.SetUp, func() bool {
		ready, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.samllintReady === true`))
		if err != nil {
			t.Fatal(err)
		}
		return ready
	}) {
		st, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status")))
		t.Fatalf("samllint.wasm did not start within %v (status %q)", testkit.SetUp, st)
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), requests...)
	}
}

// TestStaticSite: the static site, served by a plain file server, works
// as the served page does, in the browser alone: a paste gets its
// verdict, a HAR its summary, both widths lay out cleanly, every golden
// case gives the CLI's findings, and the page requests nothing but its
// own files.
func TestStaticSite(t *testing.T) {
	skipSiteUnderRace(t)
	dir := staticSite(t)
	srv := serveStatic(t, dir)
	ctx, requests := openSite(t, srv.URL)

	sample, _ := os.ReadFile(repo("testdata", "assertions", "okta-role-provider-only.b64"))
	good, _ := os.ReadFile(repo("testdata", "assertions", "okta-connect.b64")) // read before pageEqualsCLI changes directory
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("input"), string(sample)),
		chromedp.Focus(chromedp.ID("input")),
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitVisible(chromedp.ID("verdict")),
	); err != nil {
		t.Fatal(err)
	}
	if v := mustText(t, ctx, chromedp.ID("verdict")); v != "sign-in will fail: 1 error, 0 warnings" {
		t.Errorf("verdict %q", v)
	}
	if f := mustText(t, ctx, chromedp.CSS(".finding.error")); !strings.Contains(f, "aws/role-missing-role-arn") {
		t.Errorf("finding %q", f)
	}
	if tag := mustText(t, ctx, chromedp.CSS(".tagline")); !strings.Contains(tag, "Nothing you paste leaves this browser") || strings.Contains(tag, "samllint process") {
		t.Errorf("the page does not say, visibly, that nothing leaves the browser: %q", tag)
	}
	checkFilePicker(t, ctx)
	checkPageLayout(t, ctx, "site")

	// Every golden case through the page's own API call, in the browser.
	pageEqualsCLI(t, func(body []byte) (int, []byte) {
		js := `samllint.api("/api/lint", JSON.stringify(` + string(body) + `)).then(JSON.stringify)`
		out, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Status int
			Body   string
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r.Status, []byte(r.Body)
	})

	// Offline once loaded: with the server gone, a paste is still linted.
	srv.Close()
	paste, _ := json.Marshal(string(good))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("input").value = `+string(paste)+`; document.getElementById("lint-button").click(); true`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, chromedp.ID("status"), "1 capture linted")
	// The footer names the samllint that linted.
	if v, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("version"))); err != nil || v == "" || strings.Contains(v, "shows with the first report") {
		t.Errorf("the page's version after a lint: %q %v", v, err)
	}

	allowed := map[string]bool{"/": true, "/app.css": true, "/app.js": true, "/wasm_exec.js": true, "/samllint.wasm": true, "/worker.js": true}
	seen := map[string]bool{}
	for _, u := range requests() {
		if strings.HasPrefix(u, "data:") {
			continue
		}
		seen[strings.TrimPrefix(u, srv.URL)] = true
		if !strings.HasPrefix(u, srv.URL+"/") || !allowed[strings.TrimPrefix(u, srv.URL)] {
			t.Errorf("the page requested %s", u)
		}
	}
	// The worker's own requests are seen too, or the check above is blind
	// to where samllint.wasm runs.
	if !seen["/worker.js"] || !seen["/samllint.wasm"] {
		t.Errorf("requests seen: %v; want worker.js and the worker's samllint.wasm among them", seen)
	}
}

// longTasks records the page's main-thread long tasks (the Long Tasks
// API's entries, over 50 ms) from the moment the document starts.
const longTasks = `window.__longTasks = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push({start: e.startTime, ms: e.duration}); })
  .observe({type: "longtask", buffered: true});`

// BenchmarkStaticSite measures, side by side in one run, the static
// page's load to first verdict, its longest main-thread task while it
// starts and lints, the first verdict when the paste comes 3 s after the
// page opened (click to verdict), and its lint of one capture inside the browser
// (through the worker, as the page calls it), against the CLI pipeline's
// lint of the same capture.
func BenchmarkStaticSite(b *testing.B) {
	dir := staticSite(b)
	srv := serveStatic(b, dir)
	capture, _ := os.ReadFile(repo("testdata", "assertions", "okta-connect.b64"))
	md, _ := os.ReadFile(repo("testdata", "metadata", "okta-idp-metadata.xml"))
	in := &lint.Inputs{}
	if err := in.Add(lint.InputMetadata, "md.xml", md); err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"input": string(capture), "metadata": string(md), "format": "json"})
	var load, seen, ready, pastedLater, inPage, cli time.Duration
	var longest, longestLint float64
	for i := 0; i < b.N; i++ {
		var extra []chromedp.ExecAllocatorOption
		if f := os.Getenv("SAMLLINT_JS_FLAGS"); f != "" {
			extra = append(extra, chromedp.Flag("js-flags", f))
		}
		ctx := headlessChromium(b, extra...)
		// The browser starts first: the clock runs from the page's own
		// navigation start (performance.now) to its first verdict.
		if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
			b.Fatal(err)
		}
		if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: longTasks}); err != nil {
			b.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("input")),
			chromedp.SetValue(chromedp.ID("input"), string(capture))); err != nil {
			b.Fatal(err)
		}
		clicked, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.getElementById("lint-button").click(); performance.now()`))
		if err != nil {
			b.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("verdict"))); err != nil {
			b.Fatal(err)
		}
		sinceStart, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.samllintFirstVerdictAt`))
		if err != nil {
			b.Fatal(err)
		}
		load += time.Duration(sinceStart * float64(time.Millisecond))
		// As this benchmark measured before the page kept the moment: when
		// the test saw the verdict, polling for it.
		seenAt, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`performance.now()`))
		if err != nil {
			b.Fatal(err)
		}
		seen += time.Duration(seenAt * float64(time.Millisecond))
		readyAt, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.samllintReadyAt`))
		if err != nil {
			b.Fatal(err)
		}
		ready += time.Duration(readyAt * float64(time.Millisecond))
		tasks, err := chromedp.Run(ctx, chromedp.Evaluate[[]struct{ Start, Ms float64 }](`window.__longTasks`))
		if err != nil {
			b.Fatal(err)
		}
		for _, lt := range tasks {
			longest = max(longest, lt.Ms)
			if lt.Start+lt.Ms >= clicked && lt.Start <= sinceStart {
				longestLint = max(longestLint, lt.Ms)
			}
		}
		// A person pastes a few seconds after the page opens: the module
		// has started, and warmed up, meanwhile. In a fresh browser, so
		// that nothing is cached.
		later := headlessChromium(b)
		if err := chromedp.Do(later, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("input")),
			chromedp.Sleep(3*time.Second), chromedp.SetValue(chromedp.ID("input"), string(capture))); err != nil {
			b.Fatal(err)
		}
		pasted, err := chromedp.Run(later, chromedp.Evaluate[float64](`document.getElementById("lint-button").click(); performance.now()`))
		if err != nil {
			b.Fatal(err)
		}
		if err := chromedp.Do(later, chromedp.WaitVisible(chromedp.ID("verdict"))); err != nil {
			b.Fatal(err)
		}
		verdictAt, err := chromedp.Run(later, chromedp.Evaluate[float64](`window.samllintFirstVerdictAt`))
		if err != nil {
			b.Fatal(err)
		}
		pastedLater += time.Duration((verdictAt - pasted) * float64(time.Millisecond))
		const n = 20
		ms, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(async () => { const b = JSON.stringify(`+string(body)+`); const t0 = performance.now(); for (let i = 0; i < `+strconv.Itoa(n)+`; i++) await samllint.api("/api/lint", b); return (performance.now() - t0) / `+strconv.Itoa(n)+`; })()`, chromedp.EvalAwaitPromise))
		if err != nil {
			b.Fatal(err)
		}
		inPage += time.Duration(ms * float64(time.Millisecond))
		start := time.Now()
		for j := 0; j < n; j++ {
			if _, err := lint.Lint(capture, in, lint.Options{}); err != nil {
				b.Fatal(err)
			}
		}
		cli += time.Since(start) / n
	}
	b.ReportMetric(load.Seconds()/float64(b.N), "s/first-verdict")
	b.ReportMetric(seen.Seconds()/float64(b.N), "s/first-verdict-seen")
	b.ReportMetric(ready.Seconds()/float64(b.N), "s/module-ready")
	b.ReportMetric(float64(pastedLater.Milliseconds())/float64(b.N), "ms/first-verdict-pasted-at-3s")
	b.ReportMetric(longest, "ms/longest-main-task")
	b.ReportMetric(longestLint, "ms/longest-task-first-lint")
	b.ReportMetric(float64(inPage)/float64(cli), "page/cli-lint-ratio")
	b.ReportMetric(load.Seconds()/float64(b.N)/(cli.Seconds()/float64(b.N)), "first-verdict/cli-lint-ratio")
	b.ReportMetric(float64(inPage.Microseconds())/float64(b.N), "µs/page-lint")
	b.ReportMetric(float64(cli.Microseconds())/float64(b.N), "µs/cli-lint")
}

// TestStaticSiteWrongType: a host that serves samllint.wasm as
// application/octet-stream, which streaming compilation refuses, still
// gets a working page: the worker falls back to compiling the bytes.
func TestStaticSiteWrongType(t *testing.T) {
	skipSiteUnderRace(t)
	dir := staticSite(t)
	files := http.FileServer(http.Dir(dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".wasm") {
			w.Header().Set("Content-Type", "application/octet-stream")
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ctx, _ := openSite(t, srv.URL)
	// The precondition: this browser refuses to stream-compile it.
	refused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`WebAssembly.compileStreaming(fetch("samllint.wasm")).then(() => "compiled", (e) => e.name)`, chromedp.EvalAwaitPromise))
	if err != nil || refused != "TypeError" {
		t.Fatalf("streaming compilation of the mistyped module: %q %v, want a TypeError", refused, err)
	}
	sample, _ := os.ReadFile(repo("testdata", "assertions", "okta-role-provider-only.b64"))
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("input"), string(sample)), chromedp.Click(chromedp.ID("lint-button")),
		chromedp.WaitVisible(chromedp.ID("verdict"))); err != nil {
		t.Fatal(err)
	}
	if v := mustText(t, ctx, chromedp.ID("verdict")); v != "sign-in will fail: 1 error, 0 warnings" {
		t.Errorf("verdict %q", v)
	}
}

// TestStaticSiteWarmup: the worker's warm-up lint runs only while nobody
// has asked. A paste made before the module has started is linted as
// soon as it starts, with no warm-up before it (which would add the
// whole cost of a first lint to the wait); a page left alone warms up.
func TestStaticSiteWarmup(t *testing.T) {
	skipSiteUnderRace(t)
	srv := serveStatic(t, staticSite(t))
	capture, _ := os.ReadFile(repo("testdata", "assertions", "okta-connect.b64"))

	t.Run("a paste before the module starts", func(t *testing.T) {
		ctx := headlessChromium(t)
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("input")),
			chromedp.SetValue(chromedp.ID("input"), string(capture))); err != nil {
			t.Fatal(err)
		}
		early, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`const early = window.samllintReady !== true; document.getElementById("lint-button").click(); early`))
		if err != nil {
			t.Fatal(err)
		}
		if !early {
			t.Skip("samllint.wasm started before the paste could be made: nothing to check")
		}
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("verdict"))); err != nil {
			t.Fatal(err)
		}
		// The warm-up would be decided right after the module started,
		// before or after the verdict: give it the time to show.
		if err := chromedp.Do(ctx, chromedp.Sleep(300*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		if warmed, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.samllintWarmedAt !== undefined`)); warmed {
			t.Error("the worker ran its warm-up lint although a paste was waiting for the module")
		}
	})
	t.Run("a page left alone", func(t *testing.T) {
		ctx := headlessChromium(t)
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("input"))); err != nil {
			t.Fatal(err)
		}
		if !testkit.Within(testkit.SetUp, func() bool {
			warmed, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.samllintWarmedAt !== undefined`))
			if err != nil {
				t.Fatal(err)
			}
			return warmed
		}) {
			t.Errorf("the worker did not warm up within %v of a page left alone", testkit.SetUp)
		}
	})
}

// TestStaticSiteNoModule: a host missing samllint.wasm gets one clear
// line on the page, for the paste that was waiting for it too, not a
// button that spins for ever.
func TestStaticSiteNoModule(t *testing.T) {
	skipSiteUnderRace(t)
	dir := t.TempDir()
	site := staticSite(t)
	for _, name := range []string{"index.html", "app.js", "app.css", "worker.js", "wasm_exec.js"} {
		b, err := os.ReadFile(filepath.Join(site, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := serveStatic(t, dir)
	capture, _ := os.ReadFile(repo("testdata", "assertions", "okta-connect.b64"))
	ctx := headlessChromium(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("input")),
		chromedp.SetValue(chromedp.ID("input"), string(capture))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("lint-button").click(); true`)); err != nil {
		t.Fatal(err)
	}
	waitText(t, ctx, chromedp.ID("status"), "could not start samllint.wasm: the site answered 404 Not Found for samllint.wasm")
	if disabled, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("lint-button").disabled`)); disabled {
		t.Error("the Lint button stayed disabled after samllint.wasm failed to load")
	}
}
