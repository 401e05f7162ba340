// Package linttest lets a team's Go tests keep captured SAML responses as
// golden files: each capture in a folder, with a <name>.case.yaml beside it
// saying when and with what it is linted, and a <name>.want.json holding
// the expected report. Run lints every case and compares; with Update it
// rewrites the want files instead (go test ./... -update).
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
	"sort"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/lint/policy"
	"github.com/samllint/samllint/saml"
)

// Options tune Run.
type Options struct {
	// Update rewrites the want files instead of comparing.
	Update bool
	// WantDir holds the want files; empty means beside the captures.
	WantDir string
}

// Case is a <name>.case.yaml. Paths are relative to the case file.
type Case struct {
	Capture     string      `yaml:"capture"` // default: the file named <name>.* that is not a sidecar
	Now         string      `yaml:"now"`     // RFC 3339
	AtIssue     bool        `yaml:"at_issue"`
	RelayState  *string     `yaml:"relay_state"`
	Skew        string      `yaml:"skew"`
	AWS         bool        `yaml:"aws"`
	Metadata    []string    `yaml:"metadata"`
	Certs       []string    `yaml:"certs"`
	Keys        []string    `yaml:"keys"`
	TrustPolicy string      `yaml:"trust_policy"`
	Permissions []string    `yaml:"permissions_policy"`
	Users       string      `yaml:"connect_users"`
	Config      string      `yaml:"config"`
	Expect      lint.Expect `yaml:"expect"`
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
			got, err := lintCase(f, name)
			if err != nil {
				t.Fatal(err)
			}
			wantDir := opt.WantDir
			if wantDir == "" {
				wantDir = dir
			}
			want := filepath.Join(wantDir, name+".want.json")
			if opt.Update {
				if err := os.MkdirAll(wantDir, 0o755); err != nil {
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
		})
	}
}

// report is the stable JSON a case's want file holds.
type report struct {
	Capture     int            `json:"capture"`
	Source      string         `json:"source,omitempty"`
	EvaluatedAt time.Time      `json:"evaluated_at"`
	Verdict     string         `json:"verdict"`
	Findings    []lint.Finding `json:"findings"`
	Suppressed  []lint.Finding `json:"suppressed"`
	Skipped     []lint.Skipped `json:"skipped"`
	Error       string         `json:"error,omitempty"`
}

func lintCase(file, name string) ([]byte, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var c Case
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	dir := filepath.Dir(file)
	rel := func(p string) string { return filepath.Join(dir, p) }
	opts, keys, cfg, err := c.options(rel)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	capture := c.Capture
	if capture == "" {
		capture, err = findCapture(dir, name)
		if err != nil {
			return nil, err
		}
	}
	data, err := os.ReadFile(rel(capture))
	if err != nil {
		return nil, err
	}
	out := []report{}
	msgs, err := saml.Read(data, saml.Options{Anchors: opts.Anchors, DecryptionKeys: keys})
	if err != nil {
		out = append(out, report{Error: err.Error(), Findings: []lint.Finding{}, Suppressed: []lint.Finding{}, Skipped: []lint.Skipped{}})
	}
	rules := lint.Rules()
	if cfg != nil {
		rules = cfg.EnabledRules()
	}
	for _, m := range msgs {
		r := report{Capture: m.Capture.Index, Source: m.Capture.Source, Findings: []lint.Finding{}, Suppressed: []lint.Finding{}, Skipped: []lint.Skipped{}}
		if m.Err != nil {
			r.Error = m.Err.Error()
			out = append(out, r)
			continue
		}
		o := opts
		if c.AtIssue {
			o.Now = m.Response.IssueInstant.Time
		}
		rep, err := lint.RunRules(rules, m, o)
		if err != nil {
			return nil, err
		}
		if cfg != nil {
			issuer := ""
			if a := m.Response.Consumed(); a != nil && a.Issuer != nil {
				issuer = a.Issuer.Value
			}
			cfg.Suppress(rep, capture, issuer, rep.EvaluatedAt)
		}
		r.EvaluatedAt, r.Verdict, r.Findings, r.Skipped = rep.EvaluatedAt, rep.Verdict, rep.Findings, rep.Skipped
		if rep.Suppressed != nil {
			r.Suppressed = rep.Suppressed
		}
		out = append(out, r)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func findCapture(dir, name string) (string, error) {
	m, _ := filepath.Glob(filepath.Join(dir, name+".*"))
	for _, p := range m {
		base := filepath.Base(p)
		if !strings.HasSuffix(base, ".case.yaml") && !strings.HasSuffix(base, ".want.json") && !strings.HasSuffix(base, ".flags") {
			return base, nil
		}
	}
	return "", fmt.Errorf("no capture named %s.* in %s", name, dir)
}

func (c *Case) options(rel func(string) string) (lint.Options, []any, *lint.Config, error) {
	opts := lint.Options{Expect: c.Expect, AWS: c.AWS, RelayState: c.RelayState}
	switch {
	case c.Now != "" && c.AtIssue:
		return opts, nil, nil, fmt.Errorf("now and at_issue exclude each other")
	case c.Now != "":
		t, err := time.Parse(time.RFC3339, c.Now)
		if err != nil {
			return opts, nil, nil, fmt.Errorf("now: %w", err)
		}
		opts.Now = t
	case !c.AtIssue:
		return opts, nil, nil, fmt.Errorf("a case needs now or at_issue: golden results must not depend on the clock")
	}
	if c.Skew != "" {
		d, err := time.ParseDuration(c.Skew)
		if err != nil {
			return opts, nil, nil, fmt.Errorf("skew: %w", err)
		}
		opts.Skew = d
	}
	anchors := &saml.Anchors{}
	for _, m := range c.Metadata {
		b, err := os.ReadFile(rel(m))
		if err != nil {
			return opts, nil, nil, err
		}
		a, err := saml.LoadMetadata(b, m)
		if err != nil {
			return opts, nil, nil, err
		}
		anchors.Add(a)
	}
	for _, p := range c.Certs {
		b, err := os.ReadFile(rel(p))
		if err != nil {
			return opts, nil, nil, err
		}
		a, err := saml.LoadCertificates(b, p)
		if err != nil {
			return opts, nil, nil, err
		}
		anchors.Add(a)
	}
	if !anchors.Empty() {
		opts.Anchors = anchors
	}
	var keys []any
	for _, p := range c.Keys {
		b, err := os.ReadFile(rel(p))
		if err != nil {
			return opts, nil, nil, err
		}
		k, err := saml.LoadPrivateKeys(b)
		if err != nil {
			return opts, nil, nil, err
		}
		keys = append(keys, k...)
	}
	if c.TrustPolicy != "" {
		f, err := loadPolicy(rel(c.TrustPolicy), c.TrustPolicy)
		if err != nil {
			return opts, nil, nil, err
		}
		opts.TrustPolicy, opts.TrustRole = f.Trust, f.Role
		opts.Permissions = append(opts.Permissions, f.Permissions...)
	}
	for _, p := range c.Permissions {
		f, err := loadPolicy(rel(p), p)
		if err != nil {
			return opts, nil, nil, err
		}
		opts.Permissions = append(opts.Permissions, f.Permissions...)
	}
	if c.Users != "" {
		b, err := os.ReadFile(rel(c.Users))
		if err != nil {
			return opts, nil, nil, err
		}
		if opts.ConnectUsers, err = lint.ParseConnectUsers(b); err != nil {
			return opts, nil, nil, err
		}
	}
	var cfg *lint.Config
	if c.Config != "" {
		var err error
		if cfg, err = lint.LoadConfig(rel(c.Config)); err != nil {
			return opts, nil, nil, err
		}
		cfg.Apply(&opts)
	}
	return opts, keys, cfg, nil
}

func loadPolicy(path, name string) (*policy.File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return policy.Load(b, name)
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
