package lint

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml/xmlenc"
	dsig "github.com/russellhaering/goxmldsig"
	"golang.org/x/tools/txtar"

	"github.com/samllint/samllint/internal/test/testkit"
)

var update = testkit.Update

func testdata(t testing.TB, parts ...string) []byte { return testkit.Testdata(t, parts...) }

func sampleXML(t testing.TB) []byte { return testkit.SampleXML(t) }

// issued is the sample's IssueInstant.
var issued = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// Example is a case built in Go for the per-rule tables, run exactly as an
// example file's case is (see examples.go for what each field does).
type Example struct {
	Edits, EditsSigned []Edit
	RelayState         string
	After              string // evaluation time after IssueInstant, e.g. "11m"
	Posted             string // the capture is a HAR posted this long after IssueInstant
	NoAnchors          bool
	Sign               string // both (default), assertion, response, none
	Transform          string
	Trust, Permissions string
	Users              []string
	Files              map[string]string // more inputs, named as in example files
	Skew               string
	Key                string // rotated: sign with the key the metadata does not hold
	Reply, Then        string // with Posted: AWS's answer and a request that followed
}

// Edit replaces every occurrence of Old with New.
type Edit struct{ Old, New string }

func (ex Example) toCase() exampleCase {
	c := exampleCase{files: map[string]string{}}
	pairs := func(es []Edit) string {
		var b strings.Builder
		for _, e := range es {
			fmt.Fprintf(&b, "- %s\n+ %s\n", e.Old, e.New)
		}
		return b.String()
	}
	if len(ex.Edits) > 0 {
		c.files["edit"] = pairs(ex.Edits)
	}
	if len(ex.EditsSigned) > 0 {
		c.files["edit-signed"] = pairs(ex.EditsSigned)
	}
	var opts []string
	if ex.After != "" {
		a := ex.After
		if !strings.HasPrefix(a, "-") {
			a = "+" + a
		}
		opts = append(opts, "evaluate: "+a)
	}
	if ex.Posted != "" {
		opts = append(opts, "posted: +"+ex.Posted)
	}
	if ex.NoAnchors {
		opts = append(opts, "metadata: none")
	}
	for _, o := range [][2]string{{"sign", ex.Sign}, {"transform", ex.Transform}, {"skew", ex.Skew},
		{"key", ex.Key}, {"reply", ex.Reply}, {"then", ex.Then}} {
		if o[1] != "" {
			opts = append(opts, o[0]+": "+o[1])
		}
	}
	c.files["options"] = strings.Join(opts, "\n")
	if ex.RelayState != "" {
		c.files["relay-state"] = ex.RelayState + "\n"
	}
	if ex.Trust != "" {
		c.files["trust-policy.json"] = ex.Trust
	}
	if ex.Permissions != "" {
		c.files["permissions-policy.json"] = ex.Permissions
	}
	if ex.Users != nil {
		var us []map[string]string
		for _, u := range ex.Users {
			us = append(us, map[string]string{"Username": u})
		}
		if us == nil {
			us = []map[string]string{}
		}
		b, _ := json.Marshal(map[string]any{"UserSummaryList": us})
		c.files["connect-users.json"] = string(b)
	}
	for k, v := range ex.Files {
		c.files[k] = v
	}
	return c
}

// buildCase turns an example case into what the pipeline is given: the
// capture, the inputs and the options.
func buildCase(t testing.TB, c exampleCase) ([]byte, *Inputs, Options) {
	t.Helper()
	xml := string(testkit.UnsignedSample(t))
	edits, err := c.edits("edit")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		if !strings.Contains(xml, e[0]) {
			t.Fatalf("edit target %q is not in the sample", e[0])
		}
		xml = strings.ReplaceAll(xml, e[0], e[1])
	}
	switch tr := c.option("transform"); tr {
	case "", "encrypt", "encrypt-weak", "encrypt-gcm", "wrap-assertion":
	case "default-namespace":
		// As Entra ID and AD FS send it: <Assertion xmlns="…">, no prefix.
		xml = mutate(t, xml, func(root *etree.Element) {
			a := root.FindElement("./Assertion")
			a.RemoveAttr("xmlns:saml2")
			a.CreateAttr("xmlns", "urn:oasis:names:tc:SAML:2.0:assertion")
			var unprefix func(el *etree.Element)
			unprefix = func(el *etree.Element) {
				if el.Space == "saml2" {
					el.Space = ""
				}
				for _, c := range el.ChildElements() {
					unprefix(c)
				}
			}
			unprefix(a)
		})
	case "remove-assertion":
		xml = mutate(t, xml, func(root *etree.Element) { root.RemoveChild(root.FindElement("./Assertion")) })
	case "inflate":
		extra := strings.Repeat("<saml2:AttributeValue>arn:aws:iam::123456789012:role/Padding,arn:aws:iam::123456789012:saml-provider/Okta</saml2:AttributeValue>", 1200)
		xml = strings.Replace(xml, sampleRole+"/saml2:AttributeValue>", sampleRole+"/saml2:AttributeValue>"+extra, 1)
	default:
		t.Fatalf("unknown transform %q", tr)
	}
	key := testkit.LoadKeyPair(t, "idp")
	switch c.option("key") {
	case "", "idp":
	case "rotated", "expired":
		key = testkit.LoadKeyPair(t, "idp-"+c.option("key"))
	case "ecdsa":
		key = testkit.LoadKeyPair(t, "idp-ecdsa-p256")
	default:
		t.Fatalf("unknown key option %q", c.option("key"))
	}
	so := testkit.SignOptions{Assertion: true, Response: true}
	switch c.option("sign") {
	case "", "both":
	case "assertion":
		so.Response = false
	case "response":
		so.Assertion = false
	case "none":
		so.Assertion, so.Response = false, false
	default:
		t.Fatalf("unknown sign option %q", c.option("sign"))
	}
	if c.option("algorithm") == "rsa-sha1" {
		so.Method = dsig.RSASHA1SignatureMethod
	}
	if tr := c.option("transform"); tr == "encrypt" || tr == "encrypt-weak" || tr == "encrypt-gcm" {
		enc := xmlenc.OAEP()
		enc.BlockCipher, enc.DigestMethod = xmlenc.AES256CBC, xmlenc.SHA1
		switch tr {
		case "encrypt-weak":
			enc = xmlenc.PKCS1v15()
			enc.BlockCipher = xmlenc.TripleDES
		case "encrypt-gcm":
			enc.BlockCipher = xmlenc.AES256GCM
		}
		so.BetweenSignatures = func(root *etree.Element) error {
			a := root.FindElement("./Assertion")
			ea, err := testkit.EncryptAssertionWith(a, testkit.LoadKeyPair(t, "idp").Cert, enc)
			if err != nil {
				return err
			}
			root.InsertChildAt(a.Index(), ea)
			root.RemoveChild(a)
			return nil
		}
	}
	signed, err := testkit.SignResponse(key, []byte(xml), so)
	if err != nil {
		t.Fatal(err)
	}
	xml = string(signed)
	if edits, err = c.edits("edit-signed"); err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		if !strings.Contains(xml, e[0]) {
			t.Fatalf("edit-signed target %q is not in the signed sample", e[0])
		}
		xml = strings.ReplaceAll(xml, e[0], e[1])
	}
	if c.option("transform") == "wrap-assertion" {
		b, err := testkit.WrapAssertion([]byte(xml))
		if err != nil {
			t.Fatal(err)
		}
		xml = string(b)
	}

	in := &Inputs{}
	if c.option("metadata") != "none" && c.files["metadata.xml"] == "" && c.files["metadata.json"] == "" {
		md := testdata(t, "metadata", "okta-idp-metadata.xml")
		if c.option("key") == "ecdsa" {
			// The IdP's metadata, with its ECDSA certificate.
			md = testkit.Metadata("http://www.okta.com/exk1fxph8bAbCdEf0h7", key.Cert)
		}
		if err := in.Add(InputMetadata, "okta-idp-metadata.xml", md); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for name := range c.files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if kind, ok := inputFiles[name]; ok {
			if err := in.Add(kind, name, []byte(c.files[name])); err != nil {
				t.Fatal(err)
			}
		}
	}
	if req := c.option("require"); req != "" {
		if err := in.Config().Require(strings.Split(req, ","), "--require-rules "+req); err != nil {
			t.Fatal(err)
		}
	}
	relay := strings.TrimSuffix(c.files["relay-state"], "\n")
	if _, ok := c.files["relay-state"]; ok {
		in.RelayState = &relay
	}
	opts := Options{Now: issued.Add(time.Minute), Name: "example"}
	if ev := c.option("evaluate"); ev != "" {
		d, err := time.ParseDuration(strings.TrimPrefix(ev, "+"))
		if err != nil {
			t.Fatal(err)
		}
		opts.Now = issued.Add(d)
	}
	if sk := c.option("skew"); sk != "" {
		d, err := time.ParseDuration(sk)
		if err != nil {
			t.Fatal(err)
		}
		opts.Skew = d
	}
	input := []byte(xml)
	if posted := c.option("posted"); posted != "" {
		d, err := time.ParseDuration(strings.TrimPrefix(posted, "+"))
		if err != nil {
			t.Fatal(err)
		}
		input = harOf(input, issued.Add(d), relay, c.option("reply"), c.option("then"))
		in.RelayState = nil
		opts.Now = time.Time{}
	}
	return input, in, opts
}

func mutate(t testing.TB, xml string, f func(root *etree.Element)) string {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(xml); err != nil {
		t.Fatal(err)
	}
	f(doc.Root())
	s, err := doc.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// harOf is a HAR posting xml at the given time to the global sign-in
// endpoint. reply is AWS's answer, "<status> <Location or page text>"
// (default 200 OK); then is a request that followed, "<status> <URL>
// <page text>".
func harOf(xml []byte, at time.Time, relay, reply, then string) []byte {
	params := []map[string]string{{"name": "SAMLResponse", "value": url.QueryEscape(b64(xml))}}
	if relay != "" {
		params = append(params, map[string]string{"name": "RelayState", "value": url.QueryEscape(relay)})
	}
	answer := func(spec string) map[string]any {
		status, rest, _ := strings.Cut(spec, " ")
		n, _ := strconv.Atoi(status)
		if n == 0 {
			return map[string]any{"status": 200, "statusText": "OK"}
		}
		r := map[string]any{"status": n, "statusText": http.StatusText(n)}
		if n >= 300 && n < 400 {
			r["redirectURL"] = rest
		} else if rest != "" {
			r["content"] = map[string]any{"mimeType": "text/html", "text": "<html><body><h1>" + html.EscapeString(rest) + "</h1></body></html>"}
		}
		return r
	}
	stamp := func(d time.Duration) string { return at.Add(d).Format("2006-01-02T15:04:05.000Z") }
	entries := []any{map[string]any{
		"startedDateTime": stamp(0),
		"request":         map[string]any{"method": "POST", "url": "https://signin.aws.amazon.com/saml", "postData": map[string]any{"mimeType": "application/x-www-form-urlencoded", "params": params}},
		"response":        answer(reply),
	}}
	if then != "" {
		status, rest, _ := strings.Cut(then, " ")
		u, page, _ := strings.Cut(rest, " ")
		entries = append(entries, map[string]any{
			"startedDateTime": stamp(2 * time.Second),
			"request":         map[string]any{"method": "GET", "url": u},
			"response":        answer(status + " " + page),
		})
	}
	b, _ := json.Marshal(map[string]any{"log": map[string]any{"version": "1.2", "entries": entries}})
	return b
}

// lintCase lints a case through the pipeline.
func lintCase(t testing.TB, c exampleCase) *Report {
	t.Helper()
	input, in, opts := buildCase(t, c)
	results, err := Lint(input, in, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || results[0].Err != nil {
		t.Fatalf("%d results, first error %v", len(results), results[0].Err)
	}
	return results[0].Report
}

// lintExample runs every rule on a Go-built case.
func lintExample(t *testing.T, ex Example) *Report {
	t.Helper()
	return lintCase(t, ex.toCase())
}

func findingsOf(rep *Report, rule string) []Finding {
	var out []Finding
	for _, f := range rep.Findings {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

func skippedOf(rep *Report, rule string) *Skipped {
	for i, s := range rep.Skipped {
		if s.Rule == rule {
			return &rep.Skipped[i]
		}
	}
	return nil
}

// wantOf renders findings as an example's want section holds them.
func wantOf(rep *Report) string {
	var b strings.Builder
	for _, f := range rep.Findings {
		fmt.Fprintf(&b, "%s %s: %s\n  at %s\n", f.Severity, f.Rule, f.Message, f.Location)
	}
	return b.String()
}

// TestRuleExamples runs every rule's example file through the pipeline:
// the bad case must be caught, the good case must run and not be flagged,
// and each must report exactly its want section.
func TestRuleExamples(t *testing.T) {
	if err := validate(registry); err != nil {
		t.Fatal(err)
	}
	for _, r := range Rules() {
		t.Run(r.ID, func(t *testing.T) {
			path := filepath.Join("examples", r.ID+".txtar")
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			ex, err := parseExample(string(raw))
			if err != nil {
				t.Fatal(err)
			}
			if r.Scope == ScopeConfig {
				checkConfigExample(t, r, ex)
				return
			}
			bad, good := lintCase(t, ex.bad), lintCase(t, ex.good)
			fs := findingsOf(bad, r.ID)
			if len(fs) == 0 {
				t.Errorf("bad case (%s) not caught; skipped: %+v; findings:\n%s", ex.bad.note, skippedOf(bad, r.ID), wantOf(bad))
			}
			for _, f := range fs {
				if f.Message == "" || f.Location.String() == "" || f.Expected == "" || f.Actual == "" || f.Fix == "" {
					t.Errorf("finding lacks a field: %+v", f)
				}
			}
			if fs := findingsOf(good, r.ID); len(fs) > 0 {
				t.Errorf("good case (%s) flagged: %+v", ex.good.note, fs)
			}
			if s := skippedOf(good, r.ID); s != nil {
				t.Errorf("good case (%s) skipped the rule: %+v", ex.good.note, s)
			}
			checkWant(t, path, raw, map[string]string{"bad/want": wantOf(bad), "good/want": wantOf(good)})
		})
	}
}

// checkWant compares want sections with what was found, or rewrites them
// under -update; nothing else in the file changes.
func checkWant(t *testing.T, path string, raw []byte, got map[string]string) {
	t.Helper()
	ar := txtar.Parse(raw)
	changed := false
	for i, f := range ar.Files {
		g, ok := got[f.Name]
		if !ok || string(f.Data) == g {
			continue
		}
		if *update {
			ar.Files[i].Data = []byte(g)
			changed = true
			continue
		}
		t.Errorf("%s: %s differs (go test ./lint -update rewrites it; review the diff):\n--- want ---\n%s--- got ---\n%s", path, f.Name, f.Data, g)
	}
	if changed {
		if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkConfigExample: a config rule's cases give a config.yaml; the
// sample is linted with it, then the config's notices are compared.
func checkConfigExample(t *testing.T, r *Rule, ex *exampleFile) {
	path := filepath.Join("examples", r.ID+".txtar")
	raw, _ := os.ReadFile(path)
	got := map[string]string{}
	for name, c := range map[string]exampleCase{"bad": ex.bad, "good": ex.good} {
		input, in, opts := buildCase(t, c)
		if in.Config() == nil {
			t.Fatalf("%s case has no config.yaml", name)
		}
		if _, err := Lint(input, in, opts); err != nil {
			t.Fatal(err)
		}
		rep := &Report{Findings: in.Config().Notices(opts.Now)}
		n := len(findingsOf(rep, r.ID))
		if name == "bad" && n == 0 || name == "good" && n > 0 {
			t.Errorf("%s case: %d %s notices", name, n, r.ID)
		}
		got[name+"/want"] = wantOf(rep)
	}
	checkWant(t, path, raw, got)
}

// TestSampleIsClean: the shipped sample, with its metadata, RelayState and
// every policy, has no finding and skips nothing one minute after issue.
func TestSampleIsClean(t *testing.T) {
	md := testdata(t, "metadata", "okta-idp-metadata.xml")
	provider, _ := json.Marshal(map[string]any{"SAMLMetadataDocument": string(md), "SAMLProviderUUID": "SAMLSPD9IMTW2LM46J042K",
		"ValidUntil": "2125-03-01T10:00:00+00:00", "AssertionEncryptionMode": "Allowed", "PrivateKeyList": []any{}})
	rep := lintExample(t, Example{RelayState: sampleRelay, Trust: sampleTrust, Permissions: samplePerms, Users: []string{"jane.doe@example.com"},
		Files: map[string]string{"scp.json": sampleSCP, "permissions-boundary.json": sampleBoundary,
			"metadata.xml": string(md), "metadata.json": string(provider), "aws-read.json": sampleAWSRead,
			"okta-read.json": string(testdata(t, "okta", "sample.json"))}})
	if len(rep.Findings) != 0 {
		t.Errorf("findings on the clean sample:\n%s", wantOf(rep))
	}
	if len(rep.Skipped) != 0 {
		t.Errorf("skipped on the clean sample with every input: %+v", rep.Skipped)
	}
	if rep.Verdict != "no problems found" || rep.Outcome != OutcomePass {
		t.Errorf("verdict %q, outcome %q", rep.Verdict, rep.Outcome)
	}
}

// TestFixClearsPolicyFindings: for every policy rule's bad example, the
// documents "samllint fix" proposes make the finding disappear when the
// example is linted again with them.
func TestFixClearsPolicyFindings(t *testing.T) {
	for _, id := range []string{"aws/trust-principal", "aws/trust-action", "aws/trust-audience", "aws/trust-condition", "aws/trust-tag-session", "connect/missing-get-federation-token"} {
		t.Run(id, func(t *testing.T) {
			ex, err := exampleOf(id)
			if err != nil {
				t.Fatal(err)
			}
			input, in, opts := buildCase(t, ex.bad)
			results, err := Lint(input, in, opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(findingsOf(results[0].Report, id)) == 0 {
				t.Fatal("the bad example is not caught to begin with")
			}
			plan := Fix(results[0], in)
			if plan.Trust != nil {
				b, _ := json.Marshal(plan.Trust.Document)
				if err := in.Add(InputTrustPolicy, "fixed-trust.json", b); err != nil {
					t.Fatal(err)
				}
			}
			if plan.Permissions != nil {
				b, _ := json.Marshal(plan.Permissions.Document)
				if err := in.Add(InputPermissionsPolicy, "fixed-permissions.json", b); err != nil {
					t.Fatal(err)
				}
			}
			results, err = Lint(input, in, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range results[0].Report.Findings {
				if strings.HasPrefix(f.Rule, "aws/trust-") || f.Rule == "connect/missing-get-federation-token" {
					t.Errorf("still reported after the fix: %s %s", f.Rule, f.Message)
				}
			}
		})
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// TestFixNotesExplicitDeny: a permissions policy whose Deny blocks
// connect:GetFederationToken gets a note in the fix plan, since a new
// Allow beside it has no effect; an Allow that is merely missing gets none.
func TestFixNotesExplicitDeny(t *testing.T) {
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"connect:*","Resource":"*"},{"Sid":"NoFederation","Effect":"Deny","Action":"connect:GetFederationToken","Resource":"*"}]}`
	missing := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"connect:DescribeUser","Resource":"*"}]}`
	for perms, want := range map[string]bool{deny: true, missing: false} {
		input, in, opts := buildCase(t, Example{RelayState: sampleRelay, Trust: sampleTrust, Permissions: perms}.toCase())
		results, err := Lint(input, in, opts)
		if err != nil || len(results) != 1 {
			t.Fatalf("%v, %d results", err, len(results))
		}
		if len(findingsOf(results[0].Report, "connect/missing-get-federation-token")) == 0 {
			t.Fatalf("%s: not caught to begin with", perms)
		}
		plan := Fix(results[0], in)
		noted := false
		for _, n := range plan.Notes {
			noted = noted || strings.Contains(n, "remove or narrow it")
		}
		if noted != want {
			t.Errorf("%s: notes %q, want a note on the Deny: %v", perms, plan.Notes, want)
		}
	}
}
