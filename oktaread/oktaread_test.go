package oktaread_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/samllint/samllint/internal/test/oktatest"
	"github.com/samllint/samllint/internal/test/testkit"
	"github.com/samllint/samllint/oktaread"
)

const (
	apiToken = "00aSecretTokenValue-DoNotPrint0123456789"
	awsKey   = "AKIAOKTAAPIINTEGRATION"
	awsSec   = "secret/AWSIntegrationKeyDoNotPrint"
	appID    = "0oa1b2c3d4AWSapp0h7"
)

// org is an AWS Account Federation app shaped as Okta's Applications API
// shows one, with its API integration's keys in settings.app, five users
// and a group assigned, and two signing keys (the current and the next).
func org() *oktatest.Org {
	app := `{"id":"` + appID + `","name":"amazon_aws","label":"Amazon Connect","status":"ACTIVE","signOnMode":"SAML_2_0",
	  "credentials":{"signing":{"kid":"kid-current"},"userNameTemplate":{"template":"${source.login}","type":"BUILT_IN"}},
	  "settings":{"app":{"identityProviderArn":"arn:aws:iam::123456789012:saml-provider/Okta","roleValuePattern":"arn:aws:iam::${accountid}:saml-provider/OKTA,arn:aws:iam::${accountid}:role/${role}",
	    "groupFilter":"aws_(?{{accountid}}\\d+)_(?{{role}}[a-zA-Z0-9+=,.@\\-_]+)","joinAllRoles":false,"useGroupMapping":false,"sessionDuration":3600,
	    "awsEnvironmentType":"aws.amazon","loginURL":"https://console.aws.amazon.com/ec2/home","accessKey":"` + awsKey + `","secretKey":"` + awsSec + `"},
	    "signOn":{"defaultRelayState":"https://us-east-1.console.aws.amazon.com/connect/federate/4f0a8d3e-6c1b-4a57-9e2f-0b7c5d9a1e34"}},
	  "_links":{"metadata":{"href":"https://example.okta.com/api/v1/apps/` + appID + `/sso/saml/metadata","type":"application/xml"}}}`
	var users []string
	for i := range 5 {
		users = append(users, fmt.Sprintf(`{"id":"00u%d","scope":"USER","status":"PROVISIONED","credentials":{"userName":"user%d@example.com"},"profile":{"samlRoles":["ConnectAgent"],"role":null}}`, i, i))
	}
	return &oktatest.Org{
		Token:  apiToken,
		Apps:   map[string]string{appID: app},
		Users:  map[string][]string{appID: users},
		Groups: map[string][]string{appID: {`{"id":"00g1","priority":0,"profile":{"samlRoles":["ConnectAgent","ConnectSupervisor"]}}`}},
		Group:  map[string]string{"00g1": `{"id":"00g1","profile":{"name":"aws_123456789012_ConnectAgent","description":""}}`},
		Keys: map[string]string{appID: `[{"kty":"RSA","created":"2026-01-05T10:00:00.000Z","lastUpdated":"2026-01-05T10:00:00.000Z","expiresAt":"2028-01-05T10:00:00.000Z","x5c":["MIIC"],"kid":"kid-current","use":"sig"},` +
			`{"kty":"RSA","created":"2026-11-30T10:00:00.000Z","lastUpdated":"2026-11-30T10:00:00.000Z","expiresAt":"2028-11-30T10:00:00.000Z","x5c":["MIID"],"kid":"kid-next","use":"sig"}]`},
		Metadata: map[string]string{appID: `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/exk1"/>`},
	}
}

type sleeps struct{ d []time.Duration }

func (s *sleeps) sleep(_ context.Context, d time.Duration) error { s.d = append(s.d, d); return nil }

func client(t *testing.T, srv *oktatest.Server, tok string) (*oktatest.Server, *oktaread.Client, *sleeps) {
	t.Helper()
	sl := &sleeps{}
	now := time.Unix(1_900_000_000, 0)
	srv.Now = func() time.Time { return now }
	c, err := oktaread.New(oktaread.Options{Org: srv.URL, Token: tok, Now: func() time.Time { return now }, Sleep: sl.sleep})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, sl
}

// TestRead: the app, its assignments over three pages, its groups, keys
// and metadata read as the API answers them, with GETs and the token
// only in the Authorization header; the AWS keys of the app's API
// integration are never decoded.
func TestRead(t *testing.T) {
	srv, c, _ := client(t, oktatest.New(t, org()), apiToken)
	srv.PageSize = 2
	ctx := context.Background()
	app, err := c.App(ctx, appID)
	if err != nil {
		t.Fatal(err)
	}
	if s := app.Settings.App; app.Name != "amazon_aws" || s.IdentityProviderARN != "arn:aws:iam::123456789012:saml-provider/Okta" || s.SessionDuration != 3600 || s.JoinAllRoles || app.Credentials.Signing.Kid != "kid-current" {
		t.Errorf("app read as %+v", app)
	}
	if b, _ := json.Marshal(app); strings.Contains(string(b), awsSec) || strings.Contains(string(b), awsKey) {
		t.Errorf("the app's AWS keys were kept: %s", b)
	}
	var pages []int
	users, err := c.AppUsers(ctx, appID, func(n int) { pages = append(pages, n) })
	if err != nil || len(users) != 5 || users[4].Credentials.UserName != "user4@example.com" || !slices.Equal(users[0].Profile.SAMLRoles, []string{"ConnectAgent"}) {
		t.Fatalf("users: %v %+v", err, users)
	}
	if !slices.Equal(pages, []int{2, 4, 5}) {
		t.Errorf("pages read %v, want 3 pages of 2, 2 and 1", pages)
	}
	groups, err := c.AppGroups(ctx, appID)
	if err != nil || len(groups) != 1 || len(groups[0].Profile.SAMLRoles) != 2 {
		t.Errorf("groups: %v %+v", err, groups)
	}
	if g, err := c.Group(ctx, "00g1"); err != nil || g.Profile.Name != "aws_123456789012_ConnectAgent" {
		t.Errorf("group: %v %+v", err, g)
	}
	keys, err := c.Keys(ctx, appID)
	if err != nil || len(keys) != 2 || keys[1].Kid != "kid-next" || keys[1].ExpiresAt.Year() != 2028 {
		t.Errorf("keys: %v %+v", err, keys)
	}
	if md, err := c.Metadata(ctx, appID); err != nil || !strings.Contains(string(md), "EntityDescriptor") {
		t.Errorf("metadata: %v %s", err, md)
	}
	for _, r := range srv.Requests() {
		if !strings.HasPrefix(r, "GET ") || !strings.HasSuffix(r, " SSWS") || strings.Contains(r, apiToken) {
			t.Errorf("request %q: want a GET with the token only in its SSWS Authorization", r)
		}
	}
}

// TestRateLimit: a 429 is waited out until X-Rate-Limit-Reset, then
// retried; a reset past MaxWait fails typed; an answer saying none
// remain waits before the next request.
func TestRateLimit(t *testing.T) {
	srv, c, sl := client(t, oktatest.New(t, org()), apiToken)
	srv.Throttle(1)
	if _, err := c.App(context.Background(), appID); err != nil {
		t.Fatal(err)
	}
	if len(sl.d) != 1 || sl.d[0] != time.Second {
		t.Errorf("waited %v for a reset one second away", sl.d)
	}
	srv.Remaining(1)
	sl.d = nil
	if _, err := c.App(context.Background(), appID); err != nil || len(sl.d) != 1 {
		t.Errorf("the last request left: waited %v (%v), want one wait before the next", sl.d, err)
	}
	long, err := oktaread.New(oktaread.Options{Org: srv.URL, Token: apiToken, MaxWait: 100 * time.Millisecond, Now: time.Now, Sleep: sl.sleep})
	if err != nil {
		t.Fatal(err)
	}
	srv.Now = func() time.Time { return time.Now().Add(time.Hour) }
	srv.Throttle(1)
	var rl *oktaread.RateLimitError
	if _, err := long.App(context.Background(), appID); !errors.As(err, &rl) {
		t.Errorf("a reset an hour away: %v, want a *RateLimitError", err)
	}
}

// TestErrors: a wrong token is ErrUnauthorized and says what to do, a
// missing app names Okta's error, and neither carries the token; an org
// URL that is not one, and no token, are refused before any request.
func TestErrors(t *testing.T) {
	srv := oktatest.New(t, org())
	_, bad, _ := client(t, srv, "wrong-"+apiToken)
	_, err := bad.App(context.Background(), appID)
	if !errors.Is(err, oktaread.ErrUnauthorized) || !strings.Contains(err.Error(), "E0000011") || !strings.Contains(err.Error(), "Security, API, Tokens") || strings.Contains(err.Error(), apiToken) {
		t.Errorf("a wrong token: %v", err)
	}
	_, c, _ := client(t, srv, apiToken)
	var api *oktaread.APIError
	if _, err := c.App(context.Background(), "0oaMissing"); !errors.As(err, &api) || api.Status != 404 || api.Code != "E0000007" {
		t.Errorf("a missing app: %v", err)
	}
	for _, o := range []oktaread.Options{
		{Org: "http://example.okta.com", Token: apiToken},
		{Org: "example.okta.com", Token: apiToken},
		{Org: "https://example.okta.com/app/x", Token: apiToken},
		{Org: "https://example.okta.com"},
	} {
		if _, err := oktaread.New(o); err == nil || strings.Contains(err.Error(), apiToken) {
			t.Errorf("New(%q, token %v): %v", o.Org, o.Token != "", err)
		}
	}
}

// TestEndpoints: docs/okta.md lists exactly the paths the source GETs,
// and Endpoints says the same.
func TestEndpoints(t *testing.T) {
	var found []string
	for _, f := range testkit.Sources(t) {
		ast.Inspect(f, func(n ast.Node) bool {
			// "/api/v1/apps/"+url.PathEscape(id)+"/users?limit=200":
			// the literals of a concatenation, the ID as {id}.
			bin, ok := n.(*ast.BinaryExpr)
			if !ok || bin.Op != token.ADD {
				return true
			}
			var b strings.Builder
			var walk func(e ast.Expr)
			walk = func(e ast.Expr) {
				switch v := e.(type) {
				case *ast.BinaryExpr:
					walk(v.X)
					walk(v.Y)
				case *ast.BasicLit:
					s, _ := strconv.Unquote(v.Value)
					b.WriteString(s)
				default:
					b.WriteString("{id}")
				}
			}
			walk(bin)
			if p, _, _ := strings.Cut(b.String(), "?"); strings.HasPrefix(p, "/api/v1/") {
				found = append(found, p)
			}
			return false
		})
	}
	slices.Sort(found)
	found = slices.Compact(found)
	want := slices.Sorted(slices.Values(oktaread.Endpoints))
	if !slices.Equal(found, want) {
		t.Errorf("the source GETs %q,\nEndpoints are %q", found, want)
	}
	doc, err := os.ReadFile(filepath.Join(testkit.Root(), "docs", "okta.md"))
	if err != nil {
		t.Fatal(err)
	}
	listed := regexp.MustCompile("`GET (/api/v1/[^`]+)`").FindAllStringSubmatch(string(doc), -1)
	var inDoc []string
	for _, m := range listed {
		inDoc = append(inDoc, m[1])
	}
	slices.Sort(inDoc)
	if !slices.Equal(slices.Compact(inDoc), want) {
		t.Errorf("docs/okta.md lists %q,\nEndpoints are %q", inDoc, want)
	}
}

// TestOAuth: a service app's private-key JWT gets an access token from
// the token endpoint, and the reads carry it; a key the app does not hold
// is refused with Okta's error, without the assertion in it.
func TestOAuth(t *testing.T) {
	o := org()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	o.ClientID, o.ClientKey, o.AccessToken = "0oaServiceApp", &key.PublicKey, "eyAccessTokenFromStandIn"
	srv := oktatest.New(t, o)
	now := time.Now()
	srv.Now = func() time.Time { return now }
	c, err := oktaread.New(oktaread.Options{Org: srv.URL, ClientID: "0oaServiceApp", PrivateKey: key})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.App(context.Background(), appID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Keys(context.Background(), appID); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 || !strings.HasPrefix(reqs[0], "POST /oauth2/v1/token") || reqs[1] != "GET /api/v1/apps/"+appID+" Bearer" {
		t.Errorf("requests %q: want one token request, then GETs with the access token", reqs)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	c, _ = oktaread.New(oktaread.Options{Org: srv.URL, ClientID: "0oaServiceApp", PrivateKey: other})
	_, err = c.App(context.Background(), appID)
	var ae *oktaread.APIError
	if !errors.As(err, &ae) || ae.Status != 401 || !strings.Contains(err.Error(), "invalid_client") || strings.Contains(err.Error(), "eyJ") {
		t.Errorf("a key the app does not hold: %v", err)
	}
	if _, err := oktaread.New(oktaread.Options{Org: srv.URL, ClientID: "0oaServiceApp"}); err == nil {
		t.Error("a client ID without its key was accepted")
	}
}
