package oktaread

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/samllint/samllint/okta"
)

// App reads one app: never the AWS access keys the AWS app's API
// integration keeps in its settings, which okta.App has no field for.
func (c *Client) App(ctx context.Context, id string) (*okta.App, error) {
	var a okta.App
	if _, _, err := c.get(ctx, "/api/v1/apps/"+url.PathEscape(id), &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// Apps reads the org's active SAML apps, page by page.
func (c *Client) Apps(ctx context.Context) ([]okta.App, error) {
	apps, err := all[okta.App](ctx, c, "/api/v1/apps?limit=200&filter="+url.QueryEscape(`status eq "ACTIVE"`), nil)
	if err != nil {
		return nil, err
	}
	out := apps[:0]
	for _, a := range apps {
		if a.SignOnMode == "SAML_2_0" {
			out = append(out, a)
		}
	}
	return out, nil
}

// AppUsers reads every user assigned to the app, page by page; page is
// told how many so far.
func (c *Client) AppUsers(ctx context.Context, id string, page func(n int)) ([]okta.Assignment, error) {
	return all[okta.Assignment](ctx, c, "/api/v1/apps/"+url.PathEscape(id)+"/users?limit=200", page)
}

// AppGroups reads every group assigned to the app.
func (c *Client) AppGroups(ctx context.Context, id string) ([]okta.Assignment, error) {
	return all[okta.Assignment](ctx, c, "/api/v1/apps/"+url.PathEscape(id)+"/groups?limit=200", nil)
}

// Group reads one group.
func (c *Client) Group(ctx context.Context, id string) (*okta.Group, error) {
	var g okta.Group
	if _, _, err := c.get(ctx, "/api/v1/groups/"+url.PathEscape(id), &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// UserGroups reads the groups a user belongs to, for group mapping and
// "Join all roles".
func (c *Client) UserGroups(ctx context.Context, userID string) ([]okta.Group, error) {
	return all[okta.Group](ctx, c, "/api/v1/users/"+url.PathEscape(userID)+"/groups?limit=200", nil)
}

// Keys reads the app's signing keys: the one it signs with and any
// generated for the next rotation.
func (c *Client) Keys(ctx context.Context, id string) ([]okta.Key, error) {
	var keys []okta.Key
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

// ErrNoApp is wrapped when no app of the org issues as the capture's
// Issuer.
var ErrNoApp = errors.New("no Okta app found")

// FindApp finds the app whose metadata's entityID is issuer
// (http://www.okta.com/<external key>, which the Applications API does not
// return), reading the org's active SAML apps and their metadata.
func (c *Client) FindApp(ctx context.Context, issuer string) (string, error) {
	apps, err := c.Apps(ctx)
	if err != nil {
		return "", err
	}
	for _, a := range apps {
		md, err := c.Metadata(ctx, a.ID)
		if err != nil {
			return "", err
		}
		if okta.EntityID(string(md)) == issuer {
			return a.ID, nil
		}
	}
	return "", fmt.Errorf("%w with the Issuer %s among the org's %d active SAML apps: name it with --okta-app ID", ErrNoApp, issuer, len(apps))
}

// ReadOptions say what Read reads.
type ReadOptions struct {
	// User, when set, keeps only that user (by app username).
	User string
	// NoUserGroups leaves out each user's groups (one call a user): the
	// caller reads them, with UserGroups, for the users it needs.
	NoUserGroups bool
	// Progress is told how many users have been read, of how many.
	Progress func(done, total int)
}

// Read reads everything samllint predicts from for one app: the app, its
// user and group assignments, each user's groups, the group names, the
// signing keys and the metadata.
func (c *Client) Read(ctx context.Context, appID string, o ReadOptions) (*okta.Org, error) {
	app, err := c.App(ctx, appID)
	if err != nil {
		return nil, err
	}
	org := &okta.Org{Format: okta.FormatV1, URL: c.base.String(), App: *app}
	users, err := c.AppUsers(ctx, appID, nil)
	if err != nil {
		return nil, err
	}
	groups, err := c.AppGroups(ctx, appID)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		named, err := c.Group(ctx, g.ID)
		if err != nil {
			return nil, err
		}
		org.Groups = append(org.Groups, okta.GroupAssignment{Assignment: g, Name: named.Name()})
	}
	if o.User != "" {
		kept := users[:0]
		for _, u := range users {
			if strings.EqualFold(u.Credentials.UserName, o.User) {
				kept = append(kept, u)
			}
		}
		users = kept
	}
	// Group mapping and "Join all roles" need each user's groups; other
	// setups do too when groups are assigned, for the roles they hide.
	needGroups := NeedsUserGroups(&org.App, len(groups)) && !o.NoUserGroups
	for i, u := range users {
		user := okta.User{Assignment: u}
		if needGroups {
			if user.Groups, err = c.UserGroups(ctx, u.ID); err != nil {
				return nil, err
			}
		}
		org.Users = append(org.Users, user)
		if o.Progress != nil {
			o.Progress(i+1, len(users))
		}
	}
	org.Index()
	if org.Keys, err = c.Keys(ctx, appID); err != nil {
		return nil, err
	}
	md, err := c.Metadata(ctx, appID)
	if err != nil {
		return nil, err
	}
	org.Metadata = string(md)
	return org, nil
}

// NeedsUserGroups reports whether predicting a user's Role values needs
// the user's groups: with group mapping, or when groups are assigned to
// the app (their roles, joined or hidden).
func NeedsUserGroups(app *okta.App, assignedGroups int) bool {
	return app.Settings.App.UseGroupMapping || assignedGroups > 0
}
