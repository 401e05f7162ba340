package lint

import (
	"crypto/x509"
	"encoding/pem"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/samllint/samllint/internal/testkit"
	"github.com/samllint/samllint/lint/policy"
	"github.com/samllint/samllint/saml"
)

var update = flag.Bool("update", false, "rewrite golden files")

func testdata(t testing.TB, parts ...string) []byte { return testkit.Testdata(t, parts...) }

func sampleXML(t testing.TB) []byte { return testkit.SampleXML(t) }

func sampleAnchors(t testing.TB) *saml.Anchors {
	t.Helper()
	a, err := saml.LoadMetadata(testdata(t, "metadata", "okta-idp-metadata.xml"), "okta-idp-metadata.xml")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// issued is the sample's IssueInstant.
var issued = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// buildExample turns an Example into linted input.
func buildExample(t *testing.T, ex Example) []byte {
	t.Helper()
	xml := sampleXML(t)
	switch ex.Transform {
	case "":
	case "rotated-key":
		xml = testdata(t, "assertions", "okta-rotated-cert.xml")
	case "sha1":
		xml = testdata(t, "assertions", "okta-sha1.xml")
	case "inflate":
		extra := strings.Repeat("<saml2:AttributeValue>arn:aws:iam::123456789012:role/Padding,arn:aws:iam::123456789012:saml-provider/Okta</saml2:AttributeValue>", 1200)
		xml = []byte(strings.Replace(string(xml), sampleRole+"/saml2:AttributeValue>", sampleRole+"/saml2:AttributeValue>"+extra, 1))
	default:
		xml = transform(t, xml, ex.Transform)
	}
	s := string(xml)
	for _, e := range ex.Edits {
		if !strings.Contains(s, e.Old) {
			t.Fatalf("edit target %q not in the sample", e.Old)
		}
		s = strings.Replace(s, e.Old, e.New, 1)
	}
	return []byte(s)
}

func transform(t *testing.T, xml []byte, name string) []byte {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(xml); err != nil {
		t.Fatal(err)
	}
	root := doc.Root()
	a := root.FindElement("./Assertion")
	switch name {
	case "remove-assertion":
		root.RemoveChild(a)
	case "strip-signatures":
		for _, s := range root.FindElements("//Signature") {
			s.Parent().RemoveChild(s)
		}
	case "wrap-assertion":
		out, err := testkit.WrapAssertion(xml)
		if err != nil {
			t.Fatal(err)
		}
		return out
	case "encrypt":
		blk, _ := pem.Decode(testdata(t, "keys", "idp.crt"))
		cert, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		ea, err := testkit.EncryptAssertion(a, cert)
		if err != nil {
			t.Fatal(err)
		}
		root.InsertChildAt(a.Index(), ea)
		root.RemoveChild(a)
	default:
		t.Fatalf("unknown transform %q", name)
	}
	out, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// exampleInputs builds the options and the parsed message of an example,
// as the CLI would.
func exampleInputs(t *testing.T, ex Example) (Options, *saml.Message) {
	t.Helper()
	after := time.Minute
	if ex.After != "" {
		d, err := time.ParseDuration(ex.After)
		if err != nil {
			t.Fatal(err)
		}
		after = d
	}
	opts := Options{Now: issued.Add(after)}
	var ro saml.Options
	if !ex.NoAnchors {
		opts.Anchors = sampleAnchors(t)
		ro.Anchors = opts.Anchors
	}
	if ex.RelayState != "" {
		rs := ex.RelayState
		opts.RelayState = &rs
	}
	if ex.Trust != "" {
		f, err := policy.Load([]byte(ex.Trust), "trust.json")
		if err != nil {
			t.Fatal(err)
		}
		opts.TrustPolicy = f.Trust
	}
	if ex.Permissions != "" {
		f, err := policy.Load([]byte(ex.Permissions), "permissions.json")
		if err != nil {
			t.Fatal(err)
		}
		opts.Permissions = f.Permissions
	}
	opts.ConnectUsers = ex.Users
	msgs, err := saml.Read(buildExample(t, ex), ro)
	if err != nil {
		t.Fatal(err)
	}
	if msgs[0].Err != nil {
		t.Fatal(msgs[0].Err)
	}
	return opts, msgs[0]
}

// lintExample runs every rule on an example.
func lintExample(t *testing.T, ex Example) *Report {
	t.Helper()
	opts, m := exampleInputs(t, ex)
	rep, err := Run(m, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
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

func skippedOf(rep *Report, rule string) string {
	for _, s := range rep.Skipped {
		if s.Rule == rule {
			return s.Reason
		}
	}
	return ""
}

// TestRuleExamples runs every rule's bad and good example: the bad one must
// be caught, the good one must run and not be flagged.
func TestRuleExamples(t *testing.T) {
	if err := Validate(Rules()); err != nil {
		t.Fatal(err)
	}
	for _, r := range Rules() {
		t.Run(r.ID, func(t *testing.T) {
			bad := lintExample(t, r.Bad)
			fs := findingsOf(bad, r.ID)
			if len(fs) == 0 {
				t.Errorf("bad example (%s) not caught; skipped: %q; findings: %+v", r.Bad.Note, skippedOf(bad, r.ID), bad.Findings)
			}
			for _, f := range fs {
				if f.Message == "" || f.Path == "" || f.Expected == "" || f.Actual == "" || f.Fix == "" {
					t.Errorf("finding lacks a field: %+v", f)
				}
			}
			good := lintExample(t, r.Good)
			if fs := findingsOf(good, r.ID); len(fs) > 0 {
				t.Errorf("good example (%s) flagged: %+v", r.Good.Note, fs)
			}
			if why := skippedOf(good, r.ID); why != "" {
				t.Errorf("good example (%s) skipped the rule: %s", r.Good.Note, why)
			}
		})
	}
}

// TestSampleIsClean: the shipped sample, with its metadata and RelayState,
// has no finding at all one minute after issue.
func TestSampleIsClean(t *testing.T) {
	rep := lintExample(t, Example{RelayState: sampleRelay, Trust: sampleTrust, Permissions: samplePerms, Users: []string{"jane.doe@example.com"}})
	if len(rep.Findings) != 0 {
		t.Errorf("findings on the clean sample: %+v", rep.Findings)
	}
	if len(rep.Skipped) != 0 {
		t.Errorf("skipped on the clean sample with every input: %+v", rep.Skipped)
	}
	if rep.Verdict != "no problems found" {
		t.Errorf("verdict %q", rep.Verdict)
	}
}

// TestFixClearsPolicyFindings: for every policy rule's bad example, the
// documents "samllint fix" proposes make the finding disappear when the
// example is linted again with them.
func TestFixClearsPolicyFindings(t *testing.T) {
	for _, id := range []string{"aws/trust-principal", "aws/trust-action", "aws/trust-audience", "aws/trust-condition", "aws/trust-tag-session", "connect/missing-get-federation-token"} {
		t.Run(id, func(t *testing.T) {
			ex := Lookup(id).Bad
			opts, msg := exampleInputs(t, ex)
			plan, err := Fix(msg, opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(findingsOf(plan.Report, id)) == 0 {
				t.Fatal("the bad example is not caught to begin with")
			}
			if plan.Trust != nil {
				f, err := policy.Load([]byte(PrettyJSON(plan.Trust.Document)), "fixed-trust.json")
				if err != nil {
					t.Fatal(err)
				}
				opts.TrustPolicy = f.Trust
			}
			if plan.Permissions != nil {
				f, err := policy.Load([]byte(PrettyJSON(plan.Permissions.Document)), "fixed-permissions.json")
				if err != nil {
					t.Fatal(err)
				}
				opts.Permissions = append(opts.Permissions, f.Permissions...)
			}
			rep, err := Run(msg, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Findings {
				if strings.HasPrefix(f.Rule, "aws/trust-") || f.Rule == "connect/missing-get-federation-token" {
					t.Errorf("still reported after the fix: %s %s", f.Rule, f.Message)
				}
			}
		})
	}
}
