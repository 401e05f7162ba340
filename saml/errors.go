package saml

import (
	"errors"
	"fmt"
	"strings"
)

// Stage names the decoding step that failed, so callers can branch on it
// without matching message text.
type Stage string

const (
	StageInput   Stage = "input"
	StageJSON    Stage = "json"
	StageHAR     Stage = "har"
	StageForm    Stage = "form"
	StageURL     Stage = "url-decode"
	StageBase64  Stage = "base64"
	StageInflate Stage = "inflate"
	StageXML     Stage = "xml"
	StageKind    Stage = "kind"
	StageKey     Stage = "key"
)

// DecodeError reports why a captured payload could not be turned into a SAML
// message. Found describes what the input was; Expected what would have worked.
// Its Error text is one line, fit to print as is.
type DecodeError struct {
	Stage    Stage
	Found    string
	Expected string
	Err      error
}

func (e *DecodeError) Error() string {
	msg := fmt.Sprintf("%s: %s", e.Stage, e.Found)
	if e.Stage == StageKind {
		msg = "this is not a SAMLResponse: " + e.Found
	}
	if e.Expected != "" {
		msg += "; expected " + e.Expected
	}
	if e.Err != nil {
		msg += " (" + e.Err.Error() + ")"
	}
	// Parts of the input end up in messages; keep the promise of one line.
	return strings.Join(strings.Fields(msg), " ")
}

func (e *DecodeError) Unwrap() error { return e.Err }

func decodeErr(stage Stage, found, expected string, err error) error {
	return &DecodeError{Stage: stage, Found: found, Expected: expected, Err: err}
}

// ErrNotResponse is wrapped by Parse when the XML is well formed but is some
// other document (an AuthnRequest, metadata, a SAML 1.1 response...).
// The wrapping *KindError says which.
var ErrNotResponse = errors.New("not a SAML 2.0 Response")

// KindError says what a well-formed document that is not a SAML 2.0 Response is.
type KindError struct {
	Kind Kind
	Hint string
}

func (e *KindError) Error() string {
	msg := fmt.Sprintf("this is %s, not a SAML 2.0 Response", e.Kind.Describe())
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	// Parts of the input end up in hints; keep the promise of one line.
	return strings.Join(strings.Fields(msg), " ")
}

func (e *KindError) Unwrap() error { return ErrNotResponse }
