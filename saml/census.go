package saml

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/beevik/etree"
)

// Exceeded says which of Limits' counts a message went past. Such a
// response is not modelled or verified: building its tree and
// canonicalizing it would cost time and memory out of proportion to what
// any IdP sends, and AWS itself refuses a SAMLResponse over 100,000 base64
// characters.
type Exceeded struct {
	What  string `json:"what"`  // "elements", "signatures", …
	Limit int    `json:"limit"` // the message holds more than this many
	Path  string `json:"path"`  // the element at which the count went past it
}

func (e *Exceeded) String() string {
	return fmt.Sprintf("more than %d %s, samllint's limit", e.Limit, e.What)
}

// The counts, in the order census checks them.
const (
	countElements   = "elements"
	countAttrs      = "XML attributes"
	countElemAttrs  = "attributes on one element"
	countNamespaces = "namespace prefixes in scope at one element"
	countSignatures = "signatures"
	countAssertions = "assertions"
	countAttributes = "saml:Attribute elements"
	countValues     = "attribute values"
)

// identity is what names a response, read by the census from the root's
// start tag and its Issuer, for a response that is not modelled.
type identity struct {
	tag                                                  string
	id, version, destination, inResponseTo, issueInstant string
	issuer                                               string
	hasIssuer                                            bool
}

// censusMin is the size from which the census reads the tokens before
// any tree is built. A smaller message's tree is small whatever it holds
// (a few MB at worst), so it is counted on the tree, which saves
// tokenizing it twice.
const censusMin = 256 << 10

// countTree is the census of a tree already built.
func countTree(ctx context.Context, root *etree.Element, lim Limits) (*Exceeded, error) {
	c := &counter{lim: lim, scope: newNSStacks()}
	var visit func(el *etree.Element) (*Exceeded, error)
	visit = func(el *etree.Element) (*Exceeded, error) {
		if c.elements&4095 == 4095 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if ex, err := c.start(el.Space, el.Tag, treeAttrs(el.Attr)); ex != nil || err != nil {
			return ex, err
		}
		for _, t := range el.Child {
			if k, ok := t.(*etree.Element); ok {
				if ex, err := visit(k); ex != nil || err != nil {
					return ex, err
				}
			}
		}
		c.end()
		return nil, nil
	}
	return visit(root)
}

// census reads the message as a stream of tokens, before any tree is
// built, and stops at the first count that goes past its limit: what it
// keeps is the open elements and the prefixes in scope, so neither time
// nor memory grows faster than the input, whatever it holds. nil when
// every count is within its limit.
func census(ctx context.Context, b []byte, lim Limits) (*Exceeded, *identity, error) {
	c := &counter{lim: lim, scope: newNSStacks()}
	dec := xml.NewDecoder(&ctxReader{ctx: ctx, r: bytes.NewReader(b)})
	dec.CharsetReader = utf8Only
	id := &identity{}
	inIssuer := false
	// The decoder builds a start tag's attributes all at once, so a tag
	// with too many is found in the bytes and never tokenized.
	wide, wideTag := wideTag(b, lim.MaxElementAttrs)
	for {
		if wide >= 0 && dec.InputOffset() >= int64(wide) {
			if len(c.open) == 0 {
				id.tag = wideTag // the root: what names it is not read
			}
			c.open = append(c.open, c.child(stepID{tag: wideTag}, false))
			return c.exceeded(countElemAttrs, lim.MaxElementAttrs), id, nil
		}
		tok, err := dec.RawToken()
		if err == io.EOF {
			return nil, id, nil
		}
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return nil, nil, cerr
			}
			// The tree builder names the fault; the census only counts.
			return nil, id, nil
		}
		switch t := tok.(type) {
		case xml.StartElement:
			// What names the response is read first: the count may go
			// past its limit at the root itself.
			switch depth := len(c.open) + 1; {
			case depth == 1:
				id.tag = t.Name.Local
				for _, a := range t.Attr {
					if a.Name.Space != "" {
						continue
					}
					switch a.Name.Local {
					case "ID":
						id.id = a.Value
					case "Version":
						id.version = a.Value
					case "Destination":
						id.destination = a.Value
					case "InResponseTo":
						id.inResponseTo = a.Value
					case "IssueInstant":
						id.issueInstant = a.Value
					}
				}
			case depth == 2 && !id.hasIssuer && t.Name.Local == "Issuer":
				id.hasIssuer, inIssuer = true, true
			}
			ex, err := c.start(t.Name.Space, t.Name.Local, tokenAttrs(t.Attr))
			if err != nil {
				return nil, nil, err
			}
			if ex != nil {
				return ex, id, nil
			}
			if inIssuer && c.ns(t.Name.Space) != NSAssertion {
				id.hasIssuer, inIssuer = false, false
			}
		case xml.EndElement:
			c.end()
			inIssuer = false
		case xml.CharData:
			if inIssuer && len(id.issuer) < 1024 {
				id.issuer += string(t)
			}
		}
	}
}

// counter keeps the census's counts and the open elements.
type counter struct {
	lim   Limits
	scope *nsStacks
	open  []*frame

	elements, attrs, signatures, assertions, attributes, values int
}

// frame is an open element: its path step, and how many of its children
// so far share each step, to number the next.
type frame struct {
	id       stepID
	isAttr   bool
	at       int
	declared []string
	kids     map[stepID]int
}

func (c *counter) ns(prefix string) string {
	uri, _ := c.scope.lookup(prefix)
	return uri
}

// child is the frame of a new child of the innermost open element.
func (c *counter) child(id stepID, isAttr bool) *frame {
	f := &frame{id: id, isAttr: isAttr}
	if n := len(c.open); n > 0 {
		parent := c.open[n-1]
		if parent.kids == nil {
			parent.kids = map[stepID]int{}
		}
		parent.kids[f.id]++
		f.at = parent.kids[f.id]
	}
	return f
}

// attrList is a start tag's attributes, as the tokenizer or the tree
// has them.
type attrList interface {
	Len() int
	At(i int) (space, key, value string)
}

type tokenAttrs []xml.Attr

func (a tokenAttrs) Len() int { return len(a) }
func (a tokenAttrs) At(i int) (string, string, string) {
	return a[i].Name.Space, a[i].Name.Local, a[i].Value
}

type treeAttrs []etree.Attr

func (a treeAttrs) Len() int                          { return len(a) }
func (a treeAttrs) At(i int) (string, string, string) { return a[i].Space, a[i].Key, a[i].Value }

func (c *counter) start(space, local string, attrs attrList) (*Exceeded, error) {
	id, isAttr := stepID{tag: local}, false
	var declared, declaredURI []string
	for i := range attrs.Len() {
		aSpace, aKey, aValue := attrs.At(i)
		if prefix, ok := declares(aSpace, aKey); ok {
			declared, declaredURI = append(declared, prefix), append(declaredURI, aValue)
		} else if aSpace == "" && aKey == "Name" && local == "Attribute" {
			id.name, isAttr = aValue, true
		}
	}
	f := c.child(id, isAttr)
	c.open = append(c.open, f)
	if len(c.open) > c.lim.MaxDepth {
		return nil, decodeErr(StageXML, fmt.Sprintf("elements nested more than %d deep", c.lim.MaxDepth), "a SAML message (they nest about 10 deep)", nil)
	}
	for i, prefix := range declared {
		c.scope.push(prefix, declaredURI[i])
	}
	f.declared = declared
	c.elements++
	c.attrs += attrs.Len()
	uri := c.ns(space)
	switch {
	case c.elements > c.lim.MaxElements:
		return c.exceeded(countElements, c.lim.MaxElements), nil
	case c.attrs > c.lim.MaxXMLAttrs:
		return c.exceeded(countAttrs, c.lim.MaxXMLAttrs), nil
	case attrs.Len() > c.lim.MaxElementAttrs:
		return c.exceeded(countElemAttrs, c.lim.MaxElementAttrs), nil
	case c.scope.inScope > c.lim.MaxNamespaces:
		return c.exceeded(countNamespaces, c.lim.MaxNamespaces), nil
	}
	var n *int
	var what string
	var limit int
	switch {
	case uri == NSDSig && local == "Signature":
		n, what, limit = &c.signatures, countSignatures, c.lim.MaxSignatures
	case uri == NSAssertion && local == "Assertion":
		n, what, limit = &c.assertions, countAssertions, c.lim.MaxAssertions
	case uri == NSAssertion && local == "Attribute":
		n, what, limit = &c.attributes, countAttributes, c.lim.MaxAttributes
	case uri == NSAssertion && local == "AttributeValue":
		n, what, limit = &c.values, countValues, c.lim.MaxValues
	default:
		return nil, nil
	}
	if *n++; *n > limit {
		return c.exceeded(what, limit), nil
	}
	return nil, nil
}

func (c *counter) end() {
	n := len(c.open)
	if n == 0 {
		return
	}
	f := c.open[n-1]
	c.open = c.open[:n-1]
	c.scope.pop(f.declared)
}

// exceeded names the count and the open element's path. The census
// stops here, so a step is numbered when it is not the first of its kind
// or SAML lets it repeat: siblings after it are not known.
func (c *counter) exceeded(what string, limit int) *Exceeded {
	var b strings.Builder
	for i, f := range c.open {
		b.WriteByte('/')
		if i == 0 {
			b.WriteString(f.id.tag)
			continue
		}
		b.WriteString(step(f.id, f.isAttr, f.at, f.at))
	}
	return &Exceeded{What: what, Limit: limit, Path: b.String()}
}

// wideTag finds the first start tag with more than max attributes, by
// counting the '=' outside quoted values, and returns its offset and
// name; -1 when there is none. Comments, CDATA sections and processing
// instructions are stepped over; DTDs never reach here.
func wideTag(b []byte, max int) (int, string) {
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 {
			return -1, ""
		}
		i += j
		rest := b[i:]
		skip := func(end string) int {
			k := bytes.Index(rest, []byte(end))
			if k < 0 {
				return len(b)
			}
			return i + k + len(end)
		}
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			i = skip("-->")
			continue
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			i = skip("]]>")
			continue
		case bytes.HasPrefix(rest, []byte("<?")):
			i = skip("?>")
			continue
		}
		n, quote, k := 0, byte(0), 1
		for ; k < len(rest); k++ {
			ch := rest[k]
			if quote != 0 {
				if ch == quote {
					quote = 0
				}
				continue
			}
			if ch == '"' || ch == '\'' {
				quote = ch
			} else if ch == '=' {
				n++
			} else if ch == '>' {
				break
			}
		}
		if n > max {
			name := rest[1:]
			if e := bytes.IndexAny(name, " \t\r\n/>"); e >= 0 {
				name = name[:e]
			}
			if c := bytes.IndexByte(name, ':'); c >= 0 {
				name = name[c+1:]
			}
			return i, string(name)
		}
		i += k
	}
	return -1, ""
}
