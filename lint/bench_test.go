package lint

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	crewjam "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/samllint/samllint/internal/test/testkit"

	"github.com/samllint/samllint/saml"
)

// benchInput is the ~7 KB Okta-style response signed twice, as a user
// pastes it (base64), with the inputs that lint it clean.
func benchInput(b *testing.B) ([]byte, *Inputs, Options) {
	in := &Inputs{}
	if err := in.Add(InputMetadata, "okta-idp-metadata.xml", testdata(b, "metadata", "okta-idp-metadata.xml")); err != nil {
		b.Fatal(err)
	}
	rs := sampleRelay
	in.RelayState = &rs
	return testdata(b, "assertions", "okta-connect.b64"), in, Options{Now: issued.Add(60e9)}
}

// BenchmarkPipeline is a whole lint of one pasted response: decode, parse,
// verify both signatures, every rule. Compare with saml's
// BenchmarkGoxmldsigValidate, run side by side.
func BenchmarkPipeline(b *testing.B) {
	input, in, opts := benchInput(b)
	b.ReportAllocs()
	for b.Loop() {
		res, err := Lint(input, in, opts)
		if err != nil || res[0].Err != nil || len(res[0].Report.Findings) != 0 {
			b.Fatal(err, res[0].Err, res[0].Report.Findings)
		}
	}
}

// BenchmarkRules is the rules alone on an already verified message: their
// share of BenchmarkPipeline.
func BenchmarkRules(b *testing.B) {
	input, in, opts := benchInput(b)
	msgs, err := saml.Read(input, saml.Options{Anchors: in.Anchors()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		run(registry, msgs[0], in, opts)
	}
}

// BenchmarkPipelineParallel is BenchmarkPipeline on every P at once: with
// -cpu 1,2 it shows how the work scales inside one process.
func BenchmarkPipelineParallel(b *testing.B) {
	input, in, opts := benchInput(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			// Not Fatal: it may only be called from the benchmark's goroutine.
			if _, err := Lint(input, in, opts); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkAdversarial lints each hostile shape at 1×, 4× and 16× of
// 650 KB (16× is 10 MB, the most a message may be), past saml.Limits'
// counts, and of 14 KB (to 224 KB), where the shapes the limits let through are
// modelled in full; it reports the cost per input byte, which must not
// grow with the size: bench/adversarial.sh checks that it stays within 2×
// of 1×'s and that 10 MB takes under 2 s.
//
// sample is the response the shapes are added to, alone: the script
// measures the 14 KB series per byte added to it, since at that size the
// sample, cheaper per byte, is half the input.
func BenchmarkAdversarial(b *testing.B) {
	sample := testkit.SampleXML(b)
	b.Run("sample", func(b *testing.B) {
		b.SetBytes(int64(len(sample)))
		for b.Loop() {
			if _, err := Lint(sample, &Inputs{}, Options{Now: issued.Add(60e9)}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(sample)), "ns/B")
	})
	for _, shape := range testkit.Shapes {
		for _, size := range []struct {
			name string
			unit int
		}{{"", adversarialUnit}, {"small-", 14 << 10}} {
			if size.name != "" && !modelledShape[shape] {
				continue // past a count already at 14 KB
			}
			for _, mult := range []int{1, 4, 16} {
				input := testkit.Adversarial(sample, shape, mult*size.unit)
				b.Run(fmt.Sprintf("%s/%s%dx", shape, size.name, mult), func(b *testing.B) {
					b.SetBytes(int64(len(input)))
					for b.Loop() {
						res, err := Lint(input, &Inputs{}, Options{Now: issued.Add(60e9)})
						if err != nil || res[0].Err != nil {
							b.Fatal(err, res[0].Err)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(input)), "ns/B")
				})
			}
		}
	}
}

// modelledShape are the shapes whose 14 KB series stays within
// saml.Limits up to 16×: up to 18,600 IDs, 1,200 Role attributes, 2,000
// Role values.
var modelledShape = map[testkit.Shape]bool{testkit.ShapeIDs: true, testkit.ShapeRoles: true, testkit.ShapeRoleValues: true}

// adversarialUnit is 1× of BenchmarkAdversarial: about the size of the
// smallest shape a probe measured as quadratic; 16× is just under MaxXML.
const adversarialUnit = 650_000

// BenchmarkCrewjamParseXMLResponse is crewjam/saml's service provider
// validating the same response at the same clock (signatures, conditions,
// audience, recipient): a peer for BenchmarkPipeline, run side by side by
// bench/compare.sh. It checks less than samllint (no AWS rules) and
// fails at the first problem.
func BenchmarkCrewjamParseXMLResponse(b *testing.B) {
	var md crewjam.EntityDescriptor
	if err := xml.Unmarshal(testdata(b, "metadata", "okta-idp-metadata.xml"), &md); err != nil {
		b.Fatal(err)
	}
	acs, _ := url.Parse("https://signin.aws.amazon.com/saml")
	sp := &crewjam.ServiceProvider{EntityID: "urn:amazon:webservices", AcsURL: *acs, IDPMetadata: &md,
		AllowIDPInitiated: true, Clock: dsig.NewFakeClockAt(issued.Add(time.Minute))}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(testdata(b, "assertions", "okta-connect.b64"))), ""))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sp.ParseXMLResponse(raw, nil, *acs); err != nil {
		var ire *crewjam.InvalidResponseError
		if errors.As(err, &ire) {
			err = ire.PrivateErr
		}
		b.Fatal("crewjam/saml refuses the sample: ", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sp.ParseXMLResponse(raw, nil, *acs); err != nil {
			b.Fatal(err)
		}
	}
}
