// Package redact masks what identifies people and accounts in samllint's
// reports, keeping what a reader needs to follow the diagnosis.
package redact

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"

	"github.com/samllint/samllint/saml"
)

// Redactor masks what identifies people and accounts in a report, keeping
// what a reader needs to follow the diagnosis: ARN shapes, which account
// matches which (first and last digit kept, 2##########9, as AWS guides
// do), regions, the shape of instance IDs. The same value always masks the
// same way within one Redactor.
type Redactor struct {
	*masks
	// own holds the values this scope learned, which are all it masks;
	// nil for the run's Redactor, which masks every value.
	own map[string]bool
	rep *strings.Replacer
	n   int // values known when rep was built
}

// masks is what every scope of a run shares, so that a value masks the
// same way in all of them.
type masks struct {
	masks map[string]string
	used  map[string]string // mask → value, to keep masks distinct
	// next is the suffix to try next for a mask that collided: values
	// that mask alike take #2, #3, … without trying again those taken.
	next map[string]int
}

// New returns an empty Redactor; Learn teaches it values.
func New() *Redactor {
	return &Redactor{masks: &masks{masks: map[string]string{}, used: map[string]string{}, next: map[string]int{}}}
}

// Scope returns a Redactor for one result of a run: it masks each value
// as the run does, but only the values it learned itself, so that
// masking a result costs what the result holds, however long the run.
// The output of one result holds only its own capture's values.
func (r *Redactor) Scope() *Redactor {
	return &Redactor{masks: r.masks, own: map[string]bool{}}
}

// keepAttributes are attributes whose values are configuration, not
// personal data, and are needed to follow findings.
var keepAttributes = map[string]bool{
	"https://aws.amazon.com/SAML/Attributes/Role":              true, // ARNs: only their account IDs are masked
	"https://aws.amazon.com/SAML/Attributes/SessionDuration":   true,
	"https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys": true,
}

// Learn records the sensitive values of a parsed message and its capture
// (either may be nil).
func (r *Redactor) Learn(resp *saml.Response, c *saml.Capture) {
	if c != nil {
		r.scan(string(c.XML))
		if c.RelayState != nil {
			r.scan(*c.RelayState)
		}
	}
	if resp == nil {
		return
	}
	for _, a := range resp.Assertions {
		if a.Subject != nil {
			if n := a.Subject.NameID; n != nil {
				r.learn(n.Value, personMask)
			}
			for _, sc := range a.Subject.Confirmations {
				r.learn(sc.Address, func(string) string { return "‹ip›" })
			}
		}
		for _, at := range a.Attributes {
			if keepAttributes[at.Name] {
				continue
			}
			for _, v := range at.Values {
				r.learn(strings.TrimSpace(v.Value), personMask)
			}
		}
	}
	if doc := resp.Doc(); doc != nil {
		signers := map[string]bool{}
		for _, sig := range resp.Signatures {
			for _, ci := range sig.Certificates {
				if len(ci.SHA256) > 11 {
					signers[ci.SHA256] = true
				}
			}
		}
		if len(signers) > 0 {
			r.learnCerts(doc, signers)
		}
		for _, el := range doc.FindElements("//SignatureValue") {
			r.learnBlob(el.Text(), "signature")
		}
		for _, el := range doc.FindElements("//DigestValue") {
			r.learnBlob(el.Text(), "signature")
		}
		for _, el := range doc.FindElements("//CipherValue") {
			r.learnBlob(el.Text(), "ciphertext")
		}
	}
	r.rep = nil
}

// learnCerts masks the embedded certificates whose fingerprint is one of
// signers', reading each distinct certificate once: a hostile response
// may embed the same one thousands of times.
func (r *Redactor) learnCerts(doc *etree.Document, signers map[string]bool) {
	seen := map[string]bool{}
	for _, el := range doc.FindElements("//X509Certificate") {
		text := el.Text()
		if seen[text] {
			continue
		}
		seen[text] = true
		if ci := saml.CertOf(text); ci != nil && signers[ci.SHA256] {
			r.learnBlob(text, "certificate SHA-256 "+ci.SHA256[:11]+"…")
		}
	}
}

// learnBlob masks base64 values, as found and with whitespace removed.
func (r *Redactor) learnBlob(text, what string) {
	compact := strings.Join(strings.Fields(text), "")
	if len(compact) < 8 {
		return
	}
	mask := "‹" + what + "›"
	if what == "signature" || what == "ciphertext" {
		sum := sha256.Sum256([]byte(compact))
		mask = "‹" + what + " " + hex.EncodeToString(sum[:4]) + "›"
	}
	r.set(compact, mask)
	if t := strings.TrimSpace(text); t != compact {
		r.set(t, mask)
	}
	// Line-wrapped base64 is also masked line by line.
	for _, line := range strings.Fields(text) {
		if len(line) >= 16 {
			r.set(line, mask)
		}
	}
}

// scan learns e-mail addresses, account IDs (twelve digits) and Connect
// instance IDs (UUIDs) wherever they appear, in time linear in s.
func (r *Redactor) scan(s string) {
	emails(s, func(e string) { r.learn(e, personMask) })
	accounts(s, func(a string) { r.learn(a, accountMask) })
	uuids(s, func(u string) { r.learn(u, uuidMask) })
}

func (r *Redactor) learn(v string, mask func(string) string) {
	if utf8.RuneCountInString(v) < 4 {
		return
	}
	if r.masks.masks[v] != "" {
		// Known to the run; a scope that meets it for the first time
		// takes the values inside it too, as the run did.
		if r.own == nil || r.own[v] {
			return
		}
		r.mine(v)
	} else {
		r.set(v, mask(v))
	}
	r.scan(v) // an attribute value may hold an e-mail or account inside
}

// mine records a value this scope masks.
func (r *Redactor) mine(v string) {
	if r.own != nil {
		r.own[v] = true
	}
}

func (r *Redactor) set(v, m string) {
	r.mine(v)
	if r.masks.masks[v] != "" {
		return
	}
	if r.used[m] != "" {
		base := m
		i := max(r.next[base], 2)
		for m = base + "#" + strconv.Itoa(i); r.used[m] != ""; m = base + "#" + strconv.Itoa(i) {
			i++
		}
		r.next[base] = i + 1
	}
	r.masks.masks[v], r.used[m] = m, v
}

// Person teaches the Redactor a name or address that identifies a person
// (a session name, a subject): it masks as Learn masks a NameID.
func (r *Redactor) Person(v string) {
	if v != "" {
		r.learn(v, personMask)
	}
}

// Address teaches it a source IP address or a user agent: an IPv4
// address keeps its first number (192.#.#.#), anything else its first
// character.
func (r *Redactor) Address(v string) {
	if v != "" {
		r.learn(v, addressMask)
	}
}

func addressMask(v string) string {
	if parts := strings.Split(v, "."); len(parts) == 4 && !strings.ContainsAny(v, " /") {
		return parts[0] + ".#.#.#"
	}
	return firstRune(v) + "***"
}

func personMask(v string) string {
	if i := strings.LastIndex(v, "@"); i > 0 {
		local, domain := v[:i], v[i+1:]
		tld := ""
		if j := strings.LastIndex(domain, "."); j >= 0 {
			tld = domain[j:]
		}
		return firstRune(local) + "***@" + firstRune(domain) + "***" + tld
	}
	return firstRune(v) + "***"
}

func firstRune(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	return string(r)
}

func accountMask(v string) string { return v[:1] + "##########" + v[11:] }

func uuidMask(v string) string {
	b := []byte(v)
	for i := 4; i < len(b)-4; i++ {
		if b[i] != '-' {
			b[i] = '#'
		}
	}
	return string(b)
}

// String masks every learned value in s, and any e-mail address or
// account ID it has not seen yet.
func (r *Redactor) String(s string) string {
	r.scan(s)
	known := len(r.masks.masks)
	if r.own != nil {
		known = len(r.own)
	}
	if r.rep == nil || known != r.n {
		r.n = known
		var olds []string
		if r.own != nil {
			for v := range r.own {
				olds = append(olds, v)
			}
		} else {
			for v := range r.masks.masks {
				olds = append(olds, v)
			}
		}
		// Longest first, so a value inside another masks as part of it.
		sort.Slice(olds, func(i, j int) bool {
			if len(olds[i]) != len(olds[j]) {
				return len(olds[i]) > len(olds[j])
			}
			return olds[i] < olds[j]
		})
		var pairs []string
		for _, v := range olds {
			m := r.masks.masks[v]
			pairs = append(pairs, v, m)
			// Also as it appears inside JSON strings.
			if b, _ := json.Marshal(v); string(b[1:len(b)-1]) != v {
				pairs = append(pairs, string(b[1:len(b)-1]), m)
			}
		}
		r.rep = strings.NewReplacer(pairs...)
	}
	return r.rep.Replace(s)
}
