package redact

import (
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/samllint/samllint/saml"

	// testkit defines -update, which go test ./... -update hands to every package.
	_ "github.com/samllint/samllint/internal/test/testkit"
)

// The expressions the scanners replace: FuzzScan holds the scanners to
// them. Accounts are every run of exactly twelve digits; the expression
// used before, (^|[^0-9])([0-9]{12})([^0-9]|$), consumed the byte after
// an account and so missed one that followed a single separator.
var (
	emailRe  = regexp.MustCompile(`[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	digitsRe = regexp.MustCompile(`[0-9]+`)
	uuidRe   = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

func collect(scan func(string, func(string)), s string) []string {
	var out []string
	scan(s, func(v string) { out = append(out, v) })
	return out
}

func reference(s string) (emails, accounts, uuids []string) {
	emails = emailRe.FindAllString(s, -1)
	for _, d := range digitsRe.FindAllString(s, -1) {
		if len(d) == 12 {
			accounts = append(accounts, d)
		}
	}
	return emails, accounts, uuidRe.FindAllString(s, -1)
}

var scanSeeds = []string{
	"jane.doe@example.com",
	"x@y.com@z.org",
	"a@b@c.com",
	"a@x.ab.1 and b@c.d1 and q@w.co.uk9",
	"<NameID>jane@example.com</NameID><AttributeValue>o'brien+ops@mail.example.io</AttributeValue>",
	"arn:aws:iam::123456789012:role/R,arn:aws:iam::210987654321:saml-provider/P",
	"123456789012,123456789013 1234567890123 12345678901",
	"https://eu-west-2.console.aws.amazon.com/connect/federate/4e7c2a19-8d3b-4f6a-9b2e-1c5d7f3a9e21?x",
	"4e7c2a19-8d3b-4f6a-9b2e-1c5d7f3a9e214e7c2a19-8d3b-4f6a-9b2e-1c5d7f3a9e21",
	"abc4e7c2a19-8d3b-4f6a-9b2e-1c5d7f3a9e21-8d3b-4f6a-9b2e-1c5d7f3a9e21",
	"@@@ .@. a@.com a@b. a@b.c a@-.co",
}

func TestScanMatchesExpressions(t *testing.T) {
	for _, s := range scanSeeds {
		checkScan(t, s)
	}
	// The case the old account expression missed.
	if got := collect(accounts, "123456789012,123456789013"); !slices.Equal(got, []string{"123456789012", "123456789013"}) {
		t.Errorf("two accounts a comma apart: %q", got)
	}
}

func checkScan(t *testing.T, s string) {
	t.Helper()
	e, a, u := reference(s)
	if got := collect(emails, s); !slices.Equal(got, e) {
		t.Errorf("emails(%q) = %q, the expression finds %q", s, got, e)
	}
	if got := collect(accounts, s); !slices.Equal(got, a) {
		t.Errorf("accounts(%q) = %q, want %q", s, got, a)
	}
	if got := collect(uuids, s); !slices.Equal(got, u) {
		t.Errorf("uuids(%q) = %q, the expression finds %q", s, got, u)
	}
}

func FuzzScan(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkScan(t, s) })
}

// FuzzRedact: whatever a capture holds, no value the redactor learned
// from it is left in what it prints, and the same text always masks the
// same way.
func FuzzRedact(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := New()
		r.Learn(nil, &saml.Capture{XML: []byte(s)})
		sc := r.Scope()
		sc.Learn(nil, &saml.Capture{XML: []byte(s)})
		out, again, scoped := r.String(s), r.String(s), sc.String(s)
		if out != again || out != scoped {
			t.Fatalf("one text masked three ways: %q, %q, %q", out, again, scoped)
		}
		// What is left once each value found is cut out of the input, at
		// the places the Redactor replaced it (the same values in the
		// same order give a strings.Replacer the same matches), is the
		// text no value was found in. Cutting the masks out of the output
		// instead is ambiguous: a mask with a collision suffix ("…2#2")
		// can match a mask, a '#' of the text and the next mask's first
		// character.
		var olds []string
		for v := range r.masks.masks {
			olds = append(olds, v)
		}
		slices.SortFunc(olds, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
		var cut []string
		for _, v := range olds {
			cut = append(cut, v, "\x00")
			if b, _ := json.Marshal(v); string(b[1:len(b)-1]) != v {
				cut = append(cut, string(b[1:len(b)-1]), "\x00")
			}
		}
		rest := strings.NewReplacer(cut...).Replace(s)
		for v := range r.masks.masks {
			if strings.Contains(rest, v) {
				t.Fatalf("%q is left in %q (%q with the values cut)", v, out, rest)
			}
		}
	})
}

// TestCollidingMasks: values that mask alike get distinct masks, in
// order of learning.
func TestCollidingMasks(t *testing.T) {
	r := New()
	var b strings.Builder
	for i := range 5 {
		fmt.Fprintf(&b, "<v>a%d@e%d.com</v>", i, i)
	}
	r.Learn(nil, &saml.Capture{XML: []byte(b.String())})
	got := r.String(b.String())
	want := "<v>a***@e***.com</v><v>a***@e***.com#2</v><v>a***@e***.com#3</v><v>a***@e***.com#4</v><v>a***@e***.com#5</v>"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// collidingCapture holds n distinct e-mail addresses that all mask as
// a***@e***.com.
func collidingCapture(n int) []byte {
	var b strings.Builder
	b.WriteString("<samlp:Response>")
	for i := range n {
		fmt.Fprintf(&b, "<saml:AttributeValue>a%d@e%d.com</saml:AttributeValue>", i, i)
	}
	b.WriteString("</samlp:Response>")
	return []byte(b.String())
}

// BenchmarkRedact learns and masks a capture of n colliding values: the
// time per value must stay flat as n grows (it grew with n before the
// suffix counter).
func BenchmarkRedact(b *testing.B) {
	for _, n := range []int{1_000, 4_000, 16_000, 64_000} {
		capture := collidingCapture(n)
		b.Run(fmt.Sprintf("values=%d", n), func(b *testing.B) {
			for b.Loop() {
				r := New().Scope()
				r.Learn(nil, &saml.Capture{XML: capture})
				r.String(string(capture))
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/value")
		})
	}
}
