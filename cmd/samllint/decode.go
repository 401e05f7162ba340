package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/samllint/samllint/saml"
)

func decodeCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("decode", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: text or json")
	noXML := fs.Bool("no-xml", false, "text format: leave out the indented XML")
	redact := fs.Bool("redact", false, "mask names, e-mail addresses, account IDs, attribute values and signatures")
	var trust trustFlags
	trust.register(fs)
	if err := parseFlags(fs, "usage: samllint decode [flags] [FILE|-]\n\nDecodes a captured SAML message and summarises it: issuer, subject,\naudiences, recipient, validity window, attributes, and each signature with\nwhat it covers.\n\nFlags:", args, stderr); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return usageErr("--format %q: expected text or json", *format)
	}
	if fs.NArg() > 1 {
		return usageErr("decode takes one input, got %d", fs.NArg())
	}
	anchors, keys, err := trust.load()
	if err != nil {
		return err
	}
	name, data, err := readInput(fs.Arg(0), stdin, stderr)
	if err != nil {
		return err
	}
	msgs, err := saml.Read(data, saml.Options{Anchors: anchors, DecryptionKeys: keys})
	if err != nil {
		return usageErr("%s: %w", name, err)
	}
	var buf strings.Builder
	if *format == "json" {
		err = writeDecodeJSON(&buf, msgs, anchors)
	} else {
		for i, m := range msgs {
			if i > 0 {
				fmt.Fprintln(&buf)
			}
			writeDecodeText(&buf, m, len(msgs), !*noXML)
		}
	}
	if err != nil {
		return err
	}
	text := buf.String()
	if *redact {
		r := saml.NewRedactor()
		for _, m := range msgs {
			r.Learn(m.Response, m.Capture)
		}
		text = r.String(text)
	}
	io.WriteString(stdout, text)
	// One undecodable message among several still prints the rest, but the
	// run could not do all it was asked.
	for _, m := range msgs {
		if m.Err != nil && len(msgs) == 1 {
			return usageErr("%s: %w", name, m.Err)
		}
	}
	return nil
}

type decodedJSON struct {
	Capture  *saml.Capture  `json:"capture"`
	Chain    string         `json:"chain"`
	Error    string         `json:"error,omitempty"`
	Kind     string         `json:"kind,omitempty"`
	Response *saml.Response `json:"response,omitempty"`
	Coverage *saml.Coverage `json:"coverage,omitempty"`
}

func writeDecodeJSON(w io.Writer, msgs []*saml.Message, anchors *saml.Anchors) error {
	out := struct {
		Messages []decodedJSON `json:"messages"`
		Anchors  *saml.Anchors `json:"trust_anchors,omitempty"`
	}{Messages: []decodedJSON{}}
	if !anchors.Empty() {
		out.Anchors = anchors
	}
	for _, m := range msgs {
		d := decodedJSON{Capture: m.Capture, Chain: m.Capture.ChainString(), Response: m.Response}
		if m.Err != nil {
			d.Error = oneLine(m.Err.Error())
			var ke *saml.KindError
			if errors.As(m.Err, &ke) {
				d.Kind = ke.Kind.String()
			}
		} else {
			d.Kind = saml.KindResponse.String()
		}
		if m.Response != nil {
			cv := m.Response.Coverage()
			d.Coverage = &cv
		}
		out.Messages = append(out.Messages, d)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func writeDecodeText(w io.Writer, m *saml.Message, total int, withXML bool) {
	c := m.Capture
	head := "message"
	if total > 1 {
		head = fmt.Sprintf("message %d of %d", c.Index, total)
	}
	if c.Source != "" {
		head += ": " + c.Source
	}
	if c.Method != "" || c.URL != "" {
		head += " — " + strings.TrimSpace(c.Method+" "+c.URL)
	}
	fmt.Fprintln(w, head)
	kv(w, "decoded", c.ChainString())
	if c.Param != "" {
		kv(w, "parameter", c.Param+" ("+c.Binding+" binding)")
	}
	if c.RelayState != nil {
		kv(w, "relay state", quoteEmpty(*c.RelayState))
	}
	if c.SentAt != nil {
		kv(w, "sent at", c.SentAt.Format("2006-01-02T15:04:05Z"))
	}
	if r := c.Reply; r != nil {
		s := fmt.Sprintf("%d %s", r.Status, r.StatusText)
		if r.Location != "" {
			s += " → " + r.Location
		}
		if r.ErrorText != "" {
			s += fmt.Sprintf(" — page says %q", r.ErrorText)
		}
		kv(w, "reply", s)
	}
	if m.Err != nil {
		kv(w, "error", oneLine(m.Err.Error()))
		return
	}
	writeResponse(w, m.Response)
	if withXML {
		fmt.Fprintln(w, "\nXML (indented for reading; signatures cover the original bytes):")
		fmt.Fprintln(w, indentXML(m.Response))
	}
}

func quoteEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

func kv(w io.Writer, k, v string) {
	fmt.Fprintf(w, "  %-14s %s\n", k+":", v)
}

func writeResponse(w io.Writer, r *saml.Response) {
	fmt.Fprintf(w, "Response %s\n", r.Path)
	kv(w, "ID", r.ID)
	kv(w, "issue instant", r.IssueInstant.Raw)
	if r.Destination != "" {
		kv(w, "destination", r.Destination)
	}
	if r.InResponseTo != "" {
		kv(w, "in response to", r.InResponseTo)
	}
	if r.Issuer != nil {
		kv(w, "issuer", r.Issuer.Value)
	}
	if r.Status != nil {
		s := strings.Join(r.Status.Codes, " / ")
		if r.Status.Message != "" {
			s += fmt.Sprintf(" (%q)", r.Status.Message)
		}
		kv(w, "status", s)
	} else {
		kv(w, "status", "(none)")
	}
	for _, ea := range r.EncryptedAssertions {
		fmt.Fprintf(w, "EncryptedAssertion %s\n", ea.Path)
		kv(w, "algorithms", strings.Trim(ea.DataAlgorithm+", key "+ea.KeyAlgorithm, ", "))
		switch {
		case ea.Decrypted:
			kv(w, "decrypted", "yes (see below)")
		case ea.DecryptErr != "":
			kv(w, "decrypted", "no: "+ea.DecryptErr)
		default:
			kv(w, "decrypted", "no: give --key with "+ea.KeyHint)
		}
	}
	for _, a := range r.Assertions {
		writeAssertion(w, a)
	}
	if len(r.Assertions) == 0 && len(r.EncryptedAssertions) == 0 {
		fmt.Fprintln(w, "No assertion.")
	}
	fmt.Fprintf(w, "Signatures (%d)\n", len(r.Signatures))
	for i, s := range r.Signatures {
		writeSignature(w, i+1, s)
	}
	if len(r.DuplicateIDs) > 0 {
		for _, id := range slices.Sorted(maps.Keys(r.DuplicateIDs)) {
			kv(w, "duplicate ID", fmt.Sprintf("%q on %s", id, strings.Join(r.DuplicateIDs[id], ", ")))
		}
	}
	cv := r.Coverage()
	if cv.Covered {
		var via []string
		for _, p := range cv.Via {
			via = append(via, fmt.Sprintf("the %s signature (%s)", p.Via, p.Signature.Check.Verdict))
		}
		fmt.Fprintf(w, "Coverage: the consumed assertion %s is covered by %s.\n", cv.Path, strings.Join(via, " and "))
	} else {
		fmt.Fprintln(w, "Coverage: NOT safely signed.")
		for _, p := range cv.Problems {
			fmt.Fprintf(w, "  - %s\n", p.Text)
		}
	}
}

func writeAssertion(w io.Writer, a *saml.Assertion) {
	label := "Assertion"
	if a.Decrypted {
		label = "Assertion (decrypted)"
	}
	if !a.Direct {
		label = "Assertion (NOT a child of the Response: not what a service provider consumes)"
	}
	fmt.Fprintf(w, "%s %s\n", label, a.Path)
	kv(w, "ID", a.ID)
	kv(w, "issue instant", a.IssueInstant.Raw)
	if a.Issuer != nil {
		kv(w, "issuer", a.Issuer.Value)
	}
	if s := a.Subject; s != nil {
		if n := s.NameID; n != nil {
			if n.Encrypted {
				kv(w, "subject", "(encrypted NameID)")
			} else {
				kv(w, "subject", strings.TrimSpace(n.Value+" "+paren(n.Format)))
			}
		}
		for _, sc := range s.Confirmations {
			method := strings.TrimPrefix(sc.Method, "urn:oasis:names:tc:SAML:2.0:cm:")
			v := method
			if sc.Recipient != "" {
				v += ", recipient " + sc.Recipient
			}
			if sc.NotBefore.IsSet() {
				v += ", not before " + sc.NotBefore.Raw
			}
			if sc.NotOnOrAfter.IsSet() {
				v += ", not on or after " + sc.NotOnOrAfter.Raw
			}
			if sc.InResponseTo != "" {
				v += ", in response to " + sc.InResponseTo
			}
			kv(w, "confirmation", v)
		}
	}
	if c := a.Conditions; c != nil {
		kv(w, "valid", fmt.Sprintf("%s .. %s", orDash(c.NotBefore.Raw), orDash(c.NotOnOrAfter.Raw)))
		var aud []string
		for _, v := range c.Audiences {
			aud = append(aud, v.Value)
		}
		kv(w, "audiences", orDash(strings.Join(aud, ", ")))
	}
	for _, st := range a.AuthnStatements {
		v := "at " + st.AuthnInstant.Raw
		if st.SessionNotOnOrAfter.IsSet() {
			v += ", session not on or after " + st.SessionNotOnOrAfter.Raw
		}
		kv(w, "authn", v)
	}
	if len(a.Attributes) > 0 {
		fmt.Fprintln(w, "  attributes:")
		for _, at := range a.Attributes {
			fmt.Fprintf(w, "    %s\n", at.Name)
			for i, v := range at.Values {
				fmt.Fprintf(w, "      [%d] %s\n", i+1, v.Value)
			}
		}
	}
}

func writeSignature(w io.Writer, n int, s *saml.Signature) {
	fmt.Fprintf(w, "  [%d] %s\n", n, s.Path)
	refs := make([]string, len(s.References))
	digests := map[string]bool{}
	for i, r := range s.References {
		refs[i] = fmt.Sprintf("%q", r.URI)
		digests[short(r.DigestMethod)] = true
	}
	fmt.Fprintf(w, "      on <%s ID=%q>, references %s\n", s.ParentTag, s.ParentID, strings.Join(refs, ", "))
	fmt.Fprintf(w, "      algorithms: %s, digest %s, %s\n", short(s.SignatureMethod), strings.Join(slices.Sorted(maps.Keys(digests)), "/"), short(s.CanonicalizationMethod))
	for _, c := range s.Certificates {
		fmt.Fprintf(w, "      embedded certificate: %s\n", c.Describe())
	}
	if ch := s.Check; ch != nil {
		fmt.Fprintf(w, "      verdict: %s — %s\n", ch.Verdict, ch.Detail)
		if ch.Verdict == saml.Untrusted && ch.Signer != nil {
			fmt.Fprintf(w, "      signed by: %s\n", ch.Signer.Describe())
		}
		for _, a := range ch.Trusted {
			fmt.Fprintf(w, "      trusted:   %s (%s)\n", a.Describe(), a.Source)
		}
		if ch.Covers != "" {
			fmt.Fprintf(w, "      covers: %s\n", ch.Covers)
		}
	}
}

// short names an algorithm URI by its fragment or last path element.
func short(uri string) string {
	uri = strings.TrimRight(uri, "#/")
	if i := strings.LastIndexAny(uri, "#/"); i >= 0 && i < len(uri)-1 {
		return uri[i+1:]
	}
	return orDash(uri)
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func indentXML(r *saml.Response) string {
	doc := r.Doc().Copy()
	doc.Indent(2)
	s, err := doc.WriteToString()
	if err != nil {
		return "(cannot print: " + err.Error() + ")"
	}
	return strings.TrimRight(s, "\n")
}
