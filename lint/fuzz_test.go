package lint

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/samllint/samllint/saml"
)

// FuzzLint runs every rule on whatever parses: no rule may panic, whatever
// the response says or lacks. It also diffs each response with the
// previous one, which must list no difference for a response with itself.
func FuzzLint(f *testing.F) {
	xml := sampleXML(f)
	f.Add(xml, "https://us-east-1.console.aws.amazon.com/connect/federate/4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34", int64(60))
	f.Add([]byte(strings.Replace(string(xml), sampleRole, ">arn:aws:iam::1:role/,,<", 1)), "https%3A%2F%2Fconsole.aws.amazon.com%2Fconnect%2Ffederate%2Fx?destination=", int64(-600))
	f.Add([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:AttributeStatement><saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"/></saml:AttributeStatement></saml:Assertion></samlp:Response>`), "", int64(0))
	f.Add([]byte(base64.StdEncoding.EncodeToString(xml)), "4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34", int64(1<<40))
	md := testdata(f, "metadata", "okta-idp-metadata.xml")
	lim := saml.Limits{MaxInput: 1 << 20, MaxXML: 1 << 20, MaxDepth: 64}
	f.Fuzz(func(t *testing.T, input []byte, relay string, after int64) {
		in := &Inputs{RelayState: &relay, AWS: true}
		if err := in.Add(InputMetadata, "md.xml", md); err != nil {
			t.Fatal(err)
		}
		opts := Options{Now: issued.Add(time.Duration(after) * time.Second), Limits: lim}
		if after%7 == 0 {
			opts = Options{Wall: issued.Add(time.Duration(after) * time.Second), Limits: lim}
		}
		if after%5 == 0 {
			// Counts low enough that the fuzzer crosses them: the census,
			// the response past a count and its report.
			opts.Limits.MaxElements, opts.Limits.MaxElementAttrs, opts.Limits.MaxNamespaces = 30, 4, 3
			opts.Limits.MaxSignatures, opts.Limits.MaxAttributes, opts.Limits.MaxValues = 1, 3, 3
		}
		results, err := Lint(input, in, opts)
		if err != nil {
			return
		}
		var prev *Result
		for _, r := range results {
			if r.Err != nil {
				continue
			}
			for _, f := range r.Report.Findings {
				if f.Rule == "" || f.Message == "" {
					t.Fatalf("incomplete finding %+v", f)
				}
			}
			if d := Compare(r, r); len(d.Differences(false)) != 0 || len(d.OnlyA)+len(d.OnlyB) != 0 {
				t.Fatalf("a response differs from itself: %+v", d)
			}
			if prev != nil {
				Compare(prev, r)
			}
			Fix(r, in)
			prev = r
		}
	})
}
