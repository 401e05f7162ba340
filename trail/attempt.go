package trail

import (
	"strings"
	"time"

	"github.com/samllint/samllint/lint"
)

// ConnectWindow is how long after a sign-in its Connect federation is
// looked for: the console opens the RelayState's federation URL at once.
const ConnectWindow = 15 * time.Minute

// Attempt is one sign-in as AWS recorded it: the AssumeRoleWithSAML, and
// the Connect GetFederationToken its session made next, when there was
// one. Either may be nil: a GetFederationToken whose sign-in is not among
// the events read is an attempt of its own.
type Attempt struct {
	SignIn  *Event `json:"sign_in,omitempty"`
	Connect *Event `json:"connect,omitempty"`
}

// Time is when the attempt began.
func (a *Attempt) Time() time.Time {
	if a.SignIn != nil {
		return a.SignIn.Time
	}
	return a.Connect.Time
}

// User is who made the attempt, as its first event names them.
func (a *Attempt) User() string {
	if a.SignIn != nil {
		return a.SignIn.User()
	}
	return a.Connect.User()
}

// Failed is the call that failed, nil when none did.
func (a *Attempt) Failed() *Event {
	switch {
	case a.SignIn != nil && a.SignIn.Failed():
		return a.SignIn
	case a.Connect != nil && a.Connect.Failed():
		return a.Connect
	}
	return nil
}

// Attempts groups events (sorted, as Read returns them) into attempts,
// oldest first: each GetFederationToken joins the latest successful
// sign-in before it, within ConnectWindow, whose session is its caller.
func Attempts(events []Event) []Attempt {
	var out []Attempt
	open := map[string]int{} // session ARN → index in out of its latest sign-in
	for i := range events {
		e := &events[i]
		switch e.Name {
		case AssumeRoleWithSAML:
			out = append(out, Attempt{SignIn: e})
			if !e.Failed() {
				if s := e.session(); s != "" {
					open[s] = len(out) - 1
				}
			}
		case GetFederationToken:
			if j, ok := open[e.Caller]; ok && out[j].Connect == nil && e.Time.Sub(out[j].SignIn.Time) <= ConnectWindow && !e.Time.Before(out[j].SignIn.Time) {
				out[j].Connect = e
				continue
			}
			out = append(out, Attempt{Connect: e})
		}
	}
	return out
}

// Diagnosis is what the record says about a failed call.
type Diagnosis struct {
	// Event is the call that failed.
	Event *Event
	// Causes are the rules that can produce its error, most likely first,
	// from the catalog samllint explain uses, narrowed to the call's hop.
	Causes []*lint.Rule
	// Known is false when neither the code nor the message is in the
	// catalog: the error is then shown as AWS wrote it, with what the
	// operation alone suggests.
	Known bool
	Notes []string
	// Shown are the causes the record itself shows (the role and provider
	// it names are in different accounts); RuledOut those it shows are
	// not the cause. Both are left out of Causes.
	Shown, RuledOut []*lint.Rule
}

// Diagnose maps a failed event's error to the rules that can cause it,
// as explain maps an error a user saw: its code and message, narrowed to
// the hop the event is of (a GetFederationToken failure cannot come from
// the STS hop, which succeeded, nor the other way round). Nil when the
// call succeeded.
func Diagnose(e *Event) *Diagnosis {
	if !e.Failed() {
		return nil
	}
	op := e.Action()
	d := &Diagnosis{Event: e}
	alone := lint.Diagnose(e.ErrorCode + ": " + e.ErrorMessage)
	d.Known = len(alone.Causes) > 0 || len(alone.Notes) > 0
	ld := lint.Diagnose(e.ErrorCode + " when calling " + op + ": " + e.ErrorMessage)
	d.Notes = ld.Notes
	connect := e.Name == GetFederationToken
	for _, r := range ld.Causes {
		if (r.Scope == lint.ScopeConnect) != connect {
			continue
		}
		switch recordShows(e, r.ID) {
		case yes:
			d.Shown = append(d.Shown, r)
		case no:
			d.RuledOut = append(d.RuledOut, r)
		default:
			d.Causes = append(d.Causes, r)
		}
	}
	return d
}

type answer int

const (
	unknown answer = iota
	yes
	no
)

// recordShows says whether the record alone shows a rule's problem: only
// for what the request's parameters hold, the role and provider ARNs.
func recordShows(e *Event, rule string) answer {
	role, provider := arnParts(e.RoleARN), arnParts(e.ProviderARN)
	switch rule {
	case "aws/role-account-mismatch":
		if role == nil || provider == nil {
			return unknown
		}
		if role[1] != provider[1] || role[4] != provider[4] {
			return yes
		}
		return no
	case "aws/role-identity-center":
		if role == nil {
			return unknown
		}
		if strings.Contains(role[5], "/AWSReservedSSO_") || strings.HasPrefix(role[5], "role/aws-reserved/sso.amazonaws.com/") {
			return yes
		}
		return no
	}
	return unknown
}

// arnParts splits an ARN into its six fields; nil when it is none.
func arnParts(arn string) []string {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" {
		return nil
	}
	return p
}
