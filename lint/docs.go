package lint

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// DocURL is where a rule's documentation lives.
func DocURL(id string) string {
	return "https://github.com/samllint/samllint/blob/main/docs/rules.md#" + anchor(id)
}

func anchor(id string) string { return strings.NewReplacer("/", "", " ", "-").Replace(id) }

func scopeName(s Scope) string {
	switch s {
	case ScopeAWS:
		return "AWS federation captures"
	case ScopeConnect:
		return "Amazon Connect (RelayState or --connect-instance given)"
	}
	return "every SAML response"
}

// describeExample renders an example as lines of plain text.
func describeExample(ex Example) []string {
	lines := []string{ex.Note}
	if ex.Transform != "" {
		lines = append(lines, "change: "+Transforms[ex.Transform])
	}
	for _, e := range ex.Edits {
		lines = append(lines, "- "+clipText(e.Old, 160), "+ "+clipText(e.New, 160))
	}
	if ex.RelayState != "" {
		lines = append(lines, "RelayState: "+ex.RelayState)
	}
	if ex.Trust != "" {
		lines = append(lines, "trust policy: "+ex.Trust)
	}
	if ex.Permissions != "" {
		lines = append(lines, "permissions policy: "+ex.Permissions)
	}
	if ex.Users != nil {
		lines = append(lines, "Connect users: "+strings.Join(ex.Users, ", "))
	}
	if ex.After != "" {
		lines = append(lines, "evaluated "+ex.After+" after IssueInstant")
	}
	return lines
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Explain renders one rule for a terminal ("samllint explain").
func Explain(r *Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s\n\n", r.ID, r.Severity, r.Title)
	fmt.Fprintf(&b, "Applies to: %s\n\n", scopeName(r.Scope))
	fmt.Fprintf(&b, "Why it breaks sign-in:\n%s\n\n", wrap(r.Why, 78, "  "))
	fmt.Fprintf(&b, "Fix:\n%s\n\n", wrap(r.Fix, 78, "  "))
	if len(r.Symptoms) > 0 {
		b.WriteString("What users see:\n")
		for _, s := range r.Symptoms {
			fmt.Fprintf(&b, "  %q\n", s)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "To confirm: %s\n\n", confirm(r))
	b.WriteString("Bad example (the sample response with these changes):\n")
	for _, l := range describeExample(r.Bad) {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	b.WriteString("\nGood example:\n")
	for _, l := range describeExample(r.Good) {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	b.WriteString("\nReferences:\n")
	for _, ref := range r.References {
		fmt.Fprintf(&b, "  - %s\n", ref)
	}
	fmt.Fprintf(&b, "\n%s\n", DocURL(r.ID))
	return b.String()
}

func wrap(s string, width int, indent string) string {
	var lines []string
	line := indent
	for _, w := range strings.Fields(s) {
		if len(line)+len(w)+1 > width && strings.TrimSpace(line) != "" {
			lines = append(lines, line)
			line = indent
		}
		if strings.TrimSpace(line) != "" {
			line += " "
		}
		line += w
	}
	if strings.TrimSpace(line) != "" {
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// Markdown renders the whole catalog: docs/rules.md.
func Markdown(rules []*Rule) string {
	var b strings.Builder
	b.WriteString("# samllint rules\n\n")
	b.WriteString("Generated from the rule registry (`lint/registry.go`) by `samllint rules --format markdown`; ")
	b.WriteString("a test fails when this file is stale. Rule IDs are a public contract.\n\n")
	b.WriteString("Examples are changes to the signed sample `testdata/assertions/okta-connect.b64`, linted one minute after its IssueInstant ")
	b.WriteString("with `testdata/metadata/okta-idp-metadata.xml`; every rule's examples are run by `TestRuleExamples`. ")
	b.WriteString("Sources in brackets refer to the failure-mode catalog.\n\n")
	b.WriteString("| rule | severity | applies to | title |\n|---|---|---|---|\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s | %s |\n", r.ID, anchor(r.ID), r.Severity, scopeName(r.Scope), r.Title)
	}
	for _, r := range rules {
		b.WriteString("\n## " + r.ID + "\n\n")
		b.WriteString(RuleMarkdown(r))
	}
	return b.String()
}

// RuleMarkdown renders one rule's documentation (without its heading):
// the docs/rules.md section, and the SARIF help text.
func RuleMarkdown(r *Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s.** Default severity: %s. Applies to %s.\n\n", r.Title, r.Severity, scopeName(r.Scope))
	fmt.Fprintf(&b, "### Why\n\n%s\n\n### Fix\n\n%s\n\n", r.Why, r.Fix)
	if len(r.Symptoms) > 0 {
		b.WriteString("### What users see\n\n")
		for _, s := range r.Symptoms {
			fmt.Fprintf(&b, "- %q\n", s)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "To confirm: %s.\n\n", confirm(r))
	for _, ex := range []struct {
		title string
		ex    Example
	}{{"Problematic", r.Bad}, {"Correct", r.Good}} {
		fmt.Fprintf(&b, "### %s\n\n%s\n", ex.title, ex.ex.Note)
		lines := describeExample(ex.ex)[1:]
		if len(lines) > 0 {
			b.WriteString("\n```\n" + strings.Join(lines, "\n") + "\n```\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("### References\n\n")
	for _, ref := range r.References {
		fmt.Fprintf(&b, "- %s\n", ref)
	}
	return b.String()
}

// Diagnose returns the rules whose documented symptoms match an error text
// as a user copied it, most likely cause first.
func Diagnose(text string) []*Rule {
	norm := normText(text)
	if norm == "" {
		return nil
	}
	var out []*Rule
	matched := map[*Rule]int{} // length of the longest symptom matched: the more specific, the likelier
	for _, r := range registry {
		for _, s := range r.Symptoms {
			ns := normText(s)
			if strings.Contains(norm, ns) || len(norm) >= 12 && strings.Contains(ns, norm) {
				if matched[r] == 0 {
					out = append(out, r)
				}
				matched[r] = max(matched[r], len(ns))
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if rank(out[i]) != rank(out[j]) {
			return rank(out[i]) < rank(out[j])
		}
		return matched[out[i]] > matched[out[j]]
	})
	return out
}

func rank(r *Rule) int {
	if r.Rank == 0 {
		return 100
	}
	return r.Rank
}

// normText lower-cases and keeps letters, digits and single spaces, so a
// pasted message matches whatever its punctuation and line breaks.
func normText(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
		} else {
			space = true
		}
	}
	return b.String()
}

// confirm says what to capture to confirm a rule.
func confirm(r *Rule) string {
	if r.Confirm != "" {
		return r.Confirm
	}
	return "the SAMLResponse (a HAR export of the sign-in, or the form value)"
}

// ExplainSymptom renders Diagnose's answer for a terminal.
func ExplainSymptom(text string, rules []*Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q can come from %d %s, most likely first:\n", text, len(rules), map[bool]string{true: "rule", false: "rules"}[len(rules) == 1])
	for i, r := range rules {
		fmt.Fprintf(&b, "\n%d. %s (%s): %s\n", i+1, r.ID, r.Severity, r.Title)
		fmt.Fprintf(&b, "   to confirm: %s\n", confirm(r))
	}
	b.WriteString("\nRun samllint on what you captured; samllint explain RULE tells more about one.\n")
	return b.String()
}
