package testkit

import (
	"bytes"
	"cmp"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// A golden file records what its capture's findings are. Which rules were
// skipped for want of an input is the registry's business: one new rule
// with Needs would otherwise rewrite every golden. So goldens keep the
// inputs that would run more checks and drop the rule lists and counts;
// testdata/golden/skipped.txt asserts, once, which rule needs what and why.

var (
	skippedCount = regexp.MustCompile(`\b\d+ checks? skipped\b`)
	skippedHead  = regexp.MustCompile(`(?m)^skipped \d+ checks?:$`)
	ruleList     = regexp.MustCompile(`^(  .*?)(?:; [^:]*)?: [a-z]+/[a-z0-9-]+(?:, [a-z]+/[a-z0-9-]+)*$`)
	rulesRun     = regexp.MustCompile(`(?m)^\s*"rules_run": \d+,\n`)
	skippedTotal = regexp.MustCompile(`,\n\s*"skipped": \d+\n`)
)

// StableSkipped rewrites the skipped part of samllint's text or JSON
// output (by the golden file's extension) as goldens keep it.
func StableSkipped(name, out string) string {
	out = skippedCount.ReplaceAllString(out, "# checks skipped")
	if strings.HasSuffix(name, ".json") {
		return stableJSON(out)
	}
	out = skippedHead.ReplaceAllString(out, "skipped checks (the rules each input runs: testdata/golden/skipped.txt):")
	// The section's lines, rule lists dropped, sorted: a new rule placed
	// early in the registry does not reorder them.
	lines := strings.Split(out, "\n")
	start := -1
	for i := 0; i <= len(lines); i++ {
		in := i < len(lines) && start >= 0 && strings.HasPrefix(lines[i], "  ")
		switch {
		case in:
			if m := ruleList.FindStringSubmatch(lines[i]); m != nil {
				lines[i] = m[1]
			}
		case start >= 0:
			slices.Sort(lines[start:i])
			start = -1
		}
		if i < len(lines) && strings.HasPrefix(lines[i], "skipped checks (") {
			start = i + 1
		}
	}
	return strings.Join(lines, "\n")
}

// stableJSON drops the summary's rules_run and skipped counts, and turns
// each "skipped" array of rules into the distinct inputs that would run
// them (input, capture, needs, because), sorted.
func stableJSON(out string) string {
	out = rulesRun.ReplaceAllString(out, "")
	out = skippedTotal.ReplaceAllString(out, "\n")
	var b strings.Builder
	for {
		i := strings.Index(out, `"skipped": [`)
		if i < 0 {
			b.WriteString(out)
			return b.String()
		}
		start := i + len(`"skipped": `)
		end := closing(out, start)
		if end < 0 {
			b.WriteString(out)
			return b.String()
		}
		indent := out[strings.LastIndexByte(out[:i], '\n')+1 : i]
		b.WriteString(out[:start])
		b.WriteString(groupSkipped(out[start:end+1], indent))
		out = out[end+1:]
	}
}

// closing finds the bracket that closes the one at s[start].
func closing(s string, start int) int {
	depth, quoted, escaped := 0, false, false
	for j := start; j < len(s); j++ {
		c := s[j]
		switch {
		case escaped:
			escaped = false
		case quoted && c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

type skippedEntry struct {
	Input   string   `json:"input,omitempty"`
	Capture int      `json:"capture,omitempty"`
	Needs   []string `json:"needs"`
	Because string   `json:"because,omitempty"`
}

func groupSkipped(array, indent string) string {
	var entries []skippedEntry
	if err := json.Unmarshal([]byte(array), &entries); err != nil || len(entries) == 0 {
		return array
	}
	seen := map[string]bool{}
	kept := entries[:0]
	for _, e := range entries {
		key := e.Input + "\x00" + strconv.Itoa(e.Capture) + "\x00" + strings.Join(e.Needs, ",") + "\x00" + e.Because
		if !seen[key] {
			seen[key] = true
			kept = append(kept, e)
		}
	}
	slices.SortStableFunc(kept, func(a, b skippedEntry) int {
		return cmp.Or(cmp.Compare(a.Input, b.Input), cmp.Compare(a.Capture, b.Capture),
			cmp.Compare(strings.Join(a.Needs, ","), strings.Join(b.Needs, ",")), cmp.Compare(a.Because, b.Because))
	})
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(indent, "  ")
	if err := enc.Encode(kept); err != nil {
		return array
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
