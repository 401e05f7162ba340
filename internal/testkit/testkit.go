// Package testkit holds what the tests and the sample generator share: the
// shipped samples and the hostile changes built from them. It must not
// import samllint's own packages, whose tests use it.
package testkit

import (
	"crypto/x509"
	"encoding/base64"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/crewjam/saml/xmlenc"
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
