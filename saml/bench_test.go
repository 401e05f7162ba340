package saml

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"testing"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// The benchmarks use the synthetic ~7 KB Okta-style AWS response signed on
// both Response and Assertion (testdata/assertions/okta-connect.b64).

func BenchmarkDecodeParse(b *testing.B) {
	in := testdata(b, "assertions", "okta-connect.b64")
	b.ReportAllocs()
	for b.Loop() {
		caps, err := Decode(in)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParseCapture(caps[0], ParseOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseVerify(b *testing.B) {
	xml := sampleXML(b)
	anchors := sampleAnchors(b)
	b.ReportAllocs()
	for b.Loop() {
		r, err := Parse(xml)
		if err != nil {
			b.Fatal(err)
		}
		Verify(r, anchors)
		if r.Signatures[0].Check.Verdict != Valid {
			b.Fatal(r.Signatures[0].Check.Detail)
		}
	}
}

// BenchmarkGoxmldsigValidate is goxmldsig alone on the same document: parse
// with etree, then Validate the Response and the (detached) Assertion, as
// an SP using goxmldsig directly would. The gap to BenchmarkParseVerify is
// samllint's own cost: the model, paths, pre-parse checks, classification.
func BenchmarkGoxmldsigValidate(b *testing.B) {
	xml := sampleXML(b)
	cert := sampleAnchors(b).Certs[0].Cert
	b.ReportAllocs()
	for b.Loop() {
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(xml); err != nil {
			b.Fatal(err)
		}
		ctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{cert}})
		ctx.IdAttribute = "ID"
		ctx.Clock = dsig.NewFakeClockAt(cert.NotBefore.AddDate(1, 0, 0))
		if _, err := ctx.Validate(doc.Root()); err != nil {
			b.Fatal(err)
		}
		a := doc.Root().FindElement("./Assertion")
		d, _, err := detach(a, a.FindElement("./Signature"), "")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ctx.Validate(d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadMetadata reads the Okta metadata alone and in an
// aggregate of 200 entities (an EntitiesDescriptor, as federations
// publish), each with its own entityID.
func BenchmarkLoadMetadata(b *testing.B) {
	one := testdata(b, "metadata", "okta-idp-metadata.xml")
	body := one[bytes.Index(one, []byte("<md:EntityDescriptor")):]
	var agg bytes.Buffer
	agg.WriteString(`<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">`)
	for i := range 200 {
		agg.Write(bytes.Replace(body, []byte(`entityID="`), fmt.Appendf(nil, `entityID="%d-`, i), 1))
	}
	agg.WriteString(`</md:EntitiesDescriptor>`)
	for _, c := range []struct {
		name string
		b    []byte
		n    int
	}{{"one", one, 1}, {"aggregate-200", agg.Bytes(), 200}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.b)))
			b.ReportAllocs()
			for b.Loop() {
				a, err := LoadMetadata(c.b, "md.xml")
				if err != nil {
					b.Fatal(err)
				}
				if len(a.EntityIDs) != c.n {
					b.Fatalf("%d entities, want %d", len(a.EntityIDs), c.n)
				}
			}
		})
	}
}
