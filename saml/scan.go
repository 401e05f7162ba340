package saml

import (
	"fmt"

	"github.com/beevik/etree"
)

// Exceeded says which of Limits' counts a response went past. Such a
// response is not modelled or verified: canonicalization and the model
// would cost time out of proportion to what any IdP sends, and AWS itself
// refuses a SAMLResponse over 100,000 base64 characters.
type Exceeded struct {
	What  string `json:"what"`  // "elements", "signatures", …
	Count int    `json:"count"` // how many the response holds
	Limit int    `json:"limit"`
	Path  string `json:"path"` // where the count went past the limit
}

func (e *Exceeded) String() string {
	return fmt.Sprintf("%d %s, more than samllint's limit of %d", e.Count, e.What, e.Limit)
}

// nsXML is the namespace the xml prefix is bound to without a declaration.
const nsXML = "http://www.w3.org/XML/1998/namespace"

// scanner makes the one pass over the tree that every later step relies
// on: the namespace of each element, resolved with a stack per prefix
// (no scope map is copied, whatever the number of declarations), the
// prefixes used but never declared, and the counts Limits bound.
type scanner struct {
	lim    Limits
	ns     map[*etree.Element]string
	stacks map[string][]string // prefix → URIs declared, innermost last
	scope  int                 // prefixes in scope

	elements, signatures, assertions, attributes, values int
	// where each count first went past its limit
	at map[string]*etree.Element
	// the largest attribute and scope counts, and where
	maxAttrs, maxScope     int
	maxAttrsAt, maxScopeAt *etree.Element

	unbound []unboundUse
}

type unboundUse struct {
	prefix, what string
	el           *etree.Element
	attr         string // set when an attribute uses it
}

func newScanner(lim Limits, ns map[*etree.Element]string, inherited map[string]string) *scanner {
	s := &scanner{lim: lim, ns: ns, stacks: map[string][]string{"xml": {nsXML}}, at: map[string]*etree.Element{}}
	for prefix, uri := range inherited {
		if prefix != "xml" {
			s.stacks[prefix] = append(s.stacks[prefix], uri)
			s.scope++
		}
	}
	s.scope++ // xml
	return s
}

func (s *scanner) lookup(prefix string) (string, bool) {
	st := s.stacks[prefix]
	if len(st) == 0 {
		return "", prefix == ""
	}
	return st[len(st)-1], true
}

func (s *scanner) count(n *int, what string, limit int, el *etree.Element) {
	*n++
	if *n == limit+1 {
		s.at[what] = el
	}
}

// visit scans el and what it holds. Recursion is bounded by MaxDepth,
// which etree enforced while reading.
func (s *scanner) visit(el *etree.Element) {
	var declared []string
	for _, a := range el.Attr {
		prefix, ok := "", false
		switch {
		case a.Space == "xmlns":
			prefix, ok = a.Key, true
		case a.Space == "" && a.Key == "xmlns":
			ok = true
		}
		if !ok {
			continue
		}
		if len(s.stacks[prefix]) == 0 {
			s.scope++
		}
		s.stacks[prefix] = append(s.stacks[prefix], a.Value)
		declared = append(declared, prefix)
	}
	s.count(&s.elements, "elements", s.lim.MaxElements, el)
	if s.elements > s.lim.MaxElements {
		// Past this count the response is not modelled: only the total
		// is still wanted.
		for _, t := range el.Child {
			if c, ok := t.(*etree.Element); ok {
				s.visit(c)
			}
		}
		s.pop(declared)
		return
	}
	uri, ok := s.lookup(el.Space)
	s.ns[el] = uri
	if !ok {
		s.unbound = append(s.unbound, unboundUse{prefix: el.Space, what: "<" + el.FullTag() + ">", el: el})
	}
	for _, a := range el.Attr {
		if a.Space != "" && a.Space != "xmlns" {
			if _, ok := s.lookup(a.Space); !ok {
				s.unbound = append(s.unbound, unboundUse{prefix: a.Space, what: a.Space + ":" + a.Key + " on <" + el.FullTag() + ">", el: el, attr: a.Space + ":" + a.Key})
			}
		}
	}
	if len(el.Attr) > s.maxAttrs {
		s.maxAttrs, s.maxAttrsAt = len(el.Attr), el
	}
	if s.scope > s.maxScope {
		s.maxScope, s.maxScopeAt = s.scope, el
	}
	switch {
	case uri == NSDSig && el.Tag == "Signature":
		s.count(&s.signatures, "signatures", s.lim.MaxSignatures, el)
	case uri == NSAssertion && el.Tag == "Assertion":
		s.count(&s.assertions, "assertions", s.lim.MaxAssertions, el)
	case uri == NSAssertion && el.Tag == "Attribute":
		s.count(&s.attributes, "saml:Attribute elements", s.lim.MaxAttributes, el)
	case uri == NSAssertion && el.Tag == "AttributeValue":
		s.count(&s.values, "attribute values", s.lim.MaxValues, el)
	}
	for _, t := range el.Child {
		if c, ok := t.(*etree.Element); ok {
			s.visit(c)
		}
	}
	s.pop(declared)
}

// pop ends the scope of the prefixes an element declared.
func (s *scanner) pop(declared []string) {
	for _, prefix := range declared {
		st := s.stacks[prefix]
		s.stacks[prefix] = st[:len(st)-1]
		if len(st) == 1 {
			s.scope--
		}
	}
}

// exceeded is the first count, in a fixed order, past its limit.
func (s *scanner) exceeded(pathOf func(*etree.Element) string) *Exceeded {
	for _, c := range []struct {
		what  string
		n     int
		limit int
		at    *etree.Element
	}{
		{"elements", s.elements, s.lim.MaxElements, s.at["elements"]},
		{"attributes on one element", s.maxAttrs, s.lim.MaxElementAttrs, s.maxAttrsAt},
		{"namespace prefixes in scope at one element", s.maxScope, s.lim.MaxNamespaces, s.maxScopeAt},
		{"signatures", s.signatures, s.lim.MaxSignatures, s.at["signatures"]},
		{"assertions", s.assertions, s.lim.MaxAssertions, s.at["assertions"]},
		{"saml:Attribute elements", s.attributes, s.lim.MaxAttributes, s.at["saml:Attribute elements"]},
		{"attribute values", s.values, s.lim.MaxValues, s.at["attribute values"]},
	} {
		if c.n > c.limit {
			e := &Exceeded{What: c.what, Count: c.n, Limit: c.limit}
			if c.at != nil {
				e.Path = pathOf(c.at)
			}

			return e
		}
	}
	return nil
}
