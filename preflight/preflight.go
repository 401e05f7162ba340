// Package preflight predicts, from an Okta app's configuration, the
// sign-in each assigned user would make into AWS, and lints it through the
// same pipeline as a captured one: who cannot sign in, and why, before
// anyone tries.
//
// The assertion is built by package okta from Okta's documented
// behaviour; it carries no signature, so the signature rules are replaced
// by the comparison of Okta's signing keys with the metadata IAM holds
// (aws/provider-metadata-stale). Values samllint cannot predict (an Okta
// Expression Language statement, an attribute filled from groups) are
// left out, and the rules that read them are reported skipped, with why.
package preflight

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/okta"
)

// signature are the rules a predicted sign-in cannot feed: it has no
// signature.
var signature = []string{
	"saml/unsigned", "saml/signature-invalid", "saml/signature-untrusted", "saml/signature-wrapping",
	"saml/value-split", "saml/weak-algorithm", "aws/ecdsa-signature", "saml/certificate-expired",
	"aws/capture-outcome",
}

// readers are the rules that read each attribute, or the part of the
// response a prediction may leave unknown.
var readers = map[string][]string{
	okta.AttrRole: {"aws/role-attribute-missing", "aws/role-missing-role-arn", "aws/role-missing-provider-arn", "aws/role-arn-malformed",
		"aws/role-identity-center", "aws/role-account-mismatch", "aws/provider-not-found", "aws/role-not-found", "aws/provider-expired",
		"aws/provider-encryption", "aws/trust-principal", "aws/role-mismatch", "aws/trust-action", "aws/trust-audience", "aws/trust-condition",
		"aws/trust-tag-session", "aws/session-duration-over-role-max", "connect/missing-get-federation-token", "connect/scp-or-boundary-denies",
		"connect/simulator-disagrees", "okta/group-filter-drops-group", "okta/roles-not-joined"},
	okta.AttrSessionName:     {"aws/role-session-name-missing", "aws/role-session-name-invalid", "connect/user-name", "connect/user-unknown", "aws/trust-condition"},
	okta.AttrSessionDuration: {"aws/session-duration-invalid", "aws/session-duration-over-role-max"},
	"NameID":                 {"saml/name-id-missing", "aws/trust-condition"},
	"Recipient":              {"aws/recipient", "aws/destination", "aws/audience", "saml/subject-confirmation", "aws/trust-audience", "connect/region-mismatch"},
}

// User is one assigned user's predicted sign-in.
type User struct {
	Login      string
	Prediction *okta.Prediction
	// Result is the predicted sign-in linted: its Input names the user.
	Result *lint.Result
}

// Options are how the sign-ins are predicted.
type Options struct {
	// Users are the app usernames to predict; none is every user read.
	Users []string
	// Lint are the lint options; Now, the time the sign-ins are predicted
	// at, is required (samllint reads no clock).
	Lint lint.Options
	// Progress is told how many users are done, of how many.
	Progress func(done, total int)
	// Keep keeps each result's parsed response and XML after Stream's fn
	// returns; otherwise they are dropped, so that what a caller keeps of
	// an org's thousands of users is their reports, not their assertions.
	Keep bool
}

// ErrNoUser is wrapped when a user asked for is not assigned to the app.
var ErrNoUser = fmt.Errorf("not assigned to the app")

// Run predicts and lints the sign-in of each user of o, with in (which
// gets o as its Okta configuration) and opts, and returns them all: for
// an org of thousands of users, Stream holds one at a time.
func Run(ctx context.Context, o *okta.Org, in *lint.Inputs, opts Options) ([]User, error) {
	var out []User
	err := Stream(ctx, o, in, opts, func(u *User) error {
		out = append(out, *u)
		return nil
	})
	return out, err
}

// Stream is Run handing each user to fn as soon as it is linted, in the
// order Okta listed them. Unless opts.Keep, the result's parsed response
// and XML are dropped once fn returns. An error from fn stops the stream
// and is returned.
func Stream(ctx context.Context, o *okta.Org, in *lint.Inputs, opts Options, fn func(*User) error) error {
	if opts.Lint.Now.IsZero() {
		return fmt.Errorf("preflight: no time to predict the sign-ins at")
	}
	in = in.Clone()
	in.SetOkta(o)
	users := o.Users
	if len(opts.Users) > 0 {
		users = nil
		for _, login := range opts.Users {
			u := o.User(login)
			if u == nil {
				return fmt.Errorf("user %q: %w %s", login, ErrNoUser, o.AppName())
			}
			users = append(users, *u)
		}
	}
	for i := range users {
		u := &users[i]
		p := o.Predict(u)
		lo := opts.Lint
		lo.AtIssue, lo.Predicted = false, true
		// A path, as SARIF and workflow annotations name inputs.
		lo.Name = "okta/" + o.App.ID + "/users/" + u.Login()
		lo.Skip = skips(p, lo.Skip)
		results, err := lint.LintContext(ctx, p.Form(lo.Now), in, lo)
		if err != nil {
			return err
		}
		switch {
		case len(results) != 1:
			return fmt.Errorf("the predicted sign-in of %s gave %d results, not one", u.Login(), len(results))
		case results[0].Err != nil:
			return fmt.Errorf("the predicted sign-in of %s could not be linted: %w", u.Login(), results[0].Err)
		}
		res := results[0]
		res.Input = lo.Name
		label(res.Report)
		if err := fn(&User{Login: u.Login(), Prediction: p, Result: res}); err != nil {
			return err
		}
		if !opts.Keep {
			res.Response = nil
			if res.Capture != nil {
				res.Capture.XML = nil
			}
		}
		if opts.Progress != nil {
			opts.Progress(i+1, len(users))
		}
	}
	return nil
}

// skips are the rules a prediction cannot feed, with why, added to the
// caller's.
func skips(p *okta.Prediction, given map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range given {
		out[k] = v
	}
	for _, id := range signature {
		out[id] = "a predicted sign-in carries no signature: aws/provider-metadata-stale compares Okta's signing keys with the metadata IAM holds instead"
	}
	for _, u := range p.Unknown {
		ids, ok := readers[u.Attribute]
		if !ok {
			ids = []string{"aws/session-tags-invalid", "aws/trust-condition", "aws/trust-tag-session"}
		}
		for _, id := range ids {
			if _, done := out[id]; !done {
				out[id] = fmt.Sprintf("samllint cannot predict %s from Okta's configuration: %s", shortName(u.Attribute), u.Why)
			}
		}
	}
	return out
}

func shortName(attr string) string {
	if i := strings.LastIndexByte(attr, '/'); i >= 0 && strings.HasPrefix(attr, "https://aws.amazon.com/SAML/Attributes/") {
		return attr[i+1:]
	}
	return attr
}

// label says, on every finding about the response, that what it found was
// predicted from configuration.
func label(rep *lint.Report) {
	for i := range rep.Findings {
		f := &rep.Findings[i]
		if f.Location.Source == lint.SourceResponse || f.Location.Source == lint.SourceRelayState || f.Location.Source == "" {
			f.Actual = "predicted from Okta's configuration: " + f.Actual
		}
	}
}

// Time is when a run without --now predicts the sign-ins: the caller's
// clock, to the second, so that a report names one instant.
func Time(now time.Time) time.Time { return now.UTC().Truncate(time.Second) }
