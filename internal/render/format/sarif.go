package format

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/samllint/samllint/internal/render/redact"
	"github.com/samllint/samllint/lint"
)

// The SARIF 2.1.0 subset samllint writes; a test validates the output
// against the official schema.

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string            `json:"id"`
	Name                 string            `json:"name"`
	ShortDescription     sarifText         `json:"shortDescription"`
	FullDescription      sarifText         `json:"fullDescription"`
	Help                 sarifText         `json:"help"`
	HelpURI              string            `json:"helpUri"`
	DefaultConfiguration map[string]string `json:"defaultConfiguration"`
	Properties           map[string]any    `json:"properties"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions"`
	Properties          map[string]any     `json:"properties"`
}

type sarifLocation struct {
	Physical sarifPhysical     `json:"physicalLocation"`
	Logical  []sarifLogicalLoc `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	Artifact struct {
		URI string `json:"uri"`
	} `json:"artifactLocation"`
}

type sarifLogicalLoc struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification"`
}

func sarifLevel(s lint.Severity) string {
	switch s {
	case lint.Error:
		return "error"
	case lint.Warning:
		return "warning"
	}
	return "note"
}

// sarifName is the rule's PascalCase name: SARIF wants a name that is not
// the ID.
func sarifName(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '/' || r == '-' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func artifactURI(input string) string {
	if input == "<stdin>" {
		return "stdin"
	}
	parts := strings.Split(filepath.ToSlash(input), "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// SARIF writes the run as SARIF 2.1.0: rule metadata from the registry,
// one result per finding with the input as artifact and the XML or policy
// path as logical location, suppressions, and inputs that could not be
// linted as tool notifications. version is samllint's.
func SARIF(w io.Writer, run *Run, version string) error {
	s := NewSARIF(w, run, version)
	for _, r := range run.Results {
		s.Result(r)
	}
	return s.Finish(run.Notices)
}

// SARIFWriter writes SARIF result by result: results and notifications
// wait in spools, so memory does not grow with the run, and the document
// is written by Finish.
type SARIFWriter struct {
	w       io.Writer
	run     *Run
	version string
	red     *redact.Redactor
	index   map[string]int

	results, notes   spool
	nResults, nNotes jsonArray
	failed           bool
	err              error
}

// NewSARIF starts a SARIF log for w.
func NewSARIF(w io.Writer, run *Run, version string) *SARIFWriter {
	s := &SARIFWriter{w: w, run: run, version: version, index: map[string]int{}}
	if run.Redact {
		s.red = redact.New()
	}
	for i, r := range lint.Rules() {
		s.index[r.ID] = i
	}
	s.index[SignerUnchecked] = len(s.index)
	// Results sit in runs[0].results: four levels in.
	s.nResults = jsonArray{w: &s.results, indent: "      "}
	s.nNotes = jsonArray{w: &s.notes, indent: "          "}
	return s
}

func (s *SARIFWriter) add(a *jsonArray, v any, red *redact.Redactor) {
	if s.err != nil {
		return
	}
	b, err := element(v, red)
	if err != nil {
		s.err = err
		return
	}
	a.add(b)
}

func (s *SARIFWriter) finding(input string, capture int, f lint.Finding, red *redact.Redactor) {
	loc := sarifLocation{}
	switch f.Location.Source {
	case lint.SourceResponse, lint.SourceRelayState, lint.SourceCapture, "":
		loc.Physical.Artifact.URI = artifactURI(input)
	default:
		loc.Physical.Artifact.URI = artifactURI(policyFile(f.Location.File))
	}
	if f.Location.Path != "" {
		loc.Logical = []sarifLogicalLoc{{FullyQualifiedName: f.Location.Path, Kind: "element"}}
	}
	sum := sha256.Sum256([]byte(f.Rule + "\x00" + input + "\x00" + f.Location.String() + "\x00" + fmt.Sprint(capture)))
	r := sarifResult{
		RuleID: f.Rule, RuleIndex: s.index[f.Rule], Level: sarifLevel(f.Severity),
		Message:             sarifText{Text: fmt.Sprintf("%s. Expected: %s. Actual: %s. Fix: %s", f.Message, f.Expected, f.Actual, f.Fix)},
		Locations:           []sarifLocation{loc},
		PartialFingerprints: map[string]string{"samllintFinding/v1": hex.EncodeToString(sum[:16])},
		Suppressions:        []sarifSuppression{},
		Properties:          map[string]any{"location": f.Location.String(), "expected": f.Expected, "actual": f.Actual, "fix": f.Fix, "capture": capture},
	}
	if f.Okta != "" {
		r.Properties["okta"] = f.Okta
	}
	if f.Suppressed != nil {
		r.Suppressions = append(r.Suppressions, sarifSuppression{Kind: "external", Justification: f.Suppressed.Reason})
	}
	s.add(&s.nResults, r, red)
}

// Result adds one result's findings, or a notification when it could not
// be linted.
func (s *SARIFWriter) Result(r *lint.Result) {
	if err := s.run.stopped(); err != nil && s.err == nil {
		s.err = err
	}
	if s.err != nil {
		return
	}
	var red *redact.Redactor
	if s.red != nil {
		red = s.red.Scope()
		red.Learn(r.Response, r.Capture)
	}
	capture := 0
	if r.Capture != nil {
		capture = r.Capture.Index
	}
	if r.Err != nil {
		s.failed = true
		loc := sarifLocation{}
		loc.Physical.Artifact.URI = artifactURI(r.Input)
		s.add(&s.nNotes, sarifNotification{Level: "error", Message: sarifText{Text: "could not lint " + Label(r) + ": " + OneLine(r.Err.Error())}, Locations: []sarifLocation{loc}}, red)
		return
	}
	for _, f := range s.run.findings(r) {
		s.finding(r.Input, capture, f, red)
	}
	if f, ok := signerNote(r); ok {
		s.finding(r.Input, capture, f, red)
	}
}

// Finish adds the config's notices and writes the log.
func (s *SARIFWriter) Finish(notices []lint.Finding) error {
	defer s.results.close()
	defer s.notes.close()
	for _, n := range notices {
		s.finding(s.run.ConfigPath, 0, n, s.red)
	}
	if s.err != nil {
		return s.err
	}
	driver := sarifDriver{Name: "samllint", Version: s.version, InformationURI: lint.HomeURL, Rules: sarifRules()}
	compact, err := element(sarifTool{Driver: driver}, s.red)
	if err != nil {
		return err
	}
	var tool bytes.Buffer
	if err := json.Indent(&tool, compact, "      ", "  "); err != nil {
		return err
	}
	head := `{
  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
  "version": "2.1.0",
  "runs": [
    {
      "tool": ` + tool.String() + `,
      "invocations": [
        {
          "executionSuccessful": ` + fmt.Sprint(!s.failed) + `,
          "toolExecutionNotifications": `
	for _, step := range []func() error{
		func() error { _, err := io.WriteString(s.w, head); return err },
		s.nNotes.close, func() error { return s.notes.copyTo(s.w) },
		func() error { _, err := io.WriteString(s.w, "\n        }\n      ],\n      \"results\": "); return err },
		s.nResults.close, func() error { return s.results.copyTo(s.w) },
		func() error { _, err := io.WriteString(s.w, "\n    }\n  ]\n}\n"); return err },
	} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// sarifRules are the registry's rules as SARIF descriptors, then the
// signer-unchecked note's.
func sarifRules() []sarifRule {
	var rules []sarifRule
	for _, r := range lint.Rules() {
		family, _, _ := strings.Cut(r.ID, "/")
		rules = append(rules, sarifRule{
			ID: r.ID, Name: sarifName(r.ID),
			ShortDescription:     sarifText{Text: r.Title},
			FullDescription:      sarifText{Text: r.Why},
			Help:                 sarifText{Text: r.Why + "\n\nFix: " + r.Fix, Markdown: lint.RuleMarkdown(r)},
			HelpURI:              lint.DocURL(r.ID),
			DefaultConfiguration: map[string]string{"level": sarifLevel(r.Severity)},
			Properties:           map[string]any{"tags": []string{family}, "precision": "high"},
		})
	}
	return append(rules, sarifRule{
		ID: SignerUnchecked, Name: sarifName(SignerUnchecked),
		ShortDescription:     sarifText{Text: "who signed the response was not checked"},
		FullDescription:      sarifText{Text: "No IdP metadata or certificate was given to check the signature against the key IAM holds, so a response signed by anyone would read the same. Nothing else was found at error level."},
		Help:                 sarifText{Text: "Give --metadata FILE (the IdP metadata uploaded to the IAM SAML provider, or aws iam get-saml-provider output), --cert FILE, or --from-aws."},
		HelpURI:              lint.HomeURL + "/blob/main/docs/signatures.md",
		DefaultConfiguration: map[string]string{"level": "note"},
		Properties:           map[string]any{"tags": []string{"saml"}, "precision": "high"},
	})
}

// policyFile is the file part of a policy's label, "role.json (Role.AssumeRolePolicyDocument)".
func policyFile(label string) string {
	if i := strings.Index(label, " ("); i > 0 {
		return label[:i]
	}
	return label
}
