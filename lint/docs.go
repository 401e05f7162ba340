package lint

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// HomeURL is samllint's home: its repository.
const HomeURL = "https://github.com/samllint/samllint"

// DocURL is where a rule's documentation lives: docs/rules.md in the
// repository (and in every clone).
func DocURL(id string) string {
	return HomeURL + "/blob/main/docs/rules.md#" + anchor(id)
}

func anchor(id string) string { return strings.NewReplacer("/", "", " ", "-").Replace(id) }

func scopeName(s Scope) string {
	switch s {
	case ScopeAWS:
		return "AWS federation captures"
	case ScopeConnect:
		return "Amazon Connect (RelayState or --connect-instance given)"
	case ScopeConfig:
		return "the config file"
	case ScopeOkta:
		return "AWS federation through Okta, with Okta's configuration (--from-okta)"
	}
	return "every SAML response"
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
	fmt.Fprintf(&b, "To confirm, capture: %s\n\n", confirm(r))
	if ex, err := exampleOf(r.ID); err == nil {
		fmt.Fprintf(&b, "Example (lint/examples/%s.txtar; bad is caught, good is not):\n", r.ID)
		for _, l := range strings.Split(strings.TrimRight(ex.text, "\n"), "\n") {
			fmt.Fprintf(&b, "  %s\n", l)
		}
		b.WriteString("\n")
	}
	b.WriteString("References:\n")
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
	b.WriteString("Generated from the rule registry (`lint/registry.go`) and the example files (`lint/examples/`) by ")
	b.WriteString("`samllint rules --format markdown`; a test fails when this file is stale. Rule IDs are a public contract.\n\n")
	b.WriteString("Each rule's example is shown as it is stored, and `TestRuleExamples` runs it: the bad case must produce the ")
	b.WriteString("rule's finding and the good case must not. A case edits the signed sample `testdata/assertions/okta-connect.b64` ")
	b.WriteString("(a synthetic Okta → AWS → Amazon Connect response) before it is signed again with the test IdP key, gives the ")
	b.WriteString("inputs beside it, and lists the findings samllint reports, linted one minute after IssueInstant with ")
	b.WriteString("`testdata/metadata/okta-idp-metadata.xml` unless its options say otherwise. The format is described in ")
	b.WriteString("`lint/examples.go`.\n\n")
	b.WriteString(ruleTable(rules, ""))
	for _, r := range rules {
		b.WriteString("\n## " + r.ID + "\n\n")
		b.WriteString(RuleMarkdown(r))
	}
	return b.String()
}

// ruleTable is the markdown table of rules that opens docs/rules.md
// (link prefixes its anchors).
func ruleTable(rules []*Rule, link string) string {
	var b strings.Builder
	b.WriteString("| rule | severity | applies to | title |\n|---|---|---|---|\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "| [`%s`](%s#%s) | %s | %s | %s |\n", r.ID, link, anchor(r.ID), r.Severity, scopeName(r.Scope), r.Title)
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
	fmt.Fprintf(&b, "To confirm, capture: %s.\n\n", confirm(r))
	if ex, err := exampleOf(r.ID); err == nil {
		fmt.Fprintf(&b, "### Example\n\n`lint/examples/%s.txtar`:\n\n```\n%s```\n\n", r.ID, ex.text)
	}
	b.WriteString("### References\n\n")
	for _, ref := range r.References {
		fmt.Fprintf(&b, "- %s\n", ref)
	}
	return b.String()
}

// Diagnosis is what an error text a user saw points at: the rules whose
// problems produce it, most likely first, and notes on texts whose cause
// lies where no capture reaches.
type Diagnosis struct {
	Causes []*Rule
	Notes  []string
	// Hop is the hop the text names by an operation or a service, whose
	// rules alone can cause it; "" when it names none.
	Hop Hop
}

// Hop is one of the two federations a sign-in to Amazon Connect makes,
// in order: STS assumes the role (AssumeRoleWithSAML), then Connect
// federates the user (GetFederationToken). A failure in the second hop
// cannot come from the first, which succeeded.
type Hop string

const (
	HopAWS     Hop = "the AWS federation (sts:AssumeRoleWithSAML)"
	HopConnect Hop = "the Amazon Connect federation (connect:GetFederationToken)"
)

// hopOf is the hop a rule's problem breaks.
func hopOf(r *Rule) Hop {
	if r.Scope == ScopeConnect {
		return HopConnect
	}
	return HopAWS
}

// hopNamed is the hop an error text names: by its operation first
// (GetFederationToken; AssumeRoleWithSAML), which decides even when the
// text quotes the other service (an assumed-role ARN is arn:aws:sts:…),
// else by its service (Amazon Connect; STS). A text naming both names
// none.
func hopNamed(norm string) Hop {
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(" "+norm+" ", " "+w+" ") {
				return true
			}
		}
		return false
	}
	gft, arws := has("getfederationtoken"), has("assumerolewithsaml")
	connect := has("connect")
	sts := has("sts", "awssecuritytokenservice", "invalididentitytoken", "idprejectedclaim")
	switch {
	case gft && !arws:
		return HopConnect
	case arws && !gft:
		return HopAWS
	case gft || arws:
		return ""
	case connect && !sts:
		return HopConnect
	case sts && !connect:
		return HopAWS
	}
	return ""
}

// knownTexts are errors users meet whose cause samllint cannot check from
// a capture, or that AWS does not document; each says what is known and
// which rules come closest.
var knownTexts = []struct {
	text, note string
	rules      []string
}{
	{"RegionDisabledException", "STS is deactivated in the region of the sign-in endpoint the IdP posts to (the Recipient): " +
		"STS answers RegionDisabledException. samllint cannot see account settings: activate the region in the IAM console, " +
		"Account settings, Security Token Service (STS) endpoints, or post to an endpoint in an active region. " +
		"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_enable-regions.html", []string{"aws/recipient"}},
	{"Session not found", "Not documented by AWS. Connect shows it when the browser reaches Connect without a finished " +
		"federation: the RelayState is not the federation URL, or an embedded CCP cannot keep Connect's session cookie " +
		"(third-party cookies blocked, the page's domain not in the instance's approved origins).", []string{"connect/relay-state-invalid"}},
	{"ValidationError", "STS refused a parameter; from CLI helpers usually \"The requested DurationSeconds exceeds the " +
		"MaxSessionDuration set for this role\" (the helper passed SessionDuration as DurationSeconds).", []string{"aws/session-duration-over-role-max", "aws/session-duration-invalid"}},
	{"MalformedPolicyDocument", "STS refused the session policy passed with the call (its Policy or PolicyArns): the AWS " +
		"console sign-in passes none, so the call came from a tool that assumes the role with SAML (a CLI helper or a " +
		"script), whose policy is at fault, not the IdP's assertion. " +
		"https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html#API_AssumeRoleWithSAML_Errors", nil},
	{"PackedPolicyTooLarge", "The session tags and session policies together exceed STS's packed size limit; STS gives the " +
		"percentage over. samllint checks the tags' count and syntax, not the packed size.", []string{"aws/session-tags-invalid"}},
}

// Diagnose finds the rules whose documented symptoms match an error text
// as a user copied it, or an error code (AccessDenied,
// ExpiredTokenException) or action (connect:GetFederationToken) alone.
func Diagnose(text string) Diagnosis {
	norm := normText(text)
	var d Diagnosis
	if norm == "" {
		return d
	}
	single := !strings.Contains(norm, " ") || strings.Count(strings.TrimSpace(text), " ") == 0
	matched := map[*Rule]int{} // length of the longest symptom matched: the more specific, the likelier
	for _, r := range registry {
		for _, s := range r.Symptoms {
			ns := normText(s)
			hit := strings.Contains(norm, ns) || len(norm) >= 12 && strings.Contains(ns, norm)
			if !hit && single {
				// A code or action alone: a whole word of the symptom.
				hit = strings.Contains(" "+ns+" ", " "+norm+" ")
			}
			if hit {
				if matched[r] == 0 {
					d.Causes = append(d.Causes, r)
				}
				matched[r] = max(matched[r], len(ns))
			}
		}
	}
	for _, k := range knownTexts {
		nk := normText(k.text)
		if !strings.Contains(norm, nk) && !(single && strings.Contains(nk, norm) && len(norm) >= 6) {
			continue
		}
		d.Notes = append(d.Notes, k.note)
		for _, id := range k.rules {
			if r := Lookup(id); r != nil && matched[r] == 0 {
				d.Causes = append(d.Causes, r)
				matched[r] = len(nk)
			}
		}
	}
	// A text that names its hop leaves out the rules of the other: the
	// Connect hop runs only after STS assumed the role.
	if d.Hop = hopNamed(norm); d.Hop != "" {
		var kept []*Rule
		for _, r := range d.Causes {
			if hopOf(r) == d.Hop {
				kept = append(kept, r)
			}
		}
		if len(kept) > 0 {
			d.Causes = kept
		} else {
			d.Hop = ""
		}
	}
	sort.SliceStable(d.Causes, func(i, j int) bool {
		a, b := d.Causes[i], d.Causes[j]
		if rank(a) != rank(b) {
			return rank(a) < rank(b)
		}
		return matched[a] > matched[b]
	})
	return d
}

// NearestRule suggests a rule ID for a mistyped one: within the namespace
// given, else by the name alone; "" when nothing is near.
func NearestRule(text string) string {
	text = strings.TrimSpace(strings.ToLower(text))
	ns, name, hasNS := strings.Cut(text, "/")
	if !hasNS {
		name, ns = text, ""
	}
	best, bestD := "", 1<<30
	for _, r := range registry {
		rns, rname, _ := strings.Cut(r.ID, "/")
		if hasNS && rns != ns {
			continue
		}
		d := levenshtein(name, rname)
		if strings.HasPrefix(rname, name) || strings.Contains(rname, name) && len(name) >= 5 {
			d = 0
		}
		if len(name) >= 8 && len(rname) > len(name) {
			// A misspelt start of a longer ID: role-sesion-name.
			d = min(d, levenshtein(name, rname[:len(name)]))
		}
		if d < bestD {
			best, bestD = r.ID, d
		}
	}
	if bestD <= max(2, len(name)/4) {
		return best
	}
	return ""
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

// confirm says what to capture to confirm a rule: the SAMLResponse, and
// the inputs the rule needs.
func confirm(r *Rule) string {
	if r.Scope == ScopeConfig {
		return "the config file"
	}
	parts := []string{"the SAMLResponse (a HAR export of the sign-in keeps it with its RelayState and post time)"}
	if r.Confirm != "" {
		parts[0] = r.Confirm
	}
	for _, n := range r.Needs {
		if n == InputTime {
			continue
		}
		s := n.String() + " (--" + n.Flag()
		if h := n.Hint(); h != "" {
			s += ": " + h
		}
		parts = append(parts, s+")")
	}
	return strings.Join(parts, ", and ")
}

// ExplainSymptom renders a Diagnosis for a terminal: each cause, most
// likely first, then once what to capture and give to tell them apart.
func ExplainSymptom(text string, d Diagnosis) string {
	var b strings.Builder
	for _, note := range d.Notes {
		fmt.Fprintf(&b, "%s\n\n", note)
	}
	n := len(d.Causes)
	if n == 0 {
		fmt.Fprintf(&b, "%q comes from nothing samllint checks in a capture: the note above says what does.\n", text)
		return b.String()
	}
	fmt.Fprintf(&b, "%q ", text)
	if d.Hop != "" {
		fmt.Fprintf(&b, "is an error of %s, so only its problems can cause it. It ", d.Hop)
	}
	if n == 1 {
		b.WriteString("comes from one problem samllint checks:\n")
	} else {
		fmt.Fprintf(&b, "can come from %d problems samllint checks, the most likely first:\n", n)
	}
	needs := map[Input]bool{}
	var order []Input
	for i, r := range d.Causes {
		fmt.Fprintf(&b, "\n%d. %s (%s): %s\n", i+1, r.ID, r.Severity, r.Title)
		for _, in := range append(append([]Input{}, r.Needs...), r.Reads...) {
			if in != InputTime && !needs[in] {
				needs[in] = true
				order = append(order, in)
			}
		}
	}
	b.WriteString("\nTo tell them apart, capture the sign-in as a HAR (browser developer tools, Network, \"Preserve log\"): it keeps the SAMLResponse, its RelayState and when it was posted")
	if len(order) > 0 {
		b.WriteString("; and give what these checks read beside it:")
		for _, in := range order {
			if in == InputAWSRead {
				b.WriteString("\n  --from-aws  what the AWS account itself holds, read with your credentials (offline: --aws-read FILE, which samllint aws-export writes)")
				continue
			}
			fmt.Fprintf(&b, "\n  %s  %s", in.Give(), in.String())
			if h := in.Hint(); h != "" {
				fmt.Fprintf(&b, " (%s)", h)
			}
		}
	}
	// --from-aws reads every file input itself; the files are the way
	// without AWS credentials.
	var files []string
	fromAWS := false
	for _, in := range order {
		if in == InputAWSRead {
			fromAWS = true
			continue
		}
		files = append(files, in.Give())
	}
	b.WriteString("\nThen run\n")
	switch {
	case fromAWS && len(files) > 0:
		fmt.Fprintf(&b, "  samllint --from-aws sign-in.har\nor, with the files,\n  samllint %s sign-in.har\n", strings.Join(files, " "))
	case fromAWS:
		b.WriteString("  samllint --from-aws sign-in.har\n")
	default:
		fmt.Fprintf(&b, "  %s sign-in.har\n", strings.Join(append([]string{"samllint"}, files...), " "))
	}
	b.WriteString("samllint explain RULE tells more about one.\n")
	return b.String()
}
