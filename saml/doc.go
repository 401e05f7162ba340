// Package saml reads SAML 2.0 responses in every form people capture
// them, says what they contain, and what their signatures really cover.
//
// Read does it all for one input: Decode finds every message in it
// (base64 in either alphabet, URL-encoded values and form bodies, URLs,
// log lines, DEFLATE, raw XML, HTML auto-post pages, HAR and SAML-tracer
// exports, each with what travelled beside it: RelayState, where it was
// posted, when, the reply); Parse builds the model, every part with a
// location path such as /Response/Assertion[1]/Subject/NameID; Verify
// checks each signature with goxmldsig against trust anchors
// (LoadMetadata, LoadCertificates), decrypting EncryptedAssertions with
// LoadPrivateKeys' keys first. Response.Coverage says whether the
// assertion a service provider consumes is what a verifying signature
// covers (signature wrapping), and Facts lists what a capture and its
// response say, for people.
//
// Input that is not a SAML message gives a *DecodeError (its Stage says
// which step failed); a well-formed document of another kind a
// *KindError, which wraps ErrNotResponse. Limits bound the work on hostile
// input. The package never prints, logs, exits, reads the clock or the
// network.
package saml
