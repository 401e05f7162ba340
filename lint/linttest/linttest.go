// Package linttest lets a team's Go tests keep captured SAML responses as
// golden files: each capture in a folder, with a <name>.case.yaml beside it
// saying with what it is linted, and a <name>.want.json holding the
// expected report. Run lints every case through lint.Lint, the pipeline
// every samllint front end uses, and compares; with Update it rewrites the
// want files instead (go test ./... -update).
//
// A want file records the checks a capture skipped as the inputs that
// would run them, not rule by rule, so that a samllint release with a new
// rule does not rewrite every want file.
//
//	var update = flag.Bool("update", false, "rewrite golden files")
//
//	func TestSignIn(t *testing.T) {
//		linttest.Run(t, "testdata/captures", linttest.Options{Update: *update})
//	}
package linttest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/samllint/samllint/lint"
)

// Options tune Run.
type Options struct {
	// Update rewrites the want files instead of comparing.
	Update bool
	// WantDir holds the want files; empty means beside the captures.
	WantDir string
	// Rules keeps in the want file only what stays the same from one
	// sign-in to the next: each capture's outcome, and its findings as
	// "severity rule at location". For captures a live IdP makes afresh
	// on every run, with new IDs, times and signatures.
	Rules bool
}

// Case is a <name>.case.yaml. Paths are relative to the case file; the
// keys are samllint's flag names with "_" for "-".
//
// Without now or at_issue, each response is evaluated when the capture
// says it was posted (a HAR records it), else at IssueInstant + 1 minute:
// a case never depends on the day it runs.
type Case struct {
	Capture     string      `yaml:"capture"` // default: the file named <name>.* that is not a sidecar
	Now         string      `yaml:"now"`     // RFC 3339
	AtIssue     bool        `yaml:"at_issue"`
	RelayState  *string     `yaml:"relay_state"`
	Skew        string      `yaml:"skew"`
	AWS         bool        `yaml:"aws"`
	Metadata    []string    `yaml:"metadata"`
	Cert        []string    `yaml:"cert"`
	Key         []string    `yaml:"key"`
	TrustPolicy string      `yaml:"trust_policy"`
	Permissions []string    `yaml:"permissions_policy"`
	SCP         []string    `yaml:"scp"`
	Boundary    string      `yaml:"permissions_boundary"`
	Users       string      `yaml:"connect_users"`
	Config      string      `yaml:"config"`
	Expect      lint.Expect `yaml:"expect"`
}

// ReadCase reads a .case.yaml; unknown keys are errors.
func ReadCase(file string) (*Case, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var c Case
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, caseErr(file, err)
	}
	if c.Now != "" && c.AtIssue {
		return nil, fmt.Errorf("%s: now and at_issue exclude each other", file)
	}
	return &c, nil
}

// files lists the case's input files by kind, in the loader's order.
func (c *Case) files() []struct {
	kind  lint.Input
	paths []string
} {
	one := func(p string) []string {
		if p == "" {
			return nil
		}
		return []string{p}
	}
	return []struct {
		kind  lint.Input
		paths []string
	}{
		{lint.InputMetadata, c.Metadata}, {lint.InputCertificate, c.Cert}, {lint.InputKey, c.Key},
		{lint.InputTrustPolicy, one(c.TrustPolicy)}, {lint.InputPermissionsPolicy, c.Permissions},
		{lint.InputSCP, c.SCP}, {lint.InputPermissionsBoundary, one(c.Boundary)},
		{lint.InputConnectUsers, one(c.Users)}, {lint.InputConfig, one(c.Config)},
	}
}

// Inputs loads the case's inputs, its paths relative to dir.
func (c *Case) Inputs(dir string) (*lint.Inputs, lint.Options, error) {
	in := &lint.Inputs{RelayState: c.RelayState, AWS: c.AWS, Expect: c.Expect}
	var opts lint.Options
	if c.Now != "" {
		t, err := time.Parse(time.RFC3339, c.Now)
		if err != nil {
			return nil, opts, fmt.Errorf("now: %w", err)
		}
		opts.Now = t
	}
	opts.AtIssue = c.AtIssue
	if c.Skew != "" {
		d, err := time.ParseDuration(c.Skew)
		if err != nil {
			return nil, opts, fmt.Errorf("skew: %w", err)
		}
		opts.Skew = d
	}
	for _, f := range c.files() {
		for _, p := range f.paths {
			b, err := os.ReadFile(filepath.Join(dir, p))
			if err != nil {
				return nil, opts, err
			}
			if err := in.Add(f.kind, p, b); err != nil {
				return nil, opts, err
			}
		}
	}
	return in, opts, nil
}

// Args renders the case as samllint's command-line flags, to reproduce
// it by hand: the same inputs, the same findings.
func (c *Case) Args() []string {
	var args []string
	if c.Now != "" {
		args = append(args, "--now", c.Now)
	}
	if c.AtIssue {
		args = append(args, "--at-issue")
	}
	if c.RelayState != nil {
		args = append(args, "--"+lint.InputRelayState.Flag(), *c.RelayState)
	}
	if c.Skew != "" {
		args = append(args, "--skew", c.Skew)
	}
	if c.AWS {
		args = append(args, "--"+lint.InputAWS.Flag())
	}
	for _, f := range c.files() {
		for _, p := range f.paths {
			args = append(args, "--"+f.kind.Flag(), p)
		}
	}
	e := c.Expect
	for _, kv := range [][2]string{{"recipient", e.Recipient}, {"audience", e.Audience}, {"issuer", e.Issuer}, {"account", e.Account}, {"region", e.Region}, {"connect-instance", e.ConnectInstance}} {
		if kv[1] != "" {
			args = append(args, "--"+kv[0], kv[1])
		}
	}
	return args
}

// CaptureFile is the case's capture: Capture, or the file named
// <name>.* in dir that is not a sidecar.
func (c *Case) CaptureFile(dir, name string) (string, error) {
	if c.Capture != "" {
		return c.Capture, nil
	}
	m, _ := filepath.Glob(filepath.Join(dir, name+".*"))
	sort.Strings(m)
	for _, p := range m {
		base := filepath.Base(p)
		if !strings.HasSuffix(base, ".case.yaml") && !strings.HasSuffix(base, ".want.json") {
			return base, nil
		}
	}
	return "", fmt.Errorf("no capture named %s.* in %s", name, dir)
}

// Run lints every case in dir (every <name>.case.yaml) as a subtest.
func Run(t *testing.T, dir string, opt Options) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.case.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("linttest: no *.case.yaml in %s", dir)
	}
	sort.Strings(files)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".case.yaml")
		t.Run(name, func(t *testing.T) {
			wantDir := opt.WantDir
			if wantDir == "" {
				wantDir = dir
			}
			Check(t, f, filepath.Join(wantDir, name+".want.json"), opt)
		})
	}
}

// Check lints one case and compares its report with the want file, or
// rewrites the want file under opt.Update.
func Check(t *testing.T, caseFile, want string, opt Options) {
	t.Helper()
	lintFn := Lint
	if opt.Rules {
		lintFn = LintRules
	}
	got, err := lintFn(caseFile)
	if err != nil {
		t.Fatal(err)
	}
	if opt.Update {
		if err := os.MkdirAll(filepath.Dir(want), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(want, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(want)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(b, got) {
		t.Errorf("report differs from %s (run with -update and review the diff):\n%s", want, diff(string(b), string(got)))
	}
}

// LintRules is Lint reduced to what a live IdP does not change between
// runs: per capture, the outcome and "severity rule at location" lines.
func LintRules(caseFile string) ([]byte, error) {
	reps, err := reports(caseFile)
	if err != nil {
		return nil, err
	}
	type brief struct {
		Capture  int          `json:"capture"`
		Outcome  lint.Outcome `json:"outcome,omitempty"`
		Findings []string     `json:"findings"`
		Error    string       `json:"error,omitempty"`
	}
	out := []brief{}
	for _, r := range reps {
		b := brief{Capture: r.Capture, Outcome: r.Outcome, Findings: []string{}, Error: r.Error}
		for _, f := range r.Findings {
			b.Findings = append(b.Findings, fmt.Sprintf("%s %s at %s", f.Severity, f.Rule, f.Location))
		}
		out = append(out, b)
	}
	return encode(out)
}

// report is the stable JSON a case's want file holds.
type report struct {
	Capture    int            `json:"capture"`
	Source     string         `json:"source,omitempty"`
	Clock      *lint.Clock    `json:"clock,omitempty"`
	Outcome    lint.Outcome   `json:"outcome,omitempty"`
	Verdict    string         `json:"verdict"`
	Findings   []lint.Finding `json:"findings"`
	Suppressed []lint.Finding `json:"suppressed"`
	Skipped    []skipped      `json:"skipped"`
	Notices    []lint.Finding `json:"notices,omitempty"`
	Error      string         `json:"error,omitempty"`
}

// skipped is what a want file keeps of the checks a capture skipped: each
// distinct set of inputs that would run some, and why they did not run.
type skipped struct {
	Needs   lint.Needs `json:"needs"`
	Because string     `json:"because,omitempty"`
}

var skippedCount = regexp.MustCompile(`\b\d+ checks? skipped\b`)

func skippedOf(rep *lint.Report) (string, []skipped) {
	out := []skipped{}
	seen := map[string]bool{}
	for _, s := range rep.Skipped {
		key := s.Needs.String() + "\x00" + s.Because
		if !seen[key] {
			seen[key] = true
			out = append(out, skipped{Needs: s.Needs, Because: s.Because})
		}
	}
	// Sorted, so that a new rule early in the registry does not reorder them.
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Needs.String(), out[j].Needs.String()
		return a < b || a == b && out[i].Because < out[j].Because
	})
	return skippedCount.ReplaceAllString(rep.Verdict, "# checks skipped"), out
}

// Lint lints the case a .case.yaml describes and returns its report as
// the want file holds it.
func Lint(caseFile string) ([]byte, error) {
	out, err := reports(caseFile)
	if err != nil {
		return nil, err
	}
	return encode(out)
}

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func reports(caseFile string) ([]report, error) {
	c, err := ReadCase(caseFile)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(caseFile)
	in, opts, err := c.Inputs(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", caseFile, err)
	}
	capture, err := c.CaptureFile(dir, strings.TrimSuffix(filepath.Base(caseFile), ".case.yaml"))
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, capture))
	if err != nil {
		return nil, err
	}
	opts.Name = capture
	out := []report{}
	results, err := lint.Lint(data, in, opts)
	if err != nil {
		out = append(out, report{Error: err.Error(), Verdict: "could not lint", Findings: []lint.Finding{}, Suppressed: []lint.Finding{}, Skipped: []skipped{}})
	}
	for _, r := range results {
		rep := report{Capture: r.Capture.Index, Source: r.Capture.Source, Findings: []lint.Finding{}, Suppressed: []lint.Finding{}, Skipped: []skipped{}}
		if r.Err != nil {
			rep.Error, rep.Verdict = r.Err.Error(), "could not lint"
			out = append(out, rep)
			continue
		}
		clock := r.Report.Clock
		rep.Clock, rep.Outcome = &clock, r.Report.Outcome
		rep.Verdict, rep.Skipped = skippedOf(r.Report)
		rep.Findings, rep.Suppressed = r.Report.Findings, r.Report.Suppressed
		out = append(out, rep)
	}
	if in.Config() != nil && len(out) > 0 {
		var first *lint.Result
		if len(results) > 0 {
			first = results[0]
		}
		out[len(out)-1].Notices = lint.RunNotices(in, opts, first)
	}
	return out, nil
}

// diff shows the first differing lines, enough to see what changed.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, a, b)
		}
	}
	return "(only whitespace differs)"
}

// caseErr says what is wrong with a case file in one line, by line
// number and in the file's own terms: yaml's own text names Go types.
func caseErr(file string, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) || len(te.Errors) == 0 {
		return fmt.Errorf("%s: %w", file, err)
	}
	msg := te.Errors[0]
	if m := unknownKey.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s:%s: unknown key %q; expected one of %s", file, m[1], m[2], strings.Join(caseKeys(), ", "))
	}
	if m := badValue.FindStringSubmatch(msg); m != nil {
		what := "a " + map[string]string{"map": "mapping", "seq": "list"}[m[2]]
		if m[3] != "" {
			what = fmt.Sprintf("the value %q", strings.Trim(m[3], "`"))
		} else if what == "a " {
			what = "a " + m[2]
		}
		return fmt.Errorf("%s:%s: %s is not %s", file, m[1], what, plainType(m[4]))
	}
	return fmt.Errorf("%s: %s", file, msg)
}

var (
	unknownKey = regexp.MustCompile(`^line (\d+): field (\S+) not found in type`)
	badValue   = regexp.MustCompile(`^line (\d+): cannot unmarshal !!(\w+)(?: (.*))? into (\S+)$`)
)

// caseKeys lists a case file's keys, from Case's yaml tags.
func caseKeys() []string {
	var keys []string
	t := reflect.TypeFor[Case]()
	for i := range t.NumField() {
		if k, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

func plainType(goType string) string {
	switch {
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case goType == "string" || goType == "*string":
		return "a string"
	}
	return "of the expected kind (" + goType + ")"
}
