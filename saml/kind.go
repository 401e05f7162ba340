package saml

import (
	"fmt"

	"github.com/beevik/etree"
)

// Kind is what a pasted XML document is.
type Kind int

const (
	KindUnknown Kind = iota
	KindResponse
	KindAuthnRequest
	KindLogoutRequest
	KindLogoutResponse
	KindArtifactMessage
	KindAssertion
	KindEncryptedAssertion
	KindSAML11Response
	KindWSFedRSTR
	KindMetadata
	KindSOAPEnvelope
	KindCertificate
	KindPrivateKey
	KindPEM
)

// Describe names the kind for a person, with an article.
func (k Kind) Describe() string {
	switch k {
	case KindResponse:
		return "a SAML 2.0 Response"
	case KindAuthnRequest:
		return "a SAML 2.0 AuthnRequest (what the service provider sends to the IdP)"
	case KindLogoutRequest:
		return "a SAML 2.0 LogoutRequest"
	case KindLogoutResponse:
		return "a SAML 2.0 LogoutResponse"
	case KindArtifactMessage:
		return "a SAML 2.0 artifact resolution message"
	case KindAssertion:
		return "a bare SAML 2.0 Assertion"
	case KindEncryptedAssertion:
		return "a bare EncryptedAssertion"
	case KindSAML11Response:
		return "a SAML 1.1 Response"
	case KindWSFedRSTR:
		return "a WS-Federation RequestSecurityTokenResponse"
	case KindMetadata:
		return "SAML metadata"
	case KindSOAPEnvelope:
		return "a SOAP envelope"
	case KindCertificate:
		return "a certificate"
	case KindPrivateKey:
		return "a private key"
	case KindPEM:
		return "a PEM file"
	}
	return "an XML document of unknown kind"
}

func (k Kind) String() string {
	return [...]string{"unknown", "response", "authn-request", "logout-request", "logout-response", "artifact",
		"assertion", "encrypted-assertion", "saml11-response", "wsfed-rstr", "metadata", "soap", "certificate", "private-key", "pem"}[k]
}

// kindOf classifies a root element, with a hint for what to paste instead.
func kindOf(root *etree.Element) (Kind, string) {
	ns := root.NamespaceURI()
	switch {
	case ns == NSProtocol && root.Tag == "Response":
		return KindResponse, ""
	case ns == NSProtocol && root.Tag == "AuthnRequest":
		return KindAuthnRequest, "AWS needs the SAMLResponse the IdP posts back to https://signin.aws.amazon.com/saml, not the request"
	case ns == NSProtocol && root.Tag == "LogoutRequest", ns == NSProtocol && root.Tag == "LogoutResponse":
		k := KindLogoutRequest
		if root.Tag == "LogoutResponse" {
			k = KindLogoutResponse
		}
		return k, "capture the sign-in, not the sign-out"
	case ns == NSProtocol && (root.Tag == "ArtifactResolve" || root.Tag == "ArtifactResponse"):
		return KindArtifactMessage, "AWS accepts only the HTTP-POST binding; capture the SAMLResponse posted to AWS"
	case ns == NSAssertion && root.Tag == "Assertion":
		return KindAssertion, "paste the whole SAMLResponse, which carries the Assertion and its Status"
	case ns == NSAssertion && root.Tag == "EncryptedAssertion":
		return KindEncryptedAssertion, "paste the whole SAMLResponse"
	case ns == NSSAML11P && root.Tag == "Response", ns == NSSAML11A && root.Tag == "Assertion":
		return KindSAML11Response, "AWS federation needs SAML 2.0; check the IdP application's SAML version"
	case (ns == NSWSTrust || ns == NSWSTrust13) && (root.Tag == "RequestSecurityTokenResponse" || root.Tag == "RequestSecurityTokenResponseCollection"):
		return KindWSFedRSTR, "this is WS-Federation; AWS needs a SAML 2.0 Response (use the IdP's SAML-P endpoint)"
	case ns == NSMetadata && (root.Tag == "EntityDescriptor" || root.Tag == "EntitiesDescriptor"):
		return KindMetadata, "give metadata as an input beside the SAMLResponse, not as the capture"
	case root.Tag == "Envelope":
		return KindSOAPEnvelope, "its Body holds no SAML Response; capture the SAMLResponse posted to AWS"
	case root.Tag == "Response":
		return KindUnknown, fmt.Sprintf("<Response> is in namespace %q, expected %q", ns, NSProtocol)
	}
	return KindUnknown, fmt.Sprintf("root element <%s> in namespace %q", root.Tag, ns)
}
