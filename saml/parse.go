package saml

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// ParseOptions tune Parse.
type ParseOptions struct {
	Limits Limits
	// Context, when set, is checked while reading the tree and every few
	// thousand elements after: once it is done, parsing stops and returns
	// its error.
	Context context.Context
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

// parse builds the tree with etree, then the model. The well-formedness
// pre-pass (checkXML) runs only to explain a failure: the fast path keeps
// its guarantees with cheaper checks (UTF-8, no DTD, one root, bounded
// depth) made by the decoder and on the tree.
func parse(xmlBytes []byte, opts ParseOptions, checked bool) (*Response, error) {
	lim := opts.Limits.WithDefaults()
	xmlBytes = bytes.TrimPrefix(xmlBytes, bomUTF8)
	if !checked {
		if err := quickCheck(xmlBytes, lim); err != nil {
			return nil, err
		}
	}
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// A tag with too many attributes is found in the bytes: a tree would
	// hold them all before they could be counted.
	if wide, _ := wideTag(xmlBytes, lim.MaxElementAttrs); len(xmlBytes) >= censusMin || wide >= 0 {
		ex, id, err := census(ctx, xmlBytes, lim)
		if err != nil {
			return nil, err
		}
		if ex != nil {
			return exceeded(ex, id)
		}
	}
	doc, err := readTreeContext(ctx, xmlBytes, lim)
	if err != nil {
		return nil, err
	}
	root := doc.Root()
	if len(xmlBytes) < censusMin {
		ex, err := countTree(ctx, root, lim)
		if err != nil {
			return nil, err
		}
		if ex != nil {
			return exceeded(ex, treeIdentity(root))
		}
	}
	wrapper := ""
	if inner, what := unwrap(root); inner != nil {
		doc, root, wrapper = etree.NewDocumentWithRoot(inner), inner, what
	}
	if k, hint := kindOf(root); k != KindResponse {
		return nil, &KindError{Kind: k, Hint: hint}
	}
	r := &Response{doc: doc, paths: map[*etree.Element]string{}, ns: map[*etree.Element]string{}, Wrapper: wrapper}
	p := &parser{r: r, lim: lim, ctx: ctx}
	sc := newScanner(ctx, r.ns)
	sc.visit(root)
	if sc.err != nil {
		return nil, sc.err
	}
	p.unbound(sc)
	p.response(root)
	for _, ea := range r.EncryptedAssertions {
		if p.err == nil {
			p.decrypt(ea, opts.DecryptionKeys)
		}
	}
	if p.err != nil {
		return nil, p.err
	}
	p.finish()
	return r, nil
}

// exceeded is the Response for a message past a count: only what names
// it, as the census read it. A message of another kind is refused.
func exceeded(ex *Exceeded, id *identity) (*Response, error) {
	if id.tag != "Response" {
		return nil, decodeErr(StageXML, "a message holding "+ex.String(), "a SAML message of the size IdPs send", nil)
	}
	r := &Response{Path: "/Response", ID: id.id, Version: id.version, Destination: id.destination, InResponseTo: id.inResponseTo,
		Exceeded: ex, Assertions: []*Assertion{}, EncryptedAssertions: []*EncryptedAssertion{}, Signatures: []*Signature{}}
	if id.issueInstant != "" {
		r.IssueInstant = Time{Raw: id.issueInstant, Path: "/Response/@IssueInstant"}
		if v, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(id.issueInstant)); err == nil {
			r.IssueInstant.Time, r.IssueInstant.OK = v.UTC(), true
		}
	}
	if id.hasIssuer {
		r.Issuer = &Value{Value: strings.TrimSpace(id.issuer), Path: "/Response/Issuer"}
	}
	return r, nil
}

// treeIdentity reads what names a response from its tree.
func treeIdentity(root *etree.Element) *identity {
	id := &identity{tag: root.Tag, id: idOf(root), version: root.SelectAttrValue("Version", ""),
		destination: root.SelectAttrValue("Destination", ""), inResponseTo: root.SelectAttrValue("InResponseTo", ""),
		issueInstant: root.SelectAttrValue("IssueInstant", "")}
	if is := child(root, NSAssertion, "Issuer"); is != nil {
		id.issuer, id.hasIssuer = is.Text(), true
	}
	return id
}

// readTreeContext parses b with etree and refuses what a SAML message
// never is: a DTD, several roots, text outside the root, other encodings.
// When etree fails, the pre-pass names the cause and the line. It stops
// when ctx is done: etree reads through a reader that checks ctx.
func readTreeContext(ctx context.Context, b []byte, lim Limits) (*etree.Document, error) {
	doc := etree.NewDocument()
	doc.ReadSettings.MaxDepth = lim.MaxDepth
	doc.ReadSettings.CharsetReader = utf8Only
	var err error
	if ctx.Done() == nil {
		err = doc.ReadFromBytes(b)
	} else {
		_, err = doc.ReadFrom(&ctxReader{ctx: ctx, r: bytes.NewReader(b)})
	}
	if cerr := ctx.Err(); cerr != nil {
		return nil, cerr
	}
	if err != nil {
		if cerr := checkXML(b, lim); cerr != nil {
			return nil, cerr
		}
		if errors.Is(err, etree.ErrMaxDepth) {
			return nil, decodeErr(StageXML, fmt.Sprintf("elements nested more than %d deep", lim.MaxDepth), "a SAML message (they nest about 10 deep)", nil)
		}
		return nil, decodeErr(StageXML, "unreadable XML", "well-formed XML", err)
	}
	roots := 0
	for _, t := range doc.Child {
		switch t := t.(type) {
		case *etree.Element:
			roots++
		case *etree.CharData:
			if !t.IsWhitespace() {
				roots = 2
			}
		case *etree.Directive:
			roots = 2
		}
	}
	if roots != 1 {
		// The pre-pass says which: a DTD, a second root, stray text.
		if err := checkXML(b, lim); err != nil {
			return nil, err
		}
		return nil, decodeErr(StageXML, "XML with no element", "a SAML message", nil)
	}
	return doc, nil
}

func utf8Only(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return r, nil
	}
	return nil, fmt.Errorf("declared encoding %q", charset)
}

type parser struct {
	r   *Response
	ctx context.Context
	err error // the context's, once it is done
	n   int   // elements walked, to check ctx every few thousand
	ids map[string][]string
	// certs caches certificates by their text: the signatures of one
	// response usually embed the same one.
	certs map[string]*CertInfo
	// decrypting is set while a decrypted assertion is walked: it is
	// already in the model.
	decrypting bool
	lim        Limits // also bound the decrypted plaintext
}

// alwaysIndexed are the elements SAML lets repeat, indexed even when alone
// so a path means the same in every document.
var alwaysIndexed = map[string]bool{
	"Assertion": true, "EncryptedAssertion": true, "AttributeValue": true,
	"SubjectConfirmation": true, "Audience": true, "Signature": true,
}

// path gives an element its unambiguous location path,
// /Response/Assertion[1]/AttributeStatement/Attribute[@Name='…']/AttributeValue[1],
// computed when first asked for: a response's model needs a few dozen of
// its hundreds of elements.
func (p *parser) path(el *etree.Element) string { return p.r.pathOf(el) }

func (r *Response) pathOf(el *etree.Element) string {
	if s, ok := r.paths[el]; ok {
		return s
	}
	parent := el.Parent()
	var s string
	if parent == nil || parent.Parent() == nil {
		s = "/" + el.Tag
	} else {
		s = r.pathOf(parent) + "/" + r.segment(el, parent)
	}
	r.paths[el] = s
	return s
}

// segment is el's step in its path: its tag, indexed among same-tag
// siblings when SAML lets the element repeat or it does repeat; an
// Attribute by its Name. The steps of all of a parent's children are
// made in one pass the first time one is asked for, so that a path costs
// its depth, however many siblings it has.
func (r *Response) segment(el, parent *etree.Element) string {
	if s, ok := r.segs[el]; ok {
		return s
	}
	if r.segs == nil {
		r.segs = map[*etree.Element]string{}
	}
	total := map[stepID]int{}
	for _, t := range parent.Child {
		if k, ok := t.(*etree.Element); ok {
			kk, _ := stepKey(k)
			total[kk]++
		}
	}
	seen := map[stepID]int{}
	for _, t := range parent.Child {
		if k, ok := t.(*etree.Element); ok {
			kk, isAttr := stepKey(k)
			seen[kk]++
			r.segs[k] = step(kk, isAttr, total[kk], seen[kk])
		}
	}
	return r.segs[el]
}

// stepID is what a path step distinguishes siblings by.
type stepID struct{ tag, name string }

func stepKey(el *etree.Element) (stepID, bool) {
	if el.Tag == "Attribute" && el.SelectAttr("Name") != nil {
		return stepID{el.Tag, el.SelectAttrValue("Name", "")}, true
	}
	return stepID{tag: el.Tag}, false
}

// step renders the step of the at-th of n siblings alike.
func step(k stepID, isAttr bool, n, at int) string {
	switch {
	case isAttr:
		seg := fmt.Sprintf("Attribute[@Name=%s]", xpathQuote(k.name))
		if n > 1 {
			seg += "[" + strconv.Itoa(at) + "]"
		}
		return seg
	case alwaysIndexed[k.tag] || n > 1:
		return k.tag + "[" + strconv.Itoa(at) + "]"
	}
	return k.tag
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

func (p *parser) cert(text string) *CertInfo {
	if ci := p.certs[text]; ci != nil {
		return ci
	}
	if p.certs == nil {
		p.certs = map[string]*CertInfo{}
	}
	ci := certInfoFromBase64(text)
	p.certs[text] = ci
	return ci
}

func (p *parser) attrPath(el *etree.Element, attr string) string {
	return p.path(el) + "/@" + attr
}

// idOf is an element's ID attribute: the unqualified ID only, as SAML
// defines it (etree's SelectAttr would also match x:ID).
func idOf(el *etree.Element) string {
	for _, a := range el.Attr {
		if a.Space == "" && a.Key == "ID" {
			return a.Value
		}
	}
	return ""
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

// nsOf is the namespace of el: as the scan resolved it, or, for an
// element made after the scan (a copy), as etree resolves it.
func (r *Response) nsOf(el *etree.Element) string {
	if r != nil {
		if ns, ok := r.ns[el]; ok {
			return ns
		}
	}
	return el.NamespaceURI()
}

// child returns the first child element in namespace ns with local name tag.
func (r *Response) child(el *etree.Element, ns, tag string) *etree.Element {
	for _, t := range el.Child {
		if c, ok := t.(*etree.Element); ok && c.Tag == tag && r.nsOf(c) == ns {
			return c
		}
	}
	return nil
}

func (r *Response) children(el *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	for _, t := range el.Child {
		if c, ok := t.(*etree.Element); ok && c.Tag == tag && r.nsOf(c) == ns {
			out = append(out, c)
		}
	}
	return out
}

func (p *parser) child(el *etree.Element, ns, tag string) *etree.Element {
	return p.r.child(el, ns, tag)
}

func (p *parser) children(el *etree.Element, ns, tag string) []*etree.Element {
	return p.r.children(el, ns, tag)
}

// child is (*Response).child for an element of no response: what
// unwrap looks at before there is one.
func child(el *etree.Element, ns, tag string) *etree.Element {
	return (*Response)(nil).child(el, ns, tag)
}

func (p *parser) value(el *etree.Element) *Value {
	if el == nil {
		return nil
	}
	all, first, split := textOf(el)
	v := &Value{Value: strings.TrimSpace(all), Path: p.path(el)}
	if split {
		first = strings.TrimSpace(first)
		v.FirstText = &first
	}
	return v
}

// textOf is all of el's own text, as canonicalization (and AWS) reads
// it, and its first text node alone, which etree's Text returns and a
// careless reader takes for the value. split says the text comes in
// several runs: etree keeps a CDATA section, and the text on either side
// of a comment or processing instruction, as runs of their own (the
// 2018 comment-truncation class).
func textOf(el *etree.Element) (all, first string, split bool) {
	var b strings.Builder
	runs := 0
	for _, t := range el.Child {
		if cd, ok := t.(*etree.CharData); ok {
			if runs == 0 {
				first = cd.Data
			}
			runs++
			b.WriteString(cd.Data)
		}
	}
	return b.String(), first, runs > 1
}

// identity reads what names the response: its attributes and Issuer.
func (p *parser) identity(root *etree.Element) {
	r := p.r
	r.Path = p.path(root)
	r.ID = idOf(root)
	r.Version = root.SelectAttrValue("Version", "")
	r.Destination = root.SelectAttrValue("Destination", "")
	r.InResponseTo = root.SelectAttrValue("InResponseTo", "")
	r.IssueInstant = p.time(root, "IssueInstant")
	r.Issuer = p.value(p.child(root, NSAssertion, "Issuer"))
}

func (p *parser) response(root *etree.Element) {
	r := p.r
	p.identity(root)
	if st := p.child(root, NSProtocol, "Status"); st != nil {
		s := &Status{Path: p.path(st)}
		for code := p.child(st, NSProtocol, "StatusCode"); code != nil; code = p.child(code, NSProtocol, "StatusCode") {
			s.Codes = append(s.Codes, code.SelectAttrValue("Value", ""))
		}
		if m := p.child(st, NSProtocol, "StatusMessage"); m != nil {
			s.Message = strings.TrimSpace(m.Text())
		}
		s.Detail = p.child(st, NSProtocol, "StatusDetail") != nil
		r.Status = s
	}
	r.Assertions = []*Assertion{}
	r.EncryptedAssertions = []*EncryptedAssertion{}
	for _, c := range root.ChildElements() {
		switch {
		case p.r.nsOf(c) == NSAssertion && c.Tag == "Assertion":
			a := p.assertion(c)
			a.Direct = true
			r.Assertions = append(r.Assertions, a)
		case p.r.nsOf(c) == NSAssertion && c.Tag == "EncryptedAssertion":
			r.EncryptedAssertions = append(r.EncryptedAssertions, p.encrypted(c))
		}
	}
	p.walk(root, root)
}

// walk visits every element once, in document order: it records IDs,
// ds:Signatures, assertions outside their place (the signature-wrapping
// shape) and nested Responses. Namespaces are the scan's.
func (p *parser) walk(el, root *etree.Element) {
	if p.n++; p.n&4095 == 0 && p.err == nil {
		p.err = p.ctx.Err()
	}
	if p.err != nil {
		return
	}
	if id := idOf(el); id != "" {
		if p.ids == nil {
			p.ids = map[string][]string{}
		}
		p.ids[id] = append(p.ids[id], p.path(el))
	}
	ns := p.r.nsOf(el)
	switch {
	case el.Tag == "Signature" && ns == NSDSig:
		p.r.Signatures = append(p.r.Signatures, p.signature(el))
	case el.Tag == "Assertion" && ns == NSAssertion && el.Parent() != root && el != root:
		if !p.decrypting {
			p.r.Assertions = append(p.r.Assertions, p.assertion(el))
		}
	case el.Tag == "Response" && ns == NSProtocol && el != root:
		p.r.NestedResponses = append(p.r.NestedResponses, p.path(el))
	case el.Tag == "Assertion" && ns != NSAssertion:
		p.r.Foreign = append(p.r.Foreign, Value{Value: ns, Path: p.path(el)})
	}
	for _, t := range el.Child {
		if c, ok := t.(*etree.Element); ok {
			p.walk(c, root)
		}
	}
}

// unbound records the prefixes the scan found used but never declared,
// each once, at its first use.
func (p *parser) unbound(sc *scanner) {
	for _, u := range sc.unbound {
		known := false
		for _, v := range p.r.Unbound {
			known = known || v.Prefix == u.prefix
		}
		if known {
			continue
		}
		path := p.path(u.el)
		if u.attr != "" {
			path = p.attrPath(u.el, u.attr)
		}
		p.r.Unbound = append(p.r.Unbound, Unbound{Prefix: u.prefix, What: u.what, Path: path})
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
		ID:              idOf(el),
		Version:         el.SelectAttrValue("Version", ""),
		IssueInstant:    p.time(el, "IssueInstant"),
		Issuer:          p.value(p.child(el, NSAssertion, "Issuer")),
		AuthnStatements: []*AuthnStatement{},
		Attributes:      []*Attribute{},
	}
	if s := p.child(el, NSAssertion, "Subject"); s != nil {
		a.Subject = p.subject(s)
	}
	if c := p.child(el, NSAssertion, "Conditions"); c != nil {
		a.Conditions = p.conditions(c)
	}
	for _, as := range p.children(el, NSAssertion, "AuthnStatement") {
		st := &AuthnStatement{
			Path:                p.path(as),
			AuthnInstant:        p.time(as, "AuthnInstant"),
			SessionIndex:        as.SelectAttrValue("SessionIndex", ""),
			SessionNotOnOrAfter: p.time(as, "SessionNotOnOrAfter"),
		}
		if ctx := p.child(as, NSAssertion, "AuthnContext"); ctx != nil {
			if ref := p.child(ctx, NSAssertion, "AuthnContextClassRef"); ref != nil {
				st.AuthnContextClass = strings.TrimSpace(ref.Text())
			}
		}
		a.AuthnStatements = append(a.AuthnStatements, st)
	}
	for _, stmt := range p.children(el, NSAssertion, "AttributeStatement") {
		for _, at := range p.children(stmt, NSAssertion, "Attribute") {
			attr := &Attribute{
				Path:         p.path(at),
				Name:         at.SelectAttrValue("Name", ""),
				NameFormat:   at.SelectAttrValue("NameFormat", ""),
				FriendlyName: at.SelectAttrValue("FriendlyName", ""),
				Values:       []Value{},
			}
			for _, v := range p.children(at, NSAssertion, "AttributeValue") {
				// Attribute values are compared exactly: AWS splits the Role
				// value on the comma and stray whitespace matters, so keep it.
				all, first, split := textOf(v)
				val := Value{Value: all, Path: p.path(v)}
				if split {
					val.FirstText = &first
				}
				attr.Values = append(attr.Values, val)
			}
			a.Attributes = append(a.Attributes, attr)
		}
	}
	return a
}

func (p *parser) subject(el *etree.Element) *Subject {
	s := &Subject{Path: p.path(el), Confirmations: []*SubjectConfirmation{}}
	if n := p.child(el, NSAssertion, "NameID"); n != nil {
		v := p.value(n)
		s.NameID = &NameID{
			Path:            v.Path,
			Value:           v.Value,
			FirstText:       v.FirstText,
			Format:          n.SelectAttrValue("Format", ""),
			NameQualifier:   n.SelectAttrValue("NameQualifier", ""),
			SPNameQualifier: n.SelectAttrValue("SPNameQualifier", ""),
		}
	} else if e := p.child(el, NSAssertion, "EncryptedID"); e != nil {
		s.NameID = &NameID{Path: p.path(e), Encrypted: true}
	}
	for _, sc := range p.children(el, NSAssertion, "SubjectConfirmation") {
		c := &SubjectConfirmation{Path: p.path(sc), Method: sc.SelectAttrValue("Method", "")}
		if d := p.child(sc, NSAssertion, "SubjectConfirmationData"); d != nil {
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
		OneTimeUse:   p.child(el, NSAssertion, "OneTimeUse") != nil,
	}
	for _, ar := range p.children(el, NSAssertion, "AudienceRestriction") {
		c.AudienceRestrictions++
		for _, au := range p.children(ar, NSAssertion, "Audience") {
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
		s.ParentID = idOf(parent)
	}
	if si := p.child(el, NSDSig, "SignedInfo"); si != nil {
		if c := p.child(si, NSDSig, "CanonicalizationMethod"); c != nil {
			s.CanonicalizationMethod = c.SelectAttrValue("Algorithm", "")
		}
		if m := p.child(si, NSDSig, "SignatureMethod"); m != nil {
			s.SignatureMethod = m.SelectAttrValue("Algorithm", "")
		}
		for _, ref := range p.children(si, NSDSig, "Reference") {
			r := Reference{URI: ref.SelectAttrValue("URI", ""), Transforms: []string{}}
			if dm := p.child(ref, NSDSig, "DigestMethod"); dm != nil {
				r.DigestMethod = dm.SelectAttrValue("Algorithm", "")
			}
			if dv := p.child(ref, NSDSig, "DigestValue"); dv != nil {
				r.HasDigestValue = true
				r.DigestValue, _, _ = textOf(dv)
			}
			if ts := p.child(ref, NSDSig, "Transforms"); ts != nil {
				for _, t := range p.children(ts, NSDSig, "Transform") {
					r.Transforms = append(r.Transforms, t.SelectAttrValue("Algorithm", ""))
				}
			}
			s.References = append(s.References, r)
		}
	}
	if ki := p.child(el, NSDSig, "KeyInfo"); ki != nil {
		s.HasKeyInfo = true
		for _, xd := range p.children(ki, NSDSig, "X509Data") {
			for _, xc := range p.children(xd, NSDSig, "X509Certificate") {
				s.Certificates = append(s.Certificates, p.cert(xc.Text()))
			}
		}
	}
	return s
}

func (p *parser) encrypted(el *etree.Element) *EncryptedAssertion {
	ea := &EncryptedAssertion{Path: p.path(el), el: el}
	ed := p.child(el, NSXMLEnc, "EncryptedData")
	if ed == nil {
		return ea
	}
	if m := p.child(ed, NSXMLEnc, "EncryptionMethod"); m != nil {
		ea.DataAlgorithm = m.SelectAttrValue("Algorithm", "")
	}
	// The wrapped key sits in EncryptedData/KeyInfo or beside EncryptedData.
	var ek *etree.Element
	if ki := p.child(ed, NSDSig, "KeyInfo"); ki != nil {
		ek = p.child(ki, NSXMLEnc, "EncryptedKey")
	}
	if ek == nil {
		ek = p.child(el, NSXMLEnc, "EncryptedKey")
	}
	if ek != nil {
		if m := p.child(ek, NSXMLEnc, "EncryptionMethod"); m != nil {
			ea.KeyAlgorithm = m.SelectAttrValue("Algorithm", "")
		}
		if ki := p.child(ek, NSDSig, "KeyInfo"); ki != nil {
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

const (
	nsSOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
	nsSOAP12 = "http://www.w3.org/2003/05/soap-envelope"
)

// unwrap finds the Response in a SOAP envelope (the ECP profile, as
// saml2aws's Shibboleth flow receives it) or an ArtifactResponse, and
// returns a copy that carries every namespace declaration in scope where
// it sat: canonicalization, exclusive or inclusive, sees the same
// namespaces, so its signatures verify as they did inside. Nil when root
// is not such a wrapper.
func unwrap(root *etree.Element) (*etree.Element, string) {
	el, what := root, ""
	if ns := root.NamespaceURI(); root.Tag == "Envelope" && (ns == nsSOAP11 || ns == nsSOAP12) {
		body := child(root, ns, "Body")
		if body == nil || len(body.ChildElements()) == 0 {
			return nil, ""
		}
		el, what = body.ChildElements()[0], "a SOAP envelope (ECP)"
	}
	if el.NamespaceURI() == NSProtocol && el.Tag == "ArtifactResponse" {
		if r := child(el, NSProtocol, "Response"); r != nil {
			el, what = r, or(what, "an ArtifactResponse")
		}
	}
	if el == root || el.NamespaceURI() != NSProtocol || el.Tag != "Response" {
		return nil, ""
	}
	cp := el.Copy()
	declared := map[string]bool{}
	for _, a := range cp.Attr {
		if _, ok := declares(a.Space, a.Key); ok {
			declared[a.FullKey()] = true
		}
	}
	for p := el.Parent(); p != nil; p = p.Parent() {
		for _, a := range p.Attr {
			if _, ok := declares(a.Space, a.Key); ok && !declared[a.FullKey()] {
				declared[a.FullKey()] = true
				cp.CreateAttr(a.FullKey(), a.Value)
			}
		}
	}
	return cp, what
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ctxReader reads r until ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(b[:min(len(b), 64<<10)])
}
