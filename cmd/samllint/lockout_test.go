package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/samllint/samllint/internal/testkit"
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

// eventually polls cond for up to d.
func eventually(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestServeLockout: large pastes and trickling bodies cannot keep a
// normal paste waiting; a lint whose client went away frees its slot at
// once; one that takes too long is answered 503 with the page's headers.
func TestServeLockout(t *testing.T) {
	sample := testkit.SampleXML(t)
	wb := newWeb()
	url := startWeb(t, wb)
	// A HAR of 1,500 sign-ins lints for seconds.
	long := pasteBody(string(testkit.HAR(testkit.HAREntry{Response: sample}, 1500)))
	adversarial := pasteBody(string(testkit.Adversarial(sample, testkit.ShapeIDs, 10_000_000)))
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	for i := range 4 {
		body := long
		if i%2 == 1 {
			body = adversarial
		}
		go func() {
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
	if !eventually(10*time.Second, func() bool { return len(wb.big) == cap(wb.big) }) {
		t.Fatal("the large pastes never took the large slots")
	}
	start := time.Now()
	resp, err := postLint(context.Background(), url, pasteBody(string(testkit.Testdata(t, "assertions", "okta-connect.b64"))))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if took := time.Since(start); resp.StatusCode != 200 || took > 2*time.Second {
		t.Fatalf("a normal paste during the load: status %d after %v: %.200s", resp.StatusCode, took, out)
	}
	stop()

	// A client that goes away frees its slot.
	if !eventually(5*time.Second, func() bool { return len(wb.big) == 0 }) {
		t.Fatal("the large slots stay taken after their clients left")
	}
	gone, leave := context.WithCancel(context.Background())
	go postLint(gone, url, long)
	if !eventually(10*time.Second, func() bool { return len(wb.big) == 1 }) {
		t.Fatal("the long paste never took a slot")
	}
	leave()
	if !eventually(time.Second, func() bool { return len(wb.big) == 0 }) {
		t.Fatal("the slot of a client that left is still taken after 1 s")
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
