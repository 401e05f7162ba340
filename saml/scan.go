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
	ctx    context.Context
	err    error // ctx's, once done: the scan stops
	n      int   // elements so far
	ns     map[*etree.Element]string
	stacks map[string][]string // prefix → URIs declared, innermost last

	unbound []unboundUse
}

type unboundUse struct {
	prefix, what string
	el           *etree.Element
	attr         string // set when an attribute uses it
}

func newScanner(ctx context.Context, ns map[*etree.Element]string) *scanner {
	return &scanner{ctx: ctx, ns: ns, stacks: map[string][]string{"xml": {nsXML}}}
}

func (s *scanner) lookup(prefix string) (string, bool) {
	st := s.stacks[prefix]
	if len(st) == 0 {
		return "", prefix == ""
	}
	return st[len(st)-1], true
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
		s.stacks[prefix] = append(s.stacks[prefix], a.Value)
		declared = append(declared, prefix)
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
	}
}
