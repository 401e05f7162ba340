package saml

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"
	"time"

	crewjam "github.com/crewjam/saml"
	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// CertInfo describes an X.509 certificate the way a person compares two:
// fingerprint, subject and validity.
type CertInfo struct {
	SHA256    string    `json:"sha256,omitempty"` // colon-separated upper-case hex, as openssl prints it
	SHA1      string    `json:"sha1,omitempty"`
	Subject   string    `json:"subject,omitempty"`
	Issuer    string    `json:"issuer,omitempty"`
	NotBefore time.Time `json:"not_before,omitzero"`
	NotAfter  time.Time `json:"not_after,omitzero"`
	Key       string    `json:"key,omitempty"` // e.g. "RSA 2048"
	Err       string    `json:"error,omitempty"`
	// Note says what was unusual but accepted, such as a negative serial.
	Note string `json:"note,omitempty"`

	Cert *x509.Certificate `json:"-"`
}

// Describe is a one-line summary: subject, short fingerprint and validity.
func (c *CertInfo) Describe() string {
	if c == nil {
		return "(none)"
	}
	if c.Err != "" {
		return "(unreadable certificate: " + c.Err + ")"
	}
	return fmt.Sprintf("%q SHA-256 %s, valid %s to %s", c.Subject, c.SHA256,
		c.NotBefore.Format("2006-01-02"), c.NotAfter.Format("2006-01-02"))
}

func fingerprint(sum []byte) string {
	const hexDigits = "0123456789ABCDEF"
	b := make([]byte, 0, len(sum)*3)
	for i, x := range sum {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hexDigits[x>>4], hexDigits[x&15])
	}
	return string(b)
}

// NewCertInfo describes a parsed certificate.
func NewCertInfo(c *x509.Certificate) *CertInfo {
	s256 := sha256.Sum256(c.Raw)
	s1 := sha1.Sum(c.Raw)
	ci := &CertInfo{
		SHA256: fingerprint(s256[:]), SHA1: fingerprint(s1[:]),
		Subject: c.Subject.String(), Issuer: c.Issuer.String(),
		NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(), Cert: c,
	}
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		ci.Key = fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		ci.Key = "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		ci.Key = "Ed25519"
	default:
		ci.Key = c.PublicKeyAlgorithm.String()
	}
	return ci
}

// CertOf describes the certificate whose base64 DER is text, as an
// X509Certificate element holds it (whitespace allowed).
func CertOf(text string) *CertInfo { return certInfoFromBase64(text) }

func certInfoFromBase64(text string) *CertInfo {
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
	if err != nil {
		return &CertInfo{Err: "not base64: " + err.Error()}
	}
	c, note, err := parseCertificate(der)
	if err != nil {
		return &CertInfo{Err: err.Error()}
	}
	ci := NewCertInfo(c)
	ci.Note = note
	return ci
}

// parseCertificate is x509.ParseCertificate, except that it accepts a
// negative serial number, as xmlsec1 does: real IdP certificates have
// them, and Go refuses them since 1.23. The serial is made positive in a
// copy that is parsed for its key, subject and validity; Raw, and so the
// fingerprint, stay the original's.
func parseCertificate(der []byte) (*x509.Certificate, string, error) {
	c, err := x509.ParseCertificate(der)
	if err == nil || !strings.Contains(err.Error(), "negative serial number") {
		return c, "", err
	}
	patched, ok := positiveSerial(der)
	if !ok {
		return nil, "", err
	}
	c, err2 := x509.ParseCertificate(patched)
	if err2 != nil {
		return nil, "", err
	}
	c.Raw = der
	return c, "negative serial number (RFC 5280 forbids it; accepted, as xmlsec1 does)", nil
}

// positiveSerial returns a copy of der whose serial number's first byte
// is 0x01: positive, minimally encoded, and of the same length, so no
// enclosing length changes.
func positiveSerial(der []byte) ([]byte, bool) {
	in := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !in.ReadASN1(&cert, casn1.SEQUENCE) || !cert.ReadASN1(&tbs, casn1.SEQUENCE) {
		return nil, false
	}
	if tbs.PeekASN1Tag(casn1.Tag(0).Constructed().ContextSpecific()) && !tbs.SkipASN1(casn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, false
	}
	var serial cryptobyte.String
	var tag casn1.Tag
	var hdr int
	if !tbs.ReadAnyASN1Element(&serial, &tag) || tag != casn1.INTEGER {
		return nil, false
	}
	elem := []byte(serial)
	hdr = 2
	if len(elem) > 1 && elem[1]&0x80 != 0 {
		hdr += int(elem[1] & 0x7f)
	}
	off := bytes.Index(der[:min(len(der), 64)], elem)
	if off < 0 || len(elem) <= hdr {
		return nil, false
	}
	out := bytes.Clone(der)
	out[off+hdr] = 0x01
	return out, true
}

// Anchor is one trusted signing certificate and where it came from.
type Anchor struct {
	*CertInfo
	Source   string `json:"source"`
	EntityID string `json:"entity_id,omitempty"`
}

// Anchors are the trust anchors a user gives: IdP metadata (what was uploaded
// to the IAM SAML provider) and PEM certificates.
type Anchors struct {
	Certs []*Anchor `json:"certs"`
	// EntityIDs lists the entityID of every IdP in the metadata given.
	EntityIDs []string `json:"entity_ids"`
	// ValidUntil is the earliest validUntil in the metadata, if any.
	ValidUntil time.Time `json:"valid_until,omitzero"`
}

// Empty reports whether no certificate was given.
func (a *Anchors) Empty() bool { return a == nil || len(a.Certs) == 0 }

// For splits the anchors into those that may verify a signature of
// issuer and the rest: the certificates of the metadata whose entityID is
// issuer, and every certificate that names no entity (PEM files, which
// say nothing of whom they speak for). When no metadata given has that
// entityID (or there is no Issuer), every anchor is bound: AWS checks the
// one provider the Role names, and saml/issuer-mismatch compares the
// Issuer with it.
func (a *Anchors) For(issuer string) (bound, others []*Anchor) {
	if a == nil {
		return nil, nil
	}
	if issuer == "" || !slices.Contains(a.EntityIDs, issuer) {
		return a.Certs, nil
	}
	for _, c := range a.Certs {
		if c.EntityID == "" || c.EntityID == issuer {
			bound = append(bound, c)
		} else {
			others = append(others, c)
		}
	}
	return bound, others
}

// Add appends b's anchors to a.
func (a *Anchors) Add(b *Anchors) {
	if b == nil {
		return
	}
	a.Certs = append(a.Certs, b.Certs...)
	a.EntityIDs = append(a.EntityIDs, b.EntityIDs...)
	if !b.ValidUntil.IsZero() && (a.ValidUntil.IsZero() || b.ValidUntil.Before(a.ValidUntil)) {
		a.ValidUntil = b.ValidUntil
	}
}

// LoadMetadata reads IdP metadata (an EntityDescriptor or EntitiesDescriptor
// with any number of IdPs and signing keys). name labels the anchors.
func LoadMetadata(b []byte, name string) (*Anchors, error) {
	b = bytes.TrimPrefix(b, bomUTF8)
	if err := checkXML(b, DefaultLimits); err != nil {
		return nil, err
	}
	probe, err := rootElement(b)
	if err != nil {
		return nil, decodeErr(StageXML, "unreadable metadata", "SAML 2.0 metadata XML", err)
	}
	var entities []crewjam.EntityDescriptor
	switch {
	case probe.Space == NSMetadata && probe.Local == "EntityDescriptor":
		var ed crewjam.EntityDescriptor
		if err := xml.Unmarshal(b, &ed); err != nil {
			return nil, decodeErr(StageXML, "metadata that does not fit the SAML metadata schema", "a valid md:EntityDescriptor", err)
		}
		entities = append(entities, ed)
	case probe.Space == NSMetadata && probe.Local == "EntitiesDescriptor":
		var es crewjam.EntitiesDescriptor
		if err := xml.Unmarshal(b, &es); err != nil {
			return nil, decodeErr(StageXML, "metadata that does not fit the SAML metadata schema", "a valid md:EntitiesDescriptor", err)
		}
		entities = flatten(&es)
	default:
		return nil, decodeErr(StageKind, fmt.Sprintf("<%s> in namespace %q", probe.Local, probe.Space), "IdP metadata: md:EntityDescriptor or md:EntitiesDescriptor", nil)
	}
	a := &Anchors{}
	sps := 0
	for _, ed := range entities {
		if len(ed.IDPSSODescriptors) == 0 {
			if len(ed.SPSSODescriptors) > 0 {
				sps++
			}
			continue
		}
		a.EntityIDs = append(a.EntityIDs, ed.EntityID)
		if !ed.ValidUntil.IsZero() && (a.ValidUntil.IsZero() || ed.ValidUntil.Before(a.ValidUntil)) {
			a.ValidUntil = ed.ValidUntil.UTC()
		}
		for i, idp := range ed.IDPSSODescriptors {
			for j, kd := range idp.KeyDescriptors {
				if kd.Use != "" && kd.Use != "signing" {
					continue
				}
				for k, xc := range kd.KeyInfo.X509Data.X509Certificates {
					ci := certInfoFromBase64(xc.Data)
					a.Certs = append(a.Certs, &Anchor{
						CertInfo: ci,
						EntityID: ed.EntityID,
						Source:   fmt.Sprintf("%s: entityID %q, IDPSSODescriptor[%d]/KeyDescriptor[%d]/X509Certificate[%d]", name, ed.EntityID, i+1, j+1, k+1),
					})
				}
			}
		}
	}
	if len(a.EntityIDs) == 0 {
		if sps > 0 {
			return nil, decodeErr(StageKind, "service-provider metadata (no IDPSSODescriptor)", "the IdP's metadata, as uploaded to the IAM SAML provider, not AWS's own", nil)
		}
		return nil, decodeErr(StageKind, "metadata with no IDPSSODescriptor", "the IdP's metadata", nil)
	}
	if len(a.Certs) == 0 {
		return nil, decodeErr(StageKind, "IdP metadata with no signing certificate", "a KeyDescriptor (use=\"signing\" or no use) holding an X509Certificate", nil)
	}
	return a, nil
}

func flatten(es *crewjam.EntitiesDescriptor) []crewjam.EntityDescriptor {
	out := append([]crewjam.EntityDescriptor{}, es.EntityDescriptors...)
	for i := range es.EntitiesDescriptors {
		out = append(out, flatten(&es.EntitiesDescriptors[i])...)
	}
	return out
}

// LoadCertificates reads PEM certificates, or one bare base64 DER
// certificate as IdP consoles display it.
func LoadCertificates(b []byte, name string) (*Anchors, error) {
	a := &Anchors{}
	rest := b
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, note, err := parseCertificate(blk.Bytes)
		if err != nil {
			return nil, decodeErr(StageKey, fmt.Sprintf("an unreadable certificate in %s", name), "an X.509 certificate", err)
		}
		ci := NewCertInfo(c)
		ci.Note = note
		a.Certs = append(a.Certs, &Anchor{CertInfo: ci, Source: fmt.Sprintf("%s: certificate %d", name, len(a.Certs)+1)})
	}
	if len(a.Certs) == 0 {
		ci := certInfoFromBase64(string(b))
		if ci.Err != "" {
			return nil, decodeErr(StageKey, "no PEM certificate in "+name, "a PEM file with a BEGIN CERTIFICATE block, or the base64 of one certificate", nil)
		}
		a.Certs = append(a.Certs, &Anchor{CertInfo: ci, Source: name})
	}
	return a, nil
}

// rootElement is the document's first element's name. It reads no
// further: xml.Unmarshal into a struct holding only XMLName would read
// the whole document, a third pass over a metadata aggregate that
// checkXML has read and the typed Unmarshal reads again.
func rootElement(b []byte) (xml.Name, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := dec.Token()
		if err != nil {
			return xml.Name{}, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name, nil
		}
	}
}
