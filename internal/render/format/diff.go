package format

import (
	"fmt"
	"io"
	"strings"

	"github.com/samllint/samllint/internal/render/redact"
	"github.com/samllint/samllint/lint"
)

// DiffSide is one side of a diff: its name and its result.
type DiffSide struct {
	Name   string
	Result *lint.Result
}

func diffRedactor(sides [2]DiffSide) *redact.Redactor {
	red := redact.New()
	for _, s := range sides {
		red.Learn(s.Result.Response, s.Result.Capture)
	}
	return red
}

// DiffText writes "samllint diff": each side's verdict, the facts that
// differ (all of them with all), and the findings only one side has.
func DiffText(w io.Writer, sides [2]DiffSide, d *lint.Diff, all, redacted bool) error {
	var b strings.Builder
	Printf(&b, "A: %s — %s\n", sides[0].Name, d.VerdictA)
	Printf(&b, "B: %s — %s\n", sides[1].Name, d.VerdictB)
	rows := d.Differences(all)
	if len(rows) == 0 {
		fmt.Fprintln(&b, "\nNo difference that matters for sign-in.")
	} else {
		fw := 5
		for _, r := range rows {
			fw = max(fw, len(r.Field))
		}
		Printf(&b, "\n%-*s  %s\n", fw, "field", "A  ⟷  B")
		for _, r := range rows {
			mark := "≠"
			if r.Same {
				mark = "="
			}
			Printf(&b, "%-*s  A %s\n%-*s  B %s  %s\n", fw, r.Field, r.A, fw, "", r.B, mark)
		}
	}
	for _, side := range []struct {
		label string
		fs    []lint.Finding
	}{{"A", d.OnlyA}, {"B", d.OnlyB}} {
		Printf(&b, "\nfindings only in %s: %d\n", side.label, len(side.fs))
		for _, f := range side.fs {
			Printf(&b, "  %-7s %s: %s\n           at %s\n", f.Severity, f.Rule, f.Message, f.Location)
		}
	}
	s := b.String()
	if redacted {
		s = diffRedactor(sides).String(s)
	}
	_, err := io.WriteString(w, Clean(s))
	return err
}

type diffDoc struct {
	A           string         `json:"a"`
	B           string         `json:"b"`
	VerdictA    string         `json:"verdict_a"`
	VerdictB    string         `json:"verdict_b"`
	Differences []lint.DiffRow `json:"differences"`
	OnlyA       []lint.Finding `json:"only_a"`
	OnlyB       []lint.Finding `json:"only_b"`
	// XMLA and XMLB are the page's: each side's indented XML, so the
	// locations of findings can be shown.
	XMLA []xmlLine `json:"xml_a,omitempty"`
	XMLB []xmlLine `json:"xml_b,omitempty"`
}

// DiffPage writes the diff as the page wants it: compact, with each
// side's indented XML.
func DiffPage(w io.Writer, sides [2]DiffSide, d *lint.Diff, redacted bool) error {
	doc := diffDoc{A: sides[0].Name, B: sides[1].Name, VerdictA: d.VerdictA, VerdictB: d.VerdictB, Differences: d.Differences(false), OnlyA: d.OnlyA, OnlyB: d.OnlyB,
		XMLA: XMLLines(sides[0].Result.Response), XMLB: XMLLines(sides[1].Result.Response)}
	return writeJSON(w, doc, diffRun(sides, redacted), "")
}

func diffRun(sides [2]DiffSide, redacted bool) *Run {
	run := &Run{}
	if redacted {
		run.Redact = true
		run.Results = []*lint.Result{sides[0].Result, sides[1].Result}
	}
	return run
}

// DiffJSON writes the diff as one document.
func DiffJSON(w io.Writer, sides [2]DiffSide, d *lint.Diff, all, redacted bool, indent string) error {
	doc := diffDoc{A: sides[0].Name, B: sides[1].Name, VerdictA: d.VerdictA, VerdictB: d.VerdictB, Differences: d.Differences(all), OnlyA: d.OnlyA, OnlyB: d.OnlyB}
	return writeJSON(w, doc, diffRun(sides, redacted), indent)
}
