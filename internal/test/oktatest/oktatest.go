// Package oktatest is a loopback stand-in for the parts of Okta's
// Management API samllint reads, answering as Okta's API reference
// shows: the app (GET /api/v1/apps/{id},
// https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Application/),
// its user and group assignments (Application Users and Groups, paged by
// a Link header with an "after" cursor,
// https://developer.okta.com/docs/api/#pagination), groups, the app's
// signing keys (Application SSO Credential Key) and SAML metadata; every
// answer carries X-Rate-Limit-Limit, -Remaining and -Reset
// (https://developer.okta.com/docs/reference/rl-best-practices/), a 429
// when throttled, and a 401 with errorCode E0000011 for a wrong token
// (https://developer.okta.com/docs/reference/error-codes/).
package oktatest

import (
	"crypto"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Org is what the stand-in holds, as Okta's JSON: apps by ID (the app
// document), their user and group assignments, groups and keys, and
// metadata XML.
type Org struct {
	Token    string
	Apps     map[string]string   // app ID → GET /api/v1/apps/{id} body
	Users    map[string][]string // app ID → assignment bodies
	Groups   map[string][]string // app ID → group assignment bodies
	Group    map[string]string   // group ID → body
	Keys     map[string]string   // app ID → keys array body
	Metadata map[string]string   // app ID → XML
	// UserGroups are each user's groups (GET /api/v1/users/{id}/groups).
	UserGroups map[string][]string // user ID → group bodies
	// ClientID and ClientKey are an OAuth service app's: the token
	// endpoint (POST /oauth2/v1/token) grants AccessToken for a
	// private-key JWT the key verifies, as Okta's service-app guide shows
	// (https://developer.okta.com/docs/guides/implement-oauth-for-okta-serviceapp/main/).
	ClientID    string
	ClientKey   crypto.PublicKey
	AccessToken string
}

// Server is the stand-in.
type Server struct {
	*httptest.Server
	Org      *Org
	PageSize int
	// Now is the stand-in's clock, for X-Rate-Limit-Reset.
	Now func() time.Time

	mu        sync.Mutex
	requests  []string
	throttle  int
	remaining int
}

// New starts a stand-in for org, closed when the test ends.
func New(t testing.TB, org *Org) *Server {
	s := &Server{Org: org, PageSize: 200, Now: time.Now, remaining: 600}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Throttle answers the next n requests with 429.
func (s *Server) Throttle(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle = n
}

// Remaining sets what X-Rate-Limit-Remaining counts down from.
func (s *Server) Remaining(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remaining = n
}

// Requests are the requests made, "METHOD path?query", in order, and the
// Authorization header's scheme of each.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI()+" "+scheme)
	throttled := s.throttle > 0
	if throttled {
		s.throttle--
	}
	if s.remaining > 0 {
		s.remaining--
	}
	remaining := s.remaining
	s.mu.Unlock()
	reset := s.Now().Add(time.Second).Unix()
	w.Header().Set("X-Rate-Limit-Limit", "600")
	w.Header().Set("X-Rate-Limit-Remaining", strconv.Itoa(remaining))
	w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(reset, 10))
	fail := func(status int, code, summary string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": "oae-standin", "errorCauses": []any{}})
	}
	if r.URL.Path == "/oauth2/v1/token" {
		s.token(w, r)
		return
	}
	switch {
	case r.Method != http.MethodGet:
		fail(http.StatusMethodNotAllowed, "E0000022", "The endpoint does not support the provided HTTP method")
		return
	case r.Header.Get("Authorization") != "SSWS "+s.Org.Token && (s.Org.AccessToken == "" || r.Header.Get("Authorization") != "Bearer "+s.Org.AccessToken):
		fail(http.StatusUnauthorized, "E0000011", "Invalid token provided")
		return
	case throttled:
		w.Header().Set("X-Rate-Limit-Remaining", "0")
		fail(http.StatusTooManyRequests, "E0000047", "API call exceeded rate limit due to too many requests.")
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	jsonBody := func(b string) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, b)
	}
	if len(parts) == 3 && parts[2] == "apps" {
		// The list's filter is the documented status filter; the
		// stand-in holds active apps only.
		if f := r.URL.Query().Get("filter"); f != "" && f != `status eq "ACTIVE"` {
			fail(http.StatusBadRequest, "E0000031", "Invalid search criteria.")
			return
		}
		ids := make([]string, 0, len(s.Org.Apps))
		for id := range s.Org.Apps {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		var list []string
		for _, id := range ids {
			list = append(list, s.Org.Apps[id])
		}
		s.page(w, r, list)
		return
	}
	if len(parts) < 4 || parts[0] != "api" || parts[1] != "v1" {
		fail(http.StatusNotFound, "E0000022", "The endpoint does not support the provided HTTP method")
		return
	}
	notFound := func() {
		fail(http.StatusNotFound, "E0000007", "Not found: Resource not found: "+parts[3]+" (AppInstance)")
	}
	switch {
	case parts[2] == "users" && len(parts) == 5 && parts[4] == "groups":
		s.page(w, r, s.Org.UserGroups[parts[3]])
	case parts[2] == "groups" && len(parts) == 4:
		if b, ok := s.Org.Group[parts[3]]; ok {
			jsonBody(b)
			return
		}
		notFound()
	case parts[2] != "apps":
		notFound()
	case s.Org.Apps[parts[3]] == "":
		notFound()
	case len(parts) == 4:
		jsonBody(s.Org.Apps[parts[3]])
	case len(parts) == 5 && (parts[4] == "users" || parts[4] == "groups"):
		list := s.Org.Users[parts[3]]
		if parts[4] == "groups" {
			list = s.Org.Groups[parts[3]]
		}
		s.page(w, r, list)
	case len(parts) == 6 && parts[4] == "credentials" && parts[5] == "keys":
		jsonBody(s.Org.Keys[parts[3]])
	case len(parts) == 7 && parts[4] == "sso" && parts[5] == "saml" && parts[6] == "metadata":
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, s.Org.Metadata[parts[3]])
	default:
		notFound()
	}
}

// page answers one page of list, with Okta's Link header: rel="self" and,
// unless it is the last, rel="next" with an "after" cursor.
func (s *Server) page(w http.ResponseWriter, r *http.Request, list []string) {
	size := s.PageSize
	if l, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && l > 0 && l < size {
		size = l
	}
	from, _ := strconv.Atoi(r.URL.Query().Get("after"))
	from = min(max(from, 0), len(list))
	to := min(from+size, len(list))
	q := r.URL.Query()
	q.Set("limit", strconv.Itoa(size))
	q.Del("after")
	self := fmt.Sprintf(`<%s%s?%s>; rel="self"`, s.URL, r.URL.Path, q.Encode())
	if to < len(list) {
		q.Set("after", strconv.Itoa(to))
		self += fmt.Sprintf(`, <%s%s?%s>; rel="next"`, s.URL, r.URL.Path, q.Encode())
	}
	w.Header().Set("Link", self)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, "["+strings.Join(list[from:to], ",")+"]")
}

// token is the org authorization server's token endpoint for a service
// app: client_credentials with a private_key_jwt assertion.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	deny := func(code, desc string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
	}
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		deny("invalid_request", "The token endpoint takes a POST form.")
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "client_credentials" || f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		deny("invalid_request", "Unsupported grant or assertion type.")
		return
	}
	claims := &jwt.RegisteredClaims{}
	_, err := jwt.ParseWithClaims(f.Get("client_assertion"), claims, func(*jwt.Token) (any, error) { return s.Org.ClientKey, nil },
		jwt.WithValidMethods([]string{"RS256", "ES256"}), jwt.WithAudience(s.URL+"/oauth2/v1/token"), jwt.WithIssuer(s.Org.ClientID), jwt.WithSubject(s.Org.ClientID),
		jwt.WithTimeFunc(s.Now))
	if err != nil || s.Org.ClientKey == nil {
		deny("invalid_client", "The client_assertion signature is invalid.")
		return
	}
	for _, sc := range strings.Fields(f.Get("scope")) {
		if !strings.HasPrefix(sc, "okta.") || !strings.HasSuffix(sc, ".read") {
			deny("invalid_scope", "The requested scope is invalid, unknown, or malformed.")
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "expires_in": 3600, "access_token": s.Org.AccessToken, "scope": f.Get("scope")})
}
