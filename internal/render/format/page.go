package format

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/saml"
)

// The page's view of a result: the report, what the capture records
// around the message, the facts of the response, a timeline, the
// signatures, and the indented XML with each line's location path.
type pageResult struct {
	Label      string         `json:"label"`
	Input      string         `json:"input"`
	Capture    *pageCapture   `json:"capture,omitempty"`
	Error      string         `json:"error,omitempty"`
	Outcome    lint.Outcome   `json:"outcome,omitempty"`
	Verdict    string         `json:"verdict,omitempty"`
	Clock      *lint.Clock    `json:"clock,omitempty"`
	Summary    *lint.Summary  `json:"summary,omitempty"`
	Findings   []lint.Finding `json:"findings"`
	Skipped    []pageSkipped  `json:"skipped"`
	Facts      []saml.Fact    `json:"facts"`
	Timeline   []tick         `json:"timeline"`
	Signatures []pageSig      `json:"signatures"`
	XML        []xmlLine      `json:"xml"`
}

// pageCapture is the HAR context of a message: where it was posted, when,
// and what the server answered.
type pageCapture struct {
	Source     string  `json:"source,omitempty"`
	Chain      string  `json:"chain"`
	SentTo     string  `json:"sent_to,omitempty"`
	SentAt     string  `json:"sent_at,omitempty"`
	RelayState *string `json:"relay_state,omitempty"`
	Reply      string  `json:"reply,omitempty"`
	ReplySays  string  `json:"reply_says,omitempty"`
	// Then are the AWS and Connect requests that followed, one line each.
	Then []string `json:"then,omitempty"`
}

// pageSkipped is a group of skipped checks and the page field that
// unlocks them.
type pageSkipped struct {
	Field   string   `json:"field"`
	Reason  string   `json:"reason"`
	Because string   `json:"because,omitempty"`
	Rules   []string `json:"rules"`
}

type tick struct {
	Label string `json:"label"`
	At    string `json:"at"`
	Rel   string `json:"rel"` // relative to the evaluation time
	Past  bool   `json:"past"`
}

type pageSig struct {
	Path    string `json:"path"`
	On      string `json:"on"`
	Verdict string `json:"verdict"`
	Detail  string `json:"detail"`
	Covers  string `json:"covers"`
	Cert    string `json:"cert"`
}

type xmlLine struct {
	Text string `json:"text"`
	Path string `json:"path,omitempty"`
}

// Page writes the serve page's answer: one compact JSON document.
func Page(w io.Writer, run *Run) error {
	doc := struct {
		Version string       `json:"version,omitempty"`
		Results []pageResult `json:"results"`
	}{Version: run.Version, Results: []pageResult{}}
	for _, r := range run.Results {
		if err := run.stopped(); err != nil {
			return err
		}
		pr := pageResult{Label: Label(r), Input: r.Input, Findings: []lint.Finding{}, Skipped: []pageSkipped{}, Facts: []saml.Fact{}, Timeline: []tick{}, Signatures: []pageSig{}, XML: []xmlLine{}}
		if c := r.Capture; c != nil {
			pc := &pageCapture{Source: c.Source, Chain: c.ChainString(), SentTo: SentTo(r), RelayState: c.RelayState}
			if c.SentAt != nil {
				pc.SentAt = c.SentAt.Format(time.RFC3339)
			}
			if rp := c.Reply; rp != nil {
				pc.Reply = strings.TrimSpace(strings.TrimSpace(itoa(rp.Status)+" "+rp.StatusText) + arrow(rp.Location))
				pc.ReplySays = rp.ErrorText
			}
			for _, st := range c.Then {
				line := strings.TrimSpace(st.Method+" "+st.URL) + " → " + strings.TrimSpace(itoa(st.Status)+" "+st.StatusText) + arrow(st.Location)
				if st.ErrorText != "" {
					line += ": " + st.ErrorText
				}
				pc.Then = append(pc.Then, line)
			}
			pr.Capture = pc
		}
		if r.Err != nil {
			pr.Error = OneLine(r.Err.Error())
			doc.Results = append(doc.Results, pr)
			continue
		}
		rep := r.Report
		clock := rep.Clock
		pr.Outcome, pr.Verdict, pr.Clock, pr.Summary, pr.Findings = rep.Outcome, rep.Verdict, &clock, &rep.Summary, run.findings(r)
		for _, g := range GroupSkipped(rep.Skipped, Fields) {
			field, reason := Fields(g.Needs), g.Reason()
			if field == "" {
				field = "—"
				if len(g.Needs) > 0 { // inputs only the CLI takes
					reason = "Run samllint " + Flags(g.Needs) + " " + reason
				}
			}
			pr.Skipped = append(pr.Skipped, pageSkipped{Field: field, Reason: reason, Because: strings.Join(g.Because, "; "), Rules: g.Rules})
		}
		describe(&pr, r)
		doc.Results = append(doc.Results, pr)
	}
	return writeJSON(w, doc, run, "")
}

func itoa(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func arrow(loc string) string {
	if loc == "" {
		return ""
	}
	return " → " + loc
}

func describe(pr *pageResult, r *lint.Result) {
	resp, now := r.Response, r.Report.Clock.Time
	for _, f := range saml.Facts(nil, resp) {
		if f.Section == "signatures" {
			continue // the signatures table shows them
		}
		pr.Facts = append(pr.Facts, f)
		if f.Time != nil && !now.IsZero() {
			pr.Timeline = append(pr.Timeline, tick{Label: f.Name, At: f.Value, Rel: lint.RelativeTo(*f.Time, now), Past: !f.Time.After(now)})
		}
	}
	for _, s := range resp.Signatures {
		ps := pageSig{Path: s.Path, On: s.ParentTag}
		if s.Check != nil {
			ps.Verdict, ps.Detail, ps.Covers = string(s.Check.Verdict), s.Check.Detail, s.Check.Covers
		}
		if len(s.Certificates) > 0 {
			ps.Cert = s.Certificates[0].Describe()
		}
		pr.Signatures = append(pr.Signatures, ps)
	}
	pr.XML = XMLLines(resp)
}
