package lint

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/samllint/samllint/saml"
)

const (
	confirmTime = "the SAMLResponse with the time it was posted (a HAR export keeps it)"
)

var statusNotSuccess = &Rule{
	ID: "saml/status-not-success", Severity: Error, Scope: ScopeSAML,
	Advice: []string{"a samlp:Status with"},
	Title:  "top-level StatusCode is not Success",
	Why: "The IdP reports that the login failed (user not assigned to the app, MFA failed, a policy denial) but still posted a response. " +
		"AWS answers with the generic \"Your request included an invalid SAML response\" page, or STS with IDPRejectedClaim " +
		"(\"The identity provider (IdP) reported that authentication failed\").",
	Fix:        "Look up the failed sign-in in the IdP's log; the nested status code and StatusMessage say which step refused it.",
	References: []string{refSAMLCore + " §3.2.2.2", refSTSAPI},
	Symptoms:   []string{"Your request included an invalid SAML response", "IDPRejectedClaim", "The identity provider (IdP) reported that authentication failed"},
	Rank:       4,
	Check: func(p *Pass) {
		st := p.Response.Status
		if st == nil || len(st.Codes) == 0 {
			p.Report(Finding{Message: "the Response has no Status/StatusCode", Location: xmlAt(p.Response.Path), Expected: "a samlp:Status with StatusCode " + saml.StatusSuccess, Actual: "(none)",
				Fix: "Configure " + p.facts.idp() + " to send a standard SAML 2.0 Response; every Response carries samlp:Status."})
			return
		}
		if st.Success() {
			return
		}
		actual := strings.Join(st.Codes, " / ")
		if st.Message != "" {
			actual += fmt.Sprintf(" (%q)", st.Message)
		}
		// The top-level code says whose fault (Requester, Responder); the
		// second-level one says what: AuthnFailed, RequestDenied, ….
		fix := "Look up this sign-in in " + p.facts.idp() + "'s log"
		what := shortStatus(st.Codes[0])
		if len(st.Codes) > 1 {
			why := shortStatus(st.Codes[len(st.Codes)-1])
			what = why + " (" + what + ")"
			fix += "; " + why + " is why it refused"
		}
		p.Report(Finding{
			Message:  "the IdP reports that the sign-in failed: " + what,
			Location: xmlAt(st.Path + "/StatusCode/@Value"),
			Expected: saml.StatusSuccess, Actual: actual, Fix: fix + ".",
		})
	},
}

func shortStatus(code string) string {
	return strings.TrimPrefix(code, "urn:oasis:names:tc:SAML:2.0:status:")
}

var noAssertion = &Rule{
	ID: "saml/no-assertion", Severity: Error, Scope: ScopeSAML,
	Advice: []string{"one saml:Assertion", "exactly one assertion"},
	Title:  "the Response carries no assertion, or more than one",
	Why: "AWS reads exactly one assertion. With none there is nothing to sign in with (an error Response usually says why); " +
		"several are also the classic signature-wrapping shape.",
	Fix:        "Make the IdP send exactly one Assertion (or EncryptedAssertion) in the Response.",
	References: []string{refSAMLProf},
	Symptoms:   []string{"Your request included an invalid SAML response"},
	Rank:       6,
	Check: func(p *Pass) {
		r := p.Response
		direct := 0
		for _, a := range r.Assertions {
			if a.Direct && !a.Decrypted {
				direct++
			}
		}
		n := direct + len(r.EncryptedAssertions)
		switch {
		case n == 0:
			p.Report(Finding{Message: "the Response carries no Assertion or EncryptedAssertion", Location: xmlAt(r.Path),
				Expected: "one saml:Assertion", Actual: "none",
				Fix: "Check the Status and " + p.facts.idp() + "'s sign-in log: an IdP omits the assertion when it refuses the login."})
		case n > 1:
			p.Report(Finding{Message: fmt.Sprintf("the Response carries %d assertions", n), Location: xmlAt(r.Path),
				Expected: "exactly one assertion", Actual: fmt.Sprintf("%d (%d Assertion, %d EncryptedAssertion)", n, direct, len(r.EncryptedAssertions)),
				Fix: "Configure " + p.facts.idp() + " to send one assertion; if you did not expect several, treat this response as an attack."})
		}
	},
}

var unsigned = &Rule{
	ID: "saml/unsigned", Severity: Error, Scope: ScopeSAML, Setting: SettingSigning, Trust: true,
	Advice: []string{"a ds:Signature child"},
	Title:  "neither the Response nor the Assertion is signed",
	Why: "AWS accepts only signed responses: with no signature STS has nothing to check against the IAM SAML provider's " +
		"certificate and rejects the response (\"Response signature invalid\", InvalidIdentityToken).",
	Fix:        "Turn on response or assertion signing in the IdP application (Okta and most IdPs sign both by default).",
	References: []string{refIAMTS},
	Symptoms:   []string{"Response signature invalid", "InvalidIdentityToken"},
	Rank:       8,
	Check: func(p *Pass) {
		r := p.Response
		a := p.Assertion()
		for _, s := range r.Signatures {
			if s.ParentPath == r.Path || a != nil && s.ParentPath == a.Path {
				return
			}
		}
		if a == nil && len(r.EncryptedAssertions) == 0 {
			return // nothing to sign in with: saml/no-assertion and the Status say why
		}
		if a == nil && undecrypted(r) > 0 {
			// An assertion is signed inside its encryption, as IdPs
			// usually do: unknown until it is decrypted.
			p.SkipBecause("the assertion is encrypted: whether it is signed is unknown until it is decrypted", "to check that the assertion is signed", InputKey)
			return
		}
		where := r.Path
		if a != nil {
			where = a.Path
		}
		p.Report(Finding{Message: "no ds:Signature on the Response or on the Assertion", Location: xmlAt(where),
			Expected: "a ds:Signature child of the Response or of the Assertion", Actual: "none",
			Fix: "Enable signing of the SAML response and assertion in " + p.facts.idp() + "'s AWS application, with the certificate in the metadata uploaded to IAM."})
	},
}

var signatureInvalid = &Rule{
	ID: "saml/signature-invalid", Severity: Error, Scope: ScopeSAML, Trust: true,
	Title: "a signature does not verify",
	Why: "STS verifies the signature with the IAM SAML provider's certificate; when it fails the sign-in stops with " +
		"\"Response signature invalid (service: AWSSecurityTokenService; status code: 400; error code: InvalidIdentityToken)\" " +
		"Either the content changed after signing (a proxy, an editor or a pretty-printer touched it: samllint says \"re-indented\" " +
		"when normalising whitespace makes it verify, and that the key is right when the signature value was made with it over another " +
		"SignedInfo), or the signature value does not match the key: another key signed it.",
	Fix:        "Capture the response exactly as the browser posted it; if it is unmodified, the IdP signed it with a key other than the one you trust.",
	References: []string{refIAMTS},
	Symptoms:   []string{"Response signature invalid", "InvalidIdentityToken"},
	Rank:       7,
	Check: func(p *Pass) {
		covered := false
		if a := p.Response.Consumed(); a != nil {
			covered = len(p.Response.Protected(a)) > 0
		}
		for _, s := range p.Response.Signatures {
			if s.Check == nil {
				continue
			}
			f := Finding{Location: xmlAt(s.Path), Expected: "a signature that verifies", Actual: string(s.Check.Verdict) + ": " + s.Check.Detail}
			switch s.Check.Verdict {
			case saml.DigestMismatch:
				f.Message = fmt.Sprintf("the <%s> changed after it was signed (digest mismatch)", s.ParentTag)
				f.Fix = "Re-capture the SAMLResponse exactly as posted (a HAR export or the raw form value); do not re-indent or edit it. If it was captured faithfully, something between the IdP and AWS rewrites it."
				if s.Check.Reindented != "" {
					// The key is right: normalising whitespace shows it.
					f.Message = fmt.Sprintf("the <%s> was re-indented after it was signed (%s)", s.ParentTag, s.Check.Reindented)
					if strings.Contains(s.Check.Detail, "and edited") {
						f.Message += ", and its content changed as well"
					}
					f.Fix = "The key is right. Re-capture the SAMLResponse exactly as posted (a HAR export or the raw form value), not from an editor or a pretty-printer; if it was captured faithfully, something between the IdP and AWS re-indents it, and AWS refuses it as it is."
				}
				if s.ParentPath == p.Response.Path && len(p.Response.EncryptedAssertions) > 0 {
					// samlify's order: sign the Response, then swap the
					// assertion for its encryption, which changes what was signed.
					f.Message += "; the Response holds an EncryptedAssertion, so the likely cause is that the IdP encrypted the assertion after signing the Response"
					f.Fix = "Make " + p.facts.idp() + " encrypt the assertion first and sign the Response after (or sign the assertion before encrypting it and leave the Response unsigned)."
				}
				p.Report(f)
			case saml.ValueMismatch:
				f.Message = fmt.Sprintf("the signature on <%s> does not match the signing key", s.ParentTag)
				f.Fix = "Two readings: " + p.facts.idp() + " signs with a key the certificate you gave does not hold (compare its current signing certificate with the metadata of the IAM SAML provider " + p.facts.providerOr() + "), or this response was not signed by your IdP at all: if the certificates match, do not trust it."
				if s.Check.SignedInfoChanged {
					f.Message = fmt.Sprintf("the ds:Signature on <%s> changed after signing: the key is right, but the SignedInfo it signed is not this one (re-indented or edited)", s.ParentTag)
					f.Fix = "Do not compare certificates: the signature value was made with this key. Re-capture the SAMLResponse exactly as posted (a HAR export or the raw form value), not from an editor or a pretty-printer; if it was captured faithfully, something between the IdP and AWS rewrites it."
				}
				p.Report(f)
			case saml.Malformed:
				if len(p.Response.Unbound) > 0 && strings.Contains(s.Check.Detail, "undeclared namespace prefix") {
					f.Message = fmt.Sprintf("the signed <%s> uses an undeclared prefix, so it cannot be canonicalized and its signature cannot be checked", s.ParentTag)
					f.Fix = "See saml/namespace-undeclared: the response was cut or rewritten after the IdP signed it, or the IdP builds it wrongly."
					p.Report(f)
					break
				}
				f.Message = fmt.Sprintf("the signature on <%s> is malformed", s.ParentTag)
				f.Fix = "The IdP must sign the Response or Assertion with one enveloped signature referencing its ID; treat an unexpected shape as tampering."
				p.Report(f)
			case saml.Unsupported:
				// Nobody can check it, AWS included. When another signature
				// covers the consumed assertion, this one is noise; when none
				// does, the assertion is unsigned in effect: the shape of a
				// forgery that switched the method to HMAC or an unknown URI.
				f.Message = fmt.Sprintf("the signature on <%s> uses an algorithm that cannot be checked", s.ParentTag)
				f.Fix = "Configure the IdP to sign with RSA-SHA256 (http://www.w3.org/2001/04/xmldsig-more#rsa-sha256)."
				if covered {
					p.ReportAt(Warning, f)
					break
				}
				f.Message += ", and no signature that verifies covers the assertion AWS reads"
				f.Fix += " If the IdP already does, treat this response as forged: someone changed the SignatureMethod so that the signature cannot be checked."
				p.Report(f)
			case saml.NoKey:
				because := "a signature embeds no certificate, so only your IdP's can check it"
				if len(s.Certificates) > 0 && s.Certificates[0].Err != "" {
					because = "the certificate a signature embeds is not a certificate (" + s.Certificates[0].Err + "), so only your IdP's can check it"
				}
				p.SkipBecause(because, "to check the signatures", InputMetadata, InputCertificate)
			}
		}
	},
}

var signatureUntrusted = &Rule{
	ID: "saml/signature-untrusted", Severity: Error, Scope: ScopeSAML, Setting: SettingCertificate, Trust: true,
	Title: "the signing certificate is not in the metadata given to IAM",
	Why: "The signature verifies with the certificate the response embeds, but not with any certificate in the IdP metadata " +
		"uploaded to IAM: the IdP rotated its certificate (AD FS auto-rollover, Entra \"Make certificate active\", Google rotation) " +
		"or IAM holds another app's metadata; or the response was not signed by your IdP at all. STS answers \"Response signature invalid\" (InvalidIdentityToken).",
	Fix:        "Download the IdP's current metadata and upload it to the IAM SAML provider (aws iam update-saml-provider); during a rotation upload metadata with both certificates (IAM allows 10 keys per provider).",
	References: []string{refIAMTS, "AWS CLI: update-saml-provider — https://docs.aws.amazon.com/cli/latest/reference/iam/update-saml-provider.html"},
	Symptoms:   []string{"Response signature invalid", "InvalidIdentityToken"},
	Rank:       6,
	Needs:      []Input{InputMetadata},
	Check: func(p *Pass) {
		if p.Inputs.Anchors().Empty() {
			p.Skip("to check who signed the response", InputMetadata, InputCertificate)
			return
		}
		for _, s := range p.Response.Signatures {
			if s.Check != nil && s.Check.Verdict == saml.OtherIssuer && s.Check.Anchor != nil {
				var own []string
				for _, a := range s.Check.Trusted {
					own = append(own, a.Describe())
				}
				p.Report(Finding{
					Message: fmt.Sprintf("<%s> names the Issuer %q but is signed with the key of another IdP in %s, entityID %q",
						s.ParentTag, s.Check.Issuer, anchorsWord(p.Inputs), s.Check.Anchor.EntityID),
					Location: xmlAt(s.Path),
					Expected: fmt.Sprintf("signed by a certificate of %q: %s", s.Check.Issuer, strings.Join(own, "; ")),
					Actual:   fmt.Sprintf("signed by %s, from %s", s.Check.Signer.Describe(), s.Check.Anchor.Source),
					Fix: fmt.Sprintf("Do not trust this response: AWS checks the signature against the one provider the Role names, and a response that claims %q must carry %q's signature. "+
						"If both entity IDs are one IdP of yours, set that application's issuer to the entityID of the metadata IAM holds for it.", s.Check.Issuer, s.Check.Issuer),
				})
				continue
			}
			if s.Check == nil || s.Check.Verdict != saml.Untrusted || s.Check.Signer == nil {
				continue
			}
			if findAnchor(p.Inputs.idpAnchors(), s.Check.Signer.SHA256) != nil {
				continue // IAM's copy is behind the IdP's: aws/provider-metadata-stale says so
			}
			var trusted []string
			for _, a := range s.Check.Trusted {
				trusted = append(trusted, a.Describe())
			}
			p.Report(Finding{
				Message:  fmt.Sprintf("<%s> is signed by a certificate that is not in %s", s.ParentTag, anchorsWord(p.Inputs)),
				Location: xmlAt(s.Path),
				Expected: "signed by one of: " + strings.Join(trusted, "; "),
				Actual:   "signed by " + s.Check.Signer.Describe(),
				Fix: fmt.Sprintf("Two readings. If %s rotated its signing certificate, upload its current metadata to the IAM SAML provider: aws iam update-saml-provider --saml-provider-arn %s --saml-metadata-document file://metadata.xml. "+
					"If it did not (its metadata lists only the certificates above), this response was not signed by your IdP: do not trust it, and find out who produced it.",
					p.facts.idp(), p.facts.providerOr()),
			})
		}
	},
}

// anchorsWord names what the trust anchors came from: the metadata, or
// only certificates (--cert).
func anchorsWord(in *Inputs) string {
	if in.fromIAM() {
		return "the metadata IAM holds"
	}
	for _, c := range in.Anchors().Certs {
		if c.EntityID != "" {
			return "the metadata you gave"
		}
	}
	return "the certificates you gave"
}

var signatureWrapping = &Rule{
	ID: "saml/signature-wrapping", Severity: Error, Scope: ScopeSAML, Trust: true,
	Advice: []string{"one assertion, covered by"},
	Title:  "the consumed assertion is not what a valid signature covers",
	Why: "A service provider reads the assertion in the Response; if the signature that verifies covers a different element " +
		"(a signed assertion moved aside, a duplicate ID, a reference to another element, several assertions), what is read is " +
		"unsigned. Careful processors refuse such responses; an attacker builds them.",
	Fix:        "Treat the response as tampered with: find out who produced it. A genuine IdP signs the Response or the Assertion itself, once, with a unique ID.",
	References: []string{"Somorovsky et al., On Breaking SAML: Be Whoever You Want to Be (USENIX Security 2012) — https://www.usenix.org/conference/usenixsecurity12/technical-sessions/presentation/somorovsky"},
	Check: func(p *Pass) {
		cv := p.Response.Coverage()
		anyVerifies := false
		for _, s := range p.Response.Signatures {
			if s.Check != nil && s.Check.Verdict.Verifies() {
				anyVerifies = true
			}
		}
		for _, pr := range cv.Problems {
			switch pr.Kind {
			case saml.ProblemNoAssertion, saml.ProblemEncrypted, saml.ProblemUntrusted:
				continue // saml/no-assertion, saml/assertion-encrypted and saml/signature-untrusted say it
			case saml.ProblemAssertions:
				if !anyVerifies && len(p.Response.Signatures) == 0 {
					continue
				}
			case saml.ProblemUncovered:
				if len(pr.OtherCovered) == 0 {
					continue // nothing verifies: saml/unsigned or saml/signature-invalid
				}
			}
			p.Report(Finding{
				Message: pr.Text, Location: xmlAt(pr.Path),
				Expected: "one assertion, covered by a verifying enveloped signature on it or on the Response, with unique IDs",
				Actual:   string(pr.Kind),
				Fix:      "Do not trust this response: one that really comes from " + p.facts.idp() + " has one assertion, signed in place, with IDs no other element carries. Capture a fresh one straight from the browser.",
			})
		}
	},
}

var valueSplit = &Rule{
	ID: "saml/value-split", Severity: Warning, Scope: ScopeSAML, Trust: true,
	Title: "a NameID or attribute value is split by a comment or CDATA section",
	Why: "Canonicalization leaves comments out of what is signed, so a signed value can carry one without breaking the signature. " +
		"AWS reads the whole text; a reader that takes only the first text node reads a shorter value: " +
		"jane<!---->.doe@evil.com is jane.doe@evil.com to one and jane to the other (CVE-2017-11427 and its kin, 2018). " +
		"No IdP writes values this way; whether AWS treats them as it reads them is not documented.",
	Fix:        "Treat the response as tampered with unless the IdP is known to write values this way: capture a fresh one and compare.",
	References: []string{"Duo Labs: Duo finds SAML vulnerabilities affecting multiple implementations (2018) — https://duo.com/blog/duo-finds-saml-vulnerabilities-affecting-multiple-implementations", "CERT/CC VU#475445: multiple SAML libraries may allow authentication bypass via incorrect XML canonicalization and DOM traversal — https://www.kb.cert.org/vuls/id/475445"},
	Check: func(p *Pass) {
		a := p.Assertion()
		if a == nil {
			return
		}
		report := func(what, path, all string, first *string) {
			if first == nil {
				return
			}
			p.Report(Finding{Message: what + " is split by a comment or CDATA section: AWS reads " + strconv.Quote(all) + ", a reader of its first text node " + strconv.Quote(*first),
				Location: xmlAt(path), Expected: all, Actual: fmt.Sprintf("%q, then more text", *first),
				Fix: "Do not trust this response until " + p.facts.idp() + " is known to write values this way; capture a fresh one."})
		}
		if a.Subject != nil && a.Subject.NameID != nil {
			report("the NameID", a.Subject.NameID.Path, a.Subject.NameID.Value, a.Subject.NameID.FirstText)
		}
		for _, at := range a.Attributes {
			for _, v := range at.Values {
				report("a value of "+at.Name, v.Path, v.Value, v.FirstText)
			}
		}
	},
}

var foreignAssertion = &Rule{
	ID: "saml/foreign-assertion", Severity: Info, Scope: ScopeSAML,
	Advice: []string{"Assertion elements in"},
	Title:  "an element named Assertion is in another namespace",
	Why: "Only urn:oasis:names:tc:SAML:2.0:assertion Assertion elements are read by AWS; an element of that name in another " +
		"namespace is not, but a reader that matches on local names would read it, which is how some signature-wrapping attacks " +
		"hide a second assertion. It does not break the sign-in.",
	Fix:        "Find out what put it there: no IdP sends one.",
	References: []string{refSAMLCore},
	Check: func(p *Pass) {
		for _, f := range p.Response.Foreign {
			ns := f.Value
			if ns == "" {
				ns = "no namespace"
			}
			p.Report(Finding{Message: "an element named Assertion in " + ns + ", which AWS does not read", Location: xmlAt(f.Path),
				Expected: "Assertion elements in " + saml.NSAssertion + " only", Actual: ns,
				Fix: "Find out what added it: " + p.facts.idp() + " does not."})
		}
	},
}

var weakAlgorithm = &Rule{
	ID: "saml/weak-algorithm", Severity: Warning, Scope: ScopeSAML, Setting: SettingSigning,
	Advice: []string{"http://www.w3.org/2009/xmlenc11#rsa-oaep or"},
	Title:  "SHA-1 signature or digest, or retired encryption (RSA-1_5; 3DES outside AWS)",
	Why: "SHA-1 is broken for collision resistance and being retired by SAML stacks; whether AWS still accepts it is not documented. " +
		"Every working AWS example uses RSA-SHA256. For encrypted assertions, XML Encryption 1.1 forbids RSA-1_5 key transport " +
		"(padding-oracle attacks); whether AWS still unwraps such a key is not documented. It also retires 3DES content encryption: " +
		"on an AWS capture that is aws/provider-encryption's error, as the provider's key decrypts only AES-GCM and AES-CBC; this " +
		"rule names 3DES only for captures that are not AWS's.",
	Fix:        "Set the IdP application's signature algorithm to RSA-SHA256 and digest to SHA-256; encrypt with RSA-OAEP and AES-256.",
	References: []string{"W3C XML Encryption 1.1, §5.5.1 RSA Version 1.5 — https://www.w3.org/TR/xmlenc-core1/#sec-RSA-1_5", "RFC 6931: Additional XML Security URIs — https://www.rfc-editor.org/rfc/rfc6931", "NIST SP 800-131A Rev. 2: Transitioning the Use of Cryptographic Algorithms — https://csrc.nist.gov/pubs/sp/800/131/a/r2/final"},
	Check: func(p *Pass) {
		for _, s := range p.Response.Signatures {
			var weak []string
			if strings.HasSuffix(s.SignatureMethod, "#rsa-sha1") || strings.HasSuffix(s.SignatureMethod, "#dsa-sha1") || strings.HasSuffix(s.SignatureMethod, "#hmac-sha1") {
				weak = append(weak, "signature method "+s.SignatureMethod)
			}
			for _, r := range s.References {
				if strings.HasSuffix(r.DigestMethod, "#sha1") {
					weak = append(weak, "digest method "+r.DigestMethod)
					break
				}
			}
			if len(weak) > 0 {
				p.Report(Finding{Message: fmt.Sprintf("the signature on <%s> uses SHA-1", s.ParentTag), Location: xmlAt(s.Path + "/SignedInfo"),
					Expected: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256 with http://www.w3.org/2001/04/xmlenc#sha256",
					Actual:   strings.Join(weak, ", "),
					Fix:      "Switch " + p.facts.idp() + "'s signing algorithm to RSA-SHA256."})
			}
		}
		for _, ea := range p.Response.EncryptedAssertions {
			var weak []string
			if ea.KeyAlgorithm == saml.AlgRSA15 {
				weak = append(weak, "key transport "+ea.KeyAlgorithm+" (open to Bleichenbacher padding-oracle attacks)")
			}
			if ea.DataAlgorithm == saml.AlgTripleDES && !p.facts.aws {
				// For AWS, aws/provider-encryption says AWS cannot decrypt it.
				weak = append(weak, "content encryption "+ea.DataAlgorithm+" (64-bit blocks)")
			}
			if len(weak) > 0 {
				p.Report(Finding{Message: "the assertion is encrypted with retired algorithms", Location: xmlAt(ea.Path + "/EncryptedData/EncryptionMethod"),
					Expected: "http://www.w3.org/2009/xmlenc11#rsa-oaep or http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p, with http://www.w3.org/2009/xmlenc11#aes256-gcm or http://www.w3.org/2001/04/xmlenc#aes256-cbc",
					Actual:   strings.Join(weak, ", "),
					Fix:      "Set " + p.facts.idp() + "'s assertion encryption to RSA-OAEP key transport and AES-256 (GCM where offered)."})
			}
		}
	},
}

var issuerMismatch = &Rule{
	ID: "saml/issuer-mismatch", Severity: Error, Scope: ScopeSAML, Setting: SettingCertificate, Trust: true,
	Title: "the Issuer is not the IdP whose metadata IAM holds",
	Why: "STS looks the Issuer up in the IAM SAML provider's metadata; a different value fails with \"Issuer not present in specified provider " +
		"(… error code: AuthSamlInvalidSamlResponseException)\". It is compared byte for byte: a trailing slash (Entra's " +
		"https://sts.windows.net/<tenant>/), http versus https (Okta's http://www.okta.com/<id>) or case all count.",
	Fix:        "Upload the metadata of the IdP application that issues these responses, or fix the application's issuer (entity ID).",
	References: []string{refIAMTS},
	Symptoms:   []string{"Issuer not present in specified provider", "AuthSamlInvalidSamlResponseException"},
	Rank:       5,
	Check: func(p *Pass) {
		r, a := p.Response, p.Assertion()
		var issuers []*saml.Value
		if r.Issuer != nil {
			issuers = append(issuers, r.Issuer)
		}
		if a != nil && a.Issuer != nil {
			issuers = append(issuers, a.Issuer)
		}
		differ := r.Issuer != nil && a != nil && a.Issuer != nil && r.Issuer.Value != a.Issuer.Value
		want := append([]string(nil), p.facts.expect.Issuer)
		if want[0] == "" {
			want = nil
		}
		if p.Inputs.Anchors() != nil {
			want = append(want, p.Inputs.Anchors().EntityIDs...)
		}
		if len(want) == 0 {
			if differ {
				p.Report(Finding{Message: "the Response and the Assertion name different issuers", Location: xmlAt(a.Issuer.Path),
					Expected: r.Issuer.Value, Actual: a.Issuer.Value,
					Fix: "Both issuers must be the entity ID of one IdP application; check the IdP's issuer setting."})
			}
			p.Skip("to compare the Issuer with the entityID IAM holds", InputMetadata)
			return
		}
		// Every Issuer that is not the metadata's is reported: the admin
		// changes one setting, and both elements carry it.
		wrong := 0
		for _, iss := range issuers {
			if slices.Contains(want, iss.Value) {
				continue
			}
			wrong++
			near, _ := nearest(iss.Value, want)
			msg := "the Issuer is not the entityID of the metadata you gave" + issuerHint(iss.Value, near)
			if len(want) > 1 {
				msg = "the Issuer is none of the entityIDs of the metadata you gave" + issuerHint(iss.Value, near)
			}
			p.Report(Finding{Message: msg, Location: xmlAt(iss.Path),
				Expected: near, Actual: iss.Value,
				Fix: fmt.Sprintf("Either upload the metadata of the IdP application that issued this (aws iam update-saml-provider --saml-provider-arn %s --saml-metadata-document file://metadata.xml), or set the application's issuer to %s.", p.facts.providerOr(), near)})
		}
		if differ && wrong == 0 {
			// Two IdPs of the metadata given, one on each element.
			p.Report(Finding{Message: "the Response and the Assertion name different issuers, each an IdP in the metadata you gave", Location: xmlAt(a.Issuer.Path),
				Expected: r.Issuer.Value, Actual: a.Issuer.Value,
				Fix: "Both issuers must be the entity ID of one IdP application; a response that mixes two is not one IdP's."})
		}
	},
}

func issuerHint(got, want string) string {
	switch {
	case strings.TrimSuffix(got, "/") == strings.TrimSuffix(want, "/"):
		return " (they differ only by a trailing slash)"
	case strings.EqualFold(got, want):
		return " (they differ only in case)"
	case strings.TrimPrefix(strings.TrimPrefix(got, "https://"), "http://") == strings.TrimPrefix(strings.TrimPrefix(want, "https://"), "http://"):
		return " (they differ in the scheme)"
	}
	return ""
}

// validity lists the bounds the evaluation time is compared with: those
// of the Conditions and of each bearer SubjectConfirmation.
func validity(a *saml.Assertion) (notBefore, notOnOrAfter []saml.Time) {
	add := func(nb, noa saml.Time) {
		if nb.OK {
			notBefore = append(notBefore, nb)
		}
		if noa.OK {
			notOnOrAfter = append(notOnOrAfter, noa)
		}
	}
	if a.Conditions != nil {
		add(a.Conditions.NotBefore, a.Conditions.NotOnOrAfter)
	}
	if a.Subject != nil {
		for _, sc := range a.Subject.Confirmations {
			if sc.Method == saml.MethodBearer {
				add(sc.NotBefore, sc.NotOnOrAfter)
			}
		}
	}
	return notBefore, notOnOrAfter
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

var expired = &Rule{
	ID: "saml/expired", Severity: Error, Scope: ScopeSAML, Needs: []Input{InputTime},
	Advice: []string{"evaluation time before"},
	Title:  "the evaluation time is past a NotOnOrAfter",
	Why: "AWS refuses an assertion after Conditions/@NotOnOrAfter or SubjectConfirmationData/@NotOnOrAfter (plus its unpublished clock " +
		"skew; samllint allows 300 s by default). The user took too long, the capture is being replayed, or the IdP clock is behind ",
	Fix:        "Sign in again for a fresh response; if fresh responses are already expired, fix the IdP's clock (NTP).",
	References: []string{refIAMAssert, refSAMLCore + " §2.5.1.2"},
	Symptoms:   []string{"Your request included an invalid SAML response", "ExpiredTokenException"},
	Rank:       9,
	Confirm:    confirmTime,
	Check: func(p *Pass) {
		a := p.Assertion()
		if a == nil {
			return
		}
		if contradicted(a) {
			return
		}
		now, skew := p.Now(), p.Skew
		_, notOnOrAfter := validity(a)
		// One cause, one finding: the bound that lapsed first is where the
		// assertion expired; the others that lapsed too are named beside it.
		var first *saml.Time
		var also []string
		for i, t := range notOnOrAfter {
			if now.Before(t.Time.Add(skew)) {
				continue
			}
			if first == nil || t.Time.Before(first.Time) {
				if first != nil {
					also = append(also, boundName(first.Path)+" "+first.Raw)
				}
				first = &notOnOrAfter[i]
			} else {
				also = append(also, boundName(t.Path)+" "+t.Raw)
			}
		}
		if first == nil {
			return
		}
		actual := "evaluated at " + stamp(now) + "; NotOnOrAfter " + first.Raw
		if len(also) > 0 {
			actual += "; also past: " + strings.Join(also, ", ")
		}
		p.Report(Finding{
			Message:  fmt.Sprintf("expired %s ago (%s beyond the %s clock-skew allowance)", human(now.Sub(first.Time)), human(now.Sub(first.Time.Add(skew))), human(skew)),
			Location: xmlAt(first.Path),
			Expected: "evaluation time before " + stamp(first.Time.Add(skew)) + " (NotOnOrAfter + skew)",
			Actual:   actual,
			Fix:      "Sign in again through " + p.facts.idp() + " and post the new response at once; to lint an old capture, pass --at-issue or --now.",
		})
	},
}

// boundName names a validity bound by its element: "Conditions/@NotOnOrAfter".
func boundName(path string) string {
	parts := strings.Split(path, "/")
	if len(parts) < 2 {
		return path
	}
	el, _, _ := strings.Cut(parts[len(parts)-2], "[")
	return el + "/" + parts[len(parts)-1]
}

var notYetValid = &Rule{
	ID: "saml/not-yet-valid", Severity: Error, Scope: ScopeSAML, Needs: []Input{InputTime},
	Advice: []string{"evaluation time at or after", "an IssueInstant at or before"},
	Title:  "the evaluation time is before a NotBefore, or before IssueInstant",
	Why: "An assertion whose NotBefore (minus the clock skew) is still in the future is refused; it means the IdP's clock runs ahead. " +
		"An IssueInstant in the future beyond the skew means the same, or that the evaluation time is not when the response was posted; " +
		"AWS documents no check of IssueInstant against its clock, so that alone is a warning.",
	Fix:        "Synchronise the IdP server's clock (NTP); for a hosted IdP, check the evaluation time you gave.",
	References: []string{refSAMLCore + " §2.5.1.2"},
	Symptoms:   []string{"Your request included an invalid SAML response"},
	Rank:       9,
	Confirm:    confirmTime,
	Check: func(p *Pass) {
		a := p.Assertion()
		if a == nil {
			return
		}
		now, skew := p.Now(), p.Skew
		notBefore, _ := validity(a)
		if contradicted(a) {
			notBefore = nil // saml/time-order: no clock makes them right
		}
		early := false
		for _, t := range notBefore {
			if now.Before(t.Time.Add(-skew)) {
				early = true
				p.Report(Finding{
					Message:  fmt.Sprintf("not valid for another %s (%s beyond the %s clock-skew allowance): the IdP clock is ahead", human(t.Time.Sub(now)), human(t.Time.Add(-skew).Sub(now)), human(skew)),
					Location: xmlAt(t.Path),
					Expected: "evaluation time at or after " + stamp(t.Time.Add(-skew)) + " (NotBefore - skew)",
					Actual:   "evaluated at " + stamp(now) + "; NotBefore " + t.Raw,
					Fix:      "Check the IdP server's clock (NTP), or pass the time the response was posted with --now.",
				})
			}
		}
		// Issued in the future: the IdP's clock is ahead, or the
		// evaluation time is wrong. AWS documents no check of it, hence a
		// warning, and none when a NotBefore already said so.
		for _, t := range []saml.Time{p.Response.IssueInstant, a.IssueInstant} {
			if !early && t.OK && t.Time.After(now.Add(skew)) {
				p.ReportAt(Warning, Finding{
					Message:  fmt.Sprintf("issued %s after the evaluation time (%s beyond the %s clock-skew allowance): the IdP clock is ahead, or the evaluation time is not when it was posted", human(t.Time.Sub(now)), human(t.Time.Sub(now.Add(skew))), human(skew)),
					Location: xmlAt(t.Path),
					Expected: "an IssueInstant at or before " + stamp(now.Add(skew)),
					Actual:   "evaluated at " + stamp(now) + "; IssueInstant " + t.Raw,
					Fix:      "Check the IdP server's clock (NTP), or pass the time the response was posted with --now.",
				})
				break
			}
		}
	},
}

var timeOrder = &Rule{
	ID: "saml/time-order", Severity: Error, Scope: ScopeSAML,
	Title: "the assertion's times contradict each other",
	Why: "A NotBefore at or after its NotOnOrAfter leaves no instant at which the assertion is valid, and an assertion issued after " +
		"its own NotOnOrAfter was expired when it was made: AWS refuses both at any time, whatever the clocks say. The IdP computes " +
		"these times from one clock, so a contradiction means a broken template, a time-zone mix-up (local time written as UTC), or an edit.",
	Fix:        "Find what writes the times in the IdP (a custom assertion template, a time-zone setting); SAML times are UTC.",
	References: []string{refSAMLCore + " §2.5.1.2", refIAMAssert},
	Symptoms:   []string{"Your request included an invalid SAML response"},
	Rank:       9,
	Advice:     []string{"a NotOnOrAfter after", "an IssueInstant before"},
	Check: func(p *Pass) {
		a := p.Assertion()
		if a == nil {
			return
		}
		for _, w := range windows(a) {
			if w[0].OK && w[1].OK && !w[0].Time.Before(w[1].Time) {
				p.Report(Finding{Message: fmt.Sprintf("the validity window is inverted: %s %s is not before %s %s, so no time is valid", boundName(w[0].Path), w[0].Raw, boundName(w[1].Path), w[1].Raw),
					Location: xmlAt(w[1].Path), Expected: "a NotOnOrAfter after " + w[0].Raw, Actual: w[1].Raw,
					Fix: "Find what computes the window in " + p.facts.idp() + ": both bounds come from its clock, a few minutes either side of IssueInstant."})
			}
		}
		if !a.IssueInstant.OK {
			return
		}
		_, notOnOrAfter := validity(a)
		for _, t := range notOnOrAfter {
			if !a.IssueInstant.Time.Before(t.Time) {
				p.Report(Finding{Message: fmt.Sprintf("the assertion was issued %s after its own %s: it was expired when it was made", human(a.IssueInstant.Time.Sub(t.Time)), boundName(t.Path)),
					Location: xmlAt(a.IssueInstant.Path), Expected: "an IssueInstant before " + t.Raw, Actual: a.IssueInstant.Raw,
					Fix: "Find what writes IssueInstant or NotOnOrAfter in " + p.facts.idp() + ": a time-zone mix-up (local time written as UTC) is the usual cause."})
				return
			}
		}
	},
}

// windows are the NotBefore–NotOnOrAfter pairs of the Conditions and of
// each bearer SubjectConfirmationData.
func windows(a *saml.Assertion) [][2]saml.Time {
	var out [][2]saml.Time
	if a.Conditions != nil {
		out = append(out, [2]saml.Time{a.Conditions.NotBefore, a.Conditions.NotOnOrAfter})
	}
	if a.Subject != nil {
		for _, sc := range a.Subject.Confirmations {
			if sc.Method == saml.MethodBearer {
				out = append(out, [2]saml.Time{sc.NotBefore, sc.NotOnOrAfter})
			}
		}
	}
	return out
}

// contradicted: saml/time-order reports the times, and no evaluation
// time can make them right, so the rules that compare them with it stay
// quiet rather than blame a clock.
func contradicted(a *saml.Assertion) bool {
	for _, w := range windows(a) {
		if w[0].OK && w[1].OK && !w[0].Time.Before(w[1].Time) {
			return true
		}
	}
	return false
}

var subjectConfirmation = &Rule{
	ID: "saml/subject-confirmation", Severity: Error, Scope: ScopeSAML, Setting: SettingACS,
	Advice: []string{"a Subject with", "a bearer SubjectConfirmation", "one SubjectConfirmation", "SubjectConfirmationData with", "a NotOnOrAfter a few minutes after"},
	Title:  "no bearer SubjectConfirmation with Recipient and NotOnOrAfter",
	Why: "AWS requires exactly one SubjectConfirmation whose SubjectConfirmationData has both NotOnOrAfter and Recipient; " +
		"the Web Browser SSO profile requires the bearer method.",
	Fix:        "Configure the IdP to send a bearer SubjectConfirmation with Recipient (the AWS sign-in URL) and NotOnOrAfter.",
	References: []string{refIAMAssert, refSAMLProf},
	Symptoms:   []string{"Your request included an invalid SAML response"},
	Rank:       6,
	Check: func(p *Pass) {
		a := p.Assertion()
		if a == nil {
			return
		}
		if a.Subject == nil {
			p.Report(Finding{Message: "the assertion has no Subject", Location: xmlAt(a.Path), Expected: "a Subject with a bearer SubjectConfirmation", Actual: "none",
				Fix: "Configure the IdP to send a Subject with NameID and a bearer SubjectConfirmation."})
			return
		}
		var bearer *saml.SubjectConfirmation
		for _, sc := range a.Subject.Confirmations {
			if sc.Method == saml.MethodBearer && bearer == nil {
				bearer = sc
			}
		}
		if bearer == nil {
			f := Finding{Message: "no SubjectConfirmation uses the bearer method", Location: xmlAt(a.Subject.Path),
				Expected: "a bearer SubjectConfirmation", Actual: "none"}
			if len(a.Subject.Confirmations) > 0 {
				sc := a.Subject.Confirmations[0]
				f.Location, f.Expected, f.Actual = xmlAt(sc.Path+"/@Method"), saml.MethodBearer, sc.Method
			}
			f.Fix = "Set the SubjectConfirmation Method to urn:oasis:names:tc:SAML:2.0:cm:bearer."
			p.Report(f)
			return
		}
		if n := len(a.Subject.Confirmations); n > 1 {
			p.ReportAt(Warning, Finding{Message: fmt.Sprintf("%d SubjectConfirmations; AWS expects exactly one", n), Location: xmlAt(a.Subject.Path),
				Expected: "one SubjectConfirmation", Actual: fmt.Sprint(n), Fix: "Send a single bearer SubjectConfirmation."})
		}
		where := or(bearer.DataPath, bearer.Path)
		if bearer.DataPath == "" {
			p.Report(Finding{Message: "the bearer SubjectConfirmation has no SubjectConfirmationData", Location: xmlAt(bearer.Path),
				Expected: "SubjectConfirmationData with Recipient and NotOnOrAfter", Actual: "none",
				Fix: "Configure the IdP to send SubjectConfirmationData with Recipient=\"https://signin.aws.amazon.com/saml\" and NotOnOrAfter."})
			return
		}
		if bearer.Recipient == "" {
			want, _ := endpointInUse(p)
			fix := "Set the application's ACS / Recipient URL to " + want
			if p.facts.aws {
				fix += audNote(want)
			}
			p.Report(Finding{Message: "SubjectConfirmationData has no Recipient", Location: xmlAt(where + "/@Recipient"),
				Expected: want, Actual: "no Recipient attribute", Fix: fix + "."})
		}
		if !bearer.NotOnOrAfter.IsSet() {
			p.Report(Finding{Message: "SubjectConfirmationData has no NotOnOrAfter", Location: xmlAt(where),
				Expected: "a NotOnOrAfter a few minutes after IssueInstant", Actual: "no NotOnOrAfter attribute",
				Fix: "Configure the IdP to set NotOnOrAfter on SubjectConfirmationData."})
		}
	},
}

// acsFor is the provider-specific endpoint on the sign-in host in use.
func acsFor(p *Pass) string {
	u, _ := endpointInUse(p)
	e, _ := parseEndpoint(u)
	if e.Domain == "" {
		e.Domain = "aws.amazon.com"
	}
	e.ACSPath = "/acs/" + p.facts.providerUUIDOr()
	return e.inRegion(e.Region)
}

func regionPrefix(region string) string {
	if region == "" || region == "us-east-1" {
		return ""
	}
	return region + "."
}

var nameIDMissing = &Rule{
	ID: "saml/name-id-missing", Severity: Error, Scope: ScopeSAML, Setting: SettingNameID,
	Advice: []string{"a saml:NameID", "a plain saml:NameID", "a non-empty NameID"},
	Title:  "the Subject has no NameID",
	Why: "Without a NameID in the Subject, STS refuses the assertion with \"Not authorized to perform sts:AssumeRoleWithSAML\" " +
		"An EncryptedID can only be read with the service provider's key.",
	Fix:        "Configure the IdP to send a NameID (persistent, transient or e-mail format).",
	References: []string{refIAMTS},
	Symptoms:   []string{"Not authorized to perform sts:AssumeRoleWithSAML"},
	Rank:       6,
	Check: func(p *Pass) {
		a := p.Assertion()
		if a == nil || a.Subject == nil {
			return
		}
		n := a.Subject.NameID
		switch {
		case n == nil:
			p.Report(Finding{Message: "the Subject has no NameID", Location: xmlAt(a.Subject.Path), Expected: "a saml:NameID", Actual: "none",
				Fix: "Map a NameID in " + p.facts.idp() + "'s application (e.g. the user's e-mail or a persistent ID)."})
		case n.Encrypted:
			p.ReportAt(Warning, Finding{Message: "the NameID is encrypted", Location: xmlAt(n.Path), Expected: "a plain saml:NameID", Actual: "saml:EncryptedID",
				Fix: "Unless the IAM provider holds the decryption key, send a plain NameID."})
		case n.Value == "":
			// The RoleSessionName is the user's identifier the IdP already
			// sends; most IdPs send the same value as NameID.
			want := "a non-empty NameID"
			if at := a.Attribute(AttrRoleSessionName); at != nil && len(at.Values) == 1 && at.Values[0].Value != "" {
				want = at.Values[0].Value
			}
			p.Report(Finding{Message: "the NameID is empty", Location: xmlAt(n.Path), Expected: want, Actual: `""`,
				Fix: "Map the NameID in " + p.facts.idp() + " to an attribute every user has."})
		}
	},
}

var sessionNotOnOrAfter = &Rule{
	ID: "saml/session-not-on-or-after", Severity: Warning, Scope: ScopeSAML, Needs: []Input{InputTime},
	Advice: []string{"at least 15 minutes after"},
	Title:  "AuthnStatement's SessionNotOnOrAfter is past, or less than 15 minutes away",
	Why: "SessionNotOnOrAfter caps the AWS session: the console session lasts the lesser of SessionDuration and SessionNotOnOrAfter. " +
		"STS sessions are at least 15 minutes long, and what AWS does with a cap already past or closer than that is not " +
		"documented: the sign-in may fail, or the session ends at once. IdPs derive it from their own session lifetime.",
	Fix:        "Lengthen the IdP's session lifetime (SessionNotOnOrAfter), or have it left out of the assertion.",
	References: []string{refIAMAssert + "#saml_role-session-duration", refSAMLCore + " §2.7.2"},
	Symptoms:   []string{"session expired", "Your session has expired"},
	Rank:       9,
	Confirm:    confirmTime,
	Check: func(p *Pass) {
		a := p.Assertion()
		if a == nil {
			return
		}
		now := p.Now()
		for _, st := range a.AuthnStatements {
			t := st.SessionNotOnOrAfter
			if !t.OK {
				continue
			}
			left := t.Time.Sub(now)
			var msg string
			switch {
			case left <= 0:
				msg = fmt.Sprintf("SessionNotOnOrAfter passed %s before the evaluation time, so the session it caps is over", human(left))
			case left < 15*time.Minute:
				msg = fmt.Sprintf("SessionNotOnOrAfter is only %s after the evaluation time; AWS sessions last at least 15 minutes", human(left))
			default:
				continue
			}
			p.Report(Finding{Message: msg, Location: xmlAt(t.Path),
				Expected: "at least 15 minutes after " + stamp(now), Actual: t.Raw,
				Fix: "Lengthen the session lifetime " + p.facts.idp() + " puts in SessionNotOnOrAfter (or stop sending it); the console session lasts the lesser of it and SessionDuration."})
		}
	},
}

var timeInvalid = &Rule{
	ID: "saml/time-invalid", Severity: Error, Scope: ScopeSAML,
	Advice: []string{"an xs:dateTime such as"},
	Title:  "a timestamp is not an xs:dateTime",
	Why: "SAML times are xs:dateTime in UTC (2026-11-20T10:00:00Z). A value that does not parse cannot be checked and is refused " +
		"by strict processors; a value without a time zone is ambiguous.",
	Fix:        "Configure the IdP to write times in UTC with a Z suffix.",
	References: []string{refSAMLCore + " §1.3.3"},
	Check: func(p *Pass) {
		for _, t := range allTimes(p.Response) {
			if !t.IsSet() || t.OK {
				continue
			}
			name := boundName(t.Path)
			fixed, why := repairTime(t.Raw)
			if fixed == "" {
				p.Report(Finding{Message: name + " is not a time", Location: xmlAt(t.Path),
					Expected: "an xs:dateTime such as 2026-11-20T10:00:00Z", Actual: t.Raw, Fix: "Find what writes this value in " + p.facts.idp() + ", such as a custom assertion template or a proxy: SAML times are xs:dateTime in UTC, like 2026-11-20T10:00:00Z."})
				continue
			}
			p.Report(Finding{Message: name + " is not an xs:dateTime with a time zone: " + why, Location: xmlAt(t.Path),
				Expected: fixed, Actual: t.Raw, Fix: "Fix the IdP's time format: ISO 8601 in UTC, ending in Z."})
		}
	},
}

// repairTime is a near-miss timestamp written as SAML wants it, and what
// was wrong with it; "" when it is no time at all. A time without a zone
// is read as UTC, as SAML requires it to be.
func repairTime(raw string) (string, string) {
	s := strings.TrimSpace(raw)
	var why []string
	if d, rest, ok := strings.Cut(s, " "); ok && len(d) == 10 {
		s = d + "T" + rest
		why = append(why, "a space separates the date and the time")
	}
	if up := strings.ToUpper(s); up != s {
		s = up
		why = append(why, "lower-case t or z")
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
		if _, err := time.Parse("2006-01-02T15:04:05.999999999", s); err != nil {
			return "", ""
		}
		s += "Z"
		why = append(why, "it has no time zone (read as UTC)")
	}
	return s, strings.Join(why, "; ")
}

func allTimes(r *saml.Response) []saml.Time {
	out := []saml.Time{r.IssueInstant}
	for _, a := range r.Assertions {
		if !a.Direct {
			continue
		}
		out = append(out, a.IssueInstant)
		if c := a.Conditions; c != nil {
			out = append(out, c.NotBefore, c.NotOnOrAfter)
		}
		if a.Subject != nil {
			for _, sc := range a.Subject.Confirmations {
				out = append(out, sc.NotBefore, sc.NotOnOrAfter)
			}
		}
		for _, st := range a.AuthnStatements {
			out = append(out, st.AuthnInstant, st.SessionNotOnOrAfter)
		}
	}
	return out
}

var certificateExpired = &Rule{
	ID: "saml/certificate-expired", Severity: Warning, Scope: ScopeSAML, Setting: SettingCertificate, Needs: []Input{InputTime},
	Title: "the certificate that signed the response is expired, or expires within 30 days",
	Why: "Whether AWS refuses a response signed with an expired certificate is not documented, so this is a warning: the sign-in " +
		"may fail. Either way an expired signing certificate is a rotation waiting to break sign-in: the IdP will switch keys and " +
		"the metadata in IAM goes stale (\"Response signature invalid\"). Only the certificate whose key verified a signature is " +
		"judged: during a rotation done the recommended way the metadata holds the retired, expired certificate next to the " +
		"current one, and that is a note, not a fault.",
	Fix:        "Rotate the IdP signing certificate and upload the new metadata to IAM before the old one expires; remove retired certificates from the metadata once nothing signs with them.",
	References: []string{refIAMTS, "AWS IAM: Manage SAML identity providers (rotating certificates) — https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml.html"},
	Symptoms:   []string{"Response signature invalid"},
	Rank:       8,
	Check: func(p *Pass) {
		now := p.Now()
		seen := map[string]bool{}
		// The signers first: the certificates whose key verified a
		// signature (or matched it, for a digest mismatch), each once.
		for _, s := range p.Response.Signatures {
			if s.Check == nil || s.Check.Signer == nil || s.Check.Signer.Cert == nil || seen[s.Check.Signer.SHA256] {
				continue
			}
			ci := s.Check.Signer
			seen[ci.SHA256] = true
			where := s.Path + "/KeyInfo/X509Data/X509Certificate"
			if len(s.Certificates) == 0 && s.Check.Anchor != nil {
				where = s.Check.Anchor.Source
			}
			switch {
			case now.After(ci.NotAfter):
				p.Report(Finding{Message: fmt.Sprintf("the certificate that signed <%s> expired %s ago", s.ParentTag, human(now.Sub(ci.NotAfter))), Location: xmlAt(where),
					Expected: "a signing certificate valid at " + stamp(now), Actual: ci.Describe(),
					Fix: "Issue a new signing certificate in " + p.facts.idp() + ", make it active, and upload the metadata holding it to " + p.facts.providerOr() + "."})
			case now.Before(ci.NotBefore):
				p.Report(Finding{Message: fmt.Sprintf("the certificate that signed <%s> is not valid for another %s", s.ParentTag, human(ci.NotBefore.Sub(now))), Location: xmlAt(where),
					Expected: "a signing certificate valid at " + stamp(now), Actual: ci.Describe(),
					Fix: "Check the evaluation time, or the clock of the machine that created the certificate."})
			case ci.NotAfter.Sub(now) < 30*24*time.Hour:
				p.ReportAt(Info, Finding{Message: fmt.Sprintf("the certificate that signed <%s> expires in %s", s.ParentTag, human(ci.NotAfter.Sub(now))), Location: xmlAt(where),
					Expected: "at least 30 days of validity left", Actual: ci.Describe(),
					Fix: "Plan the rotation now: add the next certificate to the metadata in IAM (a provider holds up to 10 keys) before " + p.facts.idp() + " switches to it."})
			}
		}
		// Then every other certificate: expired ones that signed nothing
		// are retired keys left in the metadata, worth a note. Only a
		// signature that verifies shows who signed: when none does,
		// "signed nothing" is not known.
		verified := false
		for _, s := range p.Response.Signatures {
			verified = verified || s.Check != nil && s.Check.Verdict.Verifies()
		}
		note := func(ci *saml.CertInfo, where, what string) {
			if ci == nil || ci.Cert == nil || seen[ci.SHA256] || !verified {
				return
			}
			seen[ci.SHA256] = true
			if now.After(ci.NotAfter) {
				p.ReportAt(Info, Finding{Message: fmt.Sprintf("the %s expired %s ago; it signed nothing here", what, human(now.Sub(ci.NotAfter))), Location: xmlAt(where),
					Expected: "only certificates in use", Actual: ci.Describe(),
					Fix: "Once no IdP signs with it, remove the retired certificate from the metadata uploaded to " + p.facts.providerOr() + "."})
			}
		}
		n := len(seen)
		for _, s := range p.Response.Signatures {
			for _, c := range s.Certificates {
				note(c, s.Path+"/KeyInfo/X509Data/X509Certificate", "certificate embedded in the signature")
				n++
			}
		}
		if p.Inputs.Anchors() != nil {
			for _, a := range p.Inputs.Anchors().Certs {
				note(a.CertInfo, a.Source, "trusted certificate")
				n++
			}
		}
		if n == 0 {
			p.SkipBecause("no certificate is embedded", "to check the signing certificate's dates", InputMetadata, InputCertificate)
		}
	},
}

var assertionEncrypted = &Rule{
	ID: "saml/assertion-encrypted", Severity: Info, Scope: ScopeSAML,
	Advice: []string{"a decrypted assertion", "an EncryptedAssertion the given private key decrypts", "<provider-id>"},
	Title:  "the assertion is encrypted and was not decrypted",
	Why: "AWS decrypts assertions only for IAM SAML providers that hold the private key, and only when the IdP posts to the " +
		"provider-specific endpoint https://[<region>.]signin.aws.amazon.com/saml/acs/<id>: an encrypted assertion posted to " +
		"https://signin.aws.amazon.com/saml fails. Without the key samllint cannot check what the assertion says; with a key that " +
		"does not decrypt it, AWS holding the same key cannot either.",
	Fix:        "Give samllint the decryption key (--key) to check the assertion's content; make sure the IAM provider holds the same key.",
	References: []string{refIAMRP, "AWS IAM API: CreateSAMLProvider (AssertionEncryptionMode, AddPrivateKey) — https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateSAMLProvider.html"},
	Symptoms:   []string{"Your request included an invalid SAML response"},
	Rank:       9,
	Check: func(p *Pass) {
		r := p.Response
		keys := len(p.Inputs.Keys()) > 0
		for _, ea := range r.EncryptedAssertions {
			switch {
			case ea.Decrypted:
			case keys:
				// The key the user says IAM holds does not open it: AWS,
				// holding the same key, cannot either.
				p.ReportAt(Error, Finding{Message: "the assertion cannot be decrypted with the key you gave: " + ea.DecryptErr, Location: xmlAt(ea.Path),
					Expected: "an EncryptedAssertion the given private key decrypts",
					Actual:   "EncryptedAssertion (" + joinNonEmpty(", ", ea.DataAlgorithm, ea.KeyAlgorithm) + "), encrypted for " + ea.KeyHint,
					Fix: "Upload the certificate of the private key the IAM SAML provider holds to " + p.facts.idp() +
						" as its encryption certificate, or give samllint (and IAM) the key the IdP encrypts for."})
			default:
				msg := "the assertion is encrypted; its content was not checked"
				if ea.DecryptErr != "" {
					msg = "the assertion could not be decrypted: " + ea.DecryptErr
				}
				p.Report(Finding{Message: msg, Location: xmlAt(ea.Path), Expected: "a decrypted assertion", Actual: "EncryptedAssertion (" + joinNonEmpty(", ", ea.DataAlgorithm, ea.KeyAlgorithm) + ")",
					Fix: "Run samllint with --key and " + ea.KeyHint + "."})
			}
			// AWS finds the key to decrypt with by the provider's unique
			// identifier in the URL: the generic endpoint has none.
			// The Recipient, once decrypted, must name the same endpoint.
			if !p.facts.aws {
				continue
			}
			where := map[string]string{r.Path + "/@Destination": r.Destination}
			if a := p.Assertion(); a != nil && a.Decrypted && a.Subject != nil {
				for _, sc := range a.Subject.Confirmations {
					if sc.Method == saml.MethodBearer {
						where[sc.DataPath+"/@Recipient"] = sc.Recipient
					}
				}
			}
			for _, path := range slices.Sorted(maps.Keys(where)) {
				u := where[path]
				if e, ok := parseEndpoint(u); !ok || e.ACS {
					continue // not an AWS endpoint: aws/recipient and aws/destination say so
				}
				what := "Destination"
				if strings.HasSuffix(path, "@Recipient") {
					what = "Recipient"
				}
				p.ReportAt(Error, Finding{Message: "an encrypted assertion addressed to an endpoint that is not provider-specific (" + what + "), so AWS cannot tell which key decrypts it", Location: xmlAt(path),
					Expected: acsFor(p), Actual: u,
					Fix: "Set " + p.facts.idp() + "'s ACS URL to the provider-specific one shown on the IAM SAML provider's page (…/saml/acs/" + p.facts.providerUUIDOr() + ")" + audNote(acsFor(p)) + "."})
			}
		}
	},
}

var namespaceUndeclared = &Rule{
	ID: "saml/namespace-undeclared", Severity: Error, Scope: ScopeSAML,
	Advice: []string{"declaration on the element or an ancestor"},
	Title:  "a namespace prefix is used but never declared",
	Why: "A prefix such as saml2: must be bound by an xmlns:saml2 declaration on the element or an ancestor. Without one the document " +
		"is not namespace-well-formed: namespace-aware parsers, as AWS's is, refuse it, and lenient ones read the element as " +
		"foreign and drop it (a SessionDuration or Role attribute silently vanishes). The usual cause is a template or proxy " +
		"that cut the declaration off, or a hand-built response.",
	Fix:        "Declare the prefix (xmlns:saml2=\"urn:oasis:names:tc:SAML:2.0:assertion\") where the IdP builds the response, or capture the response as the browser posted it.",
	References: []string{"W3C Namespaces in XML 1.0, §5 Namespace Constraint: Prefix Declared — https://www.w3.org/TR/xml-names/#nsc-NSDeclared"},
	Symptoms:   []string{"Your request included an invalid SAML response"},
	Rank:       6,
	Check: func(p *Pass) {
		for _, u := range p.Response.Unbound {
			p.Report(Finding{
				Message:  fmt.Sprintf("the prefix %q is used by %s but never declared, so what carries it is not read", u.Prefix, u.What),
				Location: xmlAt(u.Path),
				Expected: fmt.Sprintf("an xmlns:%s declaration on the element or an ancestor", u.Prefix),
				Actual:   "no declaration of " + u.Prefix,
				Fix:      fmt.Sprintf("Declare xmlns:%s (for SAML assertions, urn:oasis:names:tc:SAML:2.0:assertion) in %s's response, or re-capture the response unmodified.", u.Prefix, p.facts.idp()),
			})
		}
	},
}

var requiredMissing = &Rule{
	ID: "saml/required-missing", Severity: Error, Scope: ScopeSAML,
	Advice: []string{" on the "},
	Title:  "the Response or Assertion lacks ID, Version=\"2.0\", IssueInstant or Issuer",
	Why: "SAML core makes ID, Version (2.0) and IssueInstant required on both the Response and the Assertion, and Issuer required " +
		"on the Assertion: the ID is what a signature references, the Issuer what STS looks the provider up by. A response " +
		"without them does not validate against the schema, and AWS refuses it. The Response's own Issuer is optional in " +
		"SAML core, but the Web SSO profile requires it when the Response is signed; whether AWS insists is not documented.",
	Fix:        "Configure the IdP to send a standard SAML 2.0 Response; a missing ID, Version or IssueInstant means something other than the IdP built or rewrote it.",
	References: []string{refSAMLCore + " §2.3.3, §3.2.2", refSAMLProf},
	Symptoms:   []string{"Your request included an invalid SAML response"},
	Rank:       6,
	Check: func(p *Pass) {
		r, a := p.Response, p.Assertion()
		missing := func(where, what, path string, sev Severity) {
			p.ReportAt(sev, Finding{Message: fmt.Sprintf("the %s has no %s", where, what), Location: xmlAt(path),
				Expected: fmt.Sprintf("%s on the %s", what, where), Actual: "(none)",
				Fix: "Configure " + p.facts.idp() + " to send a standard SAML 2.0 " + where + "; if it does, find what rewrites the response on the way."})
		}
		type element struct {
			name, path, id, version string
			issued                  saml.Time
			issuer                  *saml.Value
			issuerSev               Severity
		}
		els := []element{{"Response", r.Path, r.ID, r.Version, r.IssueInstant, r.Issuer, Warning}}
		if a != nil {
			els = append(els, element{"Assertion", a.Path, a.ID, a.Version, a.IssueInstant, a.Issuer, Error})
		}
		for _, e := range els {
			if e.id == "" {
				missing(e.name, "ID attribute", e.path, Error)
			}
			switch e.version {
			case "2.0":
			case "":
				missing(e.name, "Version attribute", e.path, Error)
			default:
				p.Report(Finding{Message: fmt.Sprintf("the %s's Version is not 2.0", e.name), Location: xmlAt(e.path + "/@Version"),
					Expected: "2.0", Actual: e.version, Fix: "Configure " + p.facts.idp() + " to send SAML 2.0; AWS accepts no other version."})
			}
			if !e.issued.IsSet() {
				missing(e.name, "IssueInstant attribute", e.path, Error)
			}
			if e.issuer == nil || strings.TrimSpace(e.issuer.Value) == "" {
				missing(e.name, "Issuer", e.path, e.issuerSev)
			}
		}
	},
}

var ecdsaSignature = &Rule{
	ID: "aws/ecdsa-signature", Severity: Warning, Scope: ScopeAWS, Setting: SettingSigning,
	Title: "the response is signed with an ECDSA key, which AWS does not document",
	Why: "AWS's SAML troubleshooting page speaks of the provider's certificates only as RSA keys (at least 1024 bits); " +
		"nothing AWS publishes says whether STS verifies ECDSA signatures. Every working AWS example is signed with RSA-SHA256. " +
		"An ECDSA SignatureValue must also be written as XML Signature 1.1 writes it, r and s side by side: a DER-encoded " +
		"value (as some libraries write it) is refused by verifiers that follow the standard, xmlsec1 among them.",
	Fix:        "Sign with an RSA key of 2048 bits or more and RSA-SHA256, and upload the matching metadata to IAM.",
	References: []string{refIAMTS, "W3C XML Signature 1.1, §6.4.3 ECDSA — https://www.w3.org/TR/xmldsig-core1/#sec-ECDSA", "RFC 4050: ECDSA for XML Digital Signatures — https://www.rfc-editor.org/rfc/rfc4050"},
	Check: func(p *Pass) {
		for _, s := range p.Response.Signatures {
			if !strings.Contains(s.SignatureMethod, "#ecdsa-") {
				continue
			}
			msg := fmt.Sprintf("the <%s> is signed with ECDSA (%s), which AWS does not document for SAML", s.ParentTag, saml.ShortAlgorithm(s.SignatureMethod))
			actual := s.SignatureMethod
			if s.ValueForm == saml.ECDSADER {
				msg += "; its SignatureValue is DER-encoded, which XML Signature 1.1 does not allow"
				actual += ", SignatureValue in DER"
			}
			p.Report(Finding{Message: msg, Location: xmlAt(s.Path + "/SignedInfo"),
				Expected: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256 with an RSA key, as AWS documents",
				Actual:   actual,
				Fix:      "Switch " + p.facts.idp() + "'s signing key to RSA (2048 bits) with RSA-SHA256, and upload its metadata to the IAM SAML provider " + p.facts.providerOr() + "."})
		}
	},
}
