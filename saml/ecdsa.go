package saml

import (
	"encoding/asn1"
	"math/big"
	"strings"
)

// ECDSA signature values come in two forms. XML Signature 1.1 (§6.4.3,
// after RFC 4050) writes the integers r and s side by side, each as long
// as the curve's order; goxmldsig, like x509.CheckSignature it calls,
// reads and writes the DER ECDSA-Sig-Value of RFC 3279 instead. Verify
// hands goxmldsig the DER form of an r‖s value: the SignatureValue lies
// outside SignedInfo, so what was signed is untouched.

// ECDSA value forms, as Signature.ValueForm names them.
const (
	ECDSAConcat = "r||s"
	ECDSADER    = "DER"
)

// ecdsaSig is ECDSA-Sig-Value (RFC 3279 §2.2.3).
type ecdsaSig struct{ R, S *big.Int }

// ecdsaForm says which form an ECDSA signature value is in, or "" for
// neither.
func ecdsaForm(v []byte) string {
	if ecdsaSizes[len(v)] {
		return ECDSAConcat
	}
	var sig ecdsaSig
	if rest, err := asn1.Unmarshal(v, &sig); err == nil && len(rest) == 0 && sig.R.Sign() > 0 && sig.S.Sign() > 0 {
		return ECDSADER
	}
	return ""
}

// ecdsaDER is the DER form of an r‖s value.
func ecdsaDER(v []byte) []byte {
	half := len(v) / 2
	der, err := asn1.Marshal(ecdsaSig{new(big.Int).SetBytes(v[:half]), new(big.Int).SetBytes(v[half:])})
	if err != nil {
		return v // two non-negative integers always marshal
	}
	return der
}

func isECDSA(method string) bool { return strings.Contains(method, "#ecdsa-") }
