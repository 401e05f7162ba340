package cli

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestBatch(t *testing.T) {
	dir, _ := filepath.Abs(repo("testdata", "assertions", "golden"))
	t.Chdir(dir)
	code, out, _ := runCLI(t, "", "lint", "--at-issue", "--jobs", "1", ".")
	if code != 2 { // the directory holds the iam/ policy files too, which are not captures
		t.Logf("exit %d", code)
	}
	_, one, _ := runCLI(t, "", "lint", "--format", "json", "--at-issue", "--jobs", "1", "role-only.b64", "sha1.xml", "*.form")
	_, two, _ := runCLI(t, "", "lint", "--format", "json", "--at-issue", "--jobs", "2", "role-only.b64", "sha1.xml", "*.form")
	if one != two {
		t.Error("output differs between --jobs 1 and --jobs 2")
	}
	var doc struct{ Results []struct{ Input string } }
	json.Unmarshal([]byte(one), &doc)
	if len(doc.Results) < 4 || doc.Results[0].Input != "role-only.b64" || doc.Results[1].Input != "sha1.xml" || !strings.HasSuffix(doc.Results[2].Input, ".form") {
		t.Errorf("inputs out of order: %+v", doc.Results)
	}
	_, text, _ := runCLI(t, "", "lint", "--at-issue", "role-only.b64", "sha1.xml")
	if !strings.Contains(text, "Summary of 2 captures:") || !regexp.MustCompile(`role-only\.b64\s+1\s+0\s+0\s+sign-in will fail`).MatchString(text) {
		t.Errorf("summary table:\n%s", text)
	}
	_ = out
}

func TestBatchDirectory(t *testing.T) {
	dir := t.TempDir()
	sample, _ := os.ReadFile(repo("testdata", "assertions", "okta-connect.b64"))
	raw, _ := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(sample), nil)))
	os.MkdirAll(filepath.Join(dir, "b", "c"), 0o755)
	os.WriteFile(filepath.Join(dir, "a.b64"), sample, 0o644)
	os.WriteFile(filepath.Join(dir, "b", "c", "d.xml"), raw, 0o644)
	os.WriteFile(filepath.Join(dir, "b", "notes.md"), []byte("# not a capture"), 0o644)
	os.WriteFile(filepath.Join(dir, ".hidden.b64"), []byte("x"), 0o644)
	code, out, errs := runCLI(t, "", "lint", "--format", "json", "--at-issue", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct{ Results []struct{ Input string } }
	json.Unmarshal([]byte(out), &doc)
	if len(doc.Results) != 2 || !strings.HasSuffix(doc.Results[0].Input, "a.b64") || !strings.HasSuffix(doc.Results[1].Input, filepath.Join("b", "c", "d.xml")) {
		t.Errorf("walk: %+v", doc.Results)
	}
	code, _, errs = runCLI(t, "", "lint", filepath.Join(dir, "b", "*.nothing"))
	if code != 2 || !strings.Contains(errs, "matches no file") {
		t.Errorf("empty glob: exit %d %q", code, errs)
	}
}

// TestBatchSkipsInputs: a directory holding metadata, keys, certificates,
// policies and YAML beside the captures lints the captures and skips the
// rest, each kind once, by name.
func TestBatchSkipsInputs(t *testing.T) {
	code, _, errs := runCLI(t, "", "--at-issue", repo("testdata", "assertions", "golden"))
	if code != 1 || strings.Contains(errs, "could not be linted") || strings.Contains(errs, "not a SAML 2.0 Response") {
		t.Errorf("exit %d:\n%s", code, errs)
	}
	for _, want := range []string{"SAML metadata (give it with --metadata)", "an IAM policy (give it with --trust-policy", "Amazon Connect users (give them with --connect-users)", "YAML"} {
		if strings.Count(errs, want) != 1 {
			t.Errorf("skipped %q: %d lines\n%s", want, strings.Count(errs, want), errs)
		}
	}
	if n := strings.Count(errs, "\n"); n > 10 {
		t.Errorf("%d lines on stderr", n)
	}
}

// TestNotCaptureHead: how a directory's file is judged from its first
// bytes when it is text: base64 of a capture in each form it comes in is
// a capture, whether its first 256 characters show it or only the longer
// window does; base64 of anything else and other text are named.
func TestNotCaptureHead(t *testing.T) {
	sample, _ := os.ReadFile(repo("testdata", "assertions", "okta-connect.b64"))
	xml, err := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(sample), nil)))
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.StdEncoding.EncodeToString
	var deflated, gzipped bytes.Buffer
	fw, _ := flate.NewWriter(&deflated, flate.BestCompression)
	fw.Write(xml)
	fw.Close()
	gw := gzip.NewWriter(&gzipped)
	gw.Write(xml)
	gw.Close()
	wrapped := regexp.MustCompile(`.{76}`).ReplaceAllString(enc(xml), "$0\n")
	const notXML, notText = "base64 of something that is not XML", "text that is neither base64, a form body, XML nor a HAR export"
	for _, c := range []struct {
		name, text, want string
	}{
		{"base64 of XML", enc(xml), ""},
		{"wrapped at 76 columns", wrapped, ""},
		{"URL-encoded", url.QueryEscape(enc(xml)), ""},
		{"URL-safe", base64.RawURLEncoding.EncodeToString(xml), ""},
		{"of DEFLATE", enc(deflated.Bytes()), ""},
		{"of gzip", enc(gzipped.Bytes()), ""},
		{"XML after 300 blank bytes", enc(append(bytes.Repeat([]byte(" "), 300), xml...)), ""},
		{"base64 of text", enc(bytes.Repeat([]byte("hello, not XML at all. "), 40)), notXML},
		{"base64 of text, short", enc([]byte("hello")), notXML},
		{"words", strings.Repeat("just some notes ", 40), notText},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := notCaptureHead([]byte(c.text), true); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// BenchmarkJudge judges a directory of 400 captures, as a directory
// given to lint is judged before any file is linted.
func BenchmarkJudge(b *testing.B) {
	dir := b.TempDir()
	sample, _ := os.ReadFile(repo("testdata", "assertions", "okta-connect.b64"))
	var files []string
	for i := range 400 {
		f := filepath.Join(dir, fmt.Sprintf("c%d.b64", i))
		os.WriteFile(f, sample, 0o644)
		files = append(files, f)
	}
	for _, jobs := range []int{1, 2} {
		b.Run(fmt.Sprintf("jobs-%d", jobs), func(b *testing.B) {
			for b.Loop() {
				for _, why := range judge(files, jobs) {
					if why != "" {
						b.Fatal(why)
					}
				}
			}
		})
	}
}
