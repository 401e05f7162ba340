package main

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/saml"
)

//go:embed web
var webFS embed.FS

const (
	maxRequest     = 64 << 20
	requestTimeout = 30 * time.Second
	// csp says what the page may load: only itself. No CDN, font or
	// script from elsewhere, and no connection but to this server.
	csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
		"form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)

func serveCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	port := fs.Int("port", 0, "port on 127.0.0.1 (default: a free one)")
	if err := parseFlags(fs, "usage: samllint serve [--port N]\n\nServes a page on 127.0.0.1 to paste captures into; nothing leaves this machine.\n\nFlags:", args, stderr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)))
	if err != nil {
		return usageErr("cannot listen on 127.0.0.1:%d: %v", *port, err)
	}
	srv := &http.Server{Handler: newWebHandler(ln.Addr().(*net.TCPAddr).Port), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "samllint is serving on http://127.0.0.1:%d/ — Ctrl-C to stop\n", ln.Addr().(*net.TCPAddr).Port)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return &exitError{code: 2, err: err}
	}
	return nil
}

// newWebHandler serves the page and its API. port is the port it listens
// on: requests naming another Host are refused (DNS rebinding).
func newWebHandler(port int) http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(webFS, "web")
	files := http.FileServer(http.FS(static))
	mux.Handle("GET /", files)
	mux.HandleFunc("POST /api/lint", apiLint)
	mux.HandleFunc("POST /api/diff", apiDiff)
	guarded := guard(port, mux)
	return http.TimeoutHandler(guarded, requestTimeout, `{"error":"the request took longer than 30 s"}`)
}

func guard(port int, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		host, p, err := net.SplitHostPort(r.Host)
		if err != nil {
			// A browser leaves out the default port: --port 80.
			host, p = strings.Trim(r.Host, "[]"), "80"
		}
		if (host != "127.0.0.1" && host != "localhost" && host != "::1") || port != 0 && p != strconv.Itoa(port) {
			http.Error(w, "samllint serves 127.0.0.1 only", http.StatusMisdirectedRequest)
			return
		}
		if r.Method == http.MethodPost {
			if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host {
				http.Error(w, "cross-origin request refused", http.StatusForbidden)
				return
			}
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				http.Error(w, "expected application/json", http.StatusUnsupportedMediaType)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxRequest)
		}
		next.ServeHTTP(w, r)
	})
}

// lintRequest is what the page posts; every field but Input is optional.
type lintRequest struct {
	Input        string  `json:"input"`
	RelayState   *string `json:"relay_state"`
	Metadata     string  `json:"metadata"`
	TrustPolicy  string  `json:"trust_policy"`
	Permissions  string  `json:"permissions_policy"`
	ConnectUsers string  `json:"connect_users"`
	Now          string  `json:"now"`
	Redact       bool    `json:"redact"`
	Format       string  `json:"format"` // page (default), json or sarif
}

func apiError(w http.ResponseWriter, code int, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": oneLine(err.Error())})
}

func decodeRequest(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			apiError(w, http.StatusRequestEntityTooLarge, fmt.Errorf("the request is larger than %d MiB", maxRequest>>20))
		} else {
			apiError(w, http.StatusBadRequest, fmt.Errorf("unreadable request: %v", err))
		}
		return false
	}
	return true
}

// options builds lint options from the page's inputs.
func (q *lintRequest) options() (lint.Options, error) {
	opts := lint.Options{RelayState: q.RelayState}
	if q.Now != "" {
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(q.Now))
		if err != nil {
			return opts, fmt.Errorf("evaluation time %q: expected RFC 3339, such as 2026-11-20T10:01:00Z", q.Now)
		}
		opts.Now = t
	}
	if strings.TrimSpace(q.Metadata) != "" {
		var a *saml.Anchors
		var err error
		if strings.Contains(q.Metadata, "BEGIN CERTIFICATE") {
			a, err = saml.LoadCertificates([]byte(q.Metadata), "certificate")
		} else {
			a, err = saml.LoadMetadata([]byte(q.Metadata), "metadata")
		}
		if err != nil {
			return opts, fmt.Errorf("metadata: %w", err)
		}
		opts.Anchors = a
	}
	if strings.TrimSpace(q.TrustPolicy) != "" {
		if err := addTrustPolicy(&opts, []byte(q.TrustPolicy), "trust policy"); err != nil {
			return opts, fmt.Errorf("the trust policy field: %w", err)
		}
	}
	if strings.TrimSpace(q.Permissions) != "" {
		if err := addPermissionsPolicy(&opts, []byte(q.Permissions), "permissions policy"); err != nil {
			return opts, fmt.Errorf("the permissions policy field: %w", err)
		}
	}
	if strings.TrimSpace(q.ConnectUsers) != "" {
		users, err := lint.ParseConnectUsers([]byte(q.ConnectUsers))
		if err != nil {
			return opts, fmt.Errorf("the Connect users: %w", err)
		}
		opts.ConnectUsers = users
	}
	return opts, nil
}

// lintAll reads and lints every capture of the page's input. Without an
// evaluation time each response is evaluated one minute after its own
// IssueInstant, and the page says so.
func (q *lintRequest) lintAll() ([]result, error) {
	opts, err := q.options()
	if err != nil {
		return nil, err
	}
	msgs, err := saml.Read([]byte(q.Input), saml.Options{Anchors: opts.Anchors})
	if err != nil {
		return nil, err
	}
	var out []result
	for _, m := range msgs {
		out = append(out, pageLint(m, opts))
	}
	return out, nil
}

// pageLint lints one message; without an evaluation time, at one minute
// after the response's IssueInstant.
func pageLint(m *saml.Message, opts lint.Options) result {
	if opts.Now.IsZero() && m.Response != nil && m.Response.IssueInstant.OK {
		opts.Now = m.Response.IssueInstant.Time.Add(time.Minute)
	}
	if opts.Now.IsZero() && m.Err == nil {
		m.Err = errors.New("the response has no usable IssueInstant: enter an evaluation time")
	}
	return lintOne("pasted", m, opts, false, lint.Rules())
}

func apiLint(w http.ResponseWriter, r *http.Request) {
	var q lintRequest
	if !decodeRequest(w, r, &q) {
		return
	}
	results, err := q.lintAll()
	if err != nil {
		apiError(w, http.StatusUnprocessableEntity, err)
		return
	}
	out := &output{results: results, redact: q.Redact}
	var buf strings.Builder
	switch q.Format {
	case "json":
		err = writeLintJSON(&buf, out)
	case "sarif":
		err = writeSARIF(&buf, out)
	default:
		err = writePage(&buf, out)
	}
	if err != nil {
		apiError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, buf.String())
}

// The page's view of a result: the report, a readable summary of the
// assertion, and the indented XML with each line's location path.
type pageResult struct {
	Label       string         `json:"label"`
	Error       string         `json:"error,omitempty"`
	Verdict     string         `json:"verdict,omitempty"`
	EvaluatedAt string         `json:"evaluated_at,omitempty"`
	Summary     *lint.Summary  `json:"summary,omitempty"`
	Findings    []lint.Finding `json:"findings"`
	Skipped     []lint.Skipped `json:"skipped"`
	Facts       []fact         `json:"facts"`
	Timeline    []tick         `json:"timeline"`
	Signatures  []pageSig      `json:"signatures"`
	XML         []xmlLine      `json:"xml"`
}

type fact struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

type tick struct {
	Label string `json:"label"`
	At    string `json:"at"`
	Rel   string `json:"rel"` // relative to the evaluation time
	Past  bool   `json:"past"`
}

type pageSig struct {
	Path    string `json:"path"`
	On      string `json:"on"`
	Verdict string `json:"verdict"`
	Detail  string `json:"detail"`
	Covers  string `json:"covers"`
	Cert    string `json:"cert"`
}

type xmlLine struct {
	Text string `json:"text"`
	Path string `json:"path,omitempty"`
}

func writePage(w io.Writer, out *output) error {
	doc := struct {
		Results []pageResult `json:"results"`
	}{Results: []pageResult{}}
	for _, r := range out.results {
		pr := pageResult{Label: r.label(), Findings: []lint.Finding{}, Skipped: []lint.Skipped{}, Facts: []fact{}, Timeline: []tick{}, Signatures: []pageSig{}, XML: []xmlLine{}}
		if r.Err != nil {
			pr.Error = oneLine(r.Err.Error())
			doc.Results = append(doc.Results, pr)
			continue
		}
		pr.Verdict, pr.Summary, pr.Findings, pr.Skipped = r.Report.Verdict, &r.Report.Summary, r.Report.Findings, r.Report.Skipped
		pr.EvaluatedAt = r.Report.EvaluatedAt.Format(time.RFC3339)
		describe(&pr, r)
		doc.Results = append(doc.Results, pr)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	if out.redact {
		if b, err = redactJSON(b, out.redactor(), ""); err != nil {
			return err
		}
	}
	_, err = w.Write(b)
	return err
}

func describe(pr *pageResult, r result) {
	resp, now := r.resp, r.Report.EvaluatedAt
	add := func(label, value string) {
		if value != "" {
			pr.Facts = append(pr.Facts, fact{label, value})
		}
	}
	timeAt := func(label string, t saml.Time) {
		if !t.OK {
			return
		}
		pr.Timeline = append(pr.Timeline, tick{Label: label, At: t.Raw, Rel: lint.RelativeTo(t.Time, now), Past: !t.Time.After(now)})
	}
	if c := r.Capture; c != nil {
		add("decoded", c.ChainString())
		if c.RelayState != nil {
			add("relay state", *c.RelayState)
		}
	}
	if resp.Issuer != nil {
		add("issuer", resp.Issuer.Value)
	}
	add("destination", resp.Destination)
	timeAt("Response IssueInstant", resp.IssueInstant)
	if a := resp.Consumed(); a != nil {
		if s := a.Subject; s != nil {
			if n := s.NameID; n != nil {
				add("subject", strings.TrimSpace(n.Value+" ("+n.Format+")"))
			}
			for _, sc := range s.Confirmations {
				add("recipient", sc.Recipient)
				timeAt("SubjectConfirmationData NotOnOrAfter", sc.NotOnOrAfter)
			}
		}
		if c := a.Conditions; c != nil {
			var aud []string
			for _, v := range c.Audiences {
				aud = append(aud, v.Value)
			}
			add("audiences", strings.Join(aud, ", "))
			timeAt("Conditions NotBefore", c.NotBefore)
			timeAt("Conditions NotOnOrAfter", c.NotOnOrAfter)
		}
		for _, st := range a.AuthnStatements {
			timeAt("SessionNotOnOrAfter", st.SessionNotOnOrAfter)
		}
		for _, at := range a.Attributes {
			add(strings.TrimPrefix(at.Name, "https://aws.amazon.com/SAML/Attributes/"), strings.Join(at.Strings(), " | "))
		}
	}
	cv := resp.Coverage()
	if cv.Covered {
		add("coverage", "the consumed assertion is covered by the "+strings.Join(cv.ViaNames, " and ")+" signature")
	} else {
		var why []string
		for _, p := range cv.Problems {
			why = append(why, p.Text)
		}
		add("coverage", "NOT safely signed: "+strings.Join(why, "; "))
	}
	for _, s := range resp.Signatures {
		ps := pageSig{Path: s.Path, On: s.ParentTag}
		if s.Check != nil {
			ps.Verdict, ps.Detail, ps.Covers = string(s.Check.Verdict), s.Check.Detail, s.Check.Covers
		}
		if len(s.Certificates) > 0 {
			ps.Cert = s.Certificates[0].Describe()
		}
		pr.Signatures = append(pr.Signatures, ps)
	}
	pr.XML = indentedLines(resp)
}

// indentedLines pretty-prints the message, each element on its own line,
// and labels each line with the location path of the element it opens.
func indentedLines(r *saml.Response) []xmlLine {
	orig := r.Doc()
	cp := orig.Copy()
	cp.Indent(2)
	text, err := cp.WriteToString()
	if err != nil {
		return nil
	}
	var origEls, copyEls []*etree.Element
	var walk func(e *etree.Element, into *[]*etree.Element)
	walk = func(e *etree.Element, into *[]*etree.Element) {
		*into = append(*into, e)
		for _, c := range e.ChildElements() {
			walk(c, into)
		}
	}
	walk(orig.Root(), &origEls)
	walk(cp.Root(), &copyEls)
	paths := r.Paths(origEls)
	var out []xmlLine
	i := 0
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		l := xmlLine{Text: line}
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "<") && !strings.HasPrefix(t, "</") && !strings.HasPrefix(t, "<?") && !strings.HasPrefix(t, "<!") && i < len(paths) {
			l.Path = paths[i]
			i++
		}
		out = append(out, l)
	}
	return out
}

func apiDiff(w http.ResponseWriter, r *http.Request) {
	var q struct {
		A        string `json:"a"`
		B        string `json:"b"`
		Metadata string `json:"metadata"`
		Redact   bool   `json:"redact"`
	}
	if !decodeRequest(w, r, &q) {
		return
	}
	opts, err := (&lintRequest{Metadata: q.Metadata}).options()
	if err != nil {
		apiError(w, http.StatusUnprocessableEntity, err)
		return
	}
	var sides [2]*diffSide
	for i, in := range []string{q.A, q.B} {
		label := "AB"[i : i+1]
		msgs, err := saml.Read([]byte(in), saml.Options{Anchors: opts.Anchors})
		if err != nil {
			apiError(w, http.StatusUnprocessableEntity, fmt.Errorf("%s: %w", label, err))
			return
		}
		m, _, err := pickResponse(label, msgs, 1)
		if err != nil {
			apiError(w, http.StatusUnprocessableEntity, err)
			return
		}
		res := pageLint(m, opts)
		if res.Err != nil {
			apiError(w, http.StatusUnprocessableEntity, fmt.Errorf("%s: %w", label, res.Err))
			return
		}
		sides[i] = &diffSide{name: label, msg: m, rep: res.Report}
	}
	b, err := json.Marshal(newDiffDoc(sides, compareSides(sides), false))
	if err != nil {
		apiError(w, http.StatusInternalServerError, err)
		return
	}
	if q.Redact {
		if b, err = redactJSON(b, sidesRedactor(sides), ""); err != nil {
			apiError(w, http.StatusInternalServerError, err)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}
