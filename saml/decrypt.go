package saml

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/beevik/etree"
	"github.com/crewjam/saml/xmlenc"
)

// LoadPrivateKeys reads the PEM private keys (PKCS#1 or PKCS#8 RSA) in b,
// for decrypting EncryptedAssertions.
func LoadPrivateKeys(b []byte) ([]any, error) {
	var keys []any
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		switch blk.Type {
		case "RSA PRIVATE KEY":
			k, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
			if err != nil {
				return nil, decodeErr(StageKey, "an unreadable RSA PRIVATE KEY block", "a PKCS#1 RSA key", err)
			}
			keys = append(keys, k)
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
			if err != nil {
				return nil, decodeErr(StageKey, "an unreadable PRIVATE KEY block", "a PKCS#8 key", err)
			}
			if _, ok := k.(*rsa.PrivateKey); !ok {
				return nil, decodeErr(StageKey, fmt.Sprintf("a %T private key", k), "an RSA key (XML encryption in SAML uses RSA key transport)", nil)
			}
			keys = append(keys, k)
		case "ENCRYPTED PRIVATE KEY":
			return nil, decodeErr(StageKey, "a passphrase-protected private key", "an unencrypted PEM key (openssl pkey -in key.pem -out plain.pem)", nil)
		}
	}
	if len(keys) == 0 {
		return nil, decodeErr(StageKey, "no PEM private key", "a PEM file with an RSA PRIVATE KEY or PRIVATE KEY block", nil)
	}
	return keys, nil
}

// decrypt tries each key on ea; on success the plaintext assertion joins
// r.Assertions with paths under the EncryptedAssertion.
func (p *parser) decrypt(ea *EncryptedAssertion, keys []any) {
	if len(keys) == 0 {
		return
	}
	ed := child(ea.el, NSXMLEnc, "EncryptedData")
	if ed == nil {
		ea.DecryptErr = "no xenc:EncryptedData inside"
		return
	}
	// Some IdPs put the EncryptedKey beside EncryptedData rather than in its
	// KeyInfo, where xmlenc looks; move a copy there.
	if ed.FindElement("./KeyInfo/EncryptedKey") == nil {
		if ek := child(ea.el, NSXMLEnc, "EncryptedKey"); ek != nil {
			ed = ed.Copy()
			ki := ed.FindElement("./KeyInfo")
			if ki == nil {
				ki = ed.CreateElement("ds:KeyInfo")
				ki.CreateAttr("xmlns:ds", NSDSig)
			}
			ki.AddChild(ek.Copy())
		}
	}
	var plain []byte
	var err error
	for _, k := range keys {
		if plain, err = xmlenc.Decrypt(k, ed); err == nil {
			break
		}
	}
	if err != nil {
		var na xmlenc.ErrAlgorithmNotImplemented
		if errors.As(err, &na) {
			ea.DecryptErr = "unsupported algorithm: " + err.Error()
		} else {
			ea.DecryptErr = "none of the given keys decrypts it: " + err.Error()
		}
		return
	}
	if err := checkXML(plain, DefaultLimits); err != nil {
		ea.DecryptErr = "the plaintext is not XML: " + err.Error()
		return
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(plain); err != nil || doc.Root() == nil {
		ea.DecryptErr = "the plaintext is not XML"
		return
	}
	root := doc.Root()
	if root.Tag != "Assertion" || root.NamespaceURI() != NSAssertion {
		ea.DecryptErr = fmt.Sprintf("the plaintext is <%s>, not a saml:Assertion", root.Tag)
		return
	}
	p.r.paths[root] = ea.Path + "/Assertion"
	p.assignPaths(root, ea.Path)
	a := p.assertion(root)
	a.Decrypted, a.Direct = true, true
	ea.Decrypted = true
	p.r.Assertions = append(p.r.Assertions, a)
	p.collect(root)
}
