package format

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/samllint/samllint/lint"
)

// JSONVersion versions the shape of the JSON document.
const JSONVersion = 2

// jsonResult is one capture in the JSON document.
type jsonResult struct {
	Input      string        `json:"input"`
	Capture    int           `json:"capture"`
	Source     string        `json:"source,omitempty"`
	SentTo     string        `json:"sent_to,omitempty"`
	Chain      string        `json:"chain,omitempty"`
	RelayState *string       `json:"relay_state,omitempty"`
	Clock      *lint.Clock   `json:"clock,omitempty"`
	Outcome    lint.Outcome  `json:"outcome,omitempty"`
	Verdict    string        `json:"verdict"`
	Summary    *lint.Summary `json:"summary,omitempty"`
	Error      string        `json:"error,omitempty"`
}

type jsonFinding struct {
	Input   string `json:"input"`
	Capture int    `json:"capture"`
	lint.Finding
}

type jsonSkipped struct {
	Input   string `json:"input"`
	Capture int    `json:"capture"`
	lint.Skipped
}

type jsonDoc struct {
	Version  int            `json:"version"`
	Results  []jsonResult   `json:"results"`
	Findings []jsonFinding  `json:"findings"`
	Skipped  []jsonSkipped  `json:"skipped"`
	Notices  []lint.Finding `json:"notices"`
}

// JSON writes the run as one document: snake_case keys, [] never null,
// no time but the evaluation times; findings and skipped checks in flat
// lists that name their input and capture.
func JSON(w io.Writer, run *Run) error {
	doc := jsonDoc{Version: JSONVersion, Results: []jsonResult{}, Findings: []jsonFinding{}, Skipped: []jsonSkipped{}, Notices: run.Notices}
	if doc.Notices == nil {
		doc.Notices = []lint.Finding{}
	}
	for _, r := range run.Results {
		jr := jsonResult{Input: r.Input, SentTo: SentTo(r)}
		if c := r.Capture; c != nil {
			jr.Capture, jr.Source, jr.Chain, jr.RelayState = c.Index, c.Source, c.ChainString(), c.RelayState
		}
		if r.Err != nil {
			jr.Verdict, jr.Error = "could not lint", OneLine(r.Err.Error())
			doc.Results = append(doc.Results, jr)
			continue
		}
		rep := r.Report
		clock := rep.Clock
		jr.Clock, jr.Outcome, jr.Verdict, jr.Summary = &clock, rep.Outcome, rep.Verdict, &rep.Summary
		doc.Results = append(doc.Results, jr)
		for _, f := range run.findings(r) {
			doc.Findings = append(doc.Findings, jsonFinding{Input: r.Input, Capture: jr.Capture, Finding: f})
		}
		for _, s := range rep.Skipped {
			if s.Needs == nil {
				s.Needs = []lint.Input{}
			}
			doc.Skipped = append(doc.Skipped, jsonSkipped{Input: r.Input, Capture: jr.Capture, Skipped: s})
		}
	}
	return writeJSON(w, doc, run, "  ")
}

// writeJSON encodes v, redacted value by value when the run asks.
func writeJSON(w io.Writer, v any, run *Run, indent string) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", indent)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b := buf.Bytes()
	if run != nil && run.Redact {
		var err error
		if b, err = run.redactor().JSON(b, indent); err != nil {
			return err
		}
	}
	_, err := w.Write(b)
	return err
}
