package saml

import (
	"context"
	"strings"
	"testing"

	"github.com/samllint/samllint/internal/test/testkit"
)

// TestLimitsExceeded: each count Limits bounds stops the model at the
// limit and names what went past it and where; at the limit itself the
// response is read whole.
func TestLimitsExceeded(t *testing.T) {
	sample := sampleXML(t)
	for _, c := range []struct {
		what  string
		lim   Limits
		ok    Limits // the same count at what the sample holds
		path  string
		limit int
	}{
		{"elements", Limits{MaxElements: 40}, Limits{MaxElements: 53}, "/Response/Assertion[1]/Conditions/AudienceRestriction/Audience[1]", 40},
		{"XML attributes", Limits{MaxXMLAttrs: 40}, Limits{MaxXMLAttrs: 56}, "/Response/Assertion[1]/AttributeStatement/Attribute[@Name='https://aws.amazon.com/SAML/Attributes/SessionDuration']", 40},
		{"attributes on one element", Limits{MaxElementAttrs: 3}, Limits{MaxElementAttrs: 5}, "/Response", 3},
		{"namespace prefixes in scope at one element", Limits{MaxNamespaces: 3}, Limits{MaxNamespaces: 4}, "/Response/Assertion[1]/Signature[1]", 3},
		{"signatures", Limits{MaxSignatures: 1}, Limits{MaxSignatures: 2}, "/Response/Assertion[1]/Signature[1]", 1},
		{"saml:Attribute elements", Limits{MaxAttributes: 2}, Limits{MaxAttributes: 4}, "/Response/Assertion[1]/AttributeStatement/Attribute[@Name='https://aws.amazon.com/SAML/Attributes/SessionDuration']", 2},
		{"attribute values", Limits{MaxValues: 3}, Limits{MaxValues: 4}, "/Response/Assertion[1]/AttributeStatement/Attribute[@Name='https://aws.amazon.com/SAML/Attributes/PrincipalTag:Department']/AttributeValue[1]", 3},
	} {
		t.Run(c.what, func(t *testing.T) {
			r, err := ParseWith(sample, ParseOptions{Limits: c.lim})
			if err != nil {
				t.Fatal(err)
			}
			ex := r.Exceeded
			if ex == nil || ex.What != c.what || ex.Limit != c.limit {
				t.Fatalf("Exceeded = %+v, want more than %d %s", ex, c.limit, c.what)
			}
			if ex.Path != c.path {
				t.Errorf("path = %s, want %s", ex.Path, c.path)
			}
			if len(r.Assertions) != 0 || len(r.Signatures) != 0 || (r.ID != "_a1b2c3response" || r.Issuer == nil) && ex.Path != "/Response" {
				t.Errorf("an exceeded response keeps its identity only: %d assertions, %d signatures, ID %q", len(r.Assertions), len(r.Signatures), r.ID)
			}
			Verify(r, nil) // nothing to verify, and no panic
			// A large message is counted from its tokens before any tree
			// is built: the same verdict.
			tok, _, err := census(context.Background(), sample, c.lim.WithDefaults())
			if err != nil || tok == nil || *tok != *ex {
				t.Errorf("census of the tokens = %+v, %v; of the tree %+v", tok, err, ex)
			}
			r, err = ParseWith(sample, ParseOptions{Limits: c.ok})
			if err != nil || r.Exceeded != nil || len(r.Assertions) != 1 {
				t.Fatalf("at the limit: %v, %+v", err, r.Exceeded)
			}
		})
	}
	// Assertions count wherever they sit: the wrapped copy is a second.
	wrapped, err := testkit.WrapAssertion(sample)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseWith(wrapped, ParseOptions{Limits: Limits{MaxAssertions: 1}})
	if err != nil || r.Exceeded == nil || r.Exceeded.What != "assertions" || r.Exceeded.Limit != 1 {
		t.Fatalf("assertions: %v %+v", err, r.Exceeded)
	}
}

// TestAdversarialShapes: every hostile shape, at the size a probe found
// quadratic, is refused by a count rather than modelled.
func TestAdversarialShapes(t *testing.T) {
	sample := sampleXML(t)
	want := map[testkit.Shape]string{
		testkit.ShapeIDs: "elements", testkit.ShapeRoles: "saml:Attribute elements", testkit.ShapeRoleValues: "attribute values",
		testkit.ShapeNamespaces: "attributes on one element", testkit.ShapeSignatures: "signatures", // the namespaces shape: its declarations on the root come first testkit.ShapeSignatures: "signatures",
		testkit.ShapeAttributes: "attributes on one element",
	}
	for _, shape := range testkit.Shapes {
		r, err := Parse(testkit.Adversarial(sample, shape, 650_000))
		if err != nil {
			t.Fatalf("%s: %v", shape, err)
		}
		if r.Exceeded == nil || r.Exceeded.What != want[shape] || !strings.HasPrefix(r.Exceeded.Path, "/Response") {
			t.Errorf("%s: Exceeded = %+v, want %s", shape, r.Exceeded, want[shape])
		}
	}
}
