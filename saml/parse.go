package saml

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// ParseOptions tune Parse.
type ParseOptions struct {
	Limits Limits
	// DecryptionKeys are private keys (from LoadPrivateKeys) tried, in order,
	// on each EncryptedAssertion.
	DecryptionKeys []any
}

// Parse reads one XML message (as found by Decode) into a Response. Input
// that is well-formed but another kind of document yields a *KindError
// wrapping ErrNotResponse; malformed input a *DecodeError.
func Parse(xmlBytes []byte) (*Response, error) { return ParseWith(xmlBytes, ParseOptions{}) }

// ParseCapture parses a message Decode found, without repeating the safety
// checks Decode already made on it.
func ParseCapture(c *Capture, opts ParseOptions) (*Response, error) {
	if c.Err != nil {
		return nil, c.Err
	}
	return parse(c.XML, opts, true)
}

// ParseWith is Parse with options.
func ParseWith(xmlBytes []byte, opts ParseOptions) (*Response, error) {
	return parse(xmlBytes, opts, false)
}

// parse skips the safety pre-pass when Decode already made it.
func parse(xmlBytes []byte, opts ParseOptions, checked bool) (*Response, error) {
	lim := opts.Limits
	if lim.MaxXML == 0 {
		lim = DefaultLimits
	}
	xmlBytes = bytes.TrimPrefix(xmlBytes, bomUTF8)
	if !checked {
		if err := checkXML(xmlBytes, lim); err != nil {
			return nil, err
		}
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(xmlBytes); err != nil {
		return nil, decodeErr(StageXML, "unreadable XML", "well-formed XML", err)
	}
	root := doc.Root()
	if root == nil {
		return nil, decodeErr(StageXML, "XML with no element", "a SAML message", nil)
	}
	if k, hint := kindOf(root); k != KindResponse {
		return nil, &KindError{Kind: k, Hint: hint}
	}
	p := &parser{r: &Response{doc: doc, paths: map[*etree.Element]string{}}}
	p.assignPaths(root, "")
	p.response(root)
	for _, ea := range p.r.EncryptedAssertions {
		p.decrypt(ea, opts.DecryptionKeys)
	}
	p.finish()
	return p.r, nil
}

type parser struct {
	r   *Response
	ids map[string][]string
}

// alwaysIndexed are the elements SAML lets repeat, indexed even when alone
// so a path means the same in every document.
var alwaysIndexed = map[string]bool{
	"Assertion": true, "EncryptedAssertion": true, "AttributeValue": true,
	"SubjectConfirmation": true, "Audience": true, "Signature": true,
}

// assignPaths gives every element an unambiguous location path:
// /Response/Assertion[1]/AttributeStatement/Attribute[@Name='…']/AttributeValue[1].
func (p *parser) assignPaths(el *etree.Element, parent string) {
	if parent == "" {
		p.r.paths[el] = "/" + el.Tag
	}
	here := p.r.paths[el]
	kids := el.ChildElements()
	count := map[string]int{}
	nameCount := map[string]int{}
	for _, k := range kids {
		count[k.Tag]++
		if k.Tag == "Attribute" {
			nameCount[k.SelectAttrValue("Name", "")]++
		}
	}
	seen := map[string]int{}
	seenName := map[string]int{}
	for _, k := range kids {
		seen[k.Tag]++
		var seg string
		switch {
		case k.Tag == "Attribute" && k.SelectAttr("Name") != nil:
			name := k.SelectAttrValue("Name", "")
			seenName[name]++
			seg = fmt.Sprintf("Attribute[@Name=%s]", xpathQuote(name))
			if nameCount[name] > 1 {
				seg += "[" + strconv.Itoa(seenName[name]) + "]"
			}
		case alwaysIndexed[k.Tag] || count[k.Tag] > 1:
			seg = k.Tag + "[" + strconv.Itoa(seen[k.Tag]) + "]"
		default:
			seg = k.Tag
		}
		p.r.paths[k] = here + "/" + seg
		p.assignPaths(k, here)
	}
}

// xpathQuote quotes s as an XPath 1.0 string literal.
func xpathQuote(s string) string {
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	parts := strings.Split(s, "'")
	return "concat('" + strings.Join(parts, `', "'", '`) + "')"
}

func (p *parser) path(el *etree.Element) string { return p.r.paths[el] }

func (p *parser) attrPath(el *etree.Element, attr string) string {
	return p.path(el) + "/@" + attr
}

func (p *parser) time(el *etree.Element, attr string) Time {
	raw := el.SelectAttrValue(attr, "")
	t := Time{Raw: raw}
	if raw == "" {
		return t
	}
	t.Path = p.attrPath(el, attr)
	if v, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(raw)); err == nil {
		t.Time, t.OK = v.UTC(), true
	}
	return t
}

// child returns the first child element in namespace ns with local name tag.
func child(el *etree.Element, ns, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			return c
		}
	}
	return nil
}

func children(el *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

func (p *parser) value(el *etree.Element) *Value {
	if el == nil {
		return nil
	}
	return &Value{Value: strings.TrimSpace(el.Text()), Path: p.path(el)}
}

func (p *parser) response(root *etree.Element) {
	r := p.r
	r.Path = p.path(root)
	r.ID = root.SelectAttrValue("ID", "")
	r.Version = root.SelectAttrValue("Version", "")
	r.Destination = root.SelectAttrValue("Destination", "")
	r.InResponseTo = root.SelectAttrValue("InResponseTo", "")
	r.IssueInstant = p.time(root, "IssueInstant")
	r.Issuer = p.value(child(root, NSAssertion, "Issuer"))
	if st := child(root, NSProtocol, "Status"); st != nil {
		s := &Status{Path: p.path(st)}
		for code := child(st, NSProtocol, "StatusCode"); code != nil; code = child(code, NSProtocol, "StatusCode") {
			s.Codes = append(s.Codes, code.SelectAttrValue("Value", ""))
		}
		if m := child(st, NSProtocol, "StatusMessage"); m != nil {
			s.Message = strings.TrimSpace(m.Text())
		}
		s.Detail = child(st, NSProtocol, "StatusDetail") != nil
		r.Status = s
	}
	r.Assertions = []*Assertion{}
	r.EncryptedAssertions = []*EncryptedAssertion{}
	for _, c := range root.ChildElements() {
		switch {
		case c.NamespaceURI() == NSAssertion && c.Tag == "Assertion":
			a := p.assertion(c)
			a.Direct = true
			r.Assertions = append(r.Assertions, a)
		case c.NamespaceURI() == NSAssertion && c.Tag == "EncryptedAssertion":
			r.EncryptedAssertions = append(r.EncryptedAssertions, p.encrypted(c))
		}
	}
	// Assertions hidden elsewhere are the signature-wrapping shape: list them
	// so rules can say where the signed one went.
	for _, el := range root.FindElements("//Assertion") {
		if el.NamespaceURI() == NSAssertion && el.Parent() != root {
			r.Assertions = append(r.Assertions, p.assertion(el))
		}
	}
	for _, el := range root.FindElements("//Response") {
		if el.NamespaceURI() == NSProtocol && el != root {
			r.NestedResponses = append(r.NestedResponses, p.path(el))
		}
	}
	p.collect(root)
}

// collect records every ID and every ds:Signature in document order.
func (p *parser) collect(el *etree.Element) {
	if id := el.SelectAttrValue("ID", ""); id != "" {
		if p.ids == nil {
			p.ids = map[string][]string{}
		}
		p.ids[id] = append(p.ids[id], p.path(el))
	}
	if el.Tag == "Signature" && el.NamespaceURI() == NSDSig {
		p.r.Signatures = append(p.r.Signatures, p.signature(el))
	}
	for _, c := range el.ChildElements() {
		p.collect(c)
	}
}

func (p *parser) finish() {
	for id, paths := range p.ids {
		if len(paths) > 1 {
			if p.r.DuplicateIDs == nil {
				p.r.DuplicateIDs = map[string][]string{}
			}
			p.r.DuplicateIDs[id] = paths
		}
	}
	for _, s := range p.r.Signatures {
		for i := range s.References {
			ref := &s.References[i]
			switch {
			case ref.URI == "":
				ref.Target = p.r.Path // same-document reference: the whole document
			case strings.HasPrefix(ref.URI, "#"):
				if paths := p.ids[ref.URI[1:]]; len(paths) > 0 {
					ref.Target = paths[0]
				}
			}
		}
	}
	if p.r.Signatures == nil {
		p.r.Signatures = []*Signature{}
	}
}

func (p *parser) assertion(el *etree.Element) *Assertion {
	a := &Assertion{
		Path:            p.path(el),
		ID:              el.SelectAttrValue("ID", ""),
		Version:         el.SelectAttrValue("Version", ""),
		IssueInstant:    p.time(el, "IssueInstant"),
		Issuer:          p.value(child(el, NSAssertion, "Issuer")),
		AuthnStatements: []*AuthnStatement{},
		Attributes:      []*Attribute{},
	}
	if s := child(el, NSAssertion, "Subject"); s != nil {
		a.Subject = p.subject(s)
	}
	if c := child(el, NSAssertion, "Conditions"); c != nil {
		a.Conditions = p.conditions(c)
	}
	for _, as := range children(el, NSAssertion, "AuthnStatement") {
		st := &AuthnStatement{
			Path:                p.path(as),
			AuthnInstant:        p.time(as, "AuthnInstant"),
			SessionIndex:        as.SelectAttrValue("SessionIndex", ""),
			SessionNotOnOrAfter: p.time(as, "SessionNotOnOrAfter"),
		}
		if ctx := child(as, NSAssertion, "AuthnContext"); ctx != nil {
			if ref := child(ctx, NSAssertion, "AuthnContextClassRef"); ref != nil {
				st.AuthnContextClass = strings.TrimSpace(ref.Text())
			}
		}
		a.AuthnStatements = append(a.AuthnStatements, st)
	}
	for _, stmt := range children(el, NSAssertion, "AttributeStatement") {
		for _, at := range children(stmt, NSAssertion, "Attribute") {
			attr := &Attribute{
				Path:         p.path(at),
				Name:         at.SelectAttrValue("Name", ""),
				NameFormat:   at.SelectAttrValue("NameFormat", ""),
				FriendlyName: at.SelectAttrValue("FriendlyName", ""),
				Values:       []Value{},
			}
			for _, v := range children(at, NSAssertion, "AttributeValue") {
				// Attribute values are compared exactly: AWS splits the Role
				// value on the comma and stray whitespace matters, so keep it.
				attr.Values = append(attr.Values, Value{Value: v.Text(), Path: p.path(v)})
			}
			a.Attributes = append(a.Attributes, attr)
		}
	}
	return a
}

func (p *parser) subject(el *etree.Element) *Subject {
	s := &Subject{Path: p.path(el), Confirmations: []*SubjectConfirmation{}}
	if n := child(el, NSAssertion, "NameID"); n != nil {
		s.NameID = &NameID{
			Path:            p.path(n),
			Value:           strings.TrimSpace(n.Text()),
			Format:          n.SelectAttrValue("Format", ""),
			NameQualifier:   n.SelectAttrValue("NameQualifier", ""),
			SPNameQualifier: n.SelectAttrValue("SPNameQualifier", ""),
		}
	} else if e := child(el, NSAssertion, "EncryptedID"); e != nil {
		s.NameID = &NameID{Path: p.path(e), Encrypted: true}
	}
	for _, sc := range children(el, NSAssertion, "SubjectConfirmation") {
		c := &SubjectConfirmation{Path: p.path(sc), Method: sc.SelectAttrValue("Method", "")}
		if d := child(sc, NSAssertion, "SubjectConfirmationData"); d != nil {
			c.DataPath = p.path(d)
			c.Recipient = d.SelectAttrValue("Recipient", "")
			c.InResponseTo = d.SelectAttrValue("InResponseTo", "")
			c.Address = d.SelectAttrValue("Address", "")
			c.NotBefore = p.time(d, "NotBefore")
			c.NotOnOrAfter = p.time(d, "NotOnOrAfter")
		}
		s.Confirmations = append(s.Confirmations, c)
	}
	return s
}

func (p *parser) conditions(el *etree.Element) *Conditions {
	c := &Conditions{
		Path:         p.path(el),
		NotBefore:    p.time(el, "NotBefore"),
		NotOnOrAfter: p.time(el, "NotOnOrAfter"),
		Audiences:    []Value{},
		OneTimeUse:   child(el, NSAssertion, "OneTimeUse") != nil,
	}
	for _, ar := range children(el, NSAssertion, "AudienceRestriction") {
		c.AudienceRestrictions++
		for _, au := range children(ar, NSAssertion, "Audience") {
			c.Audiences = append(c.Audiences, *p.value(au))
		}
	}
	return c
}

func (p *parser) signature(el *etree.Element) *Signature {
	s := &Signature{Path: p.path(el), el: el, References: []Reference{}, Certificates: []*CertInfo{}}
	if parent := el.Parent(); parent != nil {
		s.ParentPath = p.path(parent)
		s.ParentTag = parent.Tag
		s.ParentID = parent.SelectAttrValue("ID", "")
	}
	if si := child(el, NSDSig, "SignedInfo"); si != nil {
		if c := child(si, NSDSig, "CanonicalizationMethod"); c != nil {
			s.CanonicalizationMethod = c.SelectAttrValue("Algorithm", "")
		}
		if m := child(si, NSDSig, "SignatureMethod"); m != nil {
			s.SignatureMethod = m.SelectAttrValue("Algorithm", "")
		}
		for _, ref := range children(si, NSDSig, "Reference") {
			r := Reference{URI: ref.SelectAttrValue("URI", ""), Transforms: []string{}}
			if dm := child(ref, NSDSig, "DigestMethod"); dm != nil {
				r.DigestMethod = dm.SelectAttrValue("Algorithm", "")
			}
			if ts := child(ref, NSDSig, "Transforms"); ts != nil {
				for _, t := range children(ts, NSDSig, "Transform") {
					r.Transforms = append(r.Transforms, t.SelectAttrValue("Algorithm", ""))
				}
			}
			s.References = append(s.References, r)
		}
	}
	if ki := child(el, NSDSig, "KeyInfo"); ki != nil {
		s.HasKeyInfo = true
		for _, xd := range children(ki, NSDSig, "X509Data") {
			for _, xc := range children(xd, NSDSig, "X509Certificate") {
				s.Certificates = append(s.Certificates, certInfoFromBase64(xc.Text()))
			}
		}
	}
	return s
}

func (p *parser) encrypted(el *etree.Element) *EncryptedAssertion {
	ea := &EncryptedAssertion{Path: p.path(el), el: el}
	ed := child(el, NSXMLEnc, "EncryptedData")
	if ed == nil {
		return ea
	}
	if m := child(ed, NSXMLEnc, "EncryptionMethod"); m != nil {
		ea.DataAlgorithm = m.SelectAttrValue("Algorithm", "")
	}
	// The wrapped key sits in EncryptedData/KeyInfo or beside EncryptedData.
	var ek *etree.Element
	if ki := child(ed, NSDSig, "KeyInfo"); ki != nil {
		ek = child(ki, NSXMLEnc, "EncryptedKey")
	}
	if ek == nil {
		ek = child(el, NSXMLEnc, "EncryptedKey")
	}
	if ek != nil {
		if m := child(ek, NSXMLEnc, "EncryptionMethod"); m != nil {
			ea.KeyAlgorithm = m.SelectAttrValue("Algorithm", "")
		}
		if ki := child(ek, NSDSig, "KeyInfo"); ki != nil {
			if xc := ki.FindElement(".//X509Certificate"); xc != nil {
				ea.Certificate = certInfoFromBase64(xc.Text())
				ea.KeyHint = "the private key of the certificate " + ea.Certificate.Describe()
			} else if kn := ki.FindElement(".//KeyName"); kn != nil {
				ea.KeyHint = "the private key named " + strconv.Quote(strings.TrimSpace(kn.Text()))
			}
		}
	}
	if ea.KeyHint == "" {
		ea.KeyHint = "the private key of the encryption certificate the service provider published (for AWS: the key uploaded to the IAM SAML provider)"
	}
	return ea
}
