package lint

import (
	"fmt"
	"strings"
	"time"

	"github.com/samllint/samllint/saml"
)

// ClockSource says where the evaluation time came from.
type ClockSource string

const (
	// ClockGiven: Options.Now, the time the user gave (--now).
	ClockGiven ClockSource = "given"
	// ClockIssued: the response's IssueInstant, as Options.AtIssue asks.
	ClockIssued ClockSource = "issued"
	// ClockPosted: when the browser posted the message, as the capture
	// records it (HAR startedDateTime, SAML-tracer timestamp).
	ClockPosted ClockSource = "posted"
	// ClockWall: the caller's clock (Options.Wall), for a response issued
	// moments ago: a fresh paste.
	ClockWall ClockSource = "wall"
	// ClockAfterIssue: IssueInstant plus one minute, for an older capture
	// that records no post time: judged as when it was made.
	ClockAfterIssue ClockSource = "issued+1m"
	// ClockNone: no time could be chosen; the time rules are skipped.
	ClockNone ClockSource = "none"
)

// Clock is the evaluation time of one response and why it was chosen.
type Clock struct {
	Time   time.Time   `json:"time"`
	Source ClockSource `json:"source"`
	Reason string      `json:"reason"`
}

// freshness is how old a response may be for the wall clock to judge it:
// a paste of what was captured moments ago.
const freshness = 5 * time.Minute

// chooseClock picks the evaluation time, in this order: the time given,
// IssueInstant when asked, the post time the capture records, the wall
// clock for a fresh response, and IssueInstant + 1 minute.
func chooseClock(opts Options, c *saml.Capture, r *saml.Response) Clock {
	if !opts.Now.IsZero() {
		return Clock{Time: opts.Now.UTC(), Source: ClockGiven, Reason: "the evaluation time given"}
	}
	issued := saml.Time{}
	if r != nil {
		issued = r.IssueInstant
		if a := r.Consumed(); !issued.OK && a != nil {
			issued = a.IssueInstant
		}
	}
	if opts.AtIssue && issued.OK {
		return Clock{Time: issued.Time, Source: ClockIssued, Reason: "the response's IssueInstant, as asked"}
	}
	if c != nil && c.SentAt != nil {
		why := "when the browser posted it, as the capture records"
		if d := c.SentAt.Sub(issued.Time); issued.OK && d >= 0 {
			why += fmt.Sprintf(", %s after IssueInstant", human(d))
		} else if issued.OK {
			why += fmt.Sprintf(", %s before IssueInstant (the IdP clock is ahead)", human(-d))
		}
		return Clock{Time: c.SentAt.UTC(), Source: ClockPosted, Reason: why}
	}
	wall := opts.Wall.UTC()
	switch {
	case !issued.OK && !wall.IsZero():
		return Clock{Time: wall, Source: ClockWall, Reason: "now: the response has no usable IssueInstant to date it by"}
	case !issued.OK:
		return Clock{Source: ClockNone, Reason: "the response has no usable IssueInstant and the capture no post time"}
	case !wall.IsZero() && !issued.Time.Before(wall.Add(-freshness)):
		return Clock{Time: wall, Source: ClockWall, Reason: fmt.Sprintf("now: the response was issued %s, a fresh capture", ago(wall.Sub(issued.Time)))}
	}
	why := "IssueInstant + 1 minute: the capture records no post time"
	if !wall.IsZero() {
		why = fmt.Sprintf("IssueInstant + 1 minute: the capture is %s old and records no post time, so it is judged as when it was made", human(wall.Sub(issued.Time)))
	}
	return Clock{Time: issued.Time.Add(time.Minute), Source: ClockAfterIssue, Reason: why}
}

func ago(d time.Duration) string {
	if d < 0 {
		return human(-d) + " in the future (the IdP clock is ahead?)"
	}
	return human(d) + " ago"
}

// human renders a duration for people: "4m30s", "3h0m0s" → "3h", "2d5h".
func human(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Second)
	if d >= 48*time.Hour {
		d = d.Round(time.Hour) // days and hours; rounding first avoids "2191d24h"
		days := d / (24 * time.Hour)
		rest := d % (24 * time.Hour)
		if rest == 0 {
			return fmt.Sprintf("%dd", days)
		}
		return fmt.Sprintf("%dd%s", days, strings.TrimSuffix(strings.TrimSuffix(rest.String(), "0s"), "0m"))
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
