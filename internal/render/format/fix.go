package format

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/samllint/samllint/internal/render/redact"
	"github.com/samllint/samllint/lint"
)

// Plan is one capture's fix plan with the result it was made from.
type Plan struct {
	Result *lint.Result
	Plan   *lint.Plan
	// Wrote lists the files fix --write wrote for it.
	Wrote []string
}

// PolicyJSON renders a policy document as aws iam expects it in a file,
// Version first, as IAM's own documents are written.
func PolicyJSON(v any) string {
	if m, ok := v.(map[string]any); ok && m["Version"] != nil {
		v = policyOrder(m)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
	return string(EscapeJSON(b.Bytes()))
}

// FixTextWriter writes "samllint fix" plan by plan: for each capture its
// verdict, the policy documents to apply (merged with the ones given) or
// the statement to add, the IdP settings to change, and what was left to
// a person. A plan for a capture of a HAR or SAML-tracer export is headed
// by its label.
type FixTextWriter struct {
	w   io.Writer
	red *redact.Redactor
	n   int
	err error
}

// NewFixText starts fix text on w.
func NewFixText(w io.Writer, redacted bool) *FixTextWriter {
	f := &FixTextWriter{w: w}
	if redacted {
		f.red = redact.New()
	}
	return f
}

// Finish ends the text.
func (f *FixTextWriter) Finish() error { return f.err }

// Plan writes one plan.
func (f *FixTextWriter) Plan(p Plan) {
	if f.err != nil {
		return
	}
	var b strings.Builder
	if c := p.Result.Capture; c != nil && c.Source != "" {
		if f.n > 0 {
			b.WriteString("\n")
		}
		Printf(&b, "# %s\n\n", Label(p.Result))
	}
	f.n++
	if p.Result.Err != nil {
		Printf(&b, "could not lint: %s\n", OneLine(p.Result.Err.Error()))
	} else {
		fixPlan(&b, p)
	}
	s := b.String()
	if f.red != nil {
		red := f.red.Scope()
		red.Learn(p.Result.Response, p.Result.Capture)
		s = red.String(s)
	}
	_, f.err = io.WriteString(f.w, Clean(s))
}

// policyOrder is a policy document whose top-level keys encode in IAM's
// order: Version, Id, Statement, then the rest as encoding/json sorts them.
type policyOrder map[string]any

func (p policyOrder) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	keys := []string{"Version", "Id", "Statement"}
	var rest []string
	for k := range p {
		if k != "Version" && k != "Id" && k != "Statement" {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	n := 0
	for _, k := range append(keys, rest...) {
		v, ok := p[k]
		if !ok {
			continue
		}
		if n++; n > 1 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		var vb bytes.Buffer
		enc := json.NewEncoder(&vb)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(bytes.TrimSuffix(vb.Bytes(), []byte("\n")))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func fixPlan(w io.Writer, p Plan) {
	plan := p.Plan
	Println(w, p.Result.Report.Verdict)
	empty := true
	for _, fp := range []struct {
		title string
		p     *lint.FixedPolicy
	}{{"Trust policy", plan.Trust}, {"Permissions policy to add", plan.Permissions}} {
		if fp.p == nil {
			continue
		}
		empty = false
		Printf(w, "\n## %s (%s)\n", fp.title, fp.p.File)
		for _, c := range fp.p.Changes {
			Printf(w, "# - %s\n", c)
		}
		Printf(w, "# apply: %s\n", fp.p.Command)
		fmt.Fprint(w, PolicyJSON(fp.p.Document))
	}
	for _, st := range []struct {
		title string
		s     *lint.StatementToAdd
	}{{"Trust policy: the statement it must hold", plan.TrustStatement}, {"Permissions: the statement the role needs", plan.PermissionsStatement}} {
		if st.s == nil {
			continue
		}
		empty = false
		Printf(w, "\n## %s (%s)\n# %s\n# apply: %s\n", st.title, st.s.File, st.s.Why, st.s.Command)
		fmt.Fprint(w, PolicyJSON(st.s.Document))
	}
	if len(plan.IdP) > 0 {
		empty = false
		fmt.Fprintln(w, "\n## IdP settings")
		for _, c := range plan.IdP {
			Printf(w, "- %s (%s)\n", c.Where, strings.Join(c.Rules, ", "))
			for _, ch := range c.Changes {
				Printf(w, "  %s\n", ch)
			}
		}
	}
	if len(plan.Notes) > 0 {
		fmt.Fprintln(w, "\n## Not changed automatically")
		for _, n := range plan.Notes {
			Printf(w, "- %s\n", n)
		}
	}
	if empty {
		fmt.Fprintln(w, "\nNothing to change in the policies or the IdP settings samllint can see.")
	}
	if len(p.Wrote) > 0 {
		Println(w)
		for _, f := range p.Wrote {
			Printf(w, "wrote %s\n", f)
		}
	}
}

// FixJSONWriter writes fix's JSON plan by plan.
type FixJSONWriter struct {
	w     io.Writer
	red   *redact.Redactor
	plans jsonArray
	err   error
}

type fixEntry struct {
	Input   string     `json:"input"`
	Capture int        `json:"capture"`
	Verdict string     `json:"verdict"`
	Error   string     `json:"error,omitempty"`
	Plan    *lint.Plan `json:"plan,omitempty"`
	Wrote   []string   `json:"wrote,omitempty"`
}

// NewFixJSON starts fix's JSON document on w.
func NewFixJSON(w io.Writer, redacted bool) *FixJSONWriter {
	f := &FixJSONWriter{w: w, plans: jsonArray{w: w, indent: "  "}}
	if redacted {
		f.red = redact.New()
	}
	_, f.err = io.WriteString(w, "{\n  \"plans\": ")
	return f
}

// Plan writes one plan.
func (f *FixJSONWriter) Plan(p Plan) {
	if f.err != nil {
		return
	}
	e := fixEntry{Input: p.Result.Input, Plan: p.Plan, Wrote: p.Wrote}
	if p.Result.Capture != nil {
		e.Capture = p.Result.Capture.Index
	}
	if p.Result.Err != nil {
		e.Verdict, e.Error = "could not lint", OneLine(p.Result.Err.Error())
	} else {
		e.Verdict = p.Result.Report.Verdict
	}
	var red *redact.Redactor
	if f.red != nil {
		red = f.red.Scope()
		red.Learn(p.Result.Response, p.Result.Capture)
	}
	b, err := element(e, red)
	if err != nil {
		f.err = err
		return
	}
	f.plans.add(b)
}

// Finish ends the document.
func (f *FixJSONWriter) Finish() error {
	if f.err != nil {
		return f.err
	}
	if err := f.plans.close(); err != nil {
		return err
	}
	_, err := io.WriteString(f.w, "\n}\n")
	return err
}
