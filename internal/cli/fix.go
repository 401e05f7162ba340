package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/samllint/samllint/internal/render/format"
	"github.com/samllint/samllint/lint"
)

const fixUsage = `usage: samllint fix [flags] [--write DIR] [FILE[#N]|-]

Prints what to change so the sign-in works, with your own values: the trust
policy you gave, corrected and merged (ready for aws iam
update-assume-role-policy), or without one the statement it must hold; the
permissions to add for connect:GetFederationToken (aws iam put-role-policy);
and the IdP settings to change, named where they live in the IdP. It takes
the inputs "samllint lint" takes, and honours the config and --redact.
--write DIR also writes each policy document, complete, into DIR, and says
which. FILE#N fixes only the N-th capture of FILE.`

func fixCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("fix", fixUsage, stdout, stderr)
	var flags lintFlags
	flags.register(fs)
	formatName := fs.String("format", "text", "output format: text or json")
	redact := fs.Bool("redact", false, "mask names, e-mail addresses, account IDs and signatures in the output")
	write := fs.String("write", "", "also write each policy document, complete as aws iam takes it, into this directory (a HAR's captures numbered)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := checkFormat(*formatName, "text", "json"); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageErr("fix takes one input, got %d", fs.NArg())
	}
	in, opts, err := flags.load(fs, stderr)
	if err != nil {
		return err
	}
	ref := parseRef(fs.Arg(0))
	name, r, err := openInput(ref.path, stdin, stderr)
	if err != nil {
		return err
	}
	defer r.Close()
	opts.Name = name
	var out interface {
		Plan(format.Plan)
		Finish() error
	}
	if *formatName == "json" {
		out = format.NewFixJSON(stdout, *redact)
	} else {
		out = format.NewFixText(stdout, *redact)
	}
	// Capture by capture: a HAR of any size is fixed in bounded memory.
	n, shown := 0, 0
	var lone error // the error of the only capture
	var werr error
	err = lint.LintStream(r, in, opts, func(res *lint.Result) error {
		n++
		if !ref.picked(res.Capture.Index) {
			return nil
		}
		shown++
		lone = res.Err
		p := format.Plan{Result: res}
		if res.Err == nil {
			p.Plan = lint.Fix(res, in)
			if *write != "" {
				if p.Wrote, werr = writePlan(*write, p); werr != nil {
					return werr
				}
			}
		}
		if !*redact {
			res.Capture.XML, res.Response = nil, nil
		}
		out.Plan(p)
		return nil
	})
	if werr != nil {
		return &exitError{code: 2, err: werr}
	}
	if err != nil {
		return usageErr("%s: %w", name, err)
	}
	if ref.pick > n {
		return ref.missing(name, n)
	}
	if shown == 1 && lone != nil {
		return usageErr("%s: %w", name, lone)
	}
	return out.Finish()
}

// writePlan writes a plan's policy documents into dir, each complete as
// aws iam takes it, and returns their paths. A capture that is one of
// several in its input (a HAR entry) gets its number in front.
func writePlan(dir string, p format.Plan) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	prefix := ""
	if c := p.Result.Capture; c != nil && c.Source != "" {
		prefix = fmt.Sprintf("%d.", c.Index)
	}
	var wrote []string
	// write writes one document and points the plan's file and apply
	// command at where it now is, so that the printed command applies
	// the file written.
	write := func(file, command *string, doc any) error {
		path := filepath.Join(dir, prefix+*file)
		if err := os.WriteFile(path, []byte(format.PolicyJSON(doc)), 0o644); err != nil {
			return err
		}
		wrote = append(wrote, path)
		*command = strings.ReplaceAll(*command, "file://"+*file, shellWord("file://"+filepath.ToSlash(path)))
		*file = path
		return nil
	}
	for _, fp := range []*lint.FixedPolicy{p.Plan.Trust, p.Plan.Permissions} {
		if fp != nil {
			if err := write(&fp.File, &fp.Command, fp.Document); err != nil {
				return nil, err
			}
		}
	}
	for _, st := range []*lint.StatementToAdd{p.Plan.TrustStatement, p.Plan.PermissionsStatement} {
		if st != nil {
			if err := write(&st.File, &st.Command, st.Document); err != nil {
				return nil, err
			}
		}
	}
	return wrote, nil
}

// shellWord quotes s for a POSIX shell when it holds more than letters,
// digits and the punctuation of a plain path.
func shellWord(s string) string {
	if strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:+=@%-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
