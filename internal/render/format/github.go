package format

import (
	"fmt"
	"io"
	"strings"

	"github.com/samllint/samllint/internal/render/redact"
	"github.com/samllint/samllint/lint"
)

// GitHub Actions workflow commands: each finding becomes an annotation
// on the input file.
var (
	ghData = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghProp = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	ghLvl  = map[lint.Severity]string{lint.Error: "error", lint.Warning: "warning", lint.Info: "notice"}
)

// GitHub writes workflow annotations, result by result.
type GitHub struct {
	w      io.Writer
	Redact bool
	// ConfigPath is the file the config's notices are annotated on.
	ConfigPath string
	red        *redact.Redactor
}

// NewGitHub starts annotations on w.
func NewGitHub(w io.Writer) *GitHub { return &GitHub{w: w} }

func (g *GitHub) print(s string, res *lint.Result) {
	if g.Redact {
		s = masked(&g.red, res, s)
	}
	io.WriteString(g.w, Clean(s))
}

// Result writes one result's findings. A capture that is one of several
// in its input (a HAR entry) is named in the title.
func (g *GitHub) Result(res *lint.Result) {
	var b strings.Builder
	if res.Err != nil {
		fmt.Fprintf(&b, "::error file=%s,title=%s::%s\n", ghProp.Replace(res.Input), ghProp.Replace("samllint: "+Label(res)), ghData.Replace("could not lint: "+OneLine(res.Err.Error())))
	} else {
		for _, f := range res.Report.Findings {
			annotation(&b, res.Input, Label(res), f)
		}
		if f, ok := signerNote(res); ok {
			f.Severity = lint.Warning // a warning where a person reads it
			annotation(&b, res.Input, Label(res), f)
		}
	}
	g.print(b.String(), res)
}

// Finish writes the config's notices as annotations on it.
func (g *GitHub) Finish(notices []lint.Finding) error {
	var b strings.Builder
	for _, n := range notices {
		annotation(&b, g.ConfigPath, g.ConfigPath, n)
	}
	g.print(b.String(), nil)
	return nil
}

func annotation(w io.Writer, file, label string, f lint.Finding) {
	title := f.Rule
	if label != file {
		title += " in " + strings.TrimPrefix(label, file)
	}
	line := ""
	if f.Location.Line > 0 {
		line = fmt.Sprintf(",line=%d", f.Location.Line)
	}
	fmt.Fprintf(w, "::%s file=%s%s,title=%s::%s\n", ghLvl[f.Severity], ghProp.Replace(file), line, ghProp.Replace(title),
		ghData.Replace(fmt.Sprintf("%s\nat %s\nexpected: %s\nactual: %s\nfix: %s", f.Message, f.Location, f.Expected, f.Actual, f.Fix)))
}
