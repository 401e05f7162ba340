package format

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/samllint/samllint/lint"
)

// Plan is one capture's fix plan with the result it was made from.
type Plan struct {
	Result *lint.Result
	Plan   *lint.Plan
}

// PolicyJSON renders a policy document as aws iam expects it in a file.
func PolicyJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
	return b.String()
}

// FixText writes "samllint fix": for each capture its verdict, the policy
// documents to apply (merged with the ones given) or the statement to
// add, the IdP settings to change, and what was left to a person.
func FixText(w io.Writer, plans []Plan, redacted bool) error {
	var b strings.Builder
	for i, p := range plans {
		if len(plans) > 1 {
			if i > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "# %s\n\n", Label(p.Result))
		}
		if p.Result.Err != nil {
			fmt.Fprintf(&b, "could not lint: %s\n", OneLine(p.Result.Err.Error()))
			continue
		}
		fixPlan(&b, p)
	}
	s := b.String()
	if redacted {
		run := &Run{}
		for _, p := range plans {
			run.Results = append(run.Results, p.Result)
		}
		s = run.redactor().String(s)
	}
	_, err := io.WriteString(w, Clean(s))
	return err
}

func fixPlan(w io.Writer, p Plan) {
	plan := p.Plan
	fmt.Fprintln(w, p.Result.Report.Verdict)
	empty := true
	for _, fp := range []struct {
		title string
		p     *lint.FixedPolicy
	}{{"Trust policy", plan.Trust}, {"Permissions policy to add", plan.Permissions}} {
		if fp.p == nil {
			continue
		}
		empty = false
		fmt.Fprintf(w, "\n## %s (%s)\n", fp.title, fp.p.File)
		for _, c := range fp.p.Changes {
			fmt.Fprintf(w, "# - %s\n", c)
		}
		fmt.Fprintf(w, "# apply: %s\n", fp.p.Command)
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
		fmt.Fprintf(w, "\n## %s\n# %s\n", st.title, st.s.Why)
		fmt.Fprint(w, PolicyJSON(st.s.Statement))
	}
	if len(plan.IdP) > 0 {
		empty = false
		fmt.Fprintln(w, "\n## IdP settings")
		for _, c := range plan.IdP {
			fmt.Fprintf(w, "- %s (%s)\n", c.Where, strings.Join(c.Rules, ", "))
			for _, ch := range c.Changes {
				fmt.Fprintf(w, "  %s\n", ch)
			}
		}
	}
	if len(plan.Notes) > 0 {
		fmt.Fprintln(w, "\n## Not changed automatically")
		for _, n := range plan.Notes {
			fmt.Fprintf(w, "- %s\n", n)
		}
	}
	if empty {
		fmt.Fprintln(w, "\nNothing to change in the policies or the IdP settings samllint can see.")
	}
}

// FixJSON writes the plans as one document.
func FixJSON(w io.Writer, plans []Plan, redacted bool) error {
	type entry struct {
		Input   string     `json:"input"`
		Capture int        `json:"capture"`
		Verdict string     `json:"verdict"`
		Error   string     `json:"error,omitempty"`
		Plan    *lint.Plan `json:"plan,omitempty"`
	}
	doc := struct {
		Plans []entry `json:"plans"`
	}{Plans: []entry{}}
	run := &Run{Redact: redacted}
	for _, p := range plans {
		e := entry{Input: p.Result.Input, Plan: p.Plan}
		if p.Result.Capture != nil {
			e.Capture = p.Result.Capture.Index
		}
		if p.Result.Err != nil {
			e.Verdict, e.Error = "could not lint", OneLine(p.Result.Err.Error())
		} else {
			e.Verdict = p.Result.Report.Verdict
		}
		doc.Plans = append(doc.Plans, e)
		run.Results = append(run.Results, p.Result)
	}
	return writeJSON(w, doc, run, "  ")
}
