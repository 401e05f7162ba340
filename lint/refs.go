package lint

// Documents rules cite, all of which a user can open.
const (
	refConnect   = "Amazon Connect: Configure SAML — https://docs.aws.amazon.com/connect/latest/adminguide/configure-saml.html"
	refConnectTS = "Amazon Connect: Troubleshoot SAML — https://docs.aws.amazon.com/connect/latest/adminguide/troubleshoot-saml.html"
	refIAMAssert = "AWS IAM: Configure SAML assertions for the authentication response — https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html"
	refIAMRP     = "AWS IAM: Configure your SAML 2.0 IdP with relying party trust (encrypted assertions) — https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_relying-party.html"
	refIAMTS     = "AWS IAM: Troubleshoot SAML federation — https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html"
	refPolicyEv  = "AWS IAM: Policy evaluation logic — https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
	refRoleKC    = "AWS re:Post: invalid SAML response with Okta — https://repost.aws/knowledge-center/iam-invalid-saml-response-okta"
	refSAMLCore  = "OASIS SAML 2.0 Core — https://docs.oasis-open.org/security/saml/v2.0/saml-core-2.0-os.pdf"
	refSAMLKeys  = "AWS IAM: Available keys for SAML-based federation — https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-saml"
	refSAMLProf  = "OASIS SAML 2.0 Profiles (Web Browser SSO, §4.1.4) — https://docs.oasis-open.org/security/saml/v2.0/saml-profiles-2.0-os.pdf"
	refSTSAPI    = "AWS STS API: AssumeRoleWithSAML — https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html"
	refSignInEP  = "AWS Sign-In endpoints — https://docs.aws.amazon.com/general/latest/gr/signin-service.html"
	refTags      = "AWS IAM: Passing session tags in AWS STS — https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html"
	refTrust     = "AWS IAM: Create a role for SAML 2.0 federation — https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_saml.html"
)
