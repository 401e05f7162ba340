package format

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/samllint/samllint/internal/render/redact"

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
	Signer     *lint.Signer  `json:"signer,omitempty"`
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

// JSON writes the run as one document: snake_case keys, [] never null,
// no time but the evaluation times; findings and skipped checks in flat
// lists that name their input and capture.
func JSON(w io.Writer, run *Run) error {
	j := NewJSON(w, run)
	for _, r := range run.Results {
		j.Result(r)
	}
	return j.Finish(run.Notices)
}

// JSONWriter writes the JSON document result by result: results go out
// as they come, findings and skipped checks wait in spools for their
// place in the document.
type JSONWriter struct {
	w                   io.Writer
	run                 *Run
	red                 *redact.Redactor
	results             jsonArray
	findings, skipped   spool
	nFindings, nSkipped jsonArray
	err                 error
}

// NewJSON starts the document on w; run gives the options (redaction,
// suppressed findings), not the results.
func NewJSON(w io.Writer, run *Run) *JSONWriter {
	j := &JSONWriter{w: w, run: run}
	if run.Redact {
		j.red = redact.New()
	}
	j.results = jsonArray{w: w, indent: "  "}
	j.nFindings = jsonArray{w: &j.findings, indent: "  "}
	j.nSkipped = jsonArray{w: &j.skipped, indent: "  "}
	_, j.err = fmt.Fprintf(w, "{\n  \"version\": %d,\n  \"results\": ", JSONVersion)
	return j
}

func (j *JSONWriter) add(a *jsonArray, v any, red *redact.Redactor) {
	if j.err != nil {
		return
	}
	b, err := element(v, red)
	if err != nil {
		j.err = err
		return
	}
	a.add(b)
}

// Result writes one result.
func (j *JSONWriter) Result(r *lint.Result) {
	if err := j.run.stopped(); err != nil && j.err == nil {
		j.err = err
	}
	if j.err != nil {
		return
	}
	var red *redact.Redactor
	if j.red != nil {
		red = j.red.Scope()
		red.Learn(r.Response, r.Capture)
	}
	jr := jsonResult{Input: r.Input, SentTo: SentTo(r)}
	if c := r.Capture; c != nil {
		jr.Capture, jr.Source, jr.Chain, jr.RelayState = c.Index, c.Source, c.ChainString(), c.RelayState
	}
	if r.Err != nil {
		jr.Verdict, jr.Error = "could not lint", OneLine(r.Err.Error())
		j.add(&j.results, jr, red)
		return
	}
	rep := r.Report
	clock := rep.Clock
	jr.Clock, jr.Outcome, jr.Verdict, jr.Summary = &clock, rep.Outcome, rep.Verdict, &rep.Summary
	signer := rep.Signer
	jr.Signer = &signer
	j.add(&j.results, jr, red)
	for _, f := range j.run.findings(r) {
		j.add(&j.nFindings, jsonFinding{Input: r.Input, Capture: jr.Capture, Finding: f}, red)
	}
	for _, s := range rep.Skipped {
		if s.Needs == nil {
			s.Needs = []lint.Input{}
		}
		j.add(&j.nSkipped, jsonSkipped{Input: r.Input, Capture: jr.Capture, Skipped: s}, red)
	}
}

// Finish writes the findings, the skipped checks and the config's
// notices, and ends the document.
func (j *JSONWriter) Finish(notices []lint.Finding) error {
	defer j.findings.close()
	defer j.skipped.close()
	if j.err != nil {
		return j.err
	}
	for _, step := range []func() error{
		j.results.close,
		func() error { _, err := io.WriteString(j.w, ",\n  \"findings\": "); return err },
		j.nFindings.close, func() error { return j.findings.copyTo(j.w) },
		func() error { _, err := io.WriteString(j.w, ",\n  \"skipped\": "); return err },
		j.nSkipped.close, func() error { return j.skipped.copyTo(j.w) },
		func() error { _, err := io.WriteString(j.w, ",\n  \"notices\": "); return err },
		func() error {
			a := jsonArray{w: j.w, indent: "  "}
			for _, n := range notices {
				b, err := element(n, j.red)
				if err != nil {
					return err
				}
				a.add(b)
			}
			return a.close()
		},
		func() error { _, err := io.WriteString(j.w, "\n}\n"); return err },
	} {
		if err := step(); err != nil {
			return err
		}
		if j.err != nil {
			return j.err
		}
	}
	return nil
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
		red, err := run.redactor()
		if err != nil {
			return err
		}
		if b, err = red.JSON(b, indent); err != nil {
			return err
		}
	}
	_, err := w.Write(EscapeJSON(b))
	return err
}
