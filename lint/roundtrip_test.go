package lint_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/crewjam/saml/xmlenc"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/samllint/samllint/internal/test/testkit"
	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/lint/linttest"
	"github.com/samllint/samllint/saml"
)

// rtCase is one capture the round trip applies findings to.
type rtCase struct {
	name  string
	input []byte
	in    *lint.Inputs
	opts  lint.Options
}

// rtCases are every rule's bad example, the near-misses the lint package
// keeps for this test, and every golden capture (samplegen's variants
// among them).
func rtCases(t *testing.T) []rtCase {
	var out []rtCase
	for _, r := range lint.Rules() {
		if r.Check == nil {
			continue
		}
		input, in, opts := lint.BadExample(t, r.ID)
		out = append(out, rtCase{"example " + r.ID, input, in, opts})
	}
	for _, c := range lint.RoundTripCases(t) {
		out = append(out, rtCase{"near-miss " + c.Name, c.Input, c.In, c.Opts})
	}
	dir := filepath.Join(testkit.Root(), "testdata", "assertions", "golden")
	files, _ := filepath.Glob(filepath.Join(dir, "*.case.yaml"))
	for _, f := range files {
		c, err := linttest.ReadCase(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".case.yaml")
		in, opts, err := c.Inputs(dir)
		if err != nil {
			t.Fatal(err)
		}
		capture, err := c.CaptureFile(dir, name)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, capture))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rtCase{"golden " + name, b, in, opts})
	}
	return out
}

// testKeys are the keys the test IdP signs with: a copy signed by one is
// signed again by it after the edit.
func testKeys(t *testing.T) map[string]testkit.KeyPair {
	out := map[string]testkit.KeyPair{}
	for _, n := range []string{"idp", "idp-rotated", "idp-expired", "idp-ecdsa-p256"} {
		kp := testkit.LoadKeyPair(t, n)
		out[string(kp.Cert.Raw)] = kp
	}
	return out
}

// TestRoundTrip applies every finding's expected value: for each finding
// that names a value and where it goes in the capture, the value is put
// there in a copy of the capture, re-signed by the test IdP's key where
// the original was signed by it, and linted again with the same inputs.
// That finding must be gone, and no new error may appear. Findings of one
// rule that expect one value are one change (an IdP setting that several
// elements carry), applied together. Where a trust policy was given, the
// one "samllint fix" writes for the copy is applied too: the fixes that
// change the Recipient say to list it in SAML:aud. An Expected that a
// rule declares advice (lint.Rule.Advice) is put in place too, and must
// not clear the finding: the declaration must be true.
func TestRoundTrip(t *testing.T) {
	keys := testKeys(t)
	applied, cleared := map[string]int{}, map[string]int{}
	adviceSeen := map[string]bool{}
	for _, c := range rtCases(t) {
		results, err := lint.Lint(c.input, c.in, c.opts)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		caps, err := saml.Decode(c.input)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for i, res := range results {
			if res.Report == nil || i >= len(caps) {
				continue
			}
			for _, group := range changes(res.Report.Findings) {
				f := group[0]
				rule := lint.Lookup(f.Rule)
				advice := adviceOf(rule, f.Expected)
				// Advice is put in place as it is: re-signing would make
				// what it does not mend look mended.
				copyCap, in, ok := substitute(t, caps[i], res.Response, c.in, group, keys, advice == "")
				if !ok {
					continue
				}
				after := relint(t, copyCap, in, c.opts)
				gone, newErrs := compare(res, after, group)
				if advice != "" {
					adviceSeen[f.Rule+"\x00"+advice] = true
					if gone && len(newErrs) == 0 {
						t.Errorf("%s: %s declares expected %q advice, yet putting it at %s clears the finding: make it a value", c.name, f.Rule, f.Expected, f.Location)
					}
					continue
				}
				applied[f.Rule]++
				switch {
				case !keepsOrder(f, res.Response):
					t.Errorf("%s: %s's expected %q reorders what %s sent right: AWS takes the pair either way, so the fix keeps the IdP's order", c.name, f.Rule, f.Expected, f.Location)
				case !gone:
					t.Errorf("%s: putting %s's expected %q at %s leaves it: %s", c.name, f.Rule, f.Expected, f.Location, sameFinding(after, f))
				case len(newErrs) > 0:
					t.Errorf("%s: putting %s's expected %q at %s brings new errors: %s", c.name, f.Rule, f.Expected, f.Location, strings.Join(newErrs, "; "))
				default:
					cleared[f.Rule]++
				}
			}
		}
	}
	rules := slices.Sorted(maps.Keys(applied))
	var log strings.Builder
	total := 0
	for _, r := range rules {
		fmt.Fprintf(&log, "  %-40s %d applied, %d cleared\n", r, applied[r], cleared[r])
		total += applied[r]
	}
	t.Logf("applied %d expected values, by rule:\n%s", total, log.String())
	var unseen []string
	for _, r := range lint.Rules() {
		for _, a := range r.Advice {
			if !adviceSeen[r.ID+"\x00"+a] {
				unseen = append(unseen, r.ID+": "+strconv.Quote(a))
			}
		}
	}
	if len(unseen) > 0 {
		t.Logf("advice declared but not met in these cases (checked by the rules' own tests):\n  %s", strings.Join(unseen, "\n  "))
	}
	if total < 50 {
		t.Errorf("only %d expected values applied", total)
	}
}

// keepsOrder: an expected Role value keeps the ARNs the value already had
// in the order the IdP sent them. What was right stays as it was, or the
// admin reads a change that is not one.
func keepsOrder(f lint.Finding, r *saml.Response) bool {
	if !strings.Contains(f.Location.Path, "Attributes/Role']/AttributeValue") {
		return true
	}
	var had string
	for _, a := range r.Assertions {
		if at := a.Attribute(lint.AttrRole); at != nil {
			for _, v := range at.Values {
				if v.Path == f.Location.Path {
					had = v.Value
				}
			}
		}
	}
	want := strings.Split(f.Expected, ",")
	for i := range want {
		want[i] = strings.TrimSpace(want[i])
	}
	last := -1
	for _, part := range strings.Split(had, ",") {
		i := slices.Index(want, strings.TrimSpace(part))
		if i < 0 {
			continue
		}
		if i < last {
			return false
		}
		last = i
	}
	return true
}

// adviceOf is the declared advice f's Expected holds, or "".
func adviceOf(r *lint.Rule, expected string) string {
	for _, a := range r.Advice {
		if strings.Contains(expected, a) {
			return a
		}
	}
	return ""
}

// changes groups the findings that have an expected value and a place in
// the capture for it by rule and value, in report order.
func changes(fs []lint.Finding) [][]lint.Finding {
	var out [][]lint.Finding
	at := map[string]int{}
	for _, f := range fs {
		if f.Expected == "" {
			continue
		}
		switch f.Location.Source {
		case lint.SourceRelayState:
		case lint.SourceResponse:
			if f.Location.Path == "" {
				continue
			}
		default:
			continue
		}
		k := f.Rule + "\x00" + f.Expected
		if i, ok := at[k]; ok {
			out[i] = append(out[i], f)
			continue
		}
		at[k] = len(out)
		out = append(out, []lint.Finding{f})
	}
	return out
}

// relint lints the copy, and again with the trust policy "samllint fix"
// writes for it when one was given and needs changing.
func relint(t *testing.T, c *saml.Capture, in *lint.Inputs, opts lint.Options) *lint.Result {
	r := lint.LintCapture(c, in, opts)
	if r.Report == nil || !in.Has(lint.InputTrustPolicy) {
		return r
	}
	plan := lint.Fix(r, in)
	if plan.Trust == nil {
		return r
	}
	in = in.Clone()
	b, err := json.Marshal(plan.Trust.Document)
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Add(lint.InputTrustPolicy, "fixed-trust.json", b); err != nil {
		t.Fatal(err)
	}
	return lint.LintCapture(c, in, opts)
}

// compare reports whether the group's findings are gone from after, and
// the errors after has that before had not.
func compare(before, after *lint.Result, group []lint.Finding) (bool, []string) {
	if after.Report == nil {
		return false, []string{"could not lint: " + fmt.Sprint(after.Err)}
	}
	// A finding is gone when its rule ran and did not report it: a value
	// that takes the capture out of the rule's scope mends nothing.
	gone := true
	for _, f := range group {
		if sameFinding(after, f) != "" {
			gone = false
		}
		for _, s := range after.Report.Skipped {
			if s.Rule == f.Rule {
				gone = false
			}
		}
	}
	had := map[string]bool{}
	for _, g := range before.Report.Findings {
		had[g.Rule+" "+g.Location.String()] = true
	}
	var added []string
	for _, g := range after.Report.Findings {
		if g.Severity == lint.Error && !had[g.Rule+" "+g.Location.String()] {
			added = append(added, g.Rule+": "+g.Message)
		}
	}
	sort.Strings(added)
	return gone, added
}

func sameFinding(r *lint.Result, f lint.Finding) string {
	for _, g := range r.Report.Findings {
		if g.Rule == f.Rule && g.Location == f.Location {
			return g.Message
		}
	}
	return ""
}

// substitute is a copy of the capture with the group's expected value at
// each finding's location, re-signed where the test IdP signed the
// original, and the inputs to lint it with.
func substitute(t *testing.T, c *saml.Capture, r *saml.Response, in *lint.Inputs, group []lint.Finding, keys map[string]testkit.KeyPair, sign bool) (*saml.Capture, *lint.Inputs, bool) {
	cp := *c
	want := group[0].Expected
	if group[0].Location.Source == lint.SourceRelayState {
		cp.RelayState = &want
		if in.RelayState != nil {
			in = in.Clone()
			in.RelayState = &want
		}
		return &cp, in, true
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(c.XML); err != nil {
		return nil, nil, false
	}
	// An assertion encrypted for the test key is edited in the clear and
	// encrypted again, as the IdP would send the mended one.
	plain := decrypted(t, doc)
	for _, f := range group {
		path, attr := f.Location.Path, ""
		if steps := splitPath(strings.TrimPrefix(path, "/")); len(steps) > 0 && strings.HasPrefix(steps[len(steps)-1], "@") {
			attr = strings.TrimPrefix(steps[len(steps)-1], "@")
			path = "/" + strings.Join(steps[:len(steps)-1], "/")
		}
		if strings.Contains(path, "/Signature") {
			return nil, nil, false // what a signature holds is the signature's business
		}
		root := doc.Root()
		if steps := splitPath(strings.TrimPrefix(path, "/")); len(steps) > 2 && steps[2] == "Assertion" && plain[steps[1]] != nil {
			root, path = plain[steps[1]].Root(), "/"+strings.Join(steps[2:], "/")
		}
		el := at(root, path)
		if el == nil {
			t.Errorf("%s: no element at %s", f.Rule, f.Location.Path)
			return nil, nil, false
		}
		if attr != "" {
			el.CreateAttr(attr, want)
			continue
		}
		for _, tok := range slices.Clone(el.Child) {
			if _, ok := tok.(*etree.CharData); ok {
				el.RemoveChild(tok)
			}
		}
		el.SetText(want)
	}
	key, signed := signer(r, keys)
	signed = signed && sign
	cert := testkit.LoadKeyPair(t, "idp").Cert
	for step, pd := range plain {
		if signed {
			resign(t, pd, key)
		}
		ea, err := testkit.EncryptAssertion(pd.Root(), cert)
		if err != nil {
			t.Fatal(err)
		}
		box := at(doc.Root(), "/Response/"+step)
		parent, i := box.Parent(), box.Index()
		parent.RemoveChildAt(i)
		parent.InsertChildAt(i, ea)
	}
	if signed {
		resign(t, doc, key)
	}
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	cp.XML = b
	return &cp, in, true
}

// decrypted are the assertions the test IdP's key decrypts from the
// Response's EncryptedAssertions, each its own document, by the path step
// that names its EncryptedAssertion ("EncryptedAssertion[1]"), as
// samllint's paths do (…/EncryptedAssertion[1]/Assertion/…).
func decrypted(t *testing.T, doc *etree.Document) map[string]*etree.Document {
	out := map[string]*etree.Document{}
	n := 0
	for _, ea := range doc.Root().ChildElements() {
		if ea.Tag != "EncryptedAssertion" {
			continue
		}
		n++
		ed := ea.FindElement("./EncryptedData")
		if ed == nil {
			continue
		}
		b, err := xmlenc.Decrypt(testkit.LoadKeyPair(t, "idp").Key, ed)
		if err != nil {
			continue // not for the test key: left as it is
		}
		pd := etree.NewDocument()
		if err := pd.ReadFromBytes(b); err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprintf("EncryptedAssertion[%d]", n)] = pd
	}
	return out
}

// signer is the test key whose certificate the response's signatures
// embed and verify with.
func signer(r *saml.Response, keys map[string]testkit.KeyPair) (testkit.KeyPair, bool) {
	for _, s := range r.Signatures {
		if s.Check == nil || !s.Check.Verdict.Verifies() || s.Check.Signer == nil || s.Check.Signer.Cert == nil {
			continue
		}
		if kp, ok := keys[string(s.Check.Signer.Cert.Raw)]; ok {
			return kp, true
		}
	}
	return testkit.KeyPair{}, false
}

// resign signs again every element that carried a signature.
func resign(t *testing.T, doc *etree.Document, key testkit.KeyPair) {
	var signed []*etree.Element
	var walk func(el *etree.Element)
	walk = func(el *etree.Element) {
		for _, ch := range el.ChildElements() {
			if ch.Tag == "Signature" {
				signed = append(signed, el)
				el.RemoveChild(ch)
				break
			}
		}
		for _, ch := range el.ChildElements() {
			walk(ch)
		}
	}
	walk(doc.Root())
	// The deepest first: the Response's signature covers the assertion's.
	for i := len(signed) - 1; i >= 0; i-- {
		el := signed[i]
		parent := el.Parent()
		s, err := testkit.SignEnveloped(key, el, dsig.RSASHA256SignatureMethod)
		if err != nil {
			t.Fatal(err)
		}
		if parent == nil || parent.Parent() == nil {
			doc.SetRoot(s)
			continue
		}
		idx := el.Index()
		parent.RemoveChildAt(idx)
		parent.InsertChildAt(idx, s)
	}
}

var stepRe = regexp.MustCompile(`^([A-Za-z]+)(?:\[@Name=(?:'([^']*)'|"([^"]*)")\])?(?:\[(\d+)\])?$`)

// at is the element a finding's path names.
func at(root *etree.Element, path string) *etree.Element {
	steps := splitPath(strings.TrimPrefix(path, "/"))
	if len(steps) == 0 || root.Tag != steps[0] {
		return nil
	}
	el := root
	for _, st := range steps[1:] {
		m := stepRe.FindStringSubmatch(st)
		if m == nil {
			return nil
		}
		tag, name, n := m[1], m[2]+m[3], 1
		if m[4] != "" {
			n, _ = strconv.Atoi(m[4])
		}
		var next *etree.Element
		for _, ch := range el.ChildElements() {
			if ch.Tag != tag || (m[2] != "" || m[3] != "") && ch.SelectAttrValue("Name", "") != name {
				continue
			}
			if n--; n == 0 {
				next = ch
				break
			}
		}
		if next == nil {
			return nil
		}
		el = next
	}
	return el
}

// splitPath splits a path at the slashes outside quotes: attribute names
// are URLs.
func splitPath(path string) []string {
	var steps []string
	var quote rune
	start := 0
	for i, r := range path {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '/':
			steps = append(steps, path[start:i])
			start = i + 1
		}
	}
	return append(steps, path[start:])
}
