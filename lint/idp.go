package lint

import "strings"

// idpSettings says where each setting lives in the admin console of the
// IdPs samllint recognises from the Issuer, so a fix can point there.
var idpSettings = map[string]map[string]string{
	"Okta": {
		"role":             `Okta admin console → Applications → the AWS app → Sign On tab: "Identity Provider ARN" and each user's or group's SAML role (with group mapping: "Role Value Pattern" and "Group Filter")`,
		"session-name":     `Okta: the AWS app's Sign On tab → Credentials Details: "Application username format"`,
		"acs":              `Okta: the AWS app's Sign On tab → Advanced Sign-on Settings: "ACS URL"`,
		"audience":         `Okta: the AWS app's Sign On tab → "AWS Environment" (sets the audience)`,
		"relay-state":      `Okta: the AWS app's Sign On tab: "Default Relay State"`,
		"session-duration": `Okta: the AWS app's Sign On tab: "Session Duration"`,
		"certificate":      `Okta: the AWS app's Sign On tab → SAML Signing Certificates: "Identity Provider metadata"`,
	},
	"Entra ID": {
		"role":             "Entra admin center → Enterprise applications → the AWS app → Single sign-on → Attributes & Claims: the Role claim (namespace https://aws.amazon.com/SAML/Attributes), and Users and groups: assign an AWS role, not Default Access",
		"session-name":     "Entra: the AWS app → Attributes & Claims: RoleSessionName (source user.userprincipalname or user.mail)",
		"acs":              "Entra: the AWS app → Basic SAML Configuration: Reply URL",
		"audience":         "Entra: the AWS app → Basic SAML Configuration: Identifier (Entity ID)",
		"relay-state":      "Entra: the AWS app → Basic SAML Configuration: Relay State",
		"session-duration": "Entra: the AWS app → Attributes & Claims: SessionDuration",
		"certificate":      "Entra: the AWS app → SAML Certificates: Federation Metadata XML",
	},
	"AD FS": {
		"role":             "AD FS Management → Relying Party Trusts → Amazon Web Services → Edit Claim Issuance Policy: the Role rule",
		"session-name":     "AD FS: the relying party's claim issuance policy: the RoleSessionName rule",
		"acs":              "AD FS: the relying party's Properties → Endpoints: SAML Assertion Consumer endpoint",
		"audience":         "AD FS: the relying party's Properties → Identifiers: relying party identifier",
		"relay-state":      "AD FS: the RelayState parameter of the IdP-initiated sign-on URL",
		"session-duration": "AD FS: the relying party's claim issuance policy: a SessionDuration rule",
		"certificate":      "AD FS Management → Service → Certificates: Token-signing (export FederationMetadata.xml)",
	},
	"Google Workspace": {
		"role":         "Google Admin console → Apps → Web and mobile apps → the AWS app → SAML attribute mapping: Role (custom attribute Amazon → Role)",
		"session-name": "Google: the AWS app → SAML attribute mapping: RoleSessionName (Primary email)",
		"acs":          "Google: the AWS app → Service provider details: ACS URL",
		"audience":     "Google: the AWS app → Service provider details: Entity ID",
		"relay-state":  "Google: the AWS app → Service provider details: Start URL",
		"certificate":  "Google: the AWS app → Google Identity Provider details: download metadata",
	},
	"JumpCloud": {
		"role":         "JumpCloud: SSO → the AWS app → SSO tab → Attributes: Role",
		"session-name": "JumpCloud: SSO → the AWS app → SSO tab → Attributes: RoleSessionName (default SSO-User)",
		"acs":          "JumpCloud: the AWS app's SSO tab: ACS URL",
		"audience":     "JumpCloud: the AWS app's SSO tab: SP Entity ID",
		"relay-state":  "JumpCloud: the AWS app's SSO tab: Default RelayState",
		"certificate":  "JumpCloud: the AWS app's SSO tab: Export Metadata",
	},
	"PingFederate/PingOne": {
		"role":         "Ping: the AWS SP connection → Attribute Contract Fulfillment: Role",
		"session-name": "Ping: the AWS SP connection → Attribute Contract Fulfillment: RoleSessionName",
		"acs":          "Ping: the AWS SP connection → Protocol Settings: Assertion Consumer Service URL",
		"audience":     "Ping: the AWS SP connection → General Info: Partner's Entity ID",
		"relay-state":  "Ping: the IdP-initiated SSO URL's TargetResource / RelayState",
		"certificate":  "Ping: the AWS SP connection → Credentials: signing certificate (export metadata)",
	},
	"OneLogin": {
		"role":         "OneLogin: Applications → Amazon Web Services → Parameters: Role",
		"session-name": "OneLogin: the AWS app → Parameters: RoleSessionName",
		"acs":          "OneLogin: the AWS app → Configuration: SAML Consumer URL",
		"relay-state":  "OneLogin: the AWS app → Configuration: Relay State",
		"certificate":  "OneLogin: the AWS app → More Actions → SAML Metadata",
	},
	"Keycloak": {
		"role":         "Keycloak: Clients → urn:amazon:webservices → Client scopes → dedicated scope → Mappers: the Role mapper (Single Role Attribute ON)",
		"session-name": "Keycloak: the client's dedicated scope → Mappers: RoleSessionName",
		"acs":          "Keycloak: the client's Settings: Assertion Consumer Service POST Binding URL",
		"audience":     "Keycloak: the client's Client ID (urn:amazon:webservices)",
		"relay-state":  "Keycloak: the client's Settings: IDP-Initiated SSO Relay State",
		"certificate":  "Keycloak: Realm settings → Keys, and the realm's SAML descriptor",
	},
}

// where names the place of a setting in the recognised IdP, or a generic
// description.
func (c *context) where(setting string) string {
	if s := idpSettings[c.idp()][setting]; s != "" {
		return s
	}
	generic := map[string]string{
		"role": "the IdP application's Role attribute mapping", "session-name": "the IdP application's RoleSessionName mapping",
		"acs": "the IdP application's ACS URL", "audience": "the IdP application's audience / entity ID",
		"relay-state": "the IdP application's default RelayState", "session-duration": "the IdP application's SessionDuration attribute",
		"certificate": "the IdP's signing certificate / metadata download",
	}
	return generic[setting]
}

func isKeycloak(issuer string) bool { return strings.Contains(issuer, "/realms/") }
