package lint

import (
	"testing"

	"github.com/samllint/samllint/saml"
)

// BenchmarkPipeline is a whole lint of the ~7 KB Okta-style response signed
// twice, from the base64 a user pastes: decode → parse → verify → all rules.
func BenchmarkPipeline(b *testing.B) {
	in := testdata(b, "assertions", "okta-connect.b64")
	anchors := sampleAnchors(b)
	rs := sampleRelay
	opts := Options{Now: issued.Add(60e9), Anchors: anchors, RelayState: &rs}
	b.ReportAllocs()
	for b.Loop() {
		msgs, err := saml.Read(in, saml.Options{Anchors: anchors})
		if err != nil {
			b.Fatal(err)
		}
		rep, err := Run(msgs[0], opts)
		if err != nil || len(rep.Findings) != 0 {
			b.Fatal(err, rep.Findings)
		}
	}
}

// BenchmarkRules is the rules alone on an already verified message: their
// share of BenchmarkPipeline.
func BenchmarkRules(b *testing.B) {
	anchors := sampleAnchors(b)
	msgs, err := saml.Read(testdata(b, "assertions", "okta-connect.b64"), saml.Options{Anchors: anchors})
	if err != nil {
		b.Fatal(err)
	}
	rs := sampleRelay
	opts := Options{Now: issued.Add(60e9), Anchors: anchors, RelayState: &rs}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(msgs[0], opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPipelineParallel is BenchmarkPipeline on every P at once: with
// -cpu 1,2 it shows how the work scales inside one process.
func BenchmarkPipelineParallel(b *testing.B) {
	in := testdata(b, "assertions", "okta-connect.b64")
	anchors := sampleAnchors(b)
	rs := sampleRelay
	opts := Options{Now: issued.Add(60e9), Anchors: anchors, RelayState: &rs}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			msgs, err := saml.Read(in, saml.Options{Anchors: anchors})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Run(msgs[0], opts); err != nil {
				b.Fatal(err)
			}
		}
	})
}
