// Package redact masks what identifies people and accounts in samllint's
// reports, keeping what a reader needs to follow the diagnosis.
package redact

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
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
}

// New returns an empty Redactor; Learn teaches it values.
func New() *Redactor {
	return &Redactor{masks: &masks{masks: map[string]string{}, used: map[string]string{}}}
}

// Scope returns a Redactor for one result of a run: it masks each value
// as the run does, but only the values it learned itself, so that
// masking a result costs what the result holds, however long the run.
// The output of one result holds only its own capture's values.
func (r *Redactor) Scope() *Redactor {
	return &Redactor{masks: r.masks, own: map[string]bool{}}
}

var (
	emailRe   = regexp.MustCompile(`[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	accountRe = regexp.MustCompile(`(^|[^0-9])([0-9]{12})([^0-9]|$)`)
	uuidRe    = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

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
		for _, sig := range resp.Signatures {
			for _, ci := range sig.Certificates {
				if ci.SHA256 != "" && len(ci.SHA256) > 11 {
					r.learnCerts(doc, ci.SHA256)
				}
			}
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

// learnCerts masks the embedded certificates whose fingerprint is sha.
func (r *Redactor) learnCerts(doc *etree.Document, sha string) {
	for _, el := range doc.FindElements("//X509Certificate") {
		if ci := saml.CertOf(el.Text()); ci != nil && ci.SHA256 == sha {
			r.learnBlob(el.Text(), "certificate SHA-256 "+sha[:11]+"…")
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

// scan learns e-mail addresses, account IDs and Connect instance IDs
// wherever they appear.
// Each pattern is tried only where a byte it needs occurs: most strings
// of a report have none, and the regular expressions are most of the
// cost of redacting.
func (r *Redactor) scan(s string) {
	if strings.IndexByte(s, '@') >= 0 {
		for _, e := range emailRe.FindAllString(s, -1) {
			r.learn(e, personMask)
		}
	}
	if digitRun(s, 12) {
		for _, m := range accountRe.FindAllStringSubmatch(s, -1) {
			r.learn(m[2], accountMask)
		}
	}
	if strings.Count(s, "-") >= 4 {
		for _, u := range uuidRe.FindAllString(s, -1) {
			r.learn(u, uuidMask)
		}
	}
}

// digitRun reports whether s holds n digits in a row.
func digitRun(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if run++; run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

func (r *Redactor) learn(v string, mask func(string) string) {
	if utf8.RuneCountInString(v) < 4 {
		return
	}
	if r.masks.masks[v] != "" {
		r.mine(v)
		return
	}
	r.set(v, mask(v))
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
	base := m
	for i := 2; r.used[m] != "" && r.used[m] != v; i++ {
		m = fmt.Sprintf("%s#%d", base, i)
	}
	r.masks.masks[v], r.used[m] = m, v
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
