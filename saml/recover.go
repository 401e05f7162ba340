package saml

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"math/big"
	"strings"

	"github.com/beevik/etree"
)

// digestInfoPrefixes are the DER DigestInfo headers PKCS #1 v1.5 puts
// before the hash (RFC 8017 §9.2, note 1), by the signature method that
// uses each hash.
var digestInfoPrefixes = map[string][]byte{
	"http://www.w3.org/2000/09/xmldsig#rsa-sha1":        {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14},
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha224": {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c},
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// madeWith reports whether an RSA signature value that goxmldsig refused
// was nonetheless made with cert's key: opened with the public key, it is
// a well-formed PKCS #1 v1.5 block holding a hash of the kind the
// signature method names. Then the key is right and what it signed, the
// SignedInfo, is not the one the message holds: re-indented or edited
// after signing. This is a diagnosis of a failure, never a check that
// passes anything: verification stays goxmldsig's.
func madeWith(method string, sv *etree.Element, cert *x509.Certificate) bool {
	prefix, ok := digestInfoPrefixes[method]
	pub, isRSA := cert.PublicKey.(*rsa.PublicKey)
	if !ok || !isRSA || sv == nil {
		return false
	}
	all, _, _ := textOf(sv)
	sig, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(all), ""))
	k := pub.Size()
	if err != nil || len(sig) != k {
		return false
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(pub.N) >= 0 {
		return false
	}
	em := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N).FillBytes(make([]byte, k))
	// 0x00 0x01 PS(0xFF, at least 8) 0x00 DigestInfo
	hashLen := int(prefix[len(prefix)-1])
	t := len(prefix) + hashLen
	if k < t+11 || em[0] != 0 || em[1] != 1 || em[k-t-1] != 0 {
		return false
	}
	for _, b := range em[2 : k-t-1] {
		if b != 0xff {
			return false
		}
	}
	return bytes.Equal(em[k-t:k-hashLen], prefix)
}
