package oktaread

import (
	"context"
	"net/url"
	"time"
)

// App is an app as GET /api/v1/apps/{id} answers it, as far as samllint
// reads it: never the AWS access keys the AWS app's API integration
// keeps in its settings, which are not decoded at all.
type App struct {
	ID         string `json:"id"`
	Name       string `json:"name"` // amazon_aws for the AWS Account Federation app
	Label      string `json:"label"`
	Status     string `json:"status"`
	SignOnMode string `json:"signOnMode"`
	Settings   struct {
		App    AWSSettings `json:"app"`
		SignOn *SignOn     `json:"signOn,omitempty"`
	} `json:"settings"`
	Credentials struct {
		Signing struct {
			Kid string `json:"kid"`
		} `json:"signing"`
	} `json:"credentials"`
}

// AWSSettings are the AWS Account Federation app's settings.app
// (https://help.okta.com/en-us/content/topics/deploymentguides/aws/aws-configure-aws-app.htm).
type AWSSettings struct {
	IdentityProviderARN string `json:"identityProviderArn,omitempty"`
	RoleValuePattern    string `json:"roleValuePattern,omitempty"`
	GroupFilter         string `json:"groupFilter,omitempty"`
	JoinAllRoles        bool   `json:"joinAllRoles,omitempty"`
	UseGroupMapping     bool   `json:"useGroupMapping,omitempty"`
	SessionDuration     int    `json:"sessionDuration,omitempty"`
	AWSEnvironmentType  string `json:"awsEnvironmentType,omitempty"`
	LoginURL            string `json:"loginURL,omitempty"`
}

// SignOn is a custom SAML 2.0 app's settings.signOn.
type SignOn struct {
	DefaultRelayState     string      `json:"defaultRelayState,omitempty"`
	SSOACSURL             string      `json:"ssoAcsUrl,omitempty"`
	Recipient             string      `json:"recipient,omitempty"`
	Destination           string      `json:"destination,omitempty"`
	Audience              string      `json:"audience,omitempty"`
	IdPIssuer             string      `json:"idpIssuer,omitempty"`
	SubjectNameIDTemplate string      `json:"subjectNameIdTemplate,omitempty"`
	SubjectNameIDFormat   string      `json:"subjectNameIdFormat,omitempty"`
	ResponseSigned        bool        `json:"responseSigned,omitempty"`
	AssertionSigned       bool        `json:"assertionSigned,omitempty"`
	SignatureAlgorithm    string      `json:"signatureAlgorithm,omitempty"`
	DigestAlgorithm       string      `json:"digestAlgorithm,omitempty"`
	AttributeStatements   []Statement `json:"attributeStatements,omitempty"`
}

// Statement is one attribute statement of a custom SAML app.
type Statement struct {
	Type      string   `json:"type"` // EXPRESSION or GROUP
	Name      string   `json:"name"`
	Namespace string   `json:"namespace,omitempty"`
	Values    []string `json:"values"`
}

// Assignment is a user's or a group's assignment to the app, with the
// AWS app's SAML roles in its profile.
type Assignment struct {
	ID          string `json:"id"`
	Scope       string `json:"scope,omitempty"` // a user's: USER, or GROUP when through a group
	Status      string `json:"status,omitempty"`
	Priority    int    `json:"priority,omitempty"`
	Credentials struct {
		UserName string `json:"userName"`
	} `json:"credentials"`
	Profile struct {
		SAMLRoles []string `json:"samlRoles,omitempty"`
		Role      string   `json:"role,omitempty"`
	} `json:"profile"`
}

// Group is a group's name, for group mapping's filter.
type Group struct {
	ID      string `json:"id"`
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
}

// Key is one of the app's signing keys (a JWK with its certificate).
type Key struct {
	Kid       string    `json:"kid"`
	Use       string    `json:"use"`
	X5C       []string  `json:"x5c"`
	Created   time.Time `json:"created"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// App reads one app.
func (c *Client) App(ctx context.Context, id string) (*App, error) {
	var a App
	if _, _, err := c.get(ctx, "/api/v1/apps/"+url.PathEscape(id), &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// AppUsers reads every user assigned to the app, page by page; page is
// told how many so far.
func (c *Client) AppUsers(ctx context.Context, id string, page func(n int)) ([]Assignment, error) {
	return all[Assignment](ctx, c, "/api/v1/apps/"+url.PathEscape(id)+"/users?limit=200", page)
}

// AppGroups reads every group assigned to the app.
func (c *Client) AppGroups(ctx context.Context, id string) ([]Assignment, error) {
	return all[Assignment](ctx, c, "/api/v1/apps/"+url.PathEscape(id)+"/groups?limit=200", nil)
}

// Group reads one group.
func (c *Client) Group(ctx context.Context, id string) (*Group, error) {
	var g Group
	if _, _, err := c.get(ctx, "/api/v1/groups/"+url.PathEscape(id), &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// Keys reads the app's signing keys: the one it signs with and any
// generated for the next rotation.
func (c *Client) Keys(ctx context.Context, id string) ([]Key, error) {
	var keys []Key
	if _, _, err := c.get(ctx, "/api/v1/apps/"+url.PathEscape(id)+"/credentials/keys", &keys); err != nil {
		return nil, err
	}
	return keys, nil
}

// Metadata reads the app's SAML metadata, as IAM's provider should hold it.
func (c *Client) Metadata(ctx context.Context, id string) ([]byte, error) {
	_, b, err := c.getAs(ctx, "/api/v1/apps/"+url.PathEscape(id)+"/sso/saml/metadata", "application/xml", nil)
	return b, err
}
