package testkit

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/url"
	"strings"
)

// HAREntry is one POST of a SAMLResponse to AWS, as a browser records it.
type HAREntry struct {
	Response []byte // the XML
	Posted   string // startedDateTime, RFC 3339
	// The reply: status, a Location header, an HTML body.
	Status   int
	Location string
	HTML     string
}

// WriteHAR writes a HAR export of n copies of e to w, entry by entry, so
// that a test can make one of any size without holding it.
func WriteHAR(w io.Writer, e HAREntry, n int) error {
	value := url.QueryEscape(base64.StdEncoding.EncodeToString(e.Response))
	posted := e.Posted
	if posted == "" {
		posted = "2026-11-20T10:00:01.000Z"
	}
	status := e.Status
	if status == 0 {
		status = 302
	}
	reply := map[string]any{"status": status, "statusText": "Found", "redirectURL": "",
		"headers": []map[string]string{}, "content": map[string]any{"mimeType": "text/html", "text": e.HTML}}
	if e.Location != "" {
		reply["headers"] = []map[string]string{{"name": "Location", "value": e.Location}}
	}
	entry, err := json.Marshal(map[string]any{
		"startedDateTime": posted,
		"request": map[string]any{"method": "POST", "url": "https://signin.aws.amazon.com/saml",
			"postData": map[string]any{"mimeType": "application/x-www-form-urlencoded",
				"params": []map[string]string{{"name": "SAMLResponse", "value": value}}}},
		"response": reply,
	})
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, `{"log":{"version":"1.2","entries":[`); err != nil {
		return err
	}
	for i := range n {
		if i > 0 {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
		}
		if _, err := w.Write(entry); err != nil {
			return err
		}
	}
	_, err = io.WriteString(w, "]}}")
	return err
}

// HAR is WriteHAR into memory.
func HAR(e HAREntry, n int) []byte {
	var b strings.Builder
	_ = WriteHAR(&b, e, n)
	return []byte(b.String())
}
