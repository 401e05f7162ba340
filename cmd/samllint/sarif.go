package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/samllint/samllint/lint"
)

// version is samllint's version, as SARIF and --version report it.
const version = "0.4.0"

// The SARIF 2.1.0 subset samllint writes; a test validates the output
// against the official schema.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
}

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

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications"`
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

// configRules describe the findings about the config file itself.
var configRules = []*lint.Rule{
	{ID: "config/suppression-expired", Severity: lint.Warning, Title: "a suppression in the config has expired",
		Why: "An expired suppression no longer applies; the finding it hid is reported again.", Fix: "Fix the problem, or extend the expiry with a reason that still holds."},
	{ID: "config/suppression-unused", Severity: lint.Info, Title: "a suppression in the config matched nothing",
		Why: "A suppression that matches nothing is dead weight, or its match is wrong.", Fix: "Remove the suppression, or correct its match."},
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

func writeSARIF(w io.Writer, out *output) error {
	rules := append(lint.Rules(), configRules...)
	index := map[string]int{}
	driver := sarifDriver{Name: "samllint", Version: version, InformationURI: "https://github.com/samllint/samllint", Rules: []sarifRule{}}
	for i, r := range rules {
		index[r.ID] = i
		help := r.Fix
		if r.Check != nil {
			help = lint.RuleMarkdown(r)
		}
		family, _, _ := strings.Cut(r.ID, "/")
		driver.Rules = append(driver.Rules, sarifRule{
			ID: r.ID, Name: sarifName(r.ID),
			ShortDescription:     sarifText{Text: r.Title},
			FullDescription:      sarifText{Text: r.Why},
			Help:                 sarifText{Text: r.Why + "\n\nFix: " + r.Fix, Markdown: help},
			HelpURI:              lint.DocURL(r.ID),
			DefaultConfiguration: map[string]string{"level": sarifLevel(r.Severity)},
			Properties:           map[string]any{"tags": []string{family}, "precision": "high"},
		})
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}}
	inv := sarifInvocation{ExecutionSuccessful: true, Notifications: []sarifNotification{}}
	add := func(input string, capture int, f lint.Finding) {
		loc := sarifLocation{}
		loc.Physical.Artifact.URI = artifactURI(input)
		if f.Path != "" && !strings.HasPrefix(f.Rule, "config/") {
			loc.Logical = []sarifLogicalLoc{{FullyQualifiedName: f.Path, Kind: "element"}}
		}
		sum := sha256.Sum256([]byte(f.Rule + "\x00" + input + "\x00" + f.Path + "\x00" + fmt.Sprint(capture)))
		res := sarifResult{
			RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarifLevel(f.Severity),
			Message:             sarifText{Text: fmt.Sprintf("%s. Expected: %s. Actual: %s. Fix: %s", f.Message, f.Expected, f.Actual, f.Fix)},
			Locations:           []sarifLocation{loc},
			PartialFingerprints: map[string]string{"samllintFinding/v1": hex.EncodeToString(sum[:16])},
			Suppressions:        []sarifSuppression{},
			Properties:          map[string]any{"path": f.Path, "expected": f.Expected, "actual": f.Actual, "fix": f.Fix, "capture": capture},
		}
		if f.Suppressed != nil {
			res.Suppressions = append(res.Suppressions, sarifSuppression{Kind: "external", Justification: f.Suppressed.Reason})
		}
		run.Results = append(run.Results, res)
	}
	for _, r := range out.results {
		capture := 0
		if r.Capture != nil {
			capture = r.Capture.Index
		}
		if r.Err != nil {
			inv.ExecutionSuccessful = false
			loc := sarifLocation{}
			loc.Physical.Artifact.URI = artifactURI(r.Input)
			inv.Notifications = append(inv.Notifications, sarifNotification{Level: "error", Message: sarifText{Text: "could not lint: " + oneLine(r.Err.Error())}, Locations: []sarifLocation{loc}})
			continue
		}
		for _, f := range out.findings(r) {
			add(r.Input, capture, f)
		}
	}
	for _, n := range out.notices {
		add(out.configPath, 0, n)
	}
	run.Invocations = []sarifInvocation{inv}
	b, err := json.MarshalIndent(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if out.redact {
		if b, err = redactJSON(b, out.redactor(), "  "); err != nil {
			return err
		}
	}
	_, err = w.Write(b)
	return err
}

// GitHub Actions workflow commands: each finding becomes an annotation on
// the input file.
var (
	ghData = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghProp = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	ghLvl  = map[lint.Severity]string{lint.Error: "error", lint.Warning: "warning", lint.Info: "notice"}
)

func writeAnnotation(w io.Writer, input string, f lint.Finding) {
	fmt.Fprintf(w, "::%s file=%s,title=%s::%s\n", ghLvl[f.Severity], ghProp.Replace(input), ghProp.Replace(f.Rule),
		ghData.Replace(fmt.Sprintf("%s\nat %s\nexpected: %s\nactual: %s\nfix: %s", f.Message, f.Path, f.Expected, f.Actual, f.Fix)))
}

func writeGitHubResult(w io.Writer, r result) {
	if r.Err != nil {
		fmt.Fprintf(w, "::error file=%s,title=samllint::%s\n", ghProp.Replace(r.Input), ghData.Replace("could not lint: "+oneLine(r.Err.Error())))
		return
	}
	for _, f := range r.Report.Findings {
		writeAnnotation(w, r.Input, f)
	}
}
