package saml

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// Verdict is the outcome of checking one signature.
type Verdict string

const (
	// Valid: verifies with a trust anchor (metadata or PEM certificate).
	Valid Verdict = "valid"
	// ValidEmbedded: verifies with the certificate the signature embeds;
	// no trust anchors were given, so who signed is unproven.
	ValidEmbedded Verdict = "valid-embedded"
	// Untrusted: verifies only with the embedded certificate, which is not
	// among the trust anchors (typically an IdP certificate rotation).
	Untrusted Verdict = "untrusted"
	// OtherIssuer: verifies only with a trusted certificate of another
	// IdP's metadata than the one whose entityID the signed element's
	// Issuer names. AWS checks a signature against the one provider the
	// Role attribute names, so one IdP's key never vouches for another.
	OtherIssuer Verdict = "other-issuer"
	// DigestMismatch: the signature value matches the key, but the signed
	// content changed after signing (edited, re-serialized, pretty-printed).
	DigestMismatch Verdict = "digest-mismatch"
	// ValueMismatch: the signature value does not match the key.
	ValueMismatch Verdict = "value-mismatch"
	// Unsupported: an algorithm samllint (goxmldsig) cannot check, e.g. HMAC.
	Unsupported Verdict = "unsupported"
	// NotEnveloped: the signature does not reference the element it sits
	// in by ID, the only form SAML processors accept.
	NotEnveloped Verdict = "not-enveloped"
	// Malformed: the Signature element itself is broken.
	Malformed Verdict = "malformed"
	// NoKey: no trust anchors given and no certificate embedded.
	NoKey Verdict = "no-key"
)

// Verifies reports whether the signature value and digest check out with
// some key (trusted or not).
func (v Verdict) Verifies() bool {
	return v == Valid || v == ValidEmbedded || v == Untrusted || v == OtherIssuer
}

// Vouches reports whether the signature proves who signed: it verifies
// with a key that may speak for the Issuer (or, with no trust anchors
// given, with the key it embeds).
func (v Verdict) Vouches() bool { return v == Valid || v == ValidEmbedded }

// SignatureCheck is what Verify found for one signature.
type SignatureCheck struct {
	Verdict Verdict `json:"verdict"`
	Detail  string  `json:"detail"`
	// Signer is the certificate whose key the signature value matched.
	Signer *CertInfo `json:"signer,omitempty"`
	// Anchor is the trust anchor that matched, for Valid and DigestMismatch.
	Anchor *Anchor `json:"anchor,omitempty"`
	// Trusted lists the trust anchors the signature did not match, for
	// Untrusted and ValueMismatch, so a rotation is plain to see; for
	// OtherIssuer, those of the Issuer's own metadata.
	Trusted []*Anchor `json:"trusted,omitempty"`
	// Issuer is the Issuer of the signed element (or, for a Response with
	// none, of the assertion it holds) that the anchors were bound to.
	Issuer string `json:"issuer,omitempty"`
	// Covers is the path of the element the signature protects, set only
	// when it Verifies.
	Covers string `json:"covers,omitempty"`
	// SignedInfoChanged says, for a ValueMismatch, that the value was
	// made with the key after all (an RSA value opens to a well-formed
	// block with it) over another SignedInfo: the signature block was
	// re-indented or edited after signing. The key is right.
	SignedInfoChanged bool `json:"signed_info_changed,omitempty"`
	// Reindented says, for a DigestMismatch, what whitespace was changed
	// after signing when normalising it makes the signature verify; ""
	// when that is not so.
	Reindented string `json:"reindented,omitempty"`
}

// Verify checks every signature in r with goxmldsig, against anchors when
// given (nil or empty: against the certificates the signatures embed), and
// of those, against the certificates of the metadata whose entityID the
// signed element's Issuer names (see Anchors.For), and
// records each outcome in Signature.Check. Certificate validity dates are
// not part of the verdict: time is the linter's input, not Verify's.
func Verify(r *Response, anchors *Anchors) { _ = VerifyContext(context.Background(), r, anchors) }

// VerifyContext is Verify that stops between signatures once ctx is done,
// returning its error; the signatures not reached have no Check.
func VerifyContext(ctx context.Context, r *Response, anchors *Anchors) error {
	if r.Exceeded != nil {
		return nil // not modelled: nothing to check
	}
	for _, s := range r.Signatures {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.Check = verifyOne(r, s, anchors)
		if s.Check.Verdict.Verifies() {
			s.Check.Covers = s.ParentPath
		}
	}
	return nil
}

func verifyOne(r *Response, s *Signature, anchors *Anchors) *SignatureCheck {
	sv := r.child(s.el, NSDSig, "SignatureValue")
	if s.SignatureMethod == "" || sv == nil {
		return &SignatureCheck{Verdict: Malformed, Detail: "the Signature lacks SignedInfo/SignatureMethod or SignatureValue"}
	}
	// Values that no key could verify are malformed, whatever the trust
	// anchors: placeholders left in a template, a value cut short.
	if why := badValues(s, sv); why != "" {
		return &SignatureCheck{Verdict: Malformed, Detail: why}
	}
	parent := s.el.Parent()
	if !enveloped(s, parent) {
		uris := make([]string, len(s.References))
		for i, ref := range s.References {
			uris[i] = fmt.Sprintf("%q", ref.URI)
		}
		return &SignatureCheck{Verdict: NotEnveloped, Detail: fmt.Sprintf("it sits in <%s ID=%q> but references %s; SAML requires exactly one reference, to the ID of the element the signature sits in", s.ParentTag, s.ParentID, strings.Join(uris, ", "))}
	}
	if other := r.earlierSignature(s); other != nil {
		return &SignatureCheck{Verdict: Malformed, Detail: fmt.Sprintf("another Signature inside <%s> (%s) references the same ID first; the element is signed ambiguously (signature wrapping?)", s.ParentTag, other.Path)}
	}
	target, restore, err := detach(parent, s.el, s.ValueForm)
	if err != nil {
		return &SignatureCheck{Verdict: Malformed, Detail: err.Error()}
	}
	defer restore()
	embedded := firstCert(s.Certificates)
	if embedded == nil && len(s.Certificates) > 0 && s.Certificates[0].Err != "" {
		embedded = nil // described below as unreadable
	}
	if !anchors.Empty() {
		issuer := r.issuerOf(parent)
		bound, others := anchors.For(issuer)
		c := checkAnchors(target, signerFirst(bound, embedded))
		if c.Verdict == ValueMismatch && len(others) > 0 {
			// Not the Issuer's key: is it another IdP's?
			switch o := checkAnchors(target, signerFirst(others, embedded)); o.Verdict {
			case Valid:
				c = &SignatureCheck{Verdict: OtherIssuer, Signer: o.Signer, Anchor: o.Anchor,
					Detail: fmt.Sprintf("verifies only with trusted certificate %s, of entityID %q; the <%s>'s Issuer is %q, whose metadata does not hold that key", o.Anchor.Source, o.Anchor.EntityID, s.ParentTag, issuer)}
			case DigestMismatch:
				c = o
			}
		}
		if c.Verdict == ValueMismatch && embedded != nil {
			switch v, detail := check(target, embedded.Cert); v {
			case Valid:
				c = &SignatureCheck{Verdict: Untrusted, Detail: "verifies only with its embedded certificate, which is not among the trusted certificates (IdP certificate rotated? metadata of another app?)", Signer: embedded}
			case DigestMismatch:
				c = &SignatureCheck{Verdict: DigestMismatch, Detail: "the signature value matches its embedded certificate (not a trusted one), and the signed content changed after signing", Signer: embedded}
			case Unsupported, Malformed:
				c = &SignatureCheck{Verdict: v, Detail: detail}
			default:
				c.Detail += " nor its embedded certificate"
			}
		}
		c.Issuer = issuer
		if c.Verdict == ValueMismatch || c.Verdict == Untrusted || c.Verdict == OtherIssuer {
			c.Trusted = bound
		}
		if c.Verdict == ValueMismatch {
			for _, a := range signerFirst(bound, embedded) {
				if a.Cert != nil && madeWith(s.SignatureMethod, sv, a.Cert) {
					c.SignedInfoChanged = true
					c.Detail = "the signature value was made with the key of " + a.Source + ", but over another SignedInfo than this one: the ds:Signature was re-indented or edited after signing"
					break
				}
			}
		}
		return c
	}
	if embedded == nil {
		if len(s.Certificates) > 0 {
			return &SignatureCheck{Verdict: NoKey, Detail: "the embedded certificate cannot be read (" + s.Certificates[0].Err + ") and no trust anchors (IdP metadata or certificate) were given"}
		}
		return &SignatureCheck{Verdict: NoKey, Detail: "no certificate is embedded and no trust anchors (IdP metadata or certificate) were given"}
	}
	switch v, detail := check(target, embedded.Cert); v {
	case Valid:
		return &SignatureCheck{Verdict: ValidEmbedded, Detail: "verifies with its embedded certificate; without the IdP metadata or certificate IAM holds, who signed it is unproven", Signer: embedded}
	case DigestMismatch:
		if _, what, whole := reformatted(target, []*Anchor{{CertInfo: embedded, Source: "embedded"}}); whole {
			return &SignatureCheck{Verdict: DigestMismatch, Reindented: what, Detail: reindentedDetail(what, true, "its embedded certificate"), Signer: embedded}
		}
		return &SignatureCheck{Verdict: DigestMismatch, Detail: "the signature value matches its embedded certificate, but the signed content changed after signing (edited, re-encoded or pretty-printed)", Signer: embedded}
	case ValueMismatch:
		if a, what, whole := reformatted(target, []*Anchor{{CertInfo: embedded, Source: "embedded"}}); a != nil {
			return &SignatureCheck{Verdict: DigestMismatch, Reindented: what, Detail: reindentedDetail(what, whole, "its embedded certificate"), Signer: embedded}
		}
		c := &SignatureCheck{Verdict: ValueMismatch, Detail: "the signature value does not match its embedded certificate's key"}
		if madeWith(s.SignatureMethod, sv, embedded.Cert) {
			c.SignedInfoChanged = true
			c.Detail = "the signature value was made with its embedded certificate's key, but over another SignedInfo than this one: the ds:Signature was re-indented or edited after signing"
		}
		return c
	default:
		return &SignatureCheck{Verdict: v, Detail: detail}
	}
}

// checkAnchors checks the detached target against the anchors; with no
// match it answers ValueMismatch.
func checkAnchors(target *etree.Element, anchors []*Anchor) *SignatureCheck {
	var digest *Anchor
	for _, a := range anchors {
		if a.Cert == nil {
			continue
		}
		switch v, detail := check(target, a.Cert); v {
		case Valid:
			return &SignatureCheck{Verdict: Valid, Detail: "verifies with trusted certificate " + a.Source, Signer: a.CertInfo, Anchor: a}
		case DigestMismatch:
			if digest == nil {
				digest = a
			}
		case Unsupported, Malformed:
			return &SignatureCheck{Verdict: v, Detail: detail}
		}
	}
	if digest != nil {
		if _, what, whole := reformatted(target, []*Anchor{digest}); whole {
			return &SignatureCheck{Verdict: DigestMismatch, Reindented: what, Detail: reindentedDetail(what, true, "trusted certificate "+digest.Source), Signer: digest.CertInfo, Anchor: digest}
		}
		return &SignatureCheck{Verdict: DigestMismatch, Detail: "the signature value matches trusted certificate " + digest.Source + ", but the signed content changed after signing (edited, re-encoded or pretty-printed)", Signer: digest.CertInfo, Anchor: digest}
	}
	if a, what, whole := reformatted(target, anchors); a != nil {
		return &SignatureCheck{Verdict: DigestMismatch, Reindented: what, Detail: reindentedDetail(what, whole, "trusted certificate "+a.Source), Signer: a.CertInfo, Anchor: a}
	}
	return &SignatureCheck{Verdict: ValueMismatch, Detail: fmt.Sprintf("the signature value matches none of the %d trusted certificates", len(anchors))}
}

// digestSizes are the bytes each digest algorithm makes.
var digestSizes = map[string]int{
	"http://www.w3.org/2000/09/xmldsig#sha1":        20,
	"http://www.w3.org/2001/04/xmldsig-more#sha224": 28,
	"http://www.w3.org/2001/04/xmlenc#sha256":       32,
	"http://www.w3.org/2001/04/xmldsig-more#sha384": 48,
	"http://www.w3.org/2001/04/xmlenc#sha512":       64,
	"http://www.w3.org/2001/04/xmlenc#ripemd160":    20,
}

// ecdsaSizes are the lengths of r||s for the curves XML-DSig names
// (RFC 4050, RFC 6931): P-192 to P-521.
var ecdsaSizes = map[int]bool{48: true, 56: true, 64: true, 96: true, 132: true}

// badValues says why a signature's DigestValue or SignatureValue cannot
// be what its algorithm makes: not base64 at all, or of a length the
// algorithm never produces. "" when they may be.
func badValues(s *Signature, sv *etree.Element) string {
	for i, ref := range s.References {
		raw := strings.Join(strings.Fields(ref.DigestValue), "")
		b, err := base64.StdEncoding.DecodeString(raw)
		switch {
		case raw == "" && ref.HasDigestValue:
			return fmt.Sprintf("the DigestValue of Reference[%d] is empty", i+1)
		case raw == "":
			return fmt.Sprintf("Reference[%d] has no DigestValue", i+1)
		case err != nil:
			return fmt.Sprintf("the DigestValue of Reference[%d], %q, is not base64; no content can have that digest", i+1, clip(raw, 40))
		case digestSizes[ref.DigestMethod] > 0 && len(b) != digestSizes[ref.DigestMethod]:
			return fmt.Sprintf("the DigestValue of Reference[%d] is %d bytes, but %s makes %d", i+1, len(b), shortAlgorithm(ref.DigestMethod), digestSizes[ref.DigestMethod])
		}
	}
	all, _, _ := textOf(sv)
	raw := strings.Join(strings.Fields(all), "")
	b, err := base64.StdEncoding.DecodeString(raw)
	switch m := s.SignatureMethod; {
	case raw == "":
		return "the SignatureValue is empty"
	case err != nil:
		return fmt.Sprintf("the SignatureValue, %q, is not base64; no key can verify it", clip(raw, 40))
	case strings.Contains(m, "#rsa-") && (len(b) < 64 || len(b) > 2048):
		return fmt.Sprintf("the SignatureValue is %d bytes; an RSA signature is as long as its key, 64 bytes (512 bits) at the very least", len(b))
	case isECDSA(m):
		if s.ValueForm = ecdsaForm(b); s.ValueForm == "" {
			return fmt.Sprintf("the SignatureValue is %d bytes; an ECDSA signature (r and s side by side) is 48, 56, 64, 96 or 132, and it is no DER ECDSA-Sig-Value either", len(b))
		}
	}
	return ""
}

// signerFirst orders the anchors so that the one whose certificate the
// signature embeds is tried first: a rotation leaves several in the
// metadata, and each try is a full verification. The verdict does not
// depend on the order; only the work does.
func signerFirst(anchors []*Anchor, embedded *CertInfo) []*Anchor {
	if embedded == nil || len(anchors) < 2 {
		return anchors
	}
	out := make([]*Anchor, 0, len(anchors))
	for _, a := range anchors {
		if a.CertInfo != nil && a.SHA256 == embedded.SHA256 {
			out = append(out, a)
		}
	}
	for _, a := range anchors {
		if a.CertInfo == nil || a.SHA256 != embedded.SHA256 {
			out = append(out, a)
		}
	}
	return out
}

func firstCert(cs []*CertInfo) *CertInfo {
	for _, c := range cs {
		if c.Cert != nil {
			return c
		}
	}
	return nil
}

// enveloped: one reference, naming the parent's ID, or "" (the whole
// document) when the parent is the root.
func enveloped(s *Signature, parent *etree.Element) bool {
	if parent == nil || len(s.References) != 1 {
		return false
	}
	uri := s.References[0].URI
	if uri == "" {
		return isRoot(parent) && s.ParentTag == "Response"
	}
	return s.ParentID != "" && uri == "#"+s.ParentID
}

// reformatted reports the anchor with which el verifies once its
// whitespace is normalised the way a re-indenting tool changes it, and
// what was re-indented: whitespace-only text between tags (pretty-printed
// compact XML, which changes SignedInfo as well as the digest), the
// indentation of lines (XML written with bare line breaks, as xmlsec1
// writes a signature, then indented), either inside the ds:Signature
// alone, or the space around values such as an AttributeValue put on
// lines of their own.
//
// whole says the normalised copy verifies outright. When none does but
// one normalised inside the ds:Signature gets past the signature value
// and fails only its digest, the key is right and the ds:Signature was
// re-indented, but the signed content changed as well: whole is false.
func reformatted(el *etree.Element, anchors []*Anchor) (a *Anchor, what string, whole bool) {
	type variant struct {
		what string
		make func(*etree.Element)
	}
	// The narrowest explanation first.
	variants := []variant{
		{"whitespace inside the ds:Signature", func(e *etree.Element) { forSignature(e, stripIndentation) }},
		{"indentation inside the ds:Signature", func(e *etree.Element) { forSignature(e, lineBreaksOnly) }},
		{"whitespace around values", trimValues},
		{"whitespace between tags", func(e *etree.Element) { stripIndentation(e) }},
		{"indentation", func(e *etree.Element) { lineBreaksOnly(e) }},
		{"whitespace between tags and around values", func(e *etree.Element) { stripIndentation(e); trimValues(e) }},
		{"indentation and whitespace around values", func(e *etree.Element) { lineBreaksOnly(e); trimValues(e) }},
	}
	if !hasIndentation(el) && !hasPaddedValue(el) {
		return nil, "", false
	}
	var partial *Anchor
	partialWhat := ""
	for _, v := range variants {
		c := el.Copy()
		v.make(c)
		for _, an := range anchors {
			if an.Cert == nil {
				continue
			}
			switch r, _ := check(c, an.Cert); {
			case r == Valid:
				return an, v.what, true
			case r == DigestMismatch && partial == nil && strings.Contains(v.what, "ds:Signature"):
				partial, partialWhat = an, v.what
			}
		}
	}
	return partial, partialWhat, false
}

// lineBreaksOnly reduces whitespace-only text that holds a line break to
// the line break: what xmlsec1 and most IdPs write, indented afterwards.
func lineBreaksOnly(el *etree.Element) {
	for _, t := range el.Child {
		switch t := t.(type) {
		case *etree.CharData:
			if t.IsWhitespace() && strings.Contains(t.Data, "\n") {
				t.Data = "\n"
			}
		case *etree.Element:
			lineBreaksOnly(t)
		}
	}
}

// reindentedDetail words what reformatted found.
func reindentedDetail(what string, whole bool, cert string) string {
	if whole {
		return "re-indented after signing: with " + what + " normalised, it verifies with " + cert
	}
	return "re-indented after signing, and edited: with " + what + " normalised, the signature value matches " + cert + ", but the signed content still differs from what was signed"
}

// forSignature applies f to each ds:Signature child of el.
func forSignature(el *etree.Element, f func(*etree.Element)) {
	for _, c := range el.ChildElements() {
		if c.Tag == "Signature" && c.NamespaceURI() == NSDSig {
			f(c)
		}
	}
}

// hasPaddedValue: some element holding only text has a line break
// around it, as a re-indenting tool leaves a value it put on its own line.
func hasPaddedValue(el *etree.Element) bool {
	if len(el.ChildElements()) == 0 {
		t := el.Text()
		return strings.TrimSpace(t) != t && strings.Contains(t, "\n")
	}
	for _, c := range el.ChildElements() {
		if hasPaddedValue(c) {
			return true
		}
	}
	return false
}

// trimValues trims the space around the text of every element that holds
// only text.
func trimValues(el *etree.Element) {
	kids := el.ChildElements()
	if len(kids) == 0 {
		if t := el.Text(); t != "" && strings.TrimSpace(t) != t && len(el.Child) == 1 {
			el.SetText(strings.TrimSpace(t))
		}
		return
	}
	for _, c := range kids {
		trimValues(c)
	}
}

func hasIndentation(el *etree.Element) bool {
	for _, t := range el.Child {
		if cd, ok := t.(*etree.CharData); ok && cd.IsWhitespace() && strings.Contains(cd.Data, "\n") {
			return true
		}
		if c, ok := t.(*etree.Element); ok && hasIndentation(c) {
			return true
		}
	}
	return false
}

// stripIndentation removes whitespace-only text through etree's API, which
// keeps the child indexes goxmldsig relies on consistent.
func stripIndentation(el *etree.Element) {
	var blanks []etree.Token
	for _, t := range el.Child {
		switch t := t.(type) {
		case *etree.CharData:
			if t.IsWhitespace() {
				blanks = append(blanks, t)
			}
		case *etree.Element:
			stripIndentation(t)
		}
	}
	for _, t := range blanks {
		el.RemoveChild(t)
	}
}

// isRoot reports whether el is its document's root element (etree gives the
// root the document itself as parent).
func isRoot(el *etree.Element) bool { return el.Parent() == nil || el.Parent().Parent() == nil }

// issuerOf is the Issuer a signature on el speaks for: el's own Issuer,
// or, for a Response without one (SAML makes it optional there), the
// Issuer of the assertion a service provider consumes.
func (r *Response) issuerOf(el *etree.Element) string {
	if is := r.child(el, NSAssertion, "Issuer"); is != nil {
		v, _, _ := textOf(is)
		return strings.TrimSpace(v)
	}
	if isRoot(el) {
		if a := r.Consumed(); a != nil && a.Issuer != nil {
			return a.Issuer.Value
		}
	}
	return ""
}

// detach copies el with the namespace declarations it inherits, and removes
// KeyInfo from the copy of sig so goxmldsig checks the one certificate it
// is given rather than whatever the message embeds. An ECDSA value in
// form ECDSAConcat is given to goxmldsig in DER.
//
// The root element needs no detaching (it inherits no declarations) and
// goxmldsig copies what it validates, so for the root the KeyInfo is taken
// out of the tree itself, and restore puts it back: one copy of the whole
// Response fewer per verification.
func detach(el, sig *etree.Element, form string) (d *etree.Element, restore func(), err error) {
	restore = func() {}
	sigCopy := sig
	if isRoot(el) {
		d = el
	} else {
		if d, err = detachElement(el); err != nil {
			return nil, restore, err
		}
		idx := sig.Index()
		if idx < 0 || idx >= len(d.Child) {
			return nil, restore, errors.New("signature position lost while detaching")
		}
		var ok bool
		if sigCopy, ok = d.Child[idx].(*etree.Element); !ok {
			return nil, restore, errors.New("signature position lost while detaching")
		}
	}
	var undo []func()
	if ki := child(sigCopy, NSDSig, "KeyInfo"); ki != nil {
		at := ki.Index()
		sigCopy.RemoveChild(ki)
		undo = append(undo, func() { sigCopy.InsertChildAt(at, ki) })
	}
	// SignatureValue is base64Binary, where whitespace is allowed; goxmldsig
	// decodes it strictly. It lies outside SignedInfo, so compacting it
	// leaves what was signed untouched.
	if sv := child(sigCopy, NSDSig, "SignatureValue"); sv != nil {
		text := sv.Text()
		compact := strings.Join(strings.Fields(text), "")
		if form == ECDSAConcat {
			// goxmldsig reads DER: see ecdsa.go.
			if raw, err := base64.StdEncoding.DecodeString(compact); err == nil {
				compact = base64.StdEncoding.EncodeToString(ecdsaDER(raw))
			}
		}
		if compact != text {
			sv.SetText(compact)
			undo = append(undo, func() { sv.SetText(text) })
		}
	}
	// goxmldsig finds the ID with etree's SelectAttr("ID"), which would also
	// take a namespaced x:ID written first. The unqualified ID goes first;
	// canonicalization orders attributes itself, so the digest is the same.
	if i := unqualifiedID(d); i > 0 {
		attrs := d.Attr
		moved := append([]etree.Attr{attrs[i]}, append(append([]etree.Attr{}, attrs[:i]...), attrs[i+1:]...)...)
		d.Attr = moved
		undo = append(undo, func() { d.Attr = attrs })
	}
	if sigCopy == sig {
		// The tree itself was changed: put it back once checked.
		restore = func() {
			for i := len(undo) - 1; i >= 0; i-- {
				undo[i]()
			}
		}
	}
	return d, restore, nil
}

// unqualifiedID is the index of el's unqualified ID attribute, or -1.
func unqualifiedID(el *etree.Element) int {
	for i, a := range el.Attr {
		if a.Space == "" && a.Key == "ID" {
			return i
		}
	}
	return -1
}

// earlierSignature is a signature inside the element s signs, before s in
// document order, that references the same element: goxmldsig checks the
// first one it finds, so s's verdict would be that one's.
func (r *Response) earlierSignature(s *Signature) *Signature {
	for _, t := range r.Signatures {
		if t == s {
			return nil
		}
		if !within(t.Path, s.ParentPath) {
			continue
		}
		for _, ref := range t.References {
			if ref.URI == "" || ref.URI == "#"+s.ParentID {
				return t
			}
		}
	}
	return nil
}

// detachElement copies el with the namespace declarations it inherits.
func detachElement(el *etree.Element) (*etree.Element, error) {
	ctx, err := parentContext(el)
	if err != nil {
		return nil, err
	}
	if ctx, err = ctx.SubContext(el); err != nil {
		return nil, err
	}
	return etreeutils.NSDetatch(ctx, el)
}

// parentContext collects the namespace declarations in scope at el, without
// goxmldsig's default traversal budget (meant for SignedInfo, too small
// for a large Response).
func parentContext(el *etree.Element) (etreeutils.NSContext, error) {
	p := el.Parent()
	if p == nil {
		return etreeutils.EmptyNSContext, nil
	}
	ctx, err := parentContext(p)
	if err != nil {
		return ctx, err
	}
	return ctx.SubContext(p)
}

// check runs goxmldsig on el trusting only cert, at a time inside cert's
// validity, and classifies the outcome. goxmldsig's errors are plain
// strings; TestGoxmldsigErrorTexts pins the ones matched here.
func check(el *etree.Element, cert *x509.Certificate) (Verdict, string) {
	ctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{cert}})
	ctx.IdAttribute = "ID"
	ctx.Clock = dsig.NewFakeClockAt(cert.NotBefore.Add(cert.NotAfter.Sub(cert.NotBefore) / 2))
	_, err := ctx.Validate(el)
	if err == nil {
		return Valid, ""
	}
	msg := err.Error()
	var insecure x509.InsecureAlgorithmError
	switch {
	case errors.Is(err, rsa.ErrVerification), strings.Contains(msg, "verification failure"), strings.Contains(msg, "verification error"):
		return ValueMismatch, msg
	case msg == "Signature could not be verified":
		return DigestMismatch, msg
	case errors.As(err, &insecure), errors.Is(err, x509.ErrUnsupportedAlgorithm),
		strings.HasPrefix(msg, "Unknown signature method"), strings.HasPrefix(msg, "Unknown digest algorithm"),
		strings.HasPrefix(msg, "Unknown Transform Algorithm"), strings.HasPrefix(msg, "invalid CanonicalizationMethod"):
		return Unsupported, "not checkable: " + msg
	case errors.Is(err, dsig.ErrInvalidSignature):
		return Malformed, "the Signature needs exactly one SignedInfo and one SignatureValue, and at most one KeyInfo"
	case errors.Is(err, dsig.ErrMissingSignature):
		return NotEnveloped, "goxmldsig found no signature referencing the element"
	}
	return Malformed, msg
}

// Protection says how an assertion is protected by a signature that verifies.
type Protection struct {
	Signature *Signature
	// Via is "assertion" when the assertion's own signature covers it,
	// "response" when the Response's signature does.
	Via string
}

// Protected returns the verifying signatures that cover a, the assertion a
// service provider consumes: its own enveloped signature, or the Response's
// when a is the Response's direct child (or the plaintext of one). A
// signature whose element's ID is not unique protects nothing, as a
// processor may resolve the reference to the other element. Call Verify first.
func (r *Response) Protected(a *Assertion) []Protection {
	var out []Protection
	for _, s := range r.Signatures {
		if s.Check == nil || !s.Check.Verdict.Verifies() || len(r.DuplicateIDs[s.ParentID]) > 1 {
			continue
		}
		switch {
		case s.ParentPath == a.Path:
			out = append(out, Protection{Signature: s, Via: "assertion"})
		case s.ParentPath == r.Path && a.Direct:
			out = append(out, Protection{Signature: s, Via: "response"})
		}
	}
	return out
}

// Consumed is the assertion a service provider would read: the first
// direct child Assertion, or the first decrypted EncryptedAssertion.
func (r *Response) Consumed() *Assertion {
	for _, a := range r.Assertions {
		if a.Direct {
			return a
		}
	}
	return nil
}

// Coverage is the signature-wrapping verdict: is the assertion a service
// provider consumes really what a verifying signature covers?
type Coverage struct {
	Assertion *Assertion `json:"-"`
	Path      string     `json:"path,omitempty"` // of the consumed assertion
	// Covered: the consumed assertion is exactly what a signature that
	// verifies covers, with a trusted key (or, when no trust anchors were
	// given, its embedded one). A signature by an untrusted key covers
	// nothing.
	Covered bool `json:"covered"`
	// Trusted: covered by a signature that verifies with a trust anchor.
	Trusted  bool         `json:"trusted"`
	Via      []Protection `json:"-"`
	ViaNames []string     `json:"via"`
	// Problems say, one sentence each, why it is not safely covered.
	Problems []Problem `json:"problems"`
	// Notes are shapes that are harmless but worth knowing, such as
	// assertions nested in the consumed one's Advice.
	Notes []Problem `json:"notes"`
}

// ProblemKind classifies a coverage problem so rules can pick theirs.
type ProblemKind string

const (
	ProblemAssertions         ProblemKind = "several-assertions"
	ProblemDuplicateID        ProblemKind = "duplicate-id"
	ProblemNestedResponse     ProblemKind = "nested-response"
	ProblemMisplacedSignature ProblemKind = "misplaced-signature"
	ProblemAmbiguousSignature ProblemKind = "ambiguous-signature"
	ProblemNotEnveloped       ProblemKind = "not-enveloped"
	ProblemUncovered          ProblemKind = "uncovered"
	ProblemUntrusted          ProblemKind = "untrusted"
	ProblemNoAssertion        ProblemKind = "no-assertion"
	ProblemEncrypted          ProblemKind = "encrypted"
	// ProblemInSignature: an assertion inside a ds:Signature (in a
	// ds:Object), outside what an enveloped signature signs.
	ProblemInSignature ProblemKind = "assertion-in-signature"
	// ProblemTooLarge: the message holds more than Limits allow and was
	// not read, so nothing is known of its signatures.
	ProblemTooLarge ProblemKind = "too-large"
	// ProblemAdvice is a note: assertions nested in the consumed one's
	// Advice (SAML core §2.6.1) lie inside what covers it.
	ProblemAdvice ProblemKind = "advice"
)

// Problem is one reason the consumed assertion is not safely signed.
type Problem struct {
	Kind ProblemKind `json:"kind"`
	Path string      `json:"path"`
	Text string      `json:"text"`
	// OtherCovered is set for ProblemUncovered when some signature does
	// verify, but over other elements: the wrapping shape.
	OtherCovered []string `json:"other_covered,omitempty"`
}

// within reports whether path lies strictly inside the element at root.
func within(path, root string) bool { return root != "" && strings.HasPrefix(path, root+"/") }

// Coverage judges the message as a careful service provider would: exactly
// one assertion, unique IDs, and that assertion (or the whole Response)
// covered by a signature that verifies. Call Verify first.
func (r *Response) Coverage() Coverage {
	cv := Coverage{Problems: []Problem{}, Notes: []Problem{}, ViaNames: []string{}}
	add := func(kind ProblemKind, path, format string, args ...any) {
		cv.Problems = append(cv.Problems, Problem{Kind: kind, Path: path, Text: fmt.Sprintf(format, args...)})
	}
	if ex := r.Exceeded; ex != nil {
		add(ProblemTooLarge, r.Path, "not checked: the message holds %s", ex)
		return cv
	}
	a := r.Consumed()
	// Advice is the one place inside the consumed assertion where other
	// assertions belong; one in its Signature (a ds:Object) lies outside
	// what the enveloped-signature transform signs.
	inAdvice := func(path string) bool { return a != nil && within(path, a.Path+"/Advice") }
	direct, elsewhere, advice := 0, 0, 0
	var inSignature []string
	for _, x := range r.Assertions {
		switch {
		case x.Direct:
			direct++
		case inAdvice(x.Path):
			advice++
		default:
			elsewhere++
			if strings.Contains(x.Path, "/Signature[") {
				inSignature = append(inSignature, x.Path)
			}
		}
	}
	undecrypted := 0
	for _, ea := range r.EncryptedAssertions {
		if !ea.Decrypted {
			undecrypted++
		}
	}
	if n := direct + elsewhere + undecrypted; n > 1 {
		add(ProblemAssertions, r.Path, "the message holds %d assertions (%d child of the Response, %d nested elsewhere, %d still encrypted); a service provider may read one while a signature covers another", n, direct, elsewhere, undecrypted)
	}
	for _, path := range inSignature {
		add(ProblemInSignature, path, "an assertion sits inside a ds:Signature at %s, which the enveloped-signature transform leaves out of what is signed: it is not Advice, and nothing covers it", path)
	}
	if advice > 0 {
		cv.Notes = append(cv.Notes, Problem{Kind: ProblemAdvice, Path: a.Path, Text: fmt.Sprintf("%d %s nested in the consumed assertion's Advice; they lie inside what covers it and are not consumed", advice, pluralS(advice, "assertion is", "assertions are"))})
	}
	for _, id := range slices.Sorted(maps.Keys(r.DuplicateIDs)) {
		add(ProblemDuplicateID, r.DuplicateIDs[id][1], "ID %q is carried by %d elements (%s), so a reference to it is ambiguous", id, len(r.DuplicateIDs[id]), strings.Join(r.DuplicateIDs[id], ", "))
	}
	for _, n := range r.NestedResponses {
		add(ProblemNestedResponse, n, "a Response is nested at %s, the shape of a signature-wrapping attack", n)
	}
	signable := map[string]bool{r.Path: true}
	for _, x := range r.Assertions {
		if x.Direct {
			signable[x.Path] = true
		}
	}
	perParent := map[string]int{}
	for _, s := range r.Signatures {
		if inAdvice(s.ParentPath) {
			continue // a signature of an Advice assertion, inside the covered one
		}
		perParent[s.ParentPath]++
		if !signable[s.ParentPath] {
			add(ProblemMisplacedSignature, s.Path, "a signature sits in <%s> at %s, where SAML signs nothing (only the Response and its Assertion are signed)", s.ParentTag, s.ParentPath)
		}
		if s.Check != nil && s.Check.Verdict == NotEnveloped {
			add(ProblemNotEnveloped, s.Path, "the signature at %s does not plainly sign the element it sits in: %s", s.Path, s.Check.Detail)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(perParent)) {
		if n := perParent[p]; n > 1 {
			add(ProblemAmbiguousSignature, p, "%s carries %d signatures; which one a processor checks is ambiguous", p, n)
		}
	}
	if a == nil {
		if undecrypted > 0 {
			add(ProblemEncrypted, r.EncryptedAssertions[0].Path, "the assertion is encrypted and was not decrypted, so what it says cannot be checked")
		} else {
			add(ProblemNoAssertion, r.Path, "there is no assertion to consume")
		}
		return cv
	}
	cv.Assertion, cv.Path = a, a.Path
	var untrusted []Protection
	for _, p := range r.Protected(a) {
		if !p.Signature.Check.Verdict.Vouches() {
			untrusted = append(untrusted, p)
			continue
		}
		cv.Via = append(cv.Via, p)
		cv.ViaNames = append(cv.ViaNames, p.Via)
		cv.Trusted = cv.Trusted || p.Signature.Check.Verdict == Valid
	}
	if len(cv.Via) == 0 {
		var covers, ambiguous []string
		for _, s := range r.Signatures {
			if s.Check != nil && s.Check.Covers != "" && s.Check.Verdict.Vouches() {
				covers = append(covers, s.Check.Covers)
				if n := len(r.DuplicateIDs[s.ParentID]); n > 1 {
					ambiguous = append(ambiguous, fmt.Sprintf("ID %q, which %d elements carry", s.ParentID, n))
				}
			}
		}
		switch {
		case len(untrusted) > 0:
			cv.Problems = append(cv.Problems, Problem{Kind: ProblemUntrusted, Path: a.Path,
				Text: fmt.Sprintf("%s is covered only by signatures whose key is not trusted to speak for its Issuer", a.Path)})
		case len(ambiguous) > 0 && len(ambiguous) == len(covers):
			// The signature verifies, but over an ID another element
			// carries too: which element it covers is a processor's guess.
			cv.Problems = append(cv.Problems, Problem{Kind: ProblemUncovered, Path: a.Path, OtherCovered: covers,
				Text: fmt.Sprintf("no signature covers %s for sure: the signatures that verify reference %s", a.Path, strings.Join(ambiguous, "; "))})
		default:
			msg := fmt.Sprintf("no signature that verifies covers %s or the Response", a.Path)
			if len(covers) > 0 {
				msg += "; the signatures that verify cover " + strings.Join(covers, ", ")
			}
			cv.Problems = append(cv.Problems, Problem{Kind: ProblemUncovered, Path: a.Path, Text: msg, OtherCovered: covers})
		}
	}
	cv.Covered = len(cv.Problems) == 0
	return cv
}

func pluralS(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
