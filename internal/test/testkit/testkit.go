// Package testkit holds what the tests and the sample generator share: the
// shipped samples and the hostile changes built from them. It must not
// import samllint's own packages, whose tests use it.
package testkit

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/crewjam/saml/xmlenc"
	dsig "github.com/russellhaering/goxmldsig"
	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Root is the repository root, found from this file's location so tests in
// any package can read testdata.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// Missing ends a test that needs what this machine lacks (a program, a
// pseudo-terminal): it fails when the variable require is set, as CI sets
// it, so the test cannot vanish silently there, and skips otherwise.
func Missing(t testing.TB, require, what string) {
	t.Helper()
	if os.Getenv(require) != "" {
		t.Fatalf("%s is required (%s is set)", what, require)
	}
	t.Skipf("%s is not available", what)
}

// Testdata reads testdata/<parts...>.
func Testdata(t testing.TB, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{Root(), "testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// SampleXML is the signed synthetic Okta → AWS response.
func SampleXML(t testing.TB) []byte {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(Testdata(t, "assertions", "okta-connect.b64"))), ""))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// WrapAssertion builds the classic signature-wrapping attack from a signed
// response: the signed Assertion is hidden in samlp:Extensions and an
// edited copy (NameID admin@example.com, ID _evil) takes its place; the
// Response signature is dropped.
func WrapAssertion(xml []byte) ([]byte, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(xml); err != nil {
		return nil, err
	}
	root := doc.Root()
	a := root.FindElement("./Assertion")
	ext := etree.NewElement("saml2p:Extensions")
	root.InsertChildAt(a.Index(), ext)
	ext.AddChild(a.Copy())
	a.FindElement("./Subject/NameID").SetText("admin@example.com")
	a.CreateAttr("ID", "_evil")
	if sig := root.FindElement("./Signature"); sig != nil {
		root.RemoveChild(sig)
	}
	return doc.WriteToBytes()
}

// EncryptAssertion returns a saml:EncryptedAssertion holding a, encrypted
// for cert (RSA-OAEP key transport, AES-256-CBC content).
func EncryptAssertion(a *etree.Element, cert *x509.Certificate) (*etree.Element, error) {
	enc := xmlenc.OAEP()
	enc.BlockCipher = xmlenc.AES256CBC
	enc.DigestMethod = xmlenc.SHA1 // the digest IdPs use with rsa-oaep-mgf1p, and all xmlsec1 1.2 takes
	return EncryptAssertionWith(a, cert, enc)
}

// EncryptAssertionWith is EncryptAssertion with another key transport
// and block cipher, such as xmlenc.PKCS1v15() with xmlenc.TripleDES. The
// plaintext is a serialized as etree writes it alone: prefixes declared
// only above it stay undeclared in it.
func EncryptAssertionWith(a *etree.Element, cert *x509.Certificate, enc xmlenc.RSA) (*etree.Element, error) {
	plain, err := etree.NewDocumentWithRoot(a.Copy()).WriteToBytes()
	if err != nil {
		return nil, err
	}
	ed, err := enc.Encrypt(cert, plain, nil)
	if err != nil {
		return nil, err
	}
	ed.CreateAttr("Type", "http://www.w3.org/2001/04/xmlenc#Element")
	ea := etree.NewElement("saml2:EncryptedAssertion")
	ea.CreateAttr("xmlns:saml2", "urn:oasis:names:tc:SAML:2.0:assertion")
	ea.AddChild(ed)
	return ea, nil
}

// KeyPair is a test IdP's signing key and certificate.
type KeyPair struct {
	Cert *x509.Certificate
	Key  crypto.Signer // *rsa.PrivateKey or *ecdsa.PrivateKey
}

// LoadKeyPair reads testdata/keys/<name>.key and .crt (test-only keys):
// RSA (PKCS #1) or EC keys.
func LoadKeyPair(t testing.TB, name string) KeyPair {
	t.Helper()
	kb, _ := pem.Decode(Testdata(t, "keys", name+".key"))
	cb, _ := pem.Decode(Testdata(t, "keys", name+".crt"))
	if kb == nil || cb == nil {
		t.Fatalf("testdata/keys/%s: no PEM key or certificate", name)
	}
	var key crypto.Signer
	var err error
	if kb.Type == "EC PRIVATE KEY" {
		key, err = x509.ParseECPrivateKey(kb.Bytes)
	} else {
		key, err = x509.ParsePKCS1PrivateKey(kb.Bytes)
	}
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return KeyPair{Cert: cert, Key: key}
}

// SignEnveloped signs el with an enveloped signature (exclusive c14n,
// method: dsig.RSASHA256SignatureMethod or dsig.RSASHA1SignatureMethod,
// whose digest follows it) and puts the Signature after the Issuer, where
// the SAML schema wants it. The enveloped transform makes its position
// irrelevant to the digest.
func SignEnveloped(p KeyPair, el *etree.Element, method string) (*etree.Element, error) {
	return signEnveloped(p, el, method, false)
}

// signEnveloped is SignEnveloped; keepDER leaves an ECDSA value in
// goxmldsig's DER.
func signEnveloped(p KeyPair, el *etree.Element, method string, keepDER bool) (*etree.Element, error) {
	ctx, err := dsig.NewSigningContext(p.Key, [][]byte{p.Cert.Raw})
	if err != nil {
		return nil, err
	}
	if _, ok := p.Key.(*ecdsa.PrivateKey); ok && method == dsig.RSASHA256SignatureMethod {
		method = dsig.ECDSASHA256SignatureMethod
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(method); err != nil {
		return nil, err
	}
	signed, err := ctx.SignEnveloped(el)
	if err != nil {
		return nil, err
	}
	// SignEnveloped appends the Signature without setting its parent, so
	// etree's RemoveChild would not find it: cut it off the slice instead.
	sig := signed.Child[len(signed.Child)-1].(*etree.Element)
	signed.Child = signed.Child[:len(signed.Child)-1]
	signed.InsertChildAt(1, sig)
	if k, ok := p.Key.(*ecdsa.PrivateKey); ok && !keepDER {
		// goxmldsig writes the DER ECDSA-Sig-Value; XML Signature 1.1
		// writes r and s side by side, each as long as the curve's order.
		sv := sig.FindElement("./SignatureValue")
		der, err := base64.StdEncoding.DecodeString(sv.Text())
		if err != nil {
			return nil, err
		}
		var rs struct{ R, S *big.Int }
		if _, err := asn1.Unmarshal(der, &rs); err != nil {
			return nil, err
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		raw := make([]byte, 2*size)
		rs.R.FillBytes(raw[:size])
		rs.S.FillBytes(raw[size:])
		sv.SetText(base64.StdEncoding.EncodeToString(raw))
	}
	return signed, nil
}

// SignOptions say what SignResponse signs.
type SignOptions struct {
	Assertion, Response bool
	Method              string // default RSA-SHA256
	// BetweenSignatures runs after the assertion is signed and before the
	// Response is: the place to encrypt the signed assertion.
	BetweenSignatures func(root *etree.Element) error
	// ECDSADER leaves an ECDSA SignatureValue DER-encoded, as goxmldsig
	// writes it, instead of XML Signature 1.1's r‖s.
	ECDSADER bool
}

// SignResponse signs a SAML Response document: the Assertion first, then
// the Response, as Okta's AWS app does.
func SignResponse(p KeyPair, xml []byte, o SignOptions) ([]byte, error) {
	if o.Method == "" {
		o.Method = dsig.RSASHA256SignatureMethod
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(xml); err != nil {
		return nil, err
	}
	root := doc.Root()
	if a := root.FindElement("./Assertion"); a != nil && o.Assertion {
		signed, err := signEnveloped(p, a, o.Method, o.ECDSADER)
		if err != nil {
			return nil, err
		}
		root.InsertChildAt(a.Index(), signed)
		root.RemoveChild(a)
	}
	if o.BetweenSignatures != nil {
		if err := o.BetweenSignatures(root); err != nil {
			return nil, err
		}
	}
	if o.Response {
		signed, err := signEnveloped(p, root, o.Method, o.ECDSADER)
		if err != nil {
			return nil, err
		}
		doc.SetRoot(signed)
	}
	return doc.WriteToBytes()
}

// UnsignedSample is SampleXML with its signatures removed: the response
// as the IdP built it before signing.
func UnsignedSample(t testing.TB) []byte {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(SampleXML(t)); err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.FindElements("//Signature") {
		s.Parent().RemoveChild(s)
	}
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// NegativeSerialCert returns a self-signed certificate for p's key whose
// serial number is negative, as some real IdP certificates are: Go
// refuses to create one, so a positive one is made and its serial's sign
// bit set, and the TBSCertificate signed again (same lengths throughout).
func NegativeSerialCert(p KeyPair) ([]byte, error) {
	der := bytes.Clone(p.Cert.Raw)
	tbs := p.Cert.RawTBSCertificate
	at := bytes.Index(der, tbs)
	// The serial INTEGER follows the TBS header and the [0] version.
	body := cryptobyte.String(tbs)
	var contents, version cryptobyte.String
	if at < 0 || !body.ReadASN1(&contents, casn1.SEQUENCE) {
		return nil, fmt.Errorf("no TBSCertificate")
	}
	header := len(tbs) - len(contents)
	if !contents.ReadASN1Element(&version, casn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, fmt.Errorf("no version")
	}
	serial := header + len(version) + 2 // tag and one length byte
	der[at+serial] |= 0x80
	newTBS := der[at : at+len(tbs)]
	sum := sha256.Sum256(newTBS)
	sig, err := rsa.SignPKCS1v15(rand.Reader, p.Key.(*rsa.PrivateKey), crypto.SHA256, sum[:])
	if err != nil {
		return nil, err
	}
	if len(sig) != len(p.Cert.Signature) {
		return nil, fmt.Errorf("signature length changed")
	}
	copy(der[len(der)-len(sig):], sig)
	return der, nil
}

// PrettyBase64 wraps base64 text over indented lines, as IdPs that
// pretty-print their XML write SignatureValue and CipherValue
// (xs:base64Binary allows the whitespace).
func PrettyBase64(s, indent string) string {
	s = strings.Join(strings.Fields(s), "")
	var b strings.Builder
	for len(s) > 64 {
		b.WriteString("\n" + indent + s[:64])
		s = s[64:]
	}
	b.WriteString("\n" + indent + s + "\n")
	return b.String()
}

// EncryptSignedSample swaps the Assertion of a signed response for its
// encryption (for the idp key), after the Response was signed: what
// samlify does, which breaks the Response's digest.
func EncryptSignedSample(xml string) (string, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(xml); err != nil {
		return "", err
	}
	root := doc.Root()
	a := root.FindElement("./Assertion")
	cert, err := os.ReadFile(filepath.Join(Root(), "testdata", "keys", "idp.crt"))
	if err != nil {
		return "", err
	}
	block, _ := pem.Decode(cert)
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return "", err
	}
	ea, err := EncryptAssertion(a, c)
	if err != nil {
		return "", err
	}
	root.InsertChildAt(a.Index(), ea)
	root.RemoveChild(a)
	return doc.WriteToString()
}

// Metadata is IdP metadata for entityID with these signing certificates,
// as an IdP publishes it.
func Metadata(entityID string, certs ...*x509.Certificate) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="%s">`+
		`<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">`, entityID)
	for _, c := range certs {
		fmt.Fprintf(&b, `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
			base64.StdEncoding.EncodeToString(c.Raw))
	}
	b.WriteString(`<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`)
	return []byte(b.String())
}
