package lint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/samllint/samllint/internal/base/lazyre"
	"go.yaml.in/yaml/v3"
)

// ConfigNames are the file names FindConfig looks for, in order.
var ConfigNames = []string{".samllint.yaml", ".samllint.yml", ".samllint.json"}

// Config is a team's .samllint.yaml: pinned values, which rules run at
// what severity, and suppressions with reasons.
type Config struct {
	Path   string `yaml:"-"`
	Expect Expect `yaml:"expect"`
	Skew   string `yaml:"skew"`
	Rules  struct {
		// Disable and Enable take rule IDs or prefixes ending in /* (aws/*);
		// Enable wins, so a rule can be kept from a disabled family.
		Disable  []string          `yaml:"disable"`
		Enable   []string          `yaml:"enable"`
		Severity map[string]string `yaml:"severity"`
	} `yaml:"rules"`
	Suppressions []*Suppression `yaml:"suppressions"`

	skew time.Duration
	sev  map[string]Severity
	// required are the rules this run keeps on whatever the file says
	// (Require): no disable, suppression or lower severity touches them.
	required map[string]bool
	// requiredBy names what required them, for the notice.
	requiredBy string
}

// RequireSignature is the pattern Require takes for every Trust rule.
const RequireSignature = "signature"

// Require keeps the rules matching patterns (IDs, families such as
// saml/*, or RequireSignature for the rules that judge whether the
// response is the IdP's own) on at their default severity, whatever the
// file says: CI that lints a pull request's captures must not let the
// pull request's own config turn off the checks that catch a forgery.
// by names the requirement in the notices (a flag). The config's attempts
// to turn a required rule off are Notices, as config/rule-required.
func (c *Config) Require(patterns []string, by string) error {
	if c.required == nil {
		c.required = map[string]bool{}
	}
	c.requiredBy = by
	for _, p := range patterns {
		if p == RequireSignature {
			for _, r := range registry {
				if r.Trust {
					c.required[r.ID] = true
				}
			}
			continue
		}
		if !knownPattern(p) {
			return fmt.Errorf("unknown rule %q (samllint rules lists them; a family is written aws/*, and %q is every signature rule)", p, RequireSignature)
		}
		for _, r := range registry {
			if patternMatches(p, r.ID) {
				c.required[r.ID] = true
			}
		}
	}
	return nil
}

// Suppression silences one rule where it matches, for a stated reason and
// optionally until a date.
type Suppression struct {
	Rule    string `yaml:"rule" json:"rule"`
	Reason  string `yaml:"reason" json:"reason"`
	Expires string `yaml:"expires" json:"expires,omitempty"`
	Match   struct {
		Input  string `yaml:"input" json:"input,omitempty"`   // glob on the input path
		Issuer string `yaml:"issuer" json:"issuer,omitempty"` // exact Issuer
		Path   string `yaml:"path" json:"path,omitempty"`     // location prefix
	} `yaml:"match" json:"match"`

	line    int
	expires time.Time
	// hits counts the findings it silenced; captures of a batch run at
	// once, and only "none" matters, so the order of counting does not.
	hits atomic.Int64
}

// ConfigError is a config file problem, with its line when known.
type ConfigError struct {
	File string
	Line int
	Msg  string
}

func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// FindConfig looks for a config file in dir and its parents; "" when none.
func FindConfig(dir string) string {
	for {
		for _, n := range ConfigNames {
			p := filepath.Join(dir, n)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// LoadConfig reads a YAML (or JSON, which is YAML) config. Unknown keys,
// unknown rule IDs, bad severities and suppressions without a reason are
// errors naming the line.
func LoadConfig(file string) (*Config, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, &ConfigError{File: file, Msg: err.Error()}
	}
	return ParseConfig(b, file)
}

// ParseConfig is LoadConfig on bytes.
func ParseConfig(b []byte, file string) (*Config, error) {
	c := &Config{Path: file}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, yamlErr(file, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlErr(file, err)
	}
	lines := suppressionLines(&root)
	bad := func(line int, format string, args ...any) error {
		return &ConfigError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	if c.Skew != "" {
		d, err := time.ParseDuration(c.Skew)
		if err != nil || d < 0 {
			return nil, bad(findLine(&root, "skew"), "skew %q: expected a duration such as 5m", c.Skew)
		}
		c.skew = d
	}
	for _, list := range [][]string{c.Rules.Disable, c.Rules.Enable} {
		for _, id := range list {
			if !knownPattern(id) {
				return nil, bad(findValueLine(&root, id), "unknown rule %q (samllint rules lists them; a family is written aws/*)", id)
			}
		}
	}
	c.sev = map[string]Severity{}
	for id, s := range c.Rules.Severity {
		if Lookup(id) == nil {
			return nil, bad(findLine(&root, id), "unknown rule %q in rules.severity", id)
		}
		sev, err := ParseSeverity(s)
		if err != nil || sev > Error {
			return nil, bad(findLine(&root, id), "severity %q for %s: expected error, warning or info", s, id)
		}
		c.sev[id] = sev
	}
	for i, s := range c.Suppressions {
		if i < len(lines) {
			s.line = lines[i]
		}
		switch {
		case Lookup(s.Rule) == nil:
			return nil, bad(s.line, "suppression %d: unknown rule %q", i+1, s.Rule)
		case strings.TrimSpace(s.Reason) == "":
			return nil, bad(s.line, "suppression %d (%s) has no reason; say why it is safe to ignore", i+1, s.Rule)
		case s.Match.Input != "":
			if _, err := path.Match(s.Match.Input, ""); err != nil {
				return nil, bad(s.line, "suppression %d: bad input glob %q", i+1, s.Match.Input)
			}
		}
		if s.Expires != "" {
			t, err := time.Parse("2006-01-02", s.Expires)
			if err != nil {
				return nil, bad(s.line, "suppression %d: expires %q: expected a date such as 2027-01-31", i+1, s.Expires)
			}
			s.expires = t.Add(24 * time.Hour) // through the end of that day
		}
	}
	return c, nil
}

var unknownFieldRe = lazyre.New(`^field (\S+) not found in type`)

func yamlErr(file string, err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	line := 0
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		if i := strings.Index(msg, ":"); i >= 0 {
			msg = strings.TrimSpace(msg[i+1:])
		}
	}
	msg = strings.Join(strings.Fields(msg), " ")
	if m := unknownFieldRe.FindStringSubmatch(msg); m != nil {
		msg = fmt.Sprintf("unknown key %q; docs/config.md lists the keys", m[1])
	}
	return &ConfigError{File: file, Line: line, Msg: msg}
}

func knownPattern(p string) bool {
	if strings.HasSuffix(p, "/*") {
		prefix := strings.TrimSuffix(p, "*")
		for _, r := range registry {
			if strings.HasPrefix(r.ID, prefix) {
				return true
			}
		}
		return false
	}
	return Lookup(p) != nil
}

func patternMatches(p, id string) bool {
	if strings.HasSuffix(p, "/*") {
		return strings.HasPrefix(id, strings.TrimSuffix(p, "*"))
	}
	return p == id
}

// findLine returns the line of a mapping key anywhere in the document.
func findLine(n *yaml.Node, key string) int {
	if n == nil {
		return 0
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i].Line
			}
		}
	}
	for _, c := range n.Content {
		if l := findLine(c, key); l > 0 {
			return l
		}
	}
	return 0
}

func findValueLine(n *yaml.Node, v string) int {
	if n == nil {
		return 0
	}
	if n.Kind == yaml.ScalarNode && n.Value == v {
		return n.Line
	}
	for _, c := range n.Content {
		if l := findValueLine(c, v); l > 0 {
			return l
		}
	}
	return 0
}

func suppressionLines(root *yaml.Node) []int {
	var out []int
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == "suppressions" && n.Content[i+1].Kind == yaml.SequenceNode {
					for _, item := range n.Content[i+1].Content {
						out = append(out, item.Line)
					}
					return
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
	return out
}

// enabledRules returns the registry filtered by enable/disable, with
// severity overrides applied (to copies: the registry is never changed).
func (c *Config) enabledRules() []*Rule {
	var out []*Rule
	for _, r := range registry {
		if c.required[r.ID] {
			out = append(out, r)
			continue
		}
		on := true
		for _, p := range c.Rules.Disable {
			if patternMatches(p, r.ID) {
				on = false
			}
		}
		for _, p := range c.Rules.Enable {
			if patternMatches(p, r.ID) {
				on = true
			}
		}
		if !on {
			continue
		}
		if sev, ok := c.sev[r.ID]; ok {
			cp := *r
			cp.Severity = sev
			r = &cp
		}
		out = append(out, r)
	}
	return out
}

// Suppressed marks a finding a suppression silenced.
type Suppressed struct {
	Reason  string `json:"reason"`
	Expires string `json:"expires,omitempty"`
}

// suppress moves the findings the config's suppressions match out of
// rep.Findings into rep.Suppressed; input is the input's path and issuer
// the response's Issuer. now decides which suppressions have expired.
func (c *Config) suppress(rep *Report, input, issuer string, now time.Time) {
	var kept []Finding
	for _, f := range rep.Findings {
		if s := c.match(f, input, issuer, now); s != nil {
			s.hits.Add(1)
			f.Suppressed = &Suppressed{Reason: s.Reason, Expires: s.Expires}
			rep.Suppressed = append(rep.Suppressed, f)
			continue
		}
		kept = append(kept, f)
	}
	if kept == nil {
		kept = []Finding{}
	}
	rep.Findings = kept
	rep.recount()
}

func (c *Config) match(f Finding, input, issuer string, now time.Time) *Suppression {
	for _, s := range c.Suppressions {
		if s.Rule != f.Rule || c.required[s.Rule] || !s.expires.IsZero() && !now.Before(s.expires) {
			continue
		}
		if s.Match.Input != "" {
			ok, _ := path.Match(s.Match.Input, filepath.ToSlash(input))
			okBase, _ := path.Match(s.Match.Input, filepath.Base(input))
			if !ok && !okBase {
				continue
			}
		}
		if s.Match.Issuer != "" && s.Match.Issuer != issuer {
			continue
		}
		if s.Match.Path != "" && !strings.HasPrefix(f.Location.Path, s.Match.Path) {
			continue
		}
		return s
	}
	return nil
}

// Notices are what the config itself deserves to be told once every
// capture of a run has been linted: suppressions that expired
// (config/suppression-expired) and ones that matched nothing
// (config/suppression-unused). now decides expiry.
func (c *Config) Notices(now time.Time) []Finding {
	out := []Finding{}
	if c == nil {
		return out
	}
	enabled := map[string]*Rule{}
	for _, r := range c.enabledRules() {
		enabled[r.ID] = r
	}
	add := func(r *Rule, f Finding) {
		if r = enabled[r.ID]; r != nil {
			f.Rule, f.Severity = r.ID, r.Severity
			out = append(out, f)
		}
	}
	out = append(out, c.rulesOff(enabled)...)
	for i, s := range c.Suppressions {
		loc := Location{Source: SourceConfig, File: c.Path, Line: s.line, Path: fmt.Sprintf("suppressions[%d]", i+1)}
		switch {
		case c.required[s.Rule]:
			continue // config/rule-required says it
		case !s.expires.IsZero() && !now.Before(s.expires):
			add(suppressionExpired, Finding{
				Message:  fmt.Sprintf("the suppression of %s expired on %s and no longer applies", s.Rule, s.Expires),
				Location: loc, Expected: "an unexpired suppression, or none", Actual: "expired " + s.Expires,
				Fix: "Fix the problem, or extend the expiry with a reason that still holds."})
		case s.hits.Load() == 0:
			add(suppressionUnused, Finding{
				Message:  fmt.Sprintf("the suppression of %s matched nothing; remove it?", s.Rule),
				Location: loc, Expected: "a suppression that matches a finding", Actual: "no match",
				Fix: "Remove the suppression, or correct its match."})
		}
	}
	return out
}

// rulesOff are the notices of what the config turns off: one
// config/rules-off listing every rule it disables, lowers or suppresses,
// so that a reader of CI's log sees it; and a config/rule-required for
// each of those the run requires, which ran anyway.
func (c *Config) rulesOff(enabled map[string]*Rule) []Finding {
	var out []Finding
	var off []string
	// A run that requires rules hears of the config's attempts whatever
	// the config says of these two.
	report := func(r *Rule, f Finding) {
		if on := enabled[r.ID]; on != nil || len(c.required) > 0 {
			if on != nil {
				r = on
			}
			f.Rule, f.Severity = r.ID, r.Severity
			out = append(out, f)
		}
	}
	required := func(what string, ids []string, loc Location) {
		report(ruleRequired, Finding{
			Message:  fmt.Sprintf("the config %s, which this run requires (%s): checked as if the config did not say so", what, c.requiredBy),
			Location: loc, Expected: strings.Join(ids, ", ") + " on, at the default severity, unsuppressed", Actual: what,
			Fix: "Remove it from the config: a rule that tells a forged response from the IdP's own is not the config's to turn off."})
	}
	loc := Location{Source: SourceConfig, File: c.Path, Path: "rules"}
	for _, p := range c.Rules.Disable {
		var ids, req []string
		for _, r := range registry {
			if !patternMatches(p, r.ID) || slices.ContainsFunc(c.Rules.Enable, func(e string) bool { return patternMatches(e, r.ID) }) {
				continue
			}
			ids = append(ids, r.ID)
			if c.required[r.ID] {
				req = append(req, r.ID)
			}
		}
		switch {
		case len(ids) == 0:
			continue
		case p == ids[0]:
			off = append(off, "disables "+p)
		default:
			off = append(off, fmt.Sprintf("disables %s (%d rules)", p, len(ids)))
		}
		if len(req) > 0 {
			required("disables "+strings.Join(req, ", "), req, loc)
		}
	}
	for _, r := range registry {
		if sev, ok := c.sev[r.ID]; ok && sev < r.Severity {
			off = append(off, fmt.Sprintf("lowers %s to %s", r.ID, sev))
			if c.required[r.ID] {
				required(fmt.Sprintf("lowers %s to %s", r.ID, sev), []string{r.ID}, loc)
			}
		}
	}
	for i, s := range c.Suppressions {
		scope := "everywhere"
		if s.Match.Input != "" || s.Match.Issuer != "" || s.Match.Path != "" {
			scope = "where it matches"
		}
		off = append(off, fmt.Sprintf("suppresses %s %s (%s)", s.Rule, scope, s.Reason))
		if c.required[s.Rule] {
			required("suppresses "+s.Rule, []string{s.Rule}, Location{Source: SourceConfig, File: c.Path, Line: s.line, Path: fmt.Sprintf("suppressions[%d]", i+1)})
		}
	}
	if len(off) > 0 {
		report(rulesOff, Finding{
			Message:  fmt.Sprintf("the config turns off what samllint checks: %s", strings.Join(off, "; ")),
			Location: Location{Source: SourceConfig, File: c.Path}, Expected: "every rule on", Actual: strings.Join(off, "; "),
			Fix: "Nothing to do if each is meant; a reviewer of a change to the config should read this line."})
	}
	return out
}

var rulesOff = &Rule{
	ID: "config/rules-off", Severity: Info, Scope: ScopeConfig,
	Title: "the config turns rules off",
	Why: "A config can disable rules, lower their severity and suppress their findings. Each run says which, once, so that " +
		"whoever reads CI's log (or reviews a change to the config) sees what is no longer checked.",
	Fix:        "Nothing to do if each is meant.",
	References: []string{"docs/config.md — the .samllint.yaml reference"},
}

var ruleRequired = &Rule{
	ID: "config/rule-required", Severity: Error, Scope: ScopeConfig,
	Title: "the config turns off a rule the run requires",
	Why: "A run can require rules (samllint lint --require-rules, and the GitHub Action for every signature rule unless " +
		"told otherwise): the rules that tell a forged response from the IdP's own must not be turned off by a config a pull " +
		"request can change. The rule runs anyway, and the attempt is an error.",
	Fix:        "Remove the disable, severity or suppression of the rule from the config.",
	References: []string{"docs/config.md — the .samllint.yaml reference"},
}

var suppressionExpired = &Rule{
	ID: "config/suppression-expired", Severity: Warning, Scope: ScopeConfig,
	Title: "a suppression in the config has expired",
	Why: "A suppression with an expiry date stops applying after it, so the finding it hid is reported again. " +
		"The date is when the team meant to have fixed the problem.",
	Fix:        "Fix the problem, or extend the expiry with a reason that still holds.",
	References: []string{"docs/config.md — the .samllint.yaml reference"},
}

var suppressionUnused = &Rule{
	ID: "config/suppression-unused", Severity: Info, Scope: ScopeConfig,
	Title: "a suppression in the config matched nothing",
	Why: "A suppression that silences nothing is dead weight, or its match (rule, input, issuer, path) is wrong and the " +
		"finding it was meant for still shows.",
	Fix:        "Remove the suppression, or correct its match.",
	References: []string{"docs/config.md — the .samllint.yaml reference"},
}
