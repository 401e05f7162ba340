package lint

import (
	"fmt"
	"testing"

	"github.com/samllint/samllint/internal/testkit"

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
// 640 KB (16× is 10 MB, the most a message may be) and reports the cost
// per input byte, which must not grow with the size:
// bench/adversarial.sh checks that it stays within 2× across sizes and
// that 10 MB takes under 2 s.
func BenchmarkAdversarial(b *testing.B) {
	sample := testkit.SampleXML(b)
	for _, shape := range testkit.Shapes {
		for _, mult := range []int{1, 4, 16} {
			input := testkit.Adversarial(sample, shape, mult*adversarialUnit)
			b.Run(fmt.Sprintf("%s/%dx", shape, mult), func(b *testing.B) {
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

// adversarialUnit is 1× of BenchmarkAdversarial: about the size of the
// smallest shape a probe measured as quadratic; 16× is just under MaxXML.
const adversarialUnit = 650_000
