package lint

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/samllint/samllint/saml"
)

// DiffRow is one compared field of two captures.
type DiffRow struct {
	Field string `json:"field"`
	A     string `json:"a"`
	B     string `json:"b"`
	Same  bool   `json:"same"`
	// Noise marks fields that differ between any two sign-ins (IDs,
	// instants, signature values); shown only when asked for.
	Noise bool `json:"noise,omitempty"`
}

// Diff answers "why does it work for Alice and not for Bob": the verdict
// of each capture, the fields that matter for sign-in side by side, and
// the findings one has that the other does not.
type Diff struct {
	VerdictA string    `json:"verdict_a"`
	VerdictB string    `json:"verdict_b"`
	Rows     []DiffRow `json:"rows"`
	OnlyA    []Finding `json:"only_a"`
	OnlyB    []Finding `json:"only_b"`
}

// Differences returns the rows that differ, with noise only when all is set.
func (d *Diff) Differences(all bool) []DiffRow {
	out := []DiffRow{}
	for _, r := range d.Rows {
		if (!r.Same || all) && (!r.Noise || all) {
			out = append(out, r)
		}
	}
	return out
}

// Compare builds the Diff of two linted messages.
func Compare(a, b *saml.Message, ra, rb *Report) *Diff {
	d := &Diff{VerdictA: ra.Verdict, VerdictB: rb.Verdict, OnlyA: []Finding{}, OnlyB: []Finding{}}
	fa, fb := fields(a), fields(b)
	keys := map[string]bool{}
	var order []string
	for _, f := range append(append([]field{}, fa...), fb...) {
		if !keys[f.name] {
			keys[f.name] = true
			order = append(order, f.name)
		}
	}
	get := func(fs []field, name string) (string, bool) {
		for _, f := range fs {
			if f.name == name {
				return f.value, f.noise
			}
		}
		return "—", false
	}
	for _, name := range order {
		va, na := get(fa, name)
		vb, nb := get(fb, name)
		d.Rows = append(d.Rows, DiffRow{Field: name, A: va, B: vb, Same: va == vb, Noise: na || nb})
	}
	key := func(f Finding) string { return f.Rule + "\x00" + f.Path + "\x00" + f.Message }
	inB := map[string]bool{}
	for _, f := range rb.Findings {
		inB[key(f)] = true
	}
	inA := map[string]bool{}
	for _, f := range ra.Findings {
		inA[key(f)] = true
		if !inB[key(f)] {
			d.OnlyA = append(d.OnlyA, f)
		}
	}
	for _, f := range rb.Findings {
		if !inA[key(f)] {
			d.OnlyB = append(d.OnlyB, f)
		}
	}
	return d
}

type field struct {
	name, value string
	noise       bool
}

// fields flattens what matters for sign-in in one message; times are given
// relative to the message's own IssueInstant, so two sign-ins compare.
func fields(m *saml.Message) []field {
	var out []field
	add := func(name, value string) { out = append(out, field{name: name, value: value}) }
	noise := func(name, value string) { out = append(out, field{name: name, value: value, noise: true}) }
	r := m.Response
	if r == nil {
		add("error", m.Err.Error())
		return out
	}
	issued := r.IssueInstant
	rel := func(t saml.Time) string {
		if !t.IsSet() {
			return "—"
		}
		if !t.OK || !issued.OK {
			return t.Raw
		}
		d := t.Time.Sub(issued.Time)
		sign := "+"
		if d < 0 {
			sign, d = "−", -d
		}
		return "IssueInstant " + sign + human(d)
	}
	if m.Capture.RelayState != nil {
		add("RelayState", *m.Capture.RelayState)
	}
	noise("Response ID", r.ID)
	noise("IssueInstant", issued.Raw)
	noise("InResponseTo", r.InResponseTo)
	add("Destination", r.Destination)
	if r.Issuer != nil {
		add("Issuer (Response)", r.Issuer.Value)
	}
	if r.Status != nil {
		add("Status", strings.Join(r.Status.Codes, " / ")+optional(r.Status.Message))
	}
	a := r.Consumed()
	if a == nil {
		add("Assertion", fmt.Sprintf("none (%d encrypted)", len(r.EncryptedAssertions)))
	} else {
		noise("Assertion ID", a.ID)
		if a.Issuer != nil {
			add("Issuer (Assertion)", a.Issuer.Value)
		}
		if s := a.Subject; s != nil {
			if n := s.NameID; n != nil {
				add("NameID", n.Value)
				add("NameID Format", n.Format)
			}
			for i, sc := range s.Confirmations {
				p := fmt.Sprintf("SubjectConfirmation[%d] ", i+1)
				add(p+"Method", sc.Method)
				add(p+"Recipient", sc.Recipient)
				add(p+"NotOnOrAfter", rel(sc.NotOnOrAfter))
			}
		}
		if c := a.Conditions; c != nil {
			add("NotBefore", rel(c.NotBefore))
			add("NotOnOrAfter", rel(c.NotOnOrAfter))
			var aud []string
			for _, v := range c.Audiences {
				aud = append(aud, v.Value)
			}
			add("Audiences", strings.Join(aud, ", "))
		}
		for i, st := range a.AuthnStatements {
			add(fmt.Sprintf("AuthnStatement[%d] SessionNotOnOrAfter", i+1), rel(st.SessionNotOnOrAfter))
			noise(fmt.Sprintf("AuthnStatement[%d] SessionIndex", i+1), st.SessionIndex)
		}
		var names []string
		seen := map[string][]*saml.Attribute{}
		for _, at := range a.Attributes {
			if seen[at.Name] == nil {
				names = append(names, at.Name)
			}
			seen[at.Name] = append(seen[at.Name], at)
		}
		for _, n := range names {
			var vals []string
			for _, at := range seen[n] {
				vals = append(vals, at.Strings()...)
			}
			short := strings.TrimPrefix(n, attrPrefix)
			if n == AttrRole {
				for i, v := range vals {
					rp := parseRoleValue(v, "")
					desc := v
					if role, prov, ok := rp.Pair(); ok {
						desc = "role " + role.Raw + " · provider " + prov.Raw
					}
					add(fmt.Sprintf("Role[%d]", i+1), desc)
				}
				continue
			}
			add("Attribute "+short, strings.Join(vals, " | "))
		}
	}
	for i, s := range r.Signatures {
		p := fmt.Sprintf("Signature[%d] on <%s> ", i+1, s.ParentTag)
		add(p+"algorithms", shortAlg(s.SignatureMethod)+" / "+digests(s)+" / "+shortAlg(s.CanonicalizationMethod))
		if len(s.Certificates) > 0 {
			add(p+"certificate", s.Certificates[0].Describe())
		}
		if s.Check != nil {
			add(p+"verdict", string(s.Check.Verdict))
		}
		if sv := s.Path; sv != "" {
			noise(p+"path", sv)
		}
	}
	cv := r.Coverage()
	add("Coverage", map[bool]string{true: "covered (" + strings.Join(cv.ViaNames, ", ") + ")", false: "NOT covered"}[cv.Covered])
	return out
}

func optional(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf(" (%q)", s)
}

func shortAlg(uri string) string {
	uri = strings.TrimRight(uri, "#/")
	if i := strings.LastIndexAny(uri, "#/"); i >= 0 {
		return uri[i+1:]
	}
	return or(uri, "—")
}

func digests(s *saml.Signature) string {
	set := map[string]bool{}
	for _, r := range s.References {
		set[shortAlg(r.DigestMethod)] = true
	}
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// RelativeTo renders t relative to base ("+5m", "−10m"), for timelines.
func RelativeTo(t, base time.Time) string {
	d := t.Sub(base)
	if d < 0 {
		return "−" + human(-d)
	}
	return "+" + human(d)
}
