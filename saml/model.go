package saml

import (
	"time"

	"github.com/beevik/etree"
)

// Namespaces samllint reads. The SAML 2.0 ones match crewjam/saml's struct tags.
const (
	NSProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	NSAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	NSMetadata  = "urn:oasis:names:tc:SAML:2.0:metadata"
	NSDSig      = "http://www.w3.org/2000/09/xmldsig#"
	NSXMLEnc    = "http://www.w3.org/2001/04/xmlenc#"
	NSSAML11P   = "urn:oasis:names:tc:SAML:1.0:protocol"
	NSSAML11A   = "urn:oasis:names:tc:SAML:1.0:assertion"
	NSWSTrust   = "http://schemas.xmlsoap.org/ws/2005/02/trust"
	NSWSTrust13 = "http://docs.oasis-open.org/ws-sx/ws-trust/200512"

	StatusSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success"
	MethodBearer  = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
)

// Time is an xs:dateTime attribute as written, and parsed when it parses.
// Rules compare OK times and report unparsable ones with the raw text.
type Time struct {
	Raw  string    `json:"raw"`
	Time time.Time `json:"-"`
	OK   bool      `json:"-"`
	Path string    `json:"path"`
}

// IsSet reports whether the attribute was present at all.
func (t Time) IsSet() bool { return t.Raw != "" }

// Value is a text value and where it sits.
type Value struct {
	Value string `json:"value"`
	Path  string `json:"path"`
	// FirstText is set when the text is split by a comment, a CDATA
	// section or a processing instruction: it is the first text node
	// alone, which a careless reader takes for the value (Value is all of
	// the text, as canonicalization and AWS read it).
	FirstText *string `json:"first_text,omitempty"`
}

// Response is a parsed samlp:Response: everything rules read, with a
// location path on every part so findings can point at it.
type Response struct {
	Path         string       `json:"path"`
	ID           string       `json:"id"`
	Version      string       `json:"version"`
	Destination  string       `json:"destination,omitempty"`
	InResponseTo string       `json:"in_response_to,omitempty"`
	IssueInstant Time         `json:"issue_instant"`
	Issuer       *Value       `json:"issuer,omitempty"`
	Status       *Status      `json:"status,omitempty"`
	Assertions   []*Assertion `json:"assertions"`
	// EncryptedAssertions lists every saml:EncryptedAssertion; when one was
	// decrypted its plaintext is also in Assertions, with Decrypted set.
	EncryptedAssertions []*EncryptedAssertion `json:"encrypted_assertions"`
	Signatures          []*Signature          `json:"signatures"`
	// NestedResponses are the paths of Response elements inside the
	// message: never legitimate, the shape of signature wrapping.
	NestedResponses []string `json:"nested_responses,omitempty"`
	// DuplicateIDs maps an ID value used by more than one element to their paths.
	DuplicateIDs map[string][]string `json:"duplicate_ids,omitempty"`
	// Wrapper names what the Response came wrapped in, when it was
	// unwrapped: "a SOAP envelope (ECP)" or "an ArtifactResponse".
	Wrapper string `json:"wrapper,omitempty"`
	// Unbound lists namespace prefixes used but never declared; what
	// carries one is read as if it were not there.
	Unbound []Unbound `json:"unbound_prefixes,omitempty"`
	// Foreign lists elements named Assertion in a namespace other than
	// SAML 2.0's: nothing a careful reader consumes, but what one that
	// matches local names would. Value is the namespace.
	Foreign []Value `json:"foreign_assertions,omitempty"`

	// Exceeded is set when the message holds more than Limits allow:
	// then only what names the response (ID, Issuer, Destination,
	// IssueInstant) is read, no tree is built, and nothing is verified.
	Exceeded *Exceeded `json:"exceeded,omitempty"`

	doc   *etree.Document
	paths map[*etree.Element]string
	segs  map[*etree.Element]string // path steps, made per parent
	ns    map[*etree.Element]string // each element's namespace, from the scan
	// decrypted holds the element of each decrypted assertion, which
	// lives in a tree of its own.
	decrypted map[*Assertion]*etree.Element
}

// docOf returns the element of a decrypted assertion.
func (r *Response) docOf(a *Assertion) *etree.Element { return r.decrypted[a] }

// Doc is the parsed tree, for callers that need what the model leaves out.
func (r *Response) Doc() *etree.Document { return r.doc }

// PathOf returns the location path of an element of Doc.
func (r *Response) PathOf(el *etree.Element) string { return r.pathOf(el) }

// Unbound is a namespace prefix used in the message but never declared.
type Unbound struct {
	Prefix string `json:"prefix"`
	What   string `json:"what"` // the first element or attribute using it
	Path   string `json:"path"`
}

// Status is samlp:Status. Codes holds the top-level code first, then each
// nested second-level code.
type Status struct {
	Path    string   `json:"path"`
	Codes   []string `json:"codes"`
	Message string   `json:"message,omitempty"`
	Detail  bool     `json:"detail,omitempty"`
}

// Success reports whether the top-level StatusCode is Success.
func (s *Status) Success() bool { return s != nil && len(s.Codes) > 0 && s.Codes[0] == StatusSuccess }

// Assertion is a saml:Assertion, in the Response or decrypted from an
// EncryptedAssertion.
type Assertion struct {
	Path            string            `json:"path"`
	ID              string            `json:"id"`
	Version         string            `json:"version"`
	IssueInstant    Time              `json:"issue_instant"`
	Issuer          *Value            `json:"issuer,omitempty"`
	Subject         *Subject          `json:"subject,omitempty"`
	Conditions      *Conditions       `json:"conditions,omitempty"`
	AuthnStatements []*AuthnStatement `json:"authn_statements"`
	Attributes      []*Attribute      `json:"attributes"`
	Decrypted       bool              `json:"decrypted,omitempty"`
	// Direct is true for an Assertion that is a child of the Response (or
	// the plaintext of an EncryptedAssertion child): the one a service
	// provider consumes. Assertions found elsewhere (wrapped in Extensions,
	// nested in another assertion) are listed with Direct false.
	Direct bool `json:"direct"`
}

// Attribute returns the first attribute with exactly this Name.
func (a *Assertion) Attribute(name string) *Attribute {
	for _, at := range a.Attributes {
		if at.Name == name {
			return at
		}
	}
	return nil
}

// Subject is saml:Subject.
type Subject struct {
	Path          string                 `json:"path"`
	NameID        *NameID                `json:"name_id,omitempty"`
	Confirmations []*SubjectConfirmation `json:"confirmations"`
}

// NameID is saml:NameID (or the presence of saml:EncryptedID).
type NameID struct {
	Path  string `json:"path"`
	Value string `json:"value"`
	// FirstText is set when the NameID's text is split, as for Value.
	FirstText       *string `json:"first_text,omitempty"`
	Format          string  `json:"format,omitempty"`
	NameQualifier   string  `json:"name_qualifier,omitempty"`
	SPNameQualifier string  `json:"sp_name_qualifier,omitempty"`
	Encrypted       bool    `json:"encrypted,omitempty"`
}

// SubjectConfirmation is saml:SubjectConfirmation with its data flattened in.
type SubjectConfirmation struct {
	Path         string `json:"path"`
	Method       string `json:"method"`
	DataPath     string `json:"data_path,omitempty"` // empty when there is no SubjectConfirmationData
	Recipient    string `json:"recipient,omitempty"`
	InResponseTo string `json:"in_response_to,omitempty"`
	Address      string `json:"address,omitempty"`
	NotBefore    Time   `json:"not_before"`
	NotOnOrAfter Time   `json:"not_on_or_after"`
}

// Conditions is saml:Conditions; Audiences collects every Audience of every
// AudienceRestriction, in document order.
type Conditions struct {
	Path                 string  `json:"path"`
	NotBefore            Time    `json:"not_before"`
	NotOnOrAfter         Time    `json:"not_on_or_after"`
	AudienceRestrictions int     `json:"audience_restrictions"`
	Audiences            []Value `json:"audiences"`
	OneTimeUse           bool    `json:"one_time_use,omitempty"`
}

// AuthnStatement is saml:AuthnStatement.
type AuthnStatement struct {
	Path                string `json:"path"`
	AuthnInstant        Time   `json:"authn_instant"`
	SessionIndex        string `json:"session_index,omitempty"`
	SessionNotOnOrAfter Time   `json:"session_not_on_or_after"`
	AuthnContextClass   string `json:"authn_context_class,omitempty"`
}

// Attribute is saml:Attribute; Values keep document order and their paths.
type Attribute struct {
	Path         string  `json:"path"`
	Name         string  `json:"name"`
	NameFormat   string  `json:"name_format,omitempty"`
	FriendlyName string  `json:"friendly_name,omitempty"`
	Values       []Value `json:"values"`
}

// Strings returns the attribute's values as plain strings.
func (a *Attribute) Strings() []string {
	out := make([]string, len(a.Values))
	for i, v := range a.Values {
		out[i] = v.Value
	}
	return out
}

// EncryptedAssertion is a saml:EncryptedAssertion as found, before any decryption.
type EncryptedAssertion struct {
	Path string `json:"path"`
	// DataAlgorithm and KeyAlgorithm are the xenc EncryptionMethods of the
	// content and of the wrapped key.
	DataAlgorithm string `json:"data_algorithm,omitempty"`
	KeyAlgorithm  string `json:"key_algorithm,omitempty"`
	// KeyHint says which key the IdP encrypted for, as far as the message
	// tells: the certificate it embeds or a key name.
	KeyHint     string    `json:"key_hint,omitempty"`
	Certificate *CertInfo `json:"certificate,omitempty"`
	Decrypted   bool      `json:"decrypted"`
	DecryptErr  string    `json:"decrypt_error,omitempty"`

	el *etree.Element
}

// Signature is one ds:Signature anywhere in the message.
type Signature struct {
	Path string `json:"path"`
	// Parent is the element the Signature sits in: for an enveloped SAML
	// signature, the Response or Assertion it signs.
	ParentPath string `json:"parent_path"`
	ParentTag  string `json:"parent_tag"`
	ParentID   string `json:"parent_id,omitempty"`

	CanonicalizationMethod string      `json:"canonicalization_method"`
	SignatureMethod        string      `json:"signature_method"`
	References             []Reference `json:"references"`
	Certificates           []*CertInfo `json:"certificates"`
	HasKeyInfo             bool        `json:"has_key_info"`
	// ValueForm is how an ECDSA SignatureValue is written: ECDSAConcat,
	// as XML Signature 1.1 requires, or ECDSADER, as goxmldsig writes it.
	// Verify sets it.
	ValueForm string `json:"value_form,omitempty"`

	// Filled in by Verify.
	Check *SignatureCheck `json:"check,omitempty"`

	el *etree.Element
}

// Reference is a ds:Reference of SignedInfo.
type Reference struct {
	URI          string `json:"uri"`
	DigestMethod string `json:"digest_method"`
	DigestValue  string `json:"-"`
	// HasDigestValue: the DigestValue element is there, empty or not.
	HasDigestValue bool     `json:"-"`
	Transforms     []string `json:"transforms"`
	// Target is the path of the element the URI names, or empty when no
	// element has that ID.
	Target string `json:"target,omitempty"`
}

// Enveloped reports whether the signature's references name exactly its
// parent element by a non-empty ID: the only shape SAML processors accept
// (SAML core §5.4.2).
func (s *Signature) Enveloped() bool {
	return len(s.References) == 1 && s.ParentID != "" && s.References[0].URI == "#"+s.ParentID
}
