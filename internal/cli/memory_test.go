package cli

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/samllint/samllint/internal/test/testkit"
)

// smallResponse is an unsigned response of 1.4 KB: a HAR of 20,000 of
// them is 46 MB.
const smallResponse = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r" Version="2.0" IssueInstant="2026-11-20T10:00:00Z" Destination="https://signin.aws.amazon.com/saml"><saml:Issuer>http://idp.example.com</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="_a" Version="2.0" IssueInstant="2026-11-20T10:00:00Z"><saml:Issuer>http://idp.example.com</saml:Issuer><saml:Subject><saml:NameID>jane@example.com</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="2026-11-20T10:05:00Z" Recipient="https://signin.aws.amazon.com/saml"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="2026-11-20T09:55:00Z" NotOnOrAfter="2026-11-20T10:05:00Z"><saml:AudienceRestriction><saml:Audience>urn:amazon:webservices</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AttributeStatement><saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml:AttributeValue>arn:aws:iam::123456789012:role/R,arn:aws:iam::123456789012:saml-provider/P</saml:AttributeValue></saml:Attribute><saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>jane@example.com</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion></samlp:Response>`

// writeHugeHAR writes a HAR of one sign-in whose reply carries n bytes of
// filler in the field named by where: "location" (a Location header) or
// "html" (the page), streamed so the test never holds it.
func writeHugeHAR(t *testing.T, path, where string, n int) {
	t.Helper()
	// Split a real entry at a marker, and pour the filler in between.
	e := testkit.HAREntry{Response: []byte(smallResponse)}
	switch where {
	case "location":
		e.Location = "https://signin.aws.amazon.com/MARK"
	case "html":
		e.Status, e.HTML = 200, "<html><body><h1>Your request included an invalid SAML response.</h1>MARK"
	}
	har := testkit.HAR(e, 1)
	before, after, _ := bytes.Cut(har, []byte("MARK"))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.Write(before)
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	for ; n > 0; n -= len(chunk) {
		w.Write(chunk[:min(n, len(chunk))])
	}
	w.Write(after)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// TestMemoryBound runs samllint on every input a probe found memory
// unbounded on, in every output format, as a process of its own: each
// must stay under 100 MB of peak memory. Junk is refused with one line.
//
// It writes 1 GB of inputs and runs about 110 processes, a minute of two
// cores: bench/memory.sh runs it (SAMLLINT_MEMORY=1), as .ci/run does,
// and go test ./... leaves it out.
func TestMemoryBound(t *testing.T) {
	if os.Getenv("SAMLLINT_MEMORY") == "" {
		t.Skip("writes 1 GB of inputs and runs 110 processes: run bench/memory.sh (SAMLLINT_MEMORY=1)")
	}
	if raceEnabled {
		t.Skip("the race detector multiplies RSS")
	}
	dir := t.TempDir()
	in := func(name string) string { return filepath.Join(dir, name) }
	junk, err := os.Create(in("junk"))
	if err != nil {
		t.Fatal(err)
	}
	line := bytes.Repeat([]byte("A"), 1<<20)
	for range 200 {
		junk.Write(line)
	}
	junk.Close()
	writeHugeHAR(t, in("location.har"), "location", 200<<20)
	writeHugeHAR(t, in("reply.har"), "html", 170<<20)
	// Memory must not grow with the number of sign-ins: the same runs on
	// 2,000 and on 20,000 of them. Holding a kilobyte per result would
	// add 18 MiB between the two.
	for name, n := range map[string]int{"few.har": 2_000, "many.har": 20_000} {
		f, err := os.Create(in(name))
		if err != nil {
			t.Fatal(err)
		}
		fw := bufio.NewWriterSize(f, 1<<20)
		if err := testkit.WriteHAR(fw, testkit.HAREntry{Response: []byte(smallResponse)}, n); err != nil {
			t.Fatal(err)
		}
		if err := fw.Flush(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	sample := testkit.SampleXML(t)
	var shapes []string
	for _, s := range testkit.Shapes {
		name := "adversarial-" + string(s) + ".xml"
		if err := os.WriteFile(in(name), testkit.Adversarial(sample, s, 10_000_000), 0o644); err != nil {
			t.Fatal(err)
		}
		shapes = append(shapes, name)
	}

	every := [][]string{
		{"lint"}, {"lint", "--format", "json"}, {"lint", "--format", "sarif"}, {"lint", "--format", "github"},
		{"lint", "--redact"}, {"lint", "--format", "json", "--redact"}, {"decode"}, {"decode", "--format", "json"}, {"fix"},
	}
	type run struct {
		input string
		args  []string
		stdin bool
	}
	var runs []run
	for _, input := range append([]string{"junk", "location.har", "reply.har"}, shapes...) {
		for _, args := range every {
			runs = append(runs, run{input: input, args: args})
		}
	}
	runs = append(runs, run{input: "junk", args: []string{"lint"}, stdin: true})
	// The formats that held every result before they streamed, and text.
	for _, args := range [][]string{{"lint"}, {"lint", "--format", "json"}, {"lint", "--format", "json", "--redact"}, {"lint", "--format", "sarif"}} {
		runs = append(runs, run{input: "few.har", args: args}, run{input: "many.har", args: args})
	}
	var mu sync.Mutex
	peak := map[string]int64{} // KiB, by run name
	t.Cleanup(func() {
		for _, args := range [][]string{{"lint"}, {"lint", "--format", "json"}, {"lint", "--format", "json", "--redact"}, {"lint", "--format", "sarif"}} {
			a := strings.Join(args, " ")
			few, many := peak[a+" few.har"], peak[a+" many.har"]
			if few == 0 || many == 0 {
				continue
			}
			if grew := many - few; grew > 10<<10 {
				t.Errorf("%s: peak RSS grew %d MiB from 2,000 to 20,000 sign-ins (%d → %d MiB): memory grows with the number of sign-ins", a, grew>>10, few>>10, many>>10)
			}
		}
	})
	for _, r := range runs {
		name := strings.Join(r.args, " ") + " " + r.input
		if r.stdin {
			name = strings.Join(r.args, " ") + " < " + r.input
		}
		t.Run(name, func(t *testing.T) {
			// Each run is a process of its own, measured on its own.
			t.Parallel()
			args := append(append([]string{}, r.args...), "--now", "2026-11-20T10:01:00Z")
			if r.args[0] == "decode" {
				args = r.args
			}
			if !r.stdin {
				args = append(args, in(r.input))
			}
			// A busy machine delays the collector and inflates a peak, never
			// deflates it, so the many-sign-in runs keep the lower of two.
			// The growth runs collect often (GOGC=50): what they compare is
			// memory kept per sign-in, which a lazy collector's garbage
			// would drown.
			tries, env := 1, []string(nil)
			if r.input == "many.har" {
				tries = 2
			}
			if r.input == "many.har" || r.input == "few.har" {
				env = []string{"GOGC=50"}
			}
			var rss int64
			for try := range tries {
				got := measure(t, args, env, r.stdin, in(r.input))
				if try == 0 || got < rss {
					rss = got
				}
			}
			t.Logf("peak RSS %d MiB", rss>>10)
			mu.Lock()
			peak[name] = rss
			mu.Unlock()
			if rss > 100<<10 {
				t.Errorf("peak RSS %d MiB, want under 100 MiB", rss>>10)
			}
		})
	}
}

// measure runs samllint once and returns its peak RSS in KiB, failing t on
// a stack trace, on junk not refused in one line, or on exit 2 for input
// that is not junk.
func measure(t *testing.T, args, env []string, stdin bool, input string) int64 {
	t.Helper()
	cmd := samllintCmd(args...)
	hwm := filepath.Join(t.TempDir(), "hwm")
	cmd.Env = append(append(cmd.Env, env...), "SAMLLINT_TEST_HWM="+hwm)
	if stdin {
		f, _ := os.Open(input)
		defer f.Close()
		cmd.Stdin = f
	}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	cmd.Run()
	code := cmd.ProcessState.ExitCode()
	switch {
	case strings.Contains(stderr.String(), "goroutine "):
		t.Fatalf("exit %d: %s", code, stderr.String())
	case filepath.Base(input) == "junk" && (code != 2 || strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0):
		t.Errorf("exit %d, stderr %q: want exit 2 and one line", code, stderr.String())
	case code == 2 && filepath.Base(input) != "junk":
		t.Errorf("exit 2: %s", stderr.String())
	}
	b, err := os.ReadFile(hwm)
	if err != nil {
		t.Skip("no /proc/self/status VmHWM here:", err)
	}
	rss, err := strconv.ParseInt(string(b), 10, 64) // KiB
	if err != nil {
		t.Fatal(err)
	}
	return rss
}
