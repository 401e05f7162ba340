package lint

import (
	"testing"

	"github.com/samllint/samllint/saml"
)

// benchInput is the ~7 KB Okta-style response signed twice, as a user
// pastes it (base64), with the options that lint it clean.
func benchInput(b *testing.B) ([]byte, *saml.Anchors, Options) {
	anchors := sampleAnchors(b)
	rs := sampleRelay
	return testdata(b, "assertions", "okta-connect.b64"), anchors, Options{Now: issued.Add(60e9), Anchors: anchors, RelayState: &rs}
}

// lintPaste is one whole lint: decode → parse → verify → all rules.
func lintPaste(in []byte, anchors *saml.Anchors, opts Options) (*Report, error) {
	msgs, err := saml.Read(in, saml.Options{Anchors: anchors})
	if err != nil {
		return nil, err
	}
	return Run(msgs[0], opts)
}

// BenchmarkPipeline is a whole lint of one pasted response.
func BenchmarkPipeline(b *testing.B) {
	in, anchors, opts := benchInput(b)
	b.ReportAllocs()
	for b.Loop() {
		rep, err := lintPaste(in, anchors, opts)
		if err != nil || len(rep.Findings) != 0 {
			b.Fatal(err, rep.Findings)
		}
	}
}

// BenchmarkRules is the rules alone on an already verified message: their
// share of BenchmarkPipeline.
func BenchmarkRules(b *testing.B) {
	in, anchors, opts := benchInput(b)
	msgs, err := saml.Read(in, saml.Options{Anchors: anchors})
	if err != nil {
		b.Fatal(err)
	}
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
	in, anchors, opts := benchInput(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			// Not Fatal: it may only be called from the benchmark's goroutine.
			if _, err := lintPaste(in, anchors, opts); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
