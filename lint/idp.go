package lint

import "strings"

// Setting is an IdP application setting a fix changes. samllint names
// where each lives in the IdPs it recognises from the Issuer.
type Setting int

const (
	SettingNone Setting = iota
	SettingRole
	SettingSessionName
	SettingACS
	SettingAudience
	SettingRelayState
	SettingSessionDuration
	SettingCertificate
	SettingNameID
	SettingSigning
	SettingTags
)

var settingNames = map[Setting]string{
	SettingRole: "role", SettingSessionName: "session-name", SettingACS: "acs", SettingAudience: "audience",
	SettingRelayState: "relay-state", SettingSessionDuration: "session-duration", SettingCertificate: "certificate",
	SettingNameID: "name-id", SettingSigning: "signing", SettingTags: "tags",
}

// MarshalText writes the setting's name, in JSON.
func (s Setting) MarshalText() ([]byte, error) { return []byte(settingNames[s]), nil }

func (s Setting) String() string { return settingNames[s] }

// IdP is an identity provider samllint recognises from the Issuer.
type IdP string

const (
	IdPUnknown        IdP = "the IdP"
	IdPOkta           IdP = "Okta"
	IdPEntra          IdP = "Entra ID"
	IdPADFS           IdP = "AD FS"
	IdPGoogle         IdP = "Google Workspace"
	IdPJumpCloud      IdP = "JumpCloud"
	IdPPing           IdP = "PingFederate/PingOne"
	IdPOneLogin       IdP = "OneLogin"
	IdPKeycloak       IdP = "Keycloak"
	IdPIdentityCenter IdP = "IAM Identity Center"
	IdPSalesforce     IdP = "Salesforce"
	IdPSimpleSAMLphp  IdP = "SimpleSAMLphp"
)

// idpOf recognises the IdP from its entity ID.
func idpOf(issuer string) IdP {
	l := strings.ToLower(issuer)
	switch {
	case strings.Contains(l, "okta"):
		return IdPOkta
	case strings.Contains(l, "sts.windows.net") || strings.Contains(l, "microsoftonline") || strings.Contains(l, "login.windows.net"):
		return IdPEntra
	case strings.Contains(l, "/adfs/"):
		return IdPADFS
	case strings.Contains(l, "accounts.google.com") || strings.Contains(l, "google.com/a/"):
		return IdPGoogle
	case strings.Contains(l, "portal.sso.") && strings.Contains(l, "amazonaws.com"):
		return IdPIdentityCenter
	case strings.Contains(l, "salesforce.com") || strings.Contains(l, "force.com"):
		return IdPSalesforce
	case strings.Contains(l, "onelogin"):
		return IdPOneLogin
	case strings.Contains(l, "jumpcloud"):
		return IdPJumpCloud
	case strings.Contains(l, "ping"):
		return IdPPing
	case strings.Contains(l, "/realms/"):
		return IdPKeycloak
	case strings.Contains(l, "/saml2/idp/metadata.php") || strings.Contains(l, "simplesaml"):
		return IdPSimpleSAMLphp
	}
	return IdPUnknown
}

// settingPlaces says where each setting lives in the admin console of the
// IdPs samllint recognises, so a fix can point there.
var settingPlaces = map[IdP]map[Setting]string{
	IdPOkta: {
		SettingRole:            `Okta admin console → Applications → the AWS app → Sign On tab: "Identity Provider ARN" and each user's or group's SAML role (with group mapping: "Role Value Pattern" and "Group Filter")`,
		SettingSessionName:     `Okta: the AWS app's Sign On tab → Credentials Details: "Application username format"`,
		SettingACS:             `Okta: the AWS app's Sign On tab → Advanced Sign-on Settings: "ACS URL"`,
		SettingAudience:        `Okta: the AWS app's Sign On tab → "AWS Environment" (sets the audience)`,
		SettingRelayState:      `Okta: the AWS app's Sign On tab: "Default Relay State"`,
		SettingSessionDuration: `Okta: the AWS app's Sign On tab: "Session Duration"`,
		SettingCertificate:     `Okta: the AWS app's Sign On tab → SAML Signing Certificates: "Identity Provider metadata"`,
	},
	IdPEntra: {
		SettingRole:            "Entra admin center → Enterprise applications → the AWS app → Single sign-on → Attributes & Claims: the Role claim (namespace https://aws.amazon.com/SAML/Attributes), and Users and groups: assign an AWS role, not Default Access",
		SettingSessionName:     "Entra: the AWS app → Attributes & Claims: RoleSessionName (source user.userprincipalname or user.mail)",
		SettingACS:             "Entra: the AWS app → Basic SAML Configuration: Reply URL",
		SettingAudience:        "Entra: the AWS app → Basic SAML Configuration: Identifier (Entity ID)",
		SettingRelayState:      "Entra: the AWS app → Basic SAML Configuration: Relay State",
		SettingSessionDuration: "Entra: the AWS app → Attributes & Claims: SessionDuration",
		SettingCertificate:     "Entra: the AWS app → SAML Certificates: Federation Metadata XML",
		SettingSigning:         "Entra: the AWS app → SAML Certificates → Edit: Signing Option and Signing Algorithm",
	},
	IdPADFS: {
		SettingRole:            "AD FS Management → Relying Party Trusts → Amazon Web Services → Edit Claim Issuance Policy: the Role rule",
		SettingSessionName:     "AD FS: the relying party's claim issuance policy: the RoleSessionName rule",
		SettingACS:             "AD FS: the relying party's Properties → Endpoints: SAML Assertion Consumer endpoint",
		SettingAudience:        "AD FS: the relying party's Properties → Identifiers: relying party identifier",
		SettingRelayState:      "AD FS: the RelayState parameter of the IdP-initiated sign-on URL",
		SettingSessionDuration: "AD FS: the relying party's claim issuance policy: a SessionDuration rule",
		SettingCertificate:     "AD FS Management → Service → Certificates: Token-signing (export FederationMetadata.xml)",
		SettingSigning:         "AD FS: the relying party's Properties → Signature / Advanced: secure hash algorithm",
	},
	IdPGoogle: {
		SettingRole:        "Google Admin console → Apps → Web and mobile apps → the AWS app → SAML attribute mapping: Role (custom attribute Amazon → Role)",
		SettingSessionName: "Google: the AWS app → SAML attribute mapping: RoleSessionName (Primary email)",
		SettingACS:         "Google: the AWS app → Service provider details: ACS URL",
		SettingAudience:    "Google: the AWS app → Service provider details: Entity ID",
		SettingRelayState:  "Google: the AWS app → Service provider details: Start URL",
		SettingCertificate: "Google: the AWS app → Google Identity Provider details: download metadata",
	},
	IdPJumpCloud: {
		SettingRole:        "JumpCloud: SSO → the AWS app → SSO tab → Attributes: Role",
		SettingSessionName: "JumpCloud: SSO → the AWS app → SSO tab → Attributes: RoleSessionName (default SSO-User)",
		SettingACS:         "JumpCloud: the AWS app's SSO tab: ACS URL",
		SettingAudience:    "JumpCloud: the AWS app's SSO tab: SP Entity ID",
		SettingRelayState:  "JumpCloud: the AWS app's SSO tab: Default RelayState",
		SettingCertificate: "JumpCloud: the AWS app's SSO tab: Export Metadata",
	},
	IdPPing: {
		SettingRole:        "Ping: the AWS SP connection → Attribute Contract Fulfillment: Role",
		SettingSessionName: "Ping: the AWS SP connection → Attribute Contract Fulfillment: RoleSessionName",
		SettingACS:         "Ping: the AWS SP connection → Protocol Settings: Assertion Consumer Service URL",
		SettingAudience:    "Ping: the AWS SP connection → General Info: Partner's Entity ID",
		SettingRelayState:  "Ping: the IdP-initiated SSO URL's TargetResource / RelayState",
		SettingCertificate: "Ping: the AWS SP connection → Credentials: signing certificate (export metadata)",
	},
	IdPOneLogin: {
		SettingRole:        "OneLogin: Applications → Amazon Web Services → Parameters: Role",
		SettingSessionName: "OneLogin: the AWS app → Parameters: RoleSessionName",
		SettingACS:         "OneLogin: the AWS app → Configuration: SAML Consumer URL",
		SettingRelayState:  "OneLogin: the AWS app → Configuration: Relay State",
		SettingCertificate: "OneLogin: the AWS app → More Actions → SAML Metadata",
	},
	IdPKeycloak: {
		SettingRole:        "Keycloak: Clients → urn:amazon:webservices → Client scopes → dedicated scope → Mappers: the Role mapper (Single Role Attribute ON)",
		SettingSessionName: "Keycloak: the client's dedicated scope → Mappers: RoleSessionName",
		SettingACS:         "Keycloak: the client's Settings: Assertion Consumer Service POST Binding URL",
		SettingAudience:    "Keycloak: the client's Client ID (urn:amazon:webservices)",
		SettingRelayState:  "Keycloak: the client's Settings: IDP-Initiated SSO Relay State",
		SettingCertificate: "Keycloak: Realm settings → Keys, and the realm's SAML descriptor",
	},
	IdPIdentityCenter: {
		SettingRole:        "IAM Identity Center → Applications → the custom SAML 2.0 application → Actions → Edit attribute mappings: https://aws.amazon.com/SAML/Attributes/Role",
		SettingSessionName: "IAM Identity Center: the application's attribute mappings: RoleSessionName (e.g. ${user:email})",
		SettingACS:         "IAM Identity Center: the application's configuration: Application ACS URL",
		SettingAudience:    "IAM Identity Center: the application's configuration: Application SAML audience",
		SettingRelayState:  "IAM Identity Center: the application's properties: Relay state (leave Application start URL blank)",
		SettingCertificate: "IAM Identity Center: the application's configuration: IAM Identity Center SAML metadata file",
	},
	IdPSalesforce: {
		SettingRole:        "Salesforce Setup → App Manager → the AWS connected app → Custom Attributes: https://aws.amazon.com/SAML/Attributes/Role",
		SettingSessionName: "Salesforce: the connected app → Custom Attributes: RoleSessionName (Service Cloud Voice: the Contact Center user name)",
		SettingACS:         "Salesforce: the connected app → SAML Service Provider Settings: ACS URL",
		SettingAudience:    "Salesforce: the connected app → SAML Service Provider Settings: Entity Id",
		SettingRelayState:  "Salesforce: the connected app: Start URL (the Connect federation URL)",
		SettingCertificate: "Salesforce Setup → Identity Provider: Download Metadata",
	},
	IdPSimpleSAMLphp: {
		SettingRole:        "SimpleSAMLphp: the user's or authsource's attributes (https://aws.amazon.com/SAML/Attributes/Role)",
		SettingSessionName: "SimpleSAMLphp: the user's or authsource's attributes (RoleSessionName)",
		SettingACS:         "SimpleSAMLphp: metadata/saml20-sp-remote.php, the AWS entity's AssertionConsumerService",
		SettingAudience:    "SimpleSAMLphp: metadata/saml20-sp-remote.php, the AWS entity's ID (urn:amazon:webservices)",
		SettingRelayState:  "SimpleSAMLphp: the RelayState parameter of the IdP-initiated URL (SSOService.php?spentityid=…&RelayState=…)",
		SettingCertificate: "SimpleSAMLphp: the IdP's metadata (/saml2/idp/metadata.php)",
		SettingSigning:     "SimpleSAMLphp: saml20-sp-remote.php, signature.algorithm and saml20.sign.response / sign.assertion",
	},
}

var genericPlaces = map[Setting]string{
	SettingRole: "the IdP application's Role attribute mapping", SettingSessionName: "the IdP application's RoleSessionName mapping",
	SettingACS: "the IdP application's ACS URL", SettingAudience: "the IdP application's audience / entity ID",
	SettingRelayState: "the IdP application's default RelayState", SettingSessionDuration: "the IdP application's SessionDuration attribute",
	SettingCertificate: "the IdP's signing certificate / metadata download", SettingNameID: "the IdP application's NameID (subject) setting",
	SettingSigning: "the IdP application's signing settings", SettingTags: "the IdP application's PrincipalTag attribute mappings",
}

// idp is the IdP that issued the response.
func (c *facts) idp() string { return string(idpOf(c.issuer())) }

// where names the place of a setting in the recognised IdP, or a generic
// description.
func (c *facts) where(s Setting) string {
	if place := settingPlaces[idpOf(c.issuer())][s]; place != "" {
		return place
	}
	return genericPlaces[s]
}
