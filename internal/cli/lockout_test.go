package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/samllint/samllint/internal/test/testkit"
)

// startWeb runs the page's real server, with its timeouts, on a free port.
func startWeb(t *testing.T, wb *web) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := wb.server(ln.Addr().(*net.TCPAddr).Port)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

func pasteBody(input string) string {
	b, _ := json.Marshal(map[string]any{"input": input, "now": "2026-11-20T10:01:00Z"})
	return string(b)
}

func postLint(ctx context.Context, url, body string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", url+"/api/lint", strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return http.DefaultClient.Do(req)
}

// TestServeLockout: large pastes and trickling bodies cannot keep a
// normal paste waiting; a lint whose client went away frees its slot at
// once; one that takes too long is answered 503 with the page's headers.
func TestServeLockout(t *testing.T) {
	// The hostile bodies are built before any clock starts: under the
	// race detector building them alone takes seconds.
	sample := testkit.SampleXML(t)
	// A HAR of 1,500 sign-ins lints for seconds.
	long := pasteBody(string(testkit.HAR(testkit.HAREntry{Response: sample}, 1500)))
	adversarial := pasteBody(string(testkit.Adversarial(sample, testkit.ShapeIDs, 10_000_000)))
	normal := pasteBody(string(testkit.Testdata(t, "assertions", "okta-connect.b64")))
	wb := newWeb()
	url := startWeb(t, wb)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var answered atomic.Int32
	for i := range 4 {
		body := long
		if i%2 == 1 {
			body = adversarial
		}
		go func() {
			defer answered.Add(1)
			if resp, err := postLint(ctx, url, body); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	// 50 bodies that trickle in a byte every 100 ms.
	for range 50 {
		go func() {
			conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
			if err != nil {
				return
			}
			defer conn.Close()
			fmt.Fprintf(conn, "POST /api/lint HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n", strings.TrimPrefix(url, "http://"))
			for ctx.Err() == nil {
				if _, err := conn.Write([]byte(" ")); err != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
		}()
	}
	// How long the large pastes take to arrive and be decoded is the
	// test's set-up, not a promise: wait for the event.
	testkit.WaitFor(t, "the large pastes taking both large slots", func() bool { return len(wb.big) == cap(wb.big) })
	// The promise: a normal paste is answered within 2 s while they hold them.
	start := time.Now()
	resp, err := postLint(context.Background(), url, normal)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if took := time.Since(start); resp.StatusCode != 200 || took > 2*time.Second {
		t.Fatalf("a normal paste during the load: status %d after %v: %.200s", resp.StatusCode, took, out)
	}
	if n := answered.Load(); n > 2 {
		t.Fatalf("%d of the 4 large pastes were answered before the normal one: the large slots were not held throughout", n)
	}
	stop()
	left := time.Now()

	// A client that goes away frees its slot.
	if !testkit.Within(5*time.Second, func() bool { return len(wb.big) == 0 }) {
		t.Fatalf("the large slots stay taken %v after their clients left", time.Since(left))
	}
	gone, leave := context.WithCancel(context.Background())
	go postLint(gone, url, long)
	testkit.WaitFor(t, "the long paste taking a slot", func() bool { return len(wb.big) == 1 })
	leave()
	if !testkit.Within(time.Second, func() bool { return len(wb.big) == 0 }) {
		t.Fatal("the slot of a client that left is still taken after 1 s")
	}

	// Redaction is bounded and cancellable too: four pastes of 5,000
	// e-mail addresses that all mask alike, redacted, took 40 s each and
	// held every small slot.
	flood := redactFlood(t, sample)
	floods, stopFloods := context.WithCancel(context.Background())
	for range 4 {
		go func() {
			if resp, err := postLint(floods, url, flood); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	start = time.Now()
	resp, err = postLint(context.Background(), url, normal)
	if err != nil {
		t.Fatal(err)
	}
	out, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if took := time.Since(start); resp.StatusCode != 200 || took > 2*time.Second {
		t.Fatalf("a normal paste beside four redacted floods: status %d after %v: %.200s", resp.StatusCode, took, out)
	}
	stopFloods()
	left = time.Now()
	if !testkit.Within(time.Second, func() bool { return len(wb.small) == 0 }) {
		t.Fatalf("the small slots stay taken %v after the redacted floods' clients left", time.Since(left))
	}

	// Too long: 503, with the page's security headers. A server of its
	// own, set before it starts: handlers of the load above may still run.
	quick := newWeb()
	quick.lintTimeout = 50 * time.Millisecond
	resp, err = postLint(context.Background(), startWeb(t, quick), long)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") ||
		resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("a lint past its deadline: status %d, headers %v", resp.StatusCode, resp.Header)
	}
}

// redactFlood is a paste, redacted, whose 5,000 e-mail addresses all mask
// as a***@e***.com: 300 KB.
func redactFlood(t *testing.T, sample []byte) string {
	var b strings.Builder
	b.WriteString(`<saml2:Attribute Name="mail">`)
	for i := range 5000 {
		fmt.Fprintf(&b, "<saml2:AttributeValue>a%d@e%d.com</saml2:AttributeValue>", i, i)
	}
	b.WriteString("</saml2:Attribute></saml2:AttributeStatement>")
	xml := strings.Replace(string(sample), "</saml2:AttributeStatement>", b.String(), 1)
	if xml == string(sample) {
		t.Fatal("the sample has no AttributeStatement")
	}
	body, _ := json.Marshal(map[string]any{"input": xml, "now": "2026-11-20T10:01:00Z", "redact": true, "format": "json"})
	return string(body)
}
