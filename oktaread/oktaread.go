// Package oktaread reads, with GETs only, what an Okta org holds for the
// app that signs users in to AWS: the app's settings (the AWS Account
// Federation app's Identity Provider ARN, role value pattern, group
// filter, "Join all roles"; a custom SAML app's attribute statements),
// its user and group assignments with their SAML roles, its signing keys
// and its SAML metadata. It is the Okta side of samllint's reads, as
// awsread is the AWS side.
//
// It is a small net/http client rather than Okta's Go SDK
// (github.com/okta/okta-sdk-golang): these are a handful of GETs, and the
// SDK reads ~/.okta/okta.yaml and OKTA_CLIENT_* variables on its own and
// drops the port of a custom org URL, which would make a run depend on
// files the person did not name and make loopback tests impossible.
//
// The endpoints are those of Okta's Management API
// (https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Application/),
// paged by Link headers (https://developer.okta.com/docs/api/#pagination)
// and rate limited as Okta documents
// (https://developer.okta.com/docs/reference/rl-best-practices/): each
// answer says X-Rate-Limit-Remaining and X-Rate-Limit-Reset, and a 429 is
// waited out until the reset, within bounds.
package oktaread

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Endpoints are every path the package GETs, with {id} for an ID:
// docs/okta.md lists exactly these, and a test checks both against the
// source.
var Endpoints = []string{
	"/api/v1/apps",
	"/api/v1/apps/{id}",
	"/api/v1/apps/{id}/users",
	"/api/v1/apps/{id}/groups",
	"/api/v1/apps/{id}/credentials/keys",
	"/api/v1/apps/{id}/sso/saml/metadata",
	"/api/v1/groups/{id}",
	"/api/v1/users/{id}/groups",
}

// Options say which org to read and how.
type Options struct {
	// Org is the org's URL: https://ORG.okta.com, or a custom domain; a
	// port is kept.
	Org string
	// Token is an API token (sent as "SSWS token"); it is never printed,
	// logged or put in an error.
	Token string
	// ClientID and PrivateKey are an OAuth service app's, instead of a
	// token: its access token is fetched with a private-key JWT (scopes
	// okta.apps.read, okta.users.read, okta.groups.read). KeyID is the
	// key's kid in the app, when it has several.
	ClientID   string
	PrivateKey crypto.Signer
	KeyID      string
	// HTTP is the client to use; nil is a client with Timeout.
	HTTP *http.Client
	// Timeout bounds each request; zero is 20 s.
	Timeout time.Duration
	// MaxWait bounds how long a rate limit is waited out, per request;
	// zero is one minute. Past it the read fails with *RateLimitError.
	MaxWait time.Duration
	// Now and Sleep are the clock; nil is time's.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client reads one org.
type Client struct {
	base  *url.URL
	opts  Options
	oauth oauth
}

// New checks the org URL and the token; it makes no request.
func New(opts Options) (*Client, error) {
	u, err := url.Parse(strings.TrimSuffix(strings.TrimSpace(opts.Org), "/"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) || u.Path != "" || u.RawQuery != "" {
		return nil, fmt.Errorf("okta org %q: expected its URL, such as https://example.okta.com (https; http only on a loopback address)", opts.Org)
	}
	switch {
	case opts.ClientID != "" && opts.PrivateKey == nil:
		return nil, errors.New("an OAuth service app needs its private key (--okta-key FILE) beside its client ID")
	case opts.ClientID == "" && opts.Token == "":
		return nil, errors.New("no Okta credentials: set OKTA_API_TOKEN to a token of an admin who may read apps, users and groups, or OKTA_CLIENT_ID with --okta-key FILE for an OAuth service app")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 20 * time.Second
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = time.Minute
	}
	if opts.HTTP == nil {
		opts.HTTP = &http.Client{Timeout: opts.Timeout}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = func(ctx context.Context, d time.Duration) error {
			select {
			case <-time.After(d):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return &Client{base: u, opts: opts}, nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// APIError is an error answer of Okta's API: its errorCode
// (E0000011 for an invalid token), summary and HTTP status.
type APIError struct {
	Status  int
	Code    string
	Summary string
	Path    string
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("GET %s: %d", e.Path, e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Summary != "" {
		msg += ": " + e.Summary
	}
	if e.Status == http.StatusUnauthorized {
		msg += " (the API token is invalid, expired or revoked: create one in the Admin Console, Security, API, Tokens)"
	}
	if e.Status == http.StatusForbidden {
		msg += " (the token's admin may not read this: a read-only admin role suffices, see docs/okta.md)"
	}
	return msg
}

// ErrUnauthorized is wrapped by a 401 answer.
var ErrUnauthorized = errors.New("okta: unauthorized")

func (e *APIError) Unwrap() error {
	if e.Status == http.StatusUnauthorized {
		return ErrUnauthorized
	}
	return nil
}

// RateLimitError is a rate limit that would not reset within MaxWait.
type RateLimitError struct {
	Path  string
	Reset time.Time
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("GET %s: Okta's rate limit resets at %s, later than samllint waits", e.Path, e.Reset.UTC().Format(time.RFC3339))
}

// maxAnswer bounds one answer: a page of users, the metadata.
const maxAnswer = 16 << 20

// get fetches one page of path (a path with its query, or a next URL
// from a Link header on the org), decoding JSON into out, or, for a
// non-JSON answer, returning the body. It waits out a 429 until the
// reset Okta names, and waits before a request when the last answer said
// none remain.
func (c *Client) get(ctx context.Context, path string, out any) (next string, body []byte, err error) {
	return c.getAs(ctx, path, "application/json", out)
}

func (c *Client) getAs(ctx context.Context, path, accept string, out any) (next string, body []byte, err error) {
	u, err := c.base.Parse(path)
	if err != nil || u.Host != c.base.Host || u.Scheme != c.base.Scheme {
		return "", nil, fmt.Errorf("okta: %q is not on the org %s", path, c.base)
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return "", nil, err
		}
		auth, err := c.authorization(ctx)
		if err != nil {
			return "", nil, err
		}
		req.Header.Set("Authorization", auth)
		req.Header.Set("Accept", accept)
		req.Header.Set("User-Agent", "samllint")
		resp, err := c.opts.HTTP.Do(req)
		if err != nil {
			// The URL holds no secret; the error names the host.
			return "", nil, fmt.Errorf("cannot reach %s: %w", c.base.Host, errors.Unwrap(err))
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
		resp.Body.Close()
		if err != nil {
			return "", nil, fmt.Errorf("GET %s: %w", u.Path, err)
		}
		reset := c.reset(resp.Header)
		if resp.StatusCode == http.StatusTooManyRequests {
			wait := reset.Sub(c.opts.Now())
			if wait < time.Second {
				wait = time.Second
			}
			if wait > c.opts.MaxWait || attempt >= 5 {
				return "", nil, &RateLimitError{Path: u.Path, Reset: reset}
			}
			if err := c.opts.Sleep(ctx, wait); err != nil {
				return "", nil, err
			}
			continue
		}
		if resp.StatusCode >= 300 {
			var e struct{ ErrorCode, ErrorSummary string }
			_ = json.Unmarshal(b, &e)
			return "", nil, &APIError{Status: resp.StatusCode, Code: e.ErrorCode, Summary: e.ErrorSummary, Path: u.Path}
		}
		if rem := resp.Header.Get("X-Rate-Limit-Remaining"); rem == "0" {
			// The next request would be refused: wait for the reset now.
			if wait := reset.Sub(c.opts.Now()); wait > 0 && wait <= c.opts.MaxWait {
				if err := c.opts.Sleep(ctx, wait); err != nil {
					return "", nil, err
				}
			}
		}
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				return "", nil, fmt.Errorf("GET %s: not the JSON Okta answers: %w", u.Path, err)
			}
		}
		return nextLink(resp.Header), b, nil
	}
}

// reset is X-Rate-Limit-Reset, epoch seconds; a minute from now without it.
func (c *Client) reset(h http.Header) time.Time {
	if s, err := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64); err == nil && s > 0 {
		return time.Unix(s, 0)
	}
	return c.opts.Now().Add(time.Minute)
}

// nextLink is the URL of the Link header's rel="next", "" at the end.
func nextLink(h http.Header) string {
	for _, v := range h.Values("Link") {
		for _, part := range strings.Split(v, ",") {
			target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
			if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for _, p := range strings.Split(params, ";") {
				if k, val, _ := strings.Cut(strings.TrimSpace(p), "="); k == "rel" && strings.Trim(val, `"`) == "next" {
					return target[1 : len(target)-1]
				}
			}
		}
	}
	return ""
}

// all fetches every page of a list, calling page after each.
func all[T any](ctx context.Context, c *Client, path string, page func(n int)) ([]T, error) {
	var out []T
	for next := path; next != ""; {
		var items []T
		n, _, err := c.get(ctx, next, &items)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if page != nil {
			page(len(out))
		}
		next = n
	}
	return out, nil
}
