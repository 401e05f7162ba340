package oktaread

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Scopes are the OAuth scopes a service app needs for these reads.
var Scopes = []string{"okta.apps.read", "okta.users.read", "okta.groups.read"}

// tokenPath is the org authorization server's token endpoint: the one
// place the client POSTs, to get an access token for the GETs
// (https://developer.okta.com/docs/guides/implement-oauth-for-okta-serviceapp/main/).
const tokenPath = "/oauth2/v1/token"

// oauth holds a service app's access token, fetched on first use with a
// private-key JWT client assertion (RFC 7523) and kept until it expires.
type oauth struct {
	mu      sync.Mutex
	token   string
	expires time.Time
}

// authorization is the Authorization header for a request: the API token,
// or a service app's access token.
func (c *Client) authorization(ctx context.Context) (string, error) {
	if c.opts.ClientID == "" {
		return "SSWS " + c.opts.Token, nil
	}
	c.oauth.mu.Lock()
	defer c.oauth.mu.Unlock()
	if c.oauth.token != "" && c.opts.Now().Before(c.oauth.expires.Add(-time.Minute)) {
		return "Bearer " + c.oauth.token, nil
	}
	tok, ttl, err := c.fetchToken(ctx)
	if err != nil {
		return "", err
	}
	c.oauth.token, c.oauth.expires = tok, c.opts.Now().Add(ttl)
	return "Bearer " + tok, nil
}

// signingMethod is the JWT algorithm for the key: RS256 or ES256.
func signingMethod(k crypto.Signer) (jwt.SigningMethod, error) {
	switch pub := k.Public().(type) {
	case *rsa.PublicKey:
		return jwt.SigningMethodRS256, nil
	case *ecdsa.PublicKey:
		if pub.Curve == elliptic.P256() {
			return jwt.SigningMethodES256, nil
		}
	}
	return nil, errors.New("the private key is neither RSA nor EC P-256, the kinds Okta takes for private_key_jwt")
}

func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	aud := c.base.String() + tokenPath
	now := c.opts.Now()
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", 0, err
	}
	method, err := signingMethod(c.opts.PrivateKey)
	if err != nil {
		return "", 0, err
	}
	claims := jwt.RegisteredClaims{Issuer: c.opts.ClientID, Subject: c.opts.ClientID, Audience: jwt.ClaimStrings{aud},
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(5 * time.Minute)), ID: hex.EncodeToString(jti)}
	tok := jwt.NewWithClaims(method, claims)
	if c.opts.KeyID != "" {
		tok.Header["kid"] = c.opts.KeyID
	}
	assertion, err := tok.SignedString(c.opts.PrivateKey)
	if err != nil {
		return "", 0, fmt.Errorf("signing the client assertion: %w", err)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {strings.Join(Scopes, " ")},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, aud, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.opts.HTTP.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("cannot reach %s: %w", c.base.Host, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", 0, fmt.Errorf("POST %s: %w", tokenPath, err)
	}
	var out struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(b, &out)
	if resp.StatusCode != http.StatusOK || out.AccessToken == "" {
		// The answer's error names the cause (invalid_client,
		// invalid_scope); the assertion itself is never shown.
		msg := fmt.Sprintf("POST %s: %d", tokenPath, resp.StatusCode)
		if out.Error != "" {
			msg += " " + out.Error + ": " + out.Description
		}
		return "", 0, &APIError{Status: resp.StatusCode, Code: out.Error, Summary: strings.TrimPrefix(msg, fmt.Sprintf("POST %s: %d ", tokenPath, resp.StatusCode)), Path: tokenPath}
	}
	if !strings.EqualFold(out.TokenType, "Bearer") {
		return "", 0, fmt.Errorf("POST %s: token type %q; expected Bearer (turn off \"Require DPoP\" for the service app: samllint does not send DPoP proofs)", tokenPath, out.TokenType)
	}
	ttl := time.Duration(out.ExpiresIn) * time.Second
	if ttl <= 0 {
		ttl = 5 * time.Minute
	}
	return out.AccessToken, ttl, nil
}
