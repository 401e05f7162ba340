package record

import (
	"encoding/json"
	"time"
)

// The minimal HAR a recording writes: HAR 1.2's shape, holding only what
// each kept entry is.
type harLog struct {
	Log struct {
		Version string     `json:"version"`
		Creator harCreator `json:"creator"`
		Entries []harEntry `json:"entries"`
	} `json:"log"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harEntry struct {
	StartedDateTime string      `json:"startedDateTime"`
	Time            int         `json:"time"`
	Request         harRequest  `json:"request"`
	Response        harResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         harTimings  `json:"timings"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Cookies     []harNV      `json:"cookies"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	PostData    *harPostData `json:"postData,omitempty"`
	HeadersSize int          `json:"headersSize"`
	BodySize    int          `json:"bodySize"`
}

type harPostData struct {
	MimeType string  `json:"mimeType"`
	Params   []harNV `json:"params"`
}

type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Cookies     []harNV    `json:"cookies"`
	Headers     []harNV    `json:"headers"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int        `json:"headersSize"`
	BodySize    int        `json:"bodySize"`
	// Error is why no answer came, as Chrome's HAR export writes it.
	Error string `json:"_error,omitempty"`
}

type harContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Comment  string `json:"comment,omitempty"`
}

type harTimings struct {
	Send    int `json:"send"`
	Wait    int `json:"wait"`
	Receive int `json:"receive"`
}

func harOf(entries []*entry) ([]byte, error) {
	var h harLog
	h.Log.Version = "1.2"
	h.Log.Creator = harCreator{Name: "samllint record", Version: "1"}
	h.Log.Entries = []harEntry{}
	for _, e := range entries {
		he := harEntry{StartedDateTime: e.started.UTC().Format(time.RFC3339Nano)}
		he.Request = harRequest{Method: e.method, URL: e.url, HTTPVersion: "HTTP/1.1", Cookies: []harNV{}, Headers: []harNV{}, QueryString: nvs(e.query), HeadersSize: -1, BodySize: -1}
		if len(e.params) > 0 {
			he.Request.PostData = &harPostData{MimeType: "application/x-www-form-urlencoded", Params: nvs(e.params)}
		}
		he.Response = harResponse{Status: e.status, StatusText: e.statusText, HTTPVersion: "HTTP/1.1", Cookies: []harNV{}, Headers: []harNV{},
			Content: harContent{Size: e.size, MimeType: e.mimeType, Text: e.body}, RedirectURL: e.location, HeadersSize: -1, BodySize: -1}
		if e.body != "" {
			he.Response.Content.Comment = shortened
		}
		he.Response.Error = e.failed
		if e.location != "" {
			he.Response.Headers = []harNV{{Name: "Location", Value: e.location}}
		}
		h.Log.Entries = append(h.Log.Entries, he)
	}
	return json.MarshalIndent(h, "", "  ")
}

func nvs(in []nameValue) []harNV {
	out := make([]harNV, 0, len(in))
	for _, p := range in {
		out = append(out, harNV(p))
	}
	return out
}
