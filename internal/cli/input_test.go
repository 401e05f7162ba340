package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestPickCapture: FILE#N, as every report names a capture, works
// wherever a capture is read.
func TestPickCapture(t *testing.T) {
	har := repo("testdata", "assertions", "okta-connect.har")
	md := repo("testdata", "metadata", "okta-idp-metadata.xml")
	code, out, _ := runCLI(t, "", "lint", "--metadata", md, har+"#2")
	if code != 1 || !strings.Contains(out, "okta-connect.har#2 (HAR entry 3)") || strings.Contains(out, "#1 (") {
		t.Errorf("lint FILE#2: exit %d\n%.400s", code, out)
	}
	code, out, _ = runCLI(t, "", "decode", "--no-xml", har+"#1")
	if code != 0 || !strings.HasPrefix(out, "message 1: HAR entry 2") || strings.Contains(out, "HAR entry 3") {
		t.Errorf("decode FILE#1: exit %d\n%.400s", code, out)
	}
	code, out, _ = runCLI(t, "", "fix", "--format", "json", "--metadata", md, har+"#2")
	var doc struct {
		Plans []struct{ Capture int } `json:"plans"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 || len(doc.Plans) != 1 || doc.Plans[0].Capture != 2 {
		t.Errorf("fix FILE#2: exit %d, %v, %s", code, err, out)
	}
	for _, cmd := range []string{"lint", "decode", "fix"} {
		code, _, errs := runCLI(t, "", cmd, har+"#3")
		if code != 2 || !strings.Contains(errs, "holds 2 captures; #3 is not one of them") {
			t.Errorf("%s FILE#3: exit %d, %q", cmd, code, errs)
		}
	}
}

func TestDevNullIsNoTerminal(t *testing.T) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Skip(err)
	}
	defer null.Close()
	var out, errb bytes.Buffer
	code := run([]string{"lint"}, null, &out, &errb)
	if code != 2 || strings.Contains(errb.String(), "Paste the SAMLResponse") || strings.Count(errb.String(), "\n") != 1 ||
		!strings.Contains(errb.String(), "empty input") {
		t.Errorf("samllint < %s: exit %d, stderr %q", os.DevNull, code, errb.String())
	}
}
