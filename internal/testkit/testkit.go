// Package testkit holds what the tests and the sample generator share: the
// shipped samples and the hostile changes built from them. It must not
// import samllint's own packages, whose tests use it.
package testkit

import (
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/crewjam/saml/xmlenc"
	dsig "github.com/russellhaering/goxmldsig"
)

// Root is the repository root, found from this file's location so tests in
// any package can read testdata.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
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
	plain, err := etree.NewDocumentWithRoot(a.Copy()).WriteToBytes()
	if err != nil {
		return nil, err
	}
	enc := xmlenc.OAEP()
	enc.BlockCipher = xmlenc.AES256CBC
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
	Key  *rsa.PrivateKey
}

// LoadKeyPair reads testdata/keys/<name>.key and .crt (test-only keys).
func LoadKeyPair(t testing.TB, name string) KeyPair {
	t.Helper()
	kb, _ := pem.Decode(Testdata(t, "keys", name+".key"))
	cb, _ := pem.Decode(Testdata(t, "keys", name+".crt"))
	if kb == nil || cb == nil {
		t.Fatalf("testdata/keys/%s: no PEM key or certificate", name)
	}
	key, err := x509.ParsePKCS1PrivateKey(kb.Bytes)
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
	ks := dsig.TLSCertKeyStore(tls.Certificate{Certificate: [][]byte{p.Cert.Raw}, PrivateKey: p.Key})
	ctx := dsig.NewDefaultSigningContext(ks)
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
	return signed, nil
}

// SignOptions say what SignResponse signs.
type SignOptions struct {
	Assertion, Response bool
	Method              string // default RSA-SHA256
	// BetweenSignatures runs after the assertion is signed and before the
	// Response is: the place to encrypt the signed assertion.
	BetweenSignatures func(root *etree.Element) error
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
		signed, err := SignEnveloped(p, a, o.Method)
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
		signed, err := SignEnveloped(p, root, o.Method)
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
