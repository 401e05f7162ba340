package record

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/samllint/samllint/internal/base/textcut"
	"github.com/samllint/samllint/saml"
)

// pageReadTimeout bounds reading a page for its line.
const pageReadTimeout = 2 * time.Second

// rememberPage reads a line for the page a tab shows before any SAML
// post: what to say when the sign-in never came. It quotes the error the
// page shows, AWS's or the IdP's own (a wrong password), else names the
// page. Load number seq's line replaces an earlier one's only.
func (r *recorder) rememberPage(ctx context.Context, seq int) {
	defer r.pageReads.Done()
	ctx, cancel := context.WithTimeout(ctx, pageReadTimeout)
	defer cancel()
	// One round trip: the window may close at any moment.
	var p struct{ Title, Host, HTML string }
	js, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({Title: document.title, Host: location.host, `+
		`HTML: document.documentElement ? document.documentElement.outerHTML.slice(0, 262144) : ""})`))
	if err != nil || json.Unmarshal([]byte(js), &p) != nil {
		return
	}
	line := pageLine(p.Title, p.Host, []byte(p.HTML))
	if line == "" {
		return
	}
	r.pageMu.Lock()
	defer r.pageMu.Unlock()
	if seq > r.pageRead {
		r.pageRead, r.pageLine = seq, line
	}
}

// pageLine is one line for the page at host: the error it shows, else
// its title.
func pageLine(title, host string, html []byte) string {
	title = strings.TrimSpace(title)
	if shown := saml.PageError(html); shown != "" {
		return "the page at " + host + " shows an error: " + shown
	}
	if shown := saml.IdPError(html); shown != "" {
		return fmt.Sprintf("the page at %s says %q", host, shown)
	}
	switch {
	case title != "":
		return fmt.Sprintf("the last page was %q at %s", textcut.Bytes(title, 120), host)
	case host != "":
		return "the last page was at " + host
	}
	return ""
}
