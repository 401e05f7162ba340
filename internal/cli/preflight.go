package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/samllint/samllint/internal/render/format"
	"github.com/samllint/samllint/internal/render/redact"
	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/okta"
	"github.com/samllint/samllint/preflight"
)

// preflightWriter writes preflight's report user by user, holding no
// more than a line per user, so that an org of thousands of users is
// reported in bounded memory.
type preflightWriter interface {
	user(u *preflight.User) error
	finish(w io.Writer) error
}

// maxReports bounds the full reports the text output prints for each
// verdict; the table lists every user.
const maxReports = 20

// preflightText is the table of users whose sign-in would fail, may fail
// or works with notes, then their reports, up to maxReports of each.
type preflightText struct {
	org   *okta.Org
	at    time.Time
	color bool
	red   *redact.Redactor
	n     int
	rows  map[lint.Outcome][]row
	shown map[lint.Outcome][]string // the reports printed, rendered
}

// row is a user's line of the table: the rules its report names.
type row struct{ login, rules string }

func newPreflightText(o *okta.Org, at time.Time, color bool, red *redact.Redactor) *preflightText {
	return &preflightText{org: o, at: at, color: color, red: red, rows: map[lint.Outcome][]row{}, shown: map[lint.Outcome][]string{}}
}

func (t *preflightText) user(u *preflight.User) error {
	t.n++
	rep := u.Result.Report
	login := u.Login
	var sc *redact.Redactor
	if t.red != nil {
		t.red.Person(u.Login)
		sc = t.red.Scope()
		sc.Person(u.Login)
		sc.Learn(u.Result.Response, u.Result.Capture)
		login = t.red.String(u.Login)
	}
	switch rep.Outcome {
	case lint.OutcomeWillFail, lint.OutcomeMayFail, lint.OutcomeNotes:
	default:
		t.rows[lint.OutcomePass] = append(t.rows[lint.OutcomePass], row{login: login})
		return nil
	}
	var rules []string
	seen := map[string]bool{}
	for _, f := range rep.Findings {
		if !seen[f.Rule] {
			seen[f.Rule] = true
			rules = append(rules, f.Rule)
		}
	}
	t.rows[rep.Outcome] = append(t.rows[rep.Outcome], row{login, strings.Join(rules, ", ")})
	if len(t.shown[rep.Outcome]) >= maxReports {
		return nil
	}
	var b strings.Builder
	predictedRoles(&b, u.Prediction)
	format.Printf(&b, "\n")
	text := format.NewText(&b)
	text.Color = t.color
	text.Result(u.Result)
	s := b.String()
	if sc != nil {
		s = sc.String(s)
	}
	t.shown[rep.Outcome] = append(t.shown[rep.Outcome], s)
	return nil
}

var outcomeTitles = []struct {
	o     lint.Outcome
	title string
}{{lint.OutcomeWillFail, "sign-in would fail"}, {lint.OutcomeMayFail, "sign-in may fail"}, {lint.OutcomeNotes, "sign-in works, with notes"}}

func (t *preflightText) finish(w io.Writer) error {
	var b strings.Builder
	format.Printf(&b, "samllint preflight: %s, %d %s; sign-ins predicted from Okta's configuration at %s\n", t.org.AppName(), t.n, plural(t.n, "user", "users"), t.at.UTC().Format(time.RFC3339))
	if t.n == 0 {
		format.Printf(&b, "\nno user is assigned to the app: nobody can sign in through it\n")
	}
	for _, c := range outcomeTitles {
		rows := t.rows[c.o]
		if len(rows) == 0 {
			continue
		}
		format.Printf(&b, "\n%s (%d of %d):\n", c.title, len(rows), t.n)
		width := 0
		for _, r := range rows {
			width = max(width, len(r.login))
		}
		for _, r := range rows {
			format.Printf(&b, "  %-*s  %s\n", width, r.login, r.rules)
		}
	}
	if n := len(t.rows[lint.OutcomePass]); n > 0 {
		format.Printf(&b, "\nno problem predicted for %d of %d %s\n", n, t.n, plural(t.n, "user", "users"))
	}
	s := b.String()
	if t.red != nil {
		s = t.red.String(s)
	}
	if _, err := io.WriteString(w, s); err != nil {
		return err
	}
	for _, c := range outcomeTitles {
		for _, r := range t.shown[c.o] {
			if _, err := io.WriteString(w, "\n"+r); err != nil {
				return err
			}
		}
		if more := len(t.rows[c.o]) - len(t.shown[c.o]); more > 0 {
			fmt.Fprintf(w, "\n… and %d more %s whose %s: samllint preflight --user LOGIN prints one's report, --format json every one\n", more, plural(more, "user", "users"), c.title)
		}
	}
	return nil
}

func predictedRoles(w io.Writer, p *okta.Prediction) {
	format.Printf(w, "%s: Role values predicted from Okta's configuration:", p.User)
	if len(p.Roles) == 0 {
		format.Printf(w, " none\n")
	} else {
		format.Printf(w, "\n")
	}
	for _, r := range p.Roles {
		format.Printf(w, "  %s  (from %s)\n", r.Value, r.From)
	}
	for _, u := range p.Unknown {
		format.Printf(w, "  not predicted: %s: %s\n", u.Attribute, u.Why)
	}
}

// preflightJSON writes every user's prediction and report as they come.
type preflightJSON struct {
	users *format.JSONArray
	red   *redact.Redactor
	err   error
}

type jsonRole struct {
	Value string `json:"value"`
	From  string `json:"from"`
}

type jsonUser struct {
	User       string         `json:"user"`
	Outcome    lint.Outcome   `json:"outcome"`
	Roles      []jsonRole     `json:"predicted_roles"`
	Unknown    []okta.Unknown `json:"not_predicted,omitempty"`
	RelayState string         `json:"predicted_relay_state,omitempty"`
	Report     *lint.Report   `json:"report"`
}

func newPreflightJSON(w io.Writer, o *okta.Org, at time.Time, red *redact.Redactor) *preflightJSON {
	j := &preflightJSON{users: format.NewJSONArray(w, "  "), red: red}
	head, _ := json.Marshal(struct {
		App         string    `json:"app"`
		AppID       string    `json:"app_id"`
		PredictedAt time.Time `json:"predicted_at"`
	}{o.App.Label, o.App.ID, at.UTC()})
	if red != nil {
		head, j.err = red.JSON(head, "")
	}
	var ind bytes.Buffer
	_ = json.Indent(&ind, head, "", "  ")
	// The object, open, with "users" to come.
	_, err := fmt.Fprintf(w, "%s,\n  \"users\": ", strings.TrimSuffix(ind.String(), "\n}"))
	if j.err == nil {
		j.err = err
	}
	return j
}

func (j *preflightJSON) user(u *preflight.User) error {
	if j.err != nil {
		return j.err
	}
	x := jsonUser{User: u.Login, Outcome: u.Result.Report.Outcome, Roles: []jsonRole{}, Unknown: u.Prediction.Unknown,
		RelayState: u.Prediction.RelayState, Report: u.Result.Report}
	for _, r := range u.Prediction.Roles {
		x.Roles = append(x.Roles, jsonRole{r.Value, r.From})
	}
	elem, err := json.Marshal(x)
	if err != nil {
		return err
	}
	if j.red != nil {
		sc := j.red.Scope()
		sc.Person(u.Login)
		sc.Learn(u.Result.Response, u.Result.Capture)
		if elem, err = sc.JSON(elem, ""); err != nil {
			return err
		}
	}
	j.err = j.users.Add(elem)
	return j.err
}

func (j *preflightJSON) finish(w io.Writer) error {
	if j.err != nil {
		return j.err
	}
	if err := j.users.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n}\n")
	return err
}

// preflightFormat is SARIF or workflow annotations, from the writers lint
// uses, which stream.
type preflightFormat struct{ w format.Writer }

func newPreflightFormat(w io.Writer, name string, redacted bool) *preflightFormat {
	if name == "github" {
		g := format.NewGitHub(w)
		g.Redact = redacted
		return &preflightFormat{g}
	}
	return &preflightFormat{format.NewSARIF(w, &format.Run{Redact: redacted}, Version())}
}

func (f *preflightFormat) user(u *preflight.User) error { f.w.Result(u.Result); return nil }
func (f *preflightFormat) finish(io.Writer) error       { return f.w.Finish(nil) }
