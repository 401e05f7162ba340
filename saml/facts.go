package saml

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Fact is one thing a capture or its response says, named for a person.
// samllint decode, the serve page and samllint diff all show this one
// list, so they never describe a response differently.
type Fact struct {
	// Section groups facts: "capture", "response", "assertion",
	// "attributes", "encryption", "signatures", "coverage".
	Section string `json:"section"`
	// Name is unique within a response ("Destination", "Role[2]",
	// "Signature[1] verdict").
	Name  string `json:"name"`
	Value string `json:"value"`
	// Path locates the fact in the XML, when it is there.
	Path string `json:"path,omitempty"`
	// Time is set for instants, so a reader can show them relative to
	// another time.
	Time *time.Time `json:"time,omitempty"`
	// Noise marks values that differ between any two sign-ins (IDs,
	// instants, signature values).
	Noise bool `json:"noise,omitempty"`
}

// Facts describes a capture and its parsed response (either may be nil),
// in document order. Call Verify first to include the signature verdicts.
func Facts(c *Capture, r *Response) []Fact {
	var out []Fact
	add := func(section, name, value, path string) {
		out = append(out, Fact{Section: section, Name: name, Value: value, Path: path})
	}
	noise := func(section, name, value, path string) {
		out = append(out, Fact{Section: section, Name: name, Value: value, Path: path, Noise: true})
	}
	at := func(section, name string, t Time, isNoise bool) {
		if !t.IsSet() {
			return
		}
		f := Fact{Section: section, Name: name, Value: t.Raw, Path: t.Path, Noise: isNoise}
		if t.OK {
			tt := t.Time
			f.Time = &tt
		}
		out = append(out, f)
	}
	if c != nil {
		add("capture", "decoded", c.ChainString(), "")
		if c.Param != "" {
			add("capture", "parameter", c.Param+" ("+c.Binding+" binding)", "")
		}
		if c.URL != "" {
			add("capture", "sent to", strings.TrimSpace(c.Method+" "+c.URL), "")
		}
		if c.SentAt != nil {
			t := *c.SentAt
			out = append(out, Fact{Section: "capture", Name: "sent at", Value: t.Format(time.RFC3339), Time: &t, Noise: true})
		}
		if c.RelayState != nil {
			add("capture", "RelayState", *c.RelayState, "")
		}
		if rp := c.Reply; rp != nil {
			v := fmt.Sprintf("%d %s", rp.Status, rp.StatusText)
			if rp.Location != "" {
				v += " → " + rp.Location
			}
			add("capture", "reply", strings.TrimSpace(v), "")
			if rp.ErrorText != "" {
				add("capture", "reply says", rp.ErrorText, "")
			}
		}
		for i, st := range c.Then {
			v := fmt.Sprintf("%s %s → %d %s", st.Method, st.URL, st.Status, st.StatusText)
			if st.Location != "" {
				v += " → " + st.Location
			}
			if st.ErrorText != "" {
				v += ": " + st.ErrorText
			}
			add("capture", fmt.Sprintf("then[%d]", i+1), v+" ("+st.Source+")", "")
		}
	}
	if r == nil {
		return out
	}
	if r.Wrapper != "" {
		add("capture", "unwrapped from", r.Wrapper, "")
	}
	noise("response", "Response ID", r.ID, r.Path+"/@ID")
	at("response", "IssueInstant", r.IssueInstant, true)
	if r.Destination != "" {
		add("response", "Destination", r.Destination, r.Path+"/@Destination")
	}
	if r.InResponseTo != "" {
		noise("response", "InResponseTo", r.InResponseTo, r.Path+"/@InResponseTo")
	}
	if r.Issuer != nil {
		add("response", "Issuer (Response)", r.Issuer.Value, r.Issuer.Path)
	}
	if ex := r.Exceeded; ex != nil {
		add("response", "not read", "the message holds "+ex.String()+"; nothing else in it was read", ex.Path)
		return out
	}
	if s := r.Status; s != nil {
		v := strings.Join(s.Codes, " / ")
		if s.Message != "" {
			v += fmt.Sprintf(" (%q)", s.Message)
		}
		add("response", "Status", v, s.Path)
	} else {
		add("response", "Status", "(none)", r.Path)
	}
	for i, ea := range r.EncryptedAssertions {
		n := fmt.Sprintf("EncryptedAssertion[%d] ", i+1)
		add("encryption", n+"algorithms", strings.Trim(ea.DataAlgorithm+", key "+ea.KeyAlgorithm, ", "), ea.Path)
		switch {
		case ea.Decrypted:
			add("encryption", n+"decrypted", "yes", ea.Path)
		case ea.DecryptErr != "":
			add("encryption", n+"decrypted", "no: "+ea.DecryptErr, ea.Path)
		default:
			add("encryption", n+"decrypted", "no: needs "+ea.KeyHint, ea.Path)
		}
	}
	for _, a := range r.Assertions {
		if a != r.Consumed() {
			where := "elsewhere in the message"
			if !a.Direct {
				where = "not a child of the Response"
			}
			add("assertion", "other Assertion", a.Path+" ("+where+"; a service provider does not consume it)", a.Path)
		}
	}
	if a := r.Consumed(); a == nil {
		add("assertion", "Assertion", fmt.Sprintf("none (%d encrypted, not decrypted)", len(r.EncryptedAssertions)-countDecrypted(r)), r.Path)
	} else {
		assertionFacts(a, add, noise, at)
	}
	for i, s := range r.Signatures {
		n := fmt.Sprintf("Signature[%d] ", i+1)
		refs := make([]string, len(s.References))
		digests := map[string]bool{}
		for j, ref := range s.References {
			refs[j] = fmt.Sprintf("%q", ref.URI)
			digests[shortAlgorithm(ref.DigestMethod)] = true
		}
		add("signatures", n+"on", "<"+s.ParentTag+">", s.ParentPath)
		noise("signatures", n+"references", fmt.Sprintf("%s (the ID of <%s> is %q)", strings.Join(refs, ", "), s.ParentTag, s.ParentID), s.Path+"/SignedInfo")
		add("signatures", n+"algorithms", shortAlgorithm(s.SignatureMethod)+" / "+strings.Join(slices.Sorted(maps.Keys(digests)), ",")+" / "+shortAlgorithm(s.CanonicalizationMethod), s.Path+"/SignedInfo")
		for j, ci := range s.Certificates {
			name := n + "certificate"
			if j > 0 {
				name = fmt.Sprintf("%scertificate %d", n, j+1)
			}
			add("signatures", name, ci.Describe(), s.Path+"/KeyInfo")
		}
		if ch := s.Check; ch != nil {
			add("signatures", n+"verdict", string(ch.Verdict)+" — "+ch.Detail, s.Path)
			if (ch.Verdict == Untrusted || ch.Verdict == OtherIssuer) && ch.Signer != nil {
				add("signatures", n+"signed by", ch.Signer.Describe(), s.Path)
			}
			if ch.Covers != "" {
				add("signatures", n+"covers", ch.Covers, s.Path)
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(r.DuplicateIDs)) {
		add("signatures", "duplicate ID "+id, strings.Join(r.DuplicateIDs[id], ", "), r.DuplicateIDs[id][0])
	}
	cv := r.Coverage()
	if cv.Covered {
		add("coverage", "Coverage", "the consumed assertion "+cv.Path+" is covered by the "+strings.Join(cv.ViaNames, " and ")+" "+pluralS(len(cv.ViaNames), "signature", "signatures"), cv.Path)
	} else {
		var why []string
		for _, p := range cv.Problems {
			why = append(why, p.Text)
		}
		add("coverage", "Coverage", "NOT safely signed: "+strings.Join(why, "; "), cv.Path)
	}
	return out
}

func countDecrypted(r *Response) int {
	n := 0
	for _, ea := range r.EncryptedAssertions {
		if ea.Decrypted {
			n++
		}
	}
	return n
}

func assertionFacts(a *Assertion, add, noise func(section, name, value, path string), at func(string, string, Time, bool)) {
	label := "Assertion"
	if a.Decrypted {
		label = "Assertion (decrypted)"
	}
	noise("assertion", label+" ID", a.ID, a.Path+"/@ID")
	at("assertion", "Assertion IssueInstant", a.IssueInstant, true)
	if a.Issuer != nil {
		add("assertion", "Issuer (Assertion)", a.Issuer.Value, a.Issuer.Path)
	}
	if s := a.Subject; s != nil {
		if n := s.NameID; n != nil {
			if n.Encrypted {
				add("assertion", "NameID", "(encrypted)", n.Path)
			} else {
				add("assertion", "NameID", n.Value, n.Path)
				add("assertion", "NameID Format", n.Format, n.Path+"/@Format")
			}
		}
		for i, sc := range s.Confirmations {
			p := fmt.Sprintf("SubjectConfirmation[%d] ", i+1)
			add("assertion", p+"Method", sc.Method, sc.Path+"/@Method")
			if sc.DataPath != "" {
				add("assertion", p+"Recipient", sc.Recipient, sc.DataPath+"/@Recipient")
				at("assertion", p+"NotBefore", sc.NotBefore, false)
				at("assertion", p+"NotOnOrAfter", sc.NotOnOrAfter, false)
				if sc.InResponseTo != "" {
					noise("assertion", p+"InResponseTo", sc.InResponseTo, sc.DataPath+"/@InResponseTo")
				}
			}
		}
	}
	if c := a.Conditions; c != nil {
		at("assertion", "NotBefore", c.NotBefore, false)
		at("assertion", "NotOnOrAfter", c.NotOnOrAfter, false)
		var aud []string
		for _, v := range c.Audiences {
			aud = append(aud, v.Value)
		}
		add("assertion", "Audiences", strings.Join(aud, ", "), c.Path)
		if c.AudienceRestrictions > 1 {
			add("assertion", "AudienceRestrictions", fmt.Sprint(c.AudienceRestrictions), c.Path)
		}
	}
	for i, st := range a.AuthnStatements {
		p := fmt.Sprintf("AuthnStatement[%d] ", i+1)
		at("assertion", p+"AuthnInstant", st.AuthnInstant, true)
		at("assertion", p+"SessionNotOnOrAfter", st.SessionNotOnOrAfter, false)
		if st.SessionIndex != "" {
			noise("assertion", p+"SessionIndex", st.SessionIndex, st.Path+"/@SessionIndex")
		}
		if st.AuthnContextClass != "" {
			add("assertion", p+"AuthnContextClassRef", st.AuthnContextClass, st.Path)
		}
	}
	// Attributes by name, values in order, even when one name repeats.
	seen := map[string]int{}
	for _, at := range a.Attributes {
		seen[at.Name]++
	}
	count := map[string]int{}
	for _, at := range a.Attributes {
		for _, v := range at.Values {
			count[at.Name]++
			name := at.Name
			if seen[at.Name] > 1 || len(at.Values) > 1 || count[at.Name] > 1 {
				name = fmt.Sprintf("%s[%d]", at.Name, count[at.Name])
			}
			add("attributes", name, v.Value, v.Path)
		}
		if len(at.Values) == 0 {
			add("attributes", at.Name, "(no value)", at.Path)
		}
	}
}

// shortAlgorithm names an algorithm URI by its fragment or last path
// element.
// ShortAlgorithm is an algorithm URI's last part: "ecdsa-sha256".
func ShortAlgorithm(uri string) string { return shortAlgorithm(uri) }

func shortAlgorithm(uri string) string {
	uri = strings.TrimRight(uri, "#/")
	if i := strings.LastIndexAny(uri, "#/"); i >= 0 && i < len(uri)-1 {
		return uri[i+1:]
	}
	if uri == "" {
		return "—"
	}
	return uri
}
