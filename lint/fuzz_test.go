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
	anchors := sampleAnchors(f)
	lim := saml.Limits{MaxInput: 1 << 20, MaxXML: 1 << 20, MaxDepth: 64}
	f.Fuzz(func(t *testing.T, in []byte, relay string, after int64) {
		msgs, err := saml.Read(in, saml.Options{Limits: lim, Anchors: anchors})
		if err != nil {
			return
		}
		var prev *saml.Message
		var prevRep *Report
		for _, m := range msgs {
			if m.Err != nil {
				continue
			}
			opts := Options{Now: issued.Add(time.Duration(after) * time.Second), Anchors: anchors, RelayState: &relay, AWS: true}
			rep, err := Run(m, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Findings {
				if f.Rule == "" || f.Message == "" {
					t.Fatalf("incomplete finding %+v", f)
				}
			}
			if d := Compare(m, m, rep, rep); len(d.Differences(false)) != 0 || len(d.OnlyA)+len(d.OnlyB) != 0 {
				t.Fatalf("a response differs from itself: %+v", d)
			}
			if prev != nil {
				Compare(prev, m, prevRep, rep)
			}
			prev, prevRep = m, rep
		}
	})
}
