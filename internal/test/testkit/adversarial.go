package testkit

import (
	"bytes"
	"fmt"
	"strings"
)

// Shape is a kind of hostile response: small on the wire, built to make
// a careless reader do work that grows faster than the input.
type Shape string

// The shapes a probe measured as quadratic, each inserted into the
// signed sample so everything around them stays a real response.
const (
	// ShapeIDs: sibling elements, each carrying an ID.
	ShapeIDs Shape = "ids"
	// ShapeRoles: Role attributes, one value each.
	ShapeRoles Shape = "roles"
	// ShapeRoleValues: one Role attribute with many values.
	ShapeRoleValues Shape = "role-values"
	// ShapeNamespaces: prefixes declared on the root, and children that
	// each declare one more.
	ShapeNamespaces Shape = "namespaces"
	// ShapeSignatures: Signature elements beside the Response's own.
	ShapeSignatures Shape = "signatures"
	// ShapeAttributes: one element with many attributes.
	ShapeAttributes Shape = "attributes"
)

// Shapes lists every shape, for tables.
var Shapes = []Shape{ShapeIDs, ShapeRoles, ShapeRoleValues, ShapeNamespaces, ShapeSignatures, ShapeAttributes}

const (
	roleName = "https://aws.amazon.com/SAML/Attributes/Role"
	uriFmt   = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
)

// Adversarial returns sample (the signed sample's XML) grown to about
// size bytes in the given shape. The signatures no longer verify, as in
// any edited capture; what matters is the work the reader does.
func Adversarial(sample []byte, shape Shape, size int) []byte {
	var unit func(i int) string
	var at, open, close string
	switch shape {
	case ShapeIDs:
		at, open, close = "<saml2p:Status>", "<saml2p:Extensions>", "</saml2p:Extensions>"
		unit = func(i int) string { return fmt.Sprintf(`<e ID="i%d"/>`, i) }
	case ShapeRoles:
		at = "<saml2:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/RoleSessionName\""
		unit = func(i int) string {
			return fmt.Sprintf(`<saml2:Attribute Name="%s" NameFormat="%s"><saml2:AttributeValue>arn:aws:iam::123456789012:role/R%d,arn:aws:iam::123456789012:saml-provider/Okta</saml2:AttributeValue></saml2:Attribute>`, roleName, uriFmt, i)
		}
	case ShapeRoleValues:
		at = "</saml2:Attribute><saml2:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/RoleSessionName\""
		unit = func(i int) string {
			return fmt.Sprintf(`<saml2:AttributeValue>arn:aws:iam::123456789012:role/R%d,arn:aws:iam::123456789012:saml-provider/Okta</saml2:AttributeValue>`, i)
		}
	case ShapeNamespaces:
		// Half the budget as declarations on the root, half as children
		// that each declare one prefix in their scope.
		var decls strings.Builder
		for i := 0; decls.Len() < size/2; i++ {
			fmt.Fprintf(&decls, ` xmlns:p%d="urn:x:%d"`, i, i)
		}
		sample = bytes.Replace(sample, []byte(`<saml2p:Response `), []byte(`<saml2p:Response`+decls.String()+` `), 1)
		at, open, close = "<saml2p:Status>", "<saml2p:Extensions>", "</saml2p:Extensions>"
		unit = func(i int) string { return fmt.Sprintf(`<q%d:e xmlns:q%d="urn:y:%d"/>`, i, i, i) }
	case ShapeSignatures:
		at, open, close = "<saml2p:Status>", "<saml2p:Extensions>", "</saml2p:Extensions>"
		unit = func(i int) string {
			return fmt.Sprintf(`<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#_a1b2c3response"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AA%d==</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>AA==</ds:SignatureValue></ds:Signature>`, i%10)
		}
	case ShapeAttributes:
		at = "<saml2p:Status>"
		var b strings.Builder
		b.WriteString("<saml2p:Extensions><e")
		for i := 0; b.Len() < size-len(sample); i++ {
			fmt.Fprintf(&b, ` a%d="%d"`, i, i)
		}
		b.WriteString("/></saml2p:Extensions>")
		return bytes.Replace(sample, []byte(at), []byte(b.String()+at), 1)
	default:
		panic("unknown shape " + string(shape))
	}
	var b strings.Builder
	b.WriteString(open)
	for i := 0; b.Len() < size-len(sample); i++ {
		b.WriteString(unit(i))
	}
	b.WriteString(close)
	return bytes.Replace(sample, []byte(at), []byte(b.String()+at), 1)
}
