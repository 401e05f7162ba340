package saml

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"sort"
	"strings"

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

// Algorithms of XML Encryption that samllint decrypts but calls weak.
const (
	AlgRSA15     = "http://www.w3.org/2001/04/xmlenc#rsa-1_5"
	AlgTripleDES = "http://www.w3.org/2001/04/xmlenc#tripledes-cbc"
)

// blockCiphers are the content-encryption algorithms samllint decrypts.
// 3DES is here, and not in xmlenc's process-wide registry, so that
// importing samllint changes nothing for other users of xmlenc.
var blockCiphers = map[string]xmlenc.Decrypter{
	xmlenc.AES128CBC.Algorithm(): xmlenc.AES128CBC,
	xmlenc.AES192CBC.Algorithm(): xmlenc.AES192CBC,
	xmlenc.AES256CBC.Algorithm(): xmlenc.AES256CBC,
	xmlenc.AES128GCM.Algorithm(): xmlenc.AES128GCM,
	xmlenc.AES192GCM.Algorithm(): xmlenc.AES192GCM,
	xmlenc.AES256GCM.Algorithm(): xmlenc.AES256GCM,
	AlgTripleDES:                 xmlenc.TripleDES,
}

// decrypt tries each key on ea; on success the plaintext assertion joins
// r.Assertions with paths under the EncryptedAssertion. The plaintext is
// read in the namespace context of the EncryptedAssertion: an assertion
// may use a prefix the Response declares.
func (p *parser) decrypt(ea *EncryptedAssertion, keys []any) {
	if len(keys) == 0 {
		return
	}
	ed := p.child(ea.el, NSXMLEnc, "EncryptedData")
	if ed == nil {
		ea.DecryptErr = "no xenc:EncryptedData inside"
		return
	}
	ek := p.child(ed, NSDSig, "KeyInfo")
	if ek != nil {
		ek = p.child(ek, NSXMLEnc, "EncryptedKey")
	}
	if ek == nil {
		// Some IdPs put the EncryptedKey beside EncryptedData rather than in its KeyInfo.
		ek = p.child(ea.el, NSXMLEnc, "EncryptedKey")
	}
	if ek == nil {
		ea.DecryptErr = "no xenc:EncryptedKey to decrypt the content key with"
		return
	}
	cipher := blockCiphers[ea.DataAlgorithm]
	if cipher == nil {
		ea.DecryptErr = fmt.Sprintf("unsupported content encryption %q", ea.DataAlgorithm)
		return
	}
	// Copies: base64 whitespace (xs:base64Binary allows it) is removed, and
	// the content is decrypted with the content key alone.
	ek, content := ek.Copy(), ed.Copy()
	compactBase64(ek)
	compactBase64(content)
	if ki := child(content, NSDSig, "KeyInfo"); ki != nil {
		content.RemoveChild(ki)
	}
	var plain []byte
	var err error
	for _, k := range keys {
		var contentKey []byte
		if contentKey, err = decryptKey(k, ek, ea.KeyAlgorithm); err != nil {
			continue
		}
		if plain, err = cipher.Decrypt(contentKey, content); err == nil {
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
	a, err := p.plaintext(ea, plain)
	if err != nil {
		ea.DecryptErr = err.Error()
		return
	}
	ea.Decrypted = true
	p.r.Assertions = append(p.r.Assertions, a)
}

// decryptKey unwraps the content key: RSA-OAEP through xmlenc's registry,
// RSA-1_5 through xmlenc's own decrypter, called directly (it is not
// registered: a Bleichenbacher oracle for a server, merely weak for a
// linter reading a capture offline).
func decryptKey(key any, ek *etree.Element, alg string) ([]byte, error) {
	var v any
	var err error
	if alg == AlgRSA15 {
		v, err = xmlenc.PKCS1v15().Decrypt(key, ek)
	} else {
		v, err = xmlenc.Decrypt(key, ek)
	}
	if err != nil {
		return nil, err
	}
	b, ok := v.([]byte)
	if !ok {
		return nil, errors.New("the EncryptedKey holds no key")
	}
	return b, nil
}

// compactBase64 removes whitespace from every CipherValue under el.
func compactBase64(el *etree.Element) {
	for _, cv := range el.FindElements(".//CipherValue") {
		cv.SetText(strings.Join(strings.Fields(cv.Text()), ""))
	}
}

// plaintext reads a decrypted assertion inside the namespace declarations
// in scope at its EncryptedAssertion, and models it.
func (p *parser) plaintext(ea *EncryptedAssertion, plain []byte) (*Assertion, error) {
	plain = bytes.TrimPrefix(bytes.TrimSpace(plain), bomUTF8)
	if bytes.HasPrefix(plain, []byte("<?xml")) {
		if i := bytes.Index(plain, []byte("?>")); i > 0 {
			plain = plain[i+2:]
		}
	}
	scope := inScope(ea.el)
	var b bytes.Buffer
	b.WriteString("<samllint-decrypted")
	for _, prefix := range sortedKeys(scope) {
		b.WriteString(" xmlns")
		if prefix != "" {
			b.WriteString(":" + prefix)
		}
		b.WriteString(`="`)
		xml.EscapeText(&b, []byte(scope[prefix]))
		b.WriteString(`"`)
	}
	b.WriteString(">")
	b.Write(plain)
	b.WriteString("</samllint-decrypted>")
	var ex *Exceeded
	var err error
	if b.Len() >= censusMin {
		ex, _, err = census(p.ctx, b.Bytes(), p.lim)
	}
	var doc *etree.Document
	if err == nil && ex == nil {
		if doc, err = readTreeContext(p.ctx, b.Bytes(), p.lim); err != nil {
			err = fmt.Errorf("the plaintext is not XML: %w", err)
		} else if b.Len() < censusMin {
			ex, err = countTree(p.ctx, doc.Root(), p.lim)
		}
	}
	if err == nil && ex != nil {
		err = fmt.Errorf("the plaintext holds %s", ex)
	}
	if err != nil {
		p.err = p.ctx.Err()
		return nil, err
	}
	kids := doc.Root().ChildElements()
	if len(kids) != 1 {
		return nil, fmt.Errorf("the plaintext holds %d elements, not one saml:Assertion", len(kids))
	}
	root := kids[0]
	p.r.paths[root] = ea.Path + "/Assertion"
	sc := newScanner(p.ctx, p.r.ns)
	sc.visit(doc.Root())
	if sc.err != nil {
		p.err = sc.err
		return nil, sc.err
	}
	if root.Tag != "Assertion" || p.r.nsOf(root) != NSAssertion {
		return nil, fmt.Errorf("the plaintext is <%s> in namespace %q, not a saml:Assertion", root.FullTag(), p.r.nsOf(root))
	}
	p.unbound(sc)
	if p.r.decrypted == nil {
		p.r.decrypted = map[*Assertion]*etree.Element{}
	}
	a := p.assertion(root)
	p.r.decrypted[a] = root
	a.Decrypted, a.Direct = true, true
	p.decrypting = true
	p.walk(root, root)
	p.decrypting = false
	return a, nil
}

// inScope collects the namespace declarations in scope at el, the
// nearest winning.
func inScope(el *etree.Element) map[string]string {
	out := map[string]string{}
	for e := el; e != nil; e = e.Parent() {
		for _, a := range e.Attr {
			prefix, ok := declares(a.Space, a.Key)
			if _, seen := out[prefix]; ok && !seen {
				out[prefix] = a.Value
			}
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
