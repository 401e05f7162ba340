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
	"strings"
	"time"

	crewjam "github.com/crewjam/saml"
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
	var b strings.Builder
	for i, x := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", x)
	}
	return b.String()
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

func certInfoFromBase64(text string) *CertInfo {
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
	if err != nil {
		return &CertInfo{Err: "not base64: " + err.Error()}
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return &CertInfo{Err: err.Error()}
	}
	return NewCertInfo(c)
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
	var probe struct{ XMLName xml.Name }
	if err := xml.Unmarshal(b, &probe); err != nil {
		return nil, decodeErr(StageXML, "unreadable metadata", "SAML 2.0 metadata XML", err)
	}
	var entities []crewjam.EntityDescriptor
	switch {
	case probe.XMLName.Space == NSMetadata && probe.XMLName.Local == "EntityDescriptor":
		var ed crewjam.EntityDescriptor
		if err := xml.Unmarshal(b, &ed); err != nil {
			return nil, decodeErr(StageXML, "metadata that does not fit the SAML metadata schema", "a valid md:EntityDescriptor", err)
		}
		entities = append(entities, ed)
	case probe.XMLName.Space == NSMetadata && probe.XMLName.Local == "EntitiesDescriptor":
		var es crewjam.EntitiesDescriptor
		if err := xml.Unmarshal(b, &es); err != nil {
			return nil, decodeErr(StageXML, "metadata that does not fit the SAML metadata schema", "a valid md:EntitiesDescriptor", err)
		}
		entities = flatten(&es)
	default:
		return nil, decodeErr(StageKind, fmt.Sprintf("<%s> in namespace %q", probe.XMLName.Local, probe.XMLName.Space), "IdP metadata: md:EntityDescriptor or md:EntitiesDescriptor", nil)
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
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, decodeErr(StageKey, fmt.Sprintf("an unreadable certificate in %s", name), "an X.509 certificate", err)
		}
		a.Certs = append(a.Certs, &Anchor{CertInfo: NewCertInfo(c), Source: fmt.Sprintf("%s: certificate %d", name, len(a.Certs)+1)})
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
