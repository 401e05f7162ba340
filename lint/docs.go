package lint

import (
	"fmt"
	"strings"
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
		fmt.Fprintf(&b, "\n## %s\n\n", r.ID)
		fmt.Fprintf(&b, "**%s.** Default severity: %s. Applies to %s.\n\n", r.Title, r.Severity, scopeName(r.Scope))
		fmt.Fprintf(&b, "### Why\n\n%s\n\n### Fix\n\n%s\n\n", r.Why, r.Fix)
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
	}
	return b.String()
}
