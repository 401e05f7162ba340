package lint

import (
	"embed"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/tools/txtar"
)

// Every rule has an example file, examples/<rule ID>.txtar: a bad case the
// rule catches and a good case it lets pass, each self-contained. The
// files are shown as they are by "samllint explain" and docs/rules.md,
// and TestRuleExamples lints each case through the pipeline and compares
// the findings with its want section.
//
// The archive comment holds "bad: <note>" and "good: <note>". Each case
// is made of sections named <case>/<what>:
//
//	edit           "- old" / "+ new" line pairs: every occurrence of old in
//	               the sample response (testdata/assertions/okta-connect.b64,
//	               signatures removed) becomes new, before it is signed
//	edit-signed    the same, after signing (content tampered with)
//	options        "key: value" lines: evaluate: +11m (evaluation time
//	               relative to IssueInstant; default +1m), posted: +7m (the
//	               capture is a HAR recording this post time, and no
//	               evaluation time is given), reply: 302 <Location> or
//	               reply: 200 <error page text> (AWS's answer in that
//	               HAR), then: <status> <URL> <page text> (a request
//	               that followed), sign: both|assertion|response|none,
//	               algorithm: rsa-sha1, key: rotated|expired|ecdsa (a key the
//	               metadata does not hold; one whose certificate expired
//	               2026-06-30; a P-256 key, in the metadata), metadata: none,
//	               transform: wrap-assertion|encrypt (RSA-OAEP, AES-256-CBC)|
//	               encrypt-gcm (AES-256-GCM)|encrypt-weak (RSA-1_5 and 3DES)|inflate|remove-assertion|default-namespace
//	               (the Assertion as Entra ID sends it), require: <rules>
//	               (the run requires them, as --require-rules does)
//	relay-state    the RelayState sent beside the response
//	<input file>   an input given beside it, named by its kind:
//	               metadata.xml, metadata.json, cert.pem, key.pem,
//	               trust-policy.json, permissions-policy.json, scp.json,
//	               permissions-boundary.json, connect-users.json, aws-read.json, okta-read.json,
//	               config.yaml
//	want           the findings, one per line, as TestRuleExamples writes
//	               them (go test ./lint -update rewrites them)

//go:embed examples
var exampleFS embed.FS

// exampleFile is a rule's parsed example file.
type exampleFile struct {
	text      string
	bad, good exampleCase
}

// exampleCase is one case of an example file.
type exampleCase struct {
	note  string
	files map[string]string // section name without the case prefix → content
}

// inputFiles maps the file names a case may carry to their input kind.
var inputFiles = map[string]Input{
	"metadata.xml": InputMetadata, "metadata.json": InputMetadata, "cert.pem": InputCertificate, "key.pem": InputKey,
	"trust-policy.json": InputTrustPolicy, "permissions-policy.json": InputPermissionsPolicy, "scp.json": InputSCP,
	"permissions-boundary.json": InputPermissionsBoundary, "connect-users.json": InputConnectUsers, "aws-read.json": InputAWSRead, "okta-read.json": InputOkta, "config.yaml": InputConfig,
}

var caseSections = map[string]bool{"edit": true, "edit-signed": true, "options": true, "relay-state": true, "want": true}

func exampleOf(id string) (*exampleFile, error) {
	b, err := exampleFS.ReadFile("examples/" + id + ".txtar")
	if err != nil {
		return nil, errors.New("no example file lint/examples/" + id + ".txtar")
	}
	return parseExample(string(b))
}

func parseExample(text string) (*exampleFile, error) {
	ar := txtar.Parse([]byte(text))
	ex := &exampleFile{text: text, bad: exampleCase{files: map[string]string{}}, good: exampleCase{files: map[string]string{}}}
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		switch k, v, _ := strings.Cut(line, ": "); k {
		case "bad":
			ex.bad.note = v
		case "good":
			ex.good.note = v
		}
	}
	for _, f := range ar.Files {
		which, name, ok := strings.Cut(f.Name, "/")
		var c *exampleCase
		switch which {
		case "bad":
			c = &ex.bad
		case "good":
			c = &ex.good
		}
		if !ok || c == nil {
			return nil, fmt.Errorf("example section %q: expected bad/<name> or good/<name>", f.Name)
		}
		if _, isInput := inputFiles[name]; !isInput && !caseSections[name] {
			return nil, fmt.Errorf("example section %q: unknown part %q", f.Name, name)
		}
		c.files[name] = string(f.Data)
	}
	switch {
	case ex.bad.note == "" || ex.good.note == "":
		return nil, errors.New("the example's comment needs a \"bad: …\" and a \"good: …\" line")
	case !hasKey(ex.bad.files, "want") || !hasKey(ex.good.files, "want"):
		return nil, errors.New("the example needs a bad/want and a good/want section")
	}
	return ex, nil
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

// option returns a case's option, or "".
func (c exampleCase) option(key string) string {
	for _, line := range strings.Split(c.files["options"], "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// edits returns the old → new pairs of an edit section.
func (c exampleCase) edits(section string) ([][2]string, error) {
	var out [][2]string
	lines := strings.Split(strings.TrimRight(c.files[section], "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return nil, nil
	}
	for i := 0; i < len(lines); i += 2 {
		if i+1 >= len(lines) || !strings.HasPrefix(lines[i], "- ") || !strings.HasPrefix(lines[i+1], "+ ") {
			return nil, fmt.Errorf("%s: expected \"- old\" and \"+ new\" line pairs, at line %d", section, i+1)
		}
		out = append(out, [2]string{lines[i][2:], lines[i+1][2:]})
	}
	return out, nil
}
