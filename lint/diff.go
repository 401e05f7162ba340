package lint

import (
	"strings"
	"time"

	"github.com/samllint/samllint/saml"
)

// DiffRow is one compared fact of two captures.
type DiffRow struct {
	Field string `json:"field"`
	A     string `json:"a"`
	B     string `json:"b"`
	Same  bool   `json:"same"`
	// Noise marks facts that differ between any two sign-ins (IDs,
	// instants, signature values); shown only when asked for.
	Noise bool `json:"noise,omitempty"`
	// PathA and PathB locate the fact in each response's XML.
	PathA string `json:"path_a,omitempty"`
	PathB string `json:"path_b,omitempty"`
}

// Diff answers "why does it work for Alice and not for Bob": the verdict
// of each capture, the facts that matter for sign-in side by side, and
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

// Compare builds the Diff of two linted captures. Both must have a
// Report (no Err).
func Compare(a, b *Result) *Diff {
	d := &Diff{VerdictA: a.Report.Verdict, VerdictB: b.Report.Verdict, Rows: []DiffRow{}, OnlyA: []Finding{}, OnlyB: []Finding{}}
	fa, fb := diffFacts(a), diffFacts(b)
	index := func(fs []saml.Fact) map[string]saml.Fact {
		m := map[string]saml.Fact{}
		for _, f := range fs {
			m[f.Name] = f
		}
		return m
	}
	ia, ib := index(fa), index(fb)
	for _, name := range mergeOrder(fa, fb) {
		x, inA := ia[name]
		y, inB := ib[name]
		row := DiffRow{Field: name, A: "—", B: "—", Noise: x.Noise || y.Noise, PathA: x.Path, PathB: y.Path}
		if inA {
			row.A = x.Value
		}
		if inB {
			row.B = y.Value
		}
		row.Same = row.A == row.B
		d.Rows = append(d.Rows, row)
	}
	key := func(f Finding) string { return f.Rule + "\x00" + f.Location.String() + "\x00" + f.Message }
	inB := map[string]bool{}
	for _, f := range b.Report.Findings {
		inB[key(f)] = true
	}
	inA := map[string]bool{}
	for _, f := range a.Report.Findings {
		inA[key(f)] = true
		if !inB[key(f)] {
			d.OnlyA = append(d.OnlyA, f)
		}
	}
	for _, f := range b.Report.Findings {
		if !inA[key(f)] {
			d.OnlyB = append(d.OnlyB, f)
		}
	}
	return d
}

// mergeOrder lists the fact names of a, then those only b has, each
// placed after the fact b has before it: rows keep document order.
func mergeOrder(a, b []saml.Fact) []string {
	var out []string
	at := map[string]int{}
	for _, f := range a {
		if _, ok := at[f.Name]; !ok {
			at[f.Name] = len(out)
			out = append(out, f.Name)
		}
	}
	prev := -1
	for _, f := range b {
		if i, ok := at[f.Name]; ok {
			prev = i
			continue
		}
		prev++
		out = append(out[:prev], append([]string{f.Name}, out[prev:]...)...)
		for k, v := range at {
			if v >= prev {
				at[k] = v + 1
			}
		}
		at[f.Name] = prev
	}
	return out
}

// diffFacts is the facts of a capture as diff compares them: times
// relative to the response's own IssueInstant, so two sign-ins compare;
// Role values taken apart; how the capture was decoded as noise.
func diffFacts(res *Result) []saml.Fact {
	facts := saml.Facts(res.Capture, res.Response)
	var issued *time.Time
	for _, f := range facts {
		if f.Name == "IssueInstant" {
			issued = f.Time
		}
	}
	out := make([]saml.Fact, 0, len(facts))
	for _, f := range facts {
		switch {
		case f.Section == "capture" && f.Name != "RelayState" && f.Name != "reply" && f.Name != "reply says":
			f.Noise = true
		case f.Time != nil && issued != nil && !f.Noise:
			f.Value = "IssueInstant " + RelativeTo(*f.Time, *issued)
		case strings.HasPrefix(f.Name, AttrRole) && f.Section == "attributes":
			rp := parseRoleValue(f.Value, f.Path)
			if role, prov, ok := rp.Pair(); ok {
				f.Value = "role " + role.Raw + " · provider " + prov.Raw
			}
		}
		if f.Section == "attributes" {
			f.Name = "Attribute " + strings.TrimPrefix(f.Name, attrPrefix)
		}
		out = append(out, f)
	}
	return out
}

// RelativeTo renders t relative to base ("+5m", "−10m"), for timelines.
func RelativeTo(t, base time.Time) string {
	d := t.Sub(base)
	if d < 0 {
		return "−" + human(-d)
	}
	return "+" + human(d)
}
