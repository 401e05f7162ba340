package format

import (
	"io"
	"testing"
	"time"

	"github.com/samllint/samllint/internal/test/testkit"
	"github.com/samllint/samllint/lint"
)

// BenchmarkAdversarialRedact lints each hostile shape at 10 MB (16 ×
// 650 KB, the largest size of lint's BenchmarkAdversarial) and writes it
// as redacted JSON: bench/adversarial.sh reports it as its redact column,
// which must stay under 2 s a shape.
func BenchmarkAdversarialRedact(b *testing.B) {
	sample := testkit.SampleXML(b)
	issued := time.Date(2026, 11, 20, 10, 1, 0, 0, time.UTC)
	for _, shape := range testkit.Shapes {
		input := testkit.Adversarial(sample, shape, 16*650_000)
		b.Run(string(shape), func(b *testing.B) {
			b.SetBytes(int64(len(input)))
			for b.Loop() {
				res, err := lint.Lint(input, &lint.Inputs{}, lint.Options{Now: issued})
				if err != nil {
					b.Fatal(err)
				}
				if err := JSON(io.Discard, &Run{Results: res, Redact: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
