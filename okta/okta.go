// Package okta models what an Okta org holds for the app that signs users
// in to AWS, and what Okta's documented behaviour makes of it for one
// user: the Role values, the session name and duration, the ACS, the
// audience and the default RelayState of the assertion Okta would send.
// It reads nothing itself (package oktaread does, with GETs); an Org is
// also what "samllint okta-export" writes and --okta-read loads, so a
// run on exported files predicts exactly what the live run did.
//
// Every prediction is labelled as such. Where Okta computes a value
// samllint cannot (an Okta Expression Language statement, a profile
// attribute it did not read), the value is reported unknown, never
// guessed.
package okta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// App is an app as GET /api/v1/apps/{id} answers it, as far as samllint
// reads it: never the AWS access keys the AWS app's API integration keeps
// in settings.app (accessKey, secretKey), which have no field here and so
// are never decoded, kept or written.
type App struct {
	ID         string `json:"id"`
	Name       string `json:"name"` // amazon_aws for the AWS Account Federation app
	Label      string `json:"label"`
	Status     string `json:"status,omitempty"`
	SignOnMode string `json:"signOnMode,omitempty"`
	Settings   struct {
		App    AWSSettings `json:"app"`
		SignOn *SignOn     `json:"signOn,omitempty"`
	} `json:"settings"`
	Credentials struct {
		Signing struct {
			Kid string `json:"kid,omitempty"`
		} `json:"signing"`
	} `json:"credentials"`
}

// AWSApp is the name Okta gives the AWS Account Federation app.
const AWSApp = "amazon_aws"

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

// SignOn is a SAML 2.0 app's settings.signOn: a custom app's whole SAML
// settings, or an Okta Integration Network app's (the AWS app's) default
// RelayState and overrides (OINSaml20ApplicationSettingsSignOn in
// https://developer.okta.com/docs/api/openapi/okta-management/management/tag/Application/).
type SignOn struct {
	DefaultRelayState     string      `json:"defaultRelayState,omitempty"`
	SSOACSURLOverride     string      `json:"ssoAcsUrlOverride,omitempty"`
	RecipientOverride     string      `json:"recipientOverride,omitempty"`
	DestinationOverride   string      `json:"destinationOverride,omitempty"`
	AudienceOverride      string      `json:"audienceOverride,omitempty"`
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

// Assignment is a user's or a group's assignment to the app, with the AWS
// app's SAML roles in its profile.
type Assignment struct {
	ID          string `json:"id"`
	Scope       string `json:"scope,omitempty"` // a user's: USER, or GROUP when assigned through a group
	Status      string `json:"status,omitempty"`
	Priority    int    `json:"priority,omitempty"`
	Credentials struct {
		UserName string `json:"userName,omitempty"`
	} `json:"credentials"`
	Profile struct {
		SAMLRoles []string `json:"samlRoles,omitempty"`
		Role      string   `json:"role,omitempty"`
	} `json:"profile"`
}

// Group is a group's ID and name.
type Group struct {
	ID      string `json:"id"`
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
}

// Name is the group's name.
func (g Group) Name() string { return g.Profile.Name }

// Key is one of the app's signing keys (a JWK with its certificate).
type Key struct {
	Kid       string    `json:"kid"`
	Use       string    `json:"use,omitempty"`
	X5C       []string  `json:"x5c"`
	Created   time.Time `json:"created"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// User is a user assigned to the app, with the Okta groups they belong
// to (group mapping and "Join all roles" read them).
type User struct {
	Assignment
	Groups []Group `json:"groups,omitempty"`
}

// Login is the app username: what Okta sends as RoleSessionName.
func (u *User) Login() string { return u.Credentials.UserName }

// GroupAssignment is a group assigned to the app, with its name.
type GroupAssignment struct {
	Assignment
	Name string `json:"name,omitempty"`
}

// Org is everything samllint read from an Okta org about one app: what
// preflight predicts from, and the file okta-export writes.
type Org struct {
	// Format marks the file: FormatV1.
	Format string `json:"samllint_okta_read"`
	// URL is the org's URL.
	URL    string            `json:"org"`
	App    App               `json:"app"`
	Users  []User            `json:"users"`
	Groups []GroupAssignment `json:"groups"`
	Keys   []Key             `json:"keys"`
	// Metadata is the app's SAML metadata (GET …/sso/saml/metadata).
	Metadata string `json:"metadata,omitempty"`

	// byLogin finds a user by lower-cased app username, once Index has
	// run: every rule of every user's lint looks its user up.
	byLogin map[string]int
}

// Index builds the lookup User uses; Parse and oktaread's Read call it
// once the users are read. Without it, User scans.
func (o *Org) Index() {
	o.byLogin = make(map[string]int, len(o.Users))
	for i := range o.Users {
		k := strings.ToLower(o.Users[i].Login())
		if _, dup := o.byLogin[k]; !dup {
			o.byLogin[k] = i
		}
	}
}

// FormatV1 is the Format of the files this version writes.
const FormatV1 = "v1"

// Parse reads an Org as Marshal writes it.
func Parse(data []byte) (*Org, error) {
	var o Org
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&o); err != nil {
		return nil, fmt.Errorf("unreadable JSON (%v); expected what samllint okta-export writes", err)
	}
	switch {
	case o.Format == "":
		return nil, errors.New(`no "samllint_okta_read" field; expected what samllint okta-export writes`)
	case o.Format != FormatV1:
		return nil, fmt.Errorf("format %q; expected %q (written by a newer samllint?)", o.Format, FormatV1)
	case o.App.ID == "":
		return nil, errors.New("no app.id; expected what samllint okta-export writes")
	}
	o.Index()
	return &o, nil
}

// Marshal writes the Org as indented JSON, users in the order read.
func (o *Org) Marshal() ([]byte, error) {
	c := *o
	c.Format = FormatV1
	b, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// AppName is how a person finds the app: "Okta app "Amazon Connect" (0oa…)".
func (o *Org) AppName() string {
	return fmt.Sprintf("Okta app %q (%s)", o.App.Label, o.App.ID)
}

// IsAWSApp reports whether the app is the AWS Account Federation app;
// else it is a custom SAML app.
func (o *Org) IsAWSApp() bool { return o.App.Name == AWSApp }

// User finds an assigned user by app username (case-insensitively, as
// Okta logins are), or nil.
func (o *Org) User(login string) *User {
	if i, ok := o.byLogin[strings.ToLower(login)]; ok && i < len(o.Users) && strings.EqualFold(o.Users[i].Login(), login) {
		return &o.Users[i]
	}
	// Not indexed, or the index is older than the users.
	for i := range o.Users {
		if strings.EqualFold(o.Users[i].Login(), login) {
			return &o.Users[i]
		}
	}
	return nil
}

// SigningKey is the key the app signs with (credentials.signing.kid), or
// nil when the keys read do not hold it.
func (o *Org) SigningKey() *Key {
	for i := range o.Keys {
		if o.Keys[i].Kid == o.App.Credentials.Signing.Kid {
			return &o.Keys[i]
		}
	}
	return nil
}
