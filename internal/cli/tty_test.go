package cli

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/samllint/samllint/internal/reach/live"
	"github.com/samllint/samllint/internal/test/testkit"
)

// TestMain lets a test run samllint as a process of its own: the test
// binary re-executed with SAMLLINT_TEST_MAIN=1 is samllint.
func TestMain(m *testing.M) {
	outside = &live.Reach{} // the tests run the whole samllint, samllint-aws's
	if os.Getenv("SAMLLINT_TEST_MAIN") == "1" {
		tuneGC() // as main does
		code := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		if p := os.Getenv("SAMLLINT_TEST_HWM"); p != "" {
			// The peak RSS of this process image, which rusage cannot
			// give: Linux carries ru_maxrss over from the parent across
			// fork and exec, so a child of a large test binary seems large.
			status, _ := os.ReadFile("/proc/self/status")
			for _, line := range strings.Split(string(status), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					os.WriteFile(p, []byte(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))), 0o644)
				}
			}
		}
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// samllintCmd is samllint as a child process.
func samllintCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "SAMLLINT_TEST_MAIN=1")
	return cmd
}

// bigSample is a signed response whose base64 is one line of over 10 KB,
// past the 4,096 bytes a terminal keeps of a line in canonical mode.
func bigSample(t *testing.T) string {
	xml := strings.Replace(string(testkit.UnsignedSample(t)), "</saml2:AttributeStatement>",
		`<saml2:Attribute Name="https://example.com/claims/groups"><saml2:AttributeValue>`+strings.Repeat("team-", 500)+`</saml2:AttributeValue></saml2:Attribute></saml2:AttributeStatement>`, 1)
	signed, err := testkit.SignResponse(testkit.LoadKeyPair(t, "idp"), []byte(xml), testkit.SignOptions{Assertion: true, Response: true})
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(signed)
	if len(b64) < 10<<10 {
		t.Fatalf("sample is %d bytes, want over 10 KB", len(b64))
	}
	return b64
}

// TestPasteOnTerminal pastes a 10 KB one-line SAMLResponse into samllint
// on a real pseudo-terminal, as a person does: it must arrive whole, and
// the terminal must be back in canonical mode afterwards, whether the
// paste ends with an empty line, Ctrl-D, or Ctrl-C.
func TestPasteOnTerminal(t *testing.T) {
	b64 := bigSample(t)
	md := repo("testdata", "metadata", "okta-idp-metadata.xml")
	for _, c := range []struct {
		name, end string
		wantCode  int
		want      string
	}{
		{"empty line", "\n\n", 0, "no problems found"},
		{"Ctrl-D", "\x04", 0, "no problems found"},
		{"Enter first, then the paste and an empty line", "\n\n", 0, "no problems found"},
		{"Ctrl-C", "\x03", -1, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			ptmx, tty, err := pty.Open()
			if err != nil {
				testkit.Missing(t, "SAMLLINT_REQUIRE_PTY", "a pseudo-terminal ("+err.Error()+")")
			}
			defer ptmx.Close()
			cmd := samllintCmd("lint", "--at-issue", "--metadata", md)
			cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			out := &syncBuffer{}
			copied := make(chan struct{})
			go func() { io.Copy(out, ptmx); close(copied) }()
			waitFor(t, out, "Paste the SAMLResponse")
			// A person pastes as soon as the prompt shows, so by then the
			// terminal must be non-canonical: otherwise its line limit cuts
			// the paste, however rarely the race is lost.
			if tio, err := unix.IoctlGetTermios(int(tty.Fd()), getTermios); err != nil {
				t.Fatal(err)
			} else if tio.Lflag&unix.ICANON != 0 {
				t.Errorf("the prompt showed while the terminal was still canonical")
			}
			if strings.HasPrefix(c.name, "Enter first") {
				ptmx.Write([]byte("\n"))
			}
			// A paste arrives at once; write it in pieces as a terminal does.
			paste := b64[:len(b64)/2]
			ptmx.Write([]byte(paste))
			time.Sleep(50 * time.Millisecond)
			ptmx.Write([]byte(b64[len(b64)/2:] + c.end))
			// A paste the terminal cut never ends: fail rather than hang.
			timer := time.AfterFunc(testkit.SetUp, func() { cmd.Process.Kill() })
			cmd.Wait() // the exit status is judged below
			if !timer.Stop() {
				t.Fatalf("samllint still waited for the paste after %v (was it cut?):\n%s", testkit.SetUp, tail(out.String()))
			}
			// The terminal first, while it is still open; then the rest of
			// the output, read to its end once the terminal is closed.
			tio, err := unix.IoctlGetTermios(int(tty.Fd()), getTermios)
			if err != nil {
				t.Fatal(err)
			}
			if tio.Lflag&unix.ICANON == 0 || tio.Lflag&unix.ECHO == 0 {
				t.Errorf("terminal left in non-canonical mode: lflag %#x", tio.Lflag)
			}
			tty.Close()
			drained(t, copied)
			code := cmd.ProcessState.ExitCode()
			if code != c.wantCode {
				t.Errorf("exit %d, want %d\n%s", code, c.wantCode, tail(out.String()))
			}
			if c.want != "" && !strings.Contains(out.String(), c.want) {
				t.Errorf("output lacks %q:\n%s", c.want, tail(out.String()))
			}
			if strings.Contains(out.String(), "EOF") || strings.Contains(out.String(), "malformed") {
				t.Errorf("the paste arrived cut:\n%s", tail(out.String()))
			}
		})
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func waitFor(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	testkit.WaitFor(t, fmt.Sprintf("%q on the terminal", want), func() bool { return strings.Contains(out.String(), want) })
}

// drained waits for the terminal's output to be read to its end once the
// terminal is closed.
func drained(t *testing.T, copied <-chan struct{}) {
	t.Helper()
	select {
	case <-copied:
	case <-time.After(testkit.SetUp):
		t.Fatalf("the terminal's output did not end within %v of its close", testkit.SetUp)
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}

func TestCutLine(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{
		{strings.Repeat("A", 4095) + "\n", 4095},
		{strings.Repeat("A", 1024), 1024},
		{"short\n" + strings.Repeat("A", 4096) + "\r\n", 4096},
		{strings.Repeat("A", 4097) + "\n", 0},
		{strings.Repeat("A", 10<<10), 0},
		{"", 0},
	} {
		n, ok := cutLine([]byte(c.in))
		if n != c.want || ok != (c.want != 0) {
			t.Errorf("cutLine(%d bytes) = %d, %v; want %d", len(c.in), n, ok, c.want)
		}
	}
}

func TestEndOfPaste(t *testing.T) {
	for _, c := range []struct {
		in   string
		end  int
		done bool
	}{
		{"abc", 3, false},
		{"abc\n", 4, false},
		{"abc\n\n", 3, true},
		{"\n\nabc\n\n", 5, true},
		{"abc\x04rest", 3, true},
		{"abc\r\n\r\n", 3, true},
		{"<a>\n<b/>\n</a>\n\n", 13, true},
		{"\n", 1, false},
	} {
		end, done := endOfPaste([]byte(c.in), 0)
		if end != c.end || done != c.done {
			t.Errorf("endOfPaste(%q) = %d, %v; want %d, %v", c.in, end, done, c.end, c.done)
		}
		// Read a byte at a time, each read scanned once: separators
		// split across reads are still found.
		for _, n := range []int{1, 2, 3} {
			got, err := readUntilEnd(chunked{strings.NewReader(c.in), n})
			if want := c.in[:c.end]; err != nil || string(got) != want {
				t.Errorf("readUntilEnd(%q, %d bytes a read) = %q, %v; want %q", c.in, n, got, err, want)
			}
		}
	}
}

// chunked reads at most n bytes at a time, as a terminal in non-canonical
// mode hands over a paste.
type chunked struct {
	r io.Reader
	n int
}

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// BenchmarkReadPaste: a 4 MB paste (a HAR's text) arriving 4 KB a read.
func BenchmarkReadPaste(b *testing.B) {
	paste := append(bytes.Repeat([]byte("QUJD"), 1<<20), "\n\n"...)
	b.SetBytes(int64(len(paste)))
	for b.Loop() {
		got, err := readUntilEnd(chunked{bytes.NewReader(paste), 4096})
		if err != nil || len(got) != len(paste)-2 {
			b.Fatalf("%d bytes, %v", len(got), err)
		}
	}
}

// runOnPTY runs samllint lint on a pseudo-terminal: before is written to
// the terminal before samllint starts (a paste made before the prompt
// shows), paste once the prompt is on screen. It returns the exit status
// and everything written to the terminal.
func runOnPTY(t *testing.T, before, paste string) (int, string) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		testkit.Missing(t, "SAMLLINT_REQUIRE_PTY", "a pseudo-terminal ("+err.Error()+")")
	}
	defer ptmx.Close()
	out := &syncBuffer{}
	copied := make(chan struct{})
	go func() { io.Copy(out, ptmx); close(copied) }()
	if before != "" {
		ptmx.Write([]byte(before))
		time.Sleep(100 * time.Millisecond) // the line discipline takes it in
	}
	cmd := samllintCmd("lint", "--at-issue")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, out, "Paste the SAMLResponse")
	timer := time.AfterFunc(testkit.SetUp, func() { cmd.Process.Kill() })
	// In pieces, as a terminal hands a paste over; from a goroutine, since
	// a samllint that stopped reading would block the writes.
	go func() {
		for len(paste) > 0 {
			n := min(len(paste), 1000)
			if _, err := ptmx.Write([]byte(paste[:n])); err != nil {
				return
			}
			paste = paste[n:]
			time.Sleep(5 * time.Millisecond)
		}
	}()
	cmd.Wait()
	if !timer.Stop() {
		t.Fatalf("samllint still waited for the paste after %v:\n%s", testkit.SetUp, tail(out.String()))
	}
	tty.Close()
	drained(t, copied)
	return cmd.ProcessState.ExitCode(), out.String()
}

// TestPasteForms: a paste ends by its form. Pretty-printed XML with blank
// lines ends when its root closes, whole, with nothing left to spill into
// the shell; a paste made before the prompt showed, which the terminal
// cut, is named so.
func TestPasteForms(t *testing.T) {
	xml := string(testkit.UnsignedSample(t))
	pretty := strings.NewReplacer("><saml2:Assertion", ">\n\n  <saml2:Assertion", "><saml2:Subject", ">\n\n    <saml2:Subject",
		"</saml2:AttributeStatement>", "\n\n    </saml2:AttributeStatement>").Replace(xml)
	if strings.Count(pretty, "\n\n") < 3 {
		t.Fatal("the sample has no blank lines")
	}
	t.Run("pretty-printed XML with blank lines", func(t *testing.T) {
		code, out := runOnPTY(t, "", pretty) // no empty line, no Ctrl-D: the root's close ends it
		if code != 1 || !strings.Contains(out, "sign-in will fail") || strings.Contains(out, "malformed") || strings.Contains(out, "XML") && strings.Contains(out, "unreadable") {
			t.Errorf("exit %d:\n%s", code, tail(out))
		}
	})
	t.Run("a HAR with blank lines", func(t *testing.T) {
		har := strings.Replace(string(testkit.Testdata(t, "assertions", "okta-connect.har")), `"entries": [`, "\"entries\": [\n\n", 1)
		code, out := runOnPTY(t, "", har)
		if code != 1 || !strings.Contains(out, "HAR entry 3") {
			t.Errorf("exit %d:\n%s", code, tail(out))
		}
	})
	t.Run("pasted before the prompt", func(t *testing.T) {
		code, out := runOnPTY(t, bigSample(t)+"\n\n", "")
		if code != 2 || !strings.Contains(out, "the terminal cut the paste") || !strings.Contains(out, "paste again after the prompt") {
			t.Errorf("exit %d:\n%s", code, tail(out))
		}
	})
}
