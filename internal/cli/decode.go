package cli

import (
	"io"

	"github.com/samllint/samllint/internal/render/format"
	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/saml"
)

const decodeUsage = `usage: samllint decode [flags] [FILE[#N]|-]

Decodes a captured SAML message and shows what it says: what the capture
records around it (RelayState, where it was posted, the reply), the
response, the assertion with every attribute, each signature with its
verdict and what it covers, then the indented XML. FILE#N shows only the
N-th message of FILE. Flags go before or after FILE.`

func decodeCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("decode", decodeUsage, stdout, stderr)
	formatName := fs.String("format", "text", "output format: text or json")
	noXML := fs.Bool("no-xml", false, "text format: leave out the indented XML")
	redact := fs.Bool("redact", false, "mask names, e-mail addresses, account IDs, attribute values and signatures")
	var files inputFlags
	files.registerFiles(fs, lint.InputMetadata, lint.InputCertificate, lint.InputKey)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := checkFormat(*formatName, "text", "json"); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageErr("decode takes one input, got %d", fs.NArg())
	}
	in, err := files.load(fs)
	if err != nil {
		return err
	}
	ref := parseRef(fs.Arg(0))
	name, r, err := openInput(ref.path, stdin, stderr)
	if err != nil {
		return err
	}
	defer r.Close()
	// Message by message: a HAR of any size decodes in bounded memory.
	var out interface {
		Message(*saml.Message)
		Finish() error
	}
	if *formatName == "json" {
		out = format.NewDecodeJSON(stdout, in.Anchors(), *redact)
	} else {
		out = format.NewDecodeText(stdout, !*noXML, *redact)
	}
	n, shown := 0, 0
	var lone error // the error of the only message
	err = saml.ReadStream(r, saml.Options{Anchors: in.Anchors(), DecryptionKeys: in.Keys()}, func(m *saml.Message) error {
		n++
		if !ref.picked(m.Capture.Index) {
			return nil
		}
		shown++
		lone = m.Err
		out.Message(m)
		return nil
	})
	if err != nil {
		return usageErr("%s: %w", name, err)
	}
	if ref.pick > n {
		return ref.missing(name, n)
	}
	n = shown
	if err := out.Finish(); err != nil {
		return err
	}
	// One undecodable message among several still prints the rest.
	if n == 1 && lone != nil {
		return usageErr("%s: %w", name, lone)
	}
	return nil
}
