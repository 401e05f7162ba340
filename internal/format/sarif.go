package format

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/samllint/samllint/lint"
)

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
	rules := lint.Rules()
	index := map[string]int{}
	driver := sarifDriver{Name: "samllint", Version: version, InformationURI: lint.HomeURL, Rules: []sarifRule{}}
	for i, r := range rules {
		index[r.ID] = i
		family, _, _ := strings.Cut(r.ID, "/")
		driver.Rules = append(driver.Rules, sarifRule{
			ID: r.ID, Name: sarifName(r.ID),
			ShortDescription:     sarifText{Text: r.Title},
			FullDescription:      sarifText{Text: r.Why},
			Help:                 sarifText{Text: r.Why + "\n\nFix: " + r.Fix, Markdown: lint.RuleMarkdown(r)},
			HelpURI:              lint.DocURL(r.ID),
			DefaultConfiguration: map[string]string{"level": sarifLevel(r.Severity)},
			Properties:           map[string]any{"tags": []string{family}, "precision": "high"},
		})
	}
	res := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}}
	inv := sarifInvocation{ExecutionSuccessful: true, Notifications: []sarifNotification{}}
	add := func(input string, capture int, f lint.Finding) {
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
			RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarifLevel(f.Severity),
			Message:             sarifText{Text: fmt.Sprintf("%s. Expected: %s. Actual: %s. Fix: %s", f.Message, f.Expected, f.Actual, f.Fix)},
			Locations:           []sarifLocation{loc},
			PartialFingerprints: map[string]string{"samllintFinding/v1": hex.EncodeToString(sum[:16])},
			Suppressions:        []sarifSuppression{},
			Properties:          map[string]any{"location": f.Location.String(), "expected": f.Expected, "actual": f.Actual, "fix": f.Fix, "capture": capture},
		}
		if f.Suppressed != nil {
			r.Suppressions = append(r.Suppressions, sarifSuppression{Kind: "external", Justification: f.Suppressed.Reason})
		}
		res.Results = append(res.Results, r)
	}
	for _, r := range run.Results {
		capture := 0
		if r.Capture != nil {
			capture = r.Capture.Index
		}
		if r.Err != nil {
			inv.ExecutionSuccessful = false
			loc := sarifLocation{}
			loc.Physical.Artifact.URI = artifactURI(r.Input)
			inv.Notifications = append(inv.Notifications, sarifNotification{Level: "error", Message: sarifText{Text: "could not lint " + Label(r) + ": " + OneLine(r.Err.Error())}, Locations: []sarifLocation{loc}})
			continue
		}
		for _, f := range run.findings(r) {
			add(r.Input, capture, f)
		}
	}
	for _, n := range run.Notices {
		add(run.ConfigPath, 0, n)
	}
	res.Invocations = []sarifInvocation{inv}
	return writeJSON(w, sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{res}}, run, "  ")
}

// policyFile is the file part of a policy's label, "role.json (Role.AssumeRolePolicyDocument)".
func policyFile(label string) string {
	if i := strings.Index(label, " ("); i > 0 {
		return label[:i]
	}
	return label
}
