package saml

import (
	"context"

	"github.com/beevik/etree"
)

// nsXML is the namespace the xml prefix is bound to without a declaration.
const nsXML = "http://www.w3.org/XML/1998/namespace"

// scanner makes the one pass over the tree that every later step relies
// on: the namespace of each element, resolved with a stack per prefix
// (no scope map is copied, whatever the number of declarations), and the
// prefixes used but never declared. The census has bounded the tree.
type scanner struct {
	ctx   context.Context
	err   error // ctx's, once done: the scan stops
	n     int   // elements so far
	ns    map[*etree.Element]string
	scope *nsStacks

	unbound []unboundUse
}

type unboundUse struct {
	prefix, what string
	el           *etree.Element
	attr         string // set when an attribute uses it
}

func newScanner(ctx context.Context, ns map[*etree.Element]string) *scanner {
	return &scanner{ctx: ctx, ns: ns, scope: newNSStacks()}
}

// nsStacks resolves prefixes with a stack of URIs per prefix: an element
// pushes what it declares and pops it when it ends, so no scope map is
// ever copied, whatever the number of declarations.
type nsStacks struct {
	m       map[string][]string // prefix → URIs declared, innermost last
	inScope int                 // prefixes bound
}

func newNSStacks() *nsStacks { return &nsStacks{m: map[string][]string{"xml": {nsXML}}, inScope: 1} }

func (s *nsStacks) push(prefix, uri string) {
	if len(s.m[prefix]) == 0 {
		s.inScope++
	}
	s.m[prefix] = append(s.m[prefix], uri)
}

// pop ends the scope of the prefixes an element declared.
func (s *nsStacks) pop(declared []string) {
	for _, prefix := range declared {
		st := s.m[prefix]
		s.m[prefix] = st[:len(st)-1]
		if len(st) == 1 {
			s.inScope--
		}
	}
}

// lookup is the URI prefix is bound to; the default namespace is bound
// to "" when nothing declares it.
func (s *nsStacks) lookup(prefix string) (string, bool) {
	st := s.m[prefix]
	if len(st) == 0 {
		return "", prefix == ""
	}
	return st[len(st)-1], true
}

// declares reports whether an attribute declares a namespace, and the
// prefix it binds ("" for the default namespace).
func declares(space, key string) (prefix string, ok bool) {
	switch {
	case space == "xmlns":
		return key, true
	case space == "" && key == "xmlns":
		return "", true
	}
	return "", false
}

// visit scans el and what it holds. Recursion is bounded by MaxDepth,
// which etree enforced while reading.
func (s *scanner) visit(el *etree.Element) {
	if s.err != nil {
		return
	}
	if s.n++; s.n&4095 == 0 {
		if s.err = s.ctx.Err(); s.err != nil {
			return
		}
	}
	var declared []string
	for _, a := range el.Attr {
		if prefix, ok := declares(a.Space, a.Key); ok {
			s.scope.push(prefix, a.Value)
			declared = append(declared, prefix)
		}
	}
	uri, ok := s.scope.lookup(el.Space)
	s.ns[el] = uri
	if !ok {
		s.unbound = append(s.unbound, unboundUse{prefix: el.Space, what: "<" + el.FullTag() + ">", el: el})
	}
	for _, a := range el.Attr {
		if a.Space != "" && a.Space != "xmlns" {
			if _, ok := s.scope.lookup(a.Space); !ok {
				s.unbound = append(s.unbound, unboundUse{prefix: a.Space, what: a.Space + ":" + a.Key + " on <" + el.FullTag() + ">", el: el, attr: a.Space + ":" + a.Key})
			}
		}
	}
	for _, t := range el.Child {
		if c, ok := t.(*etree.Element); ok {
			s.visit(c)
		}
	}
	s.scope.pop(declared)
}
