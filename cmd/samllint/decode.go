package main

import (
	"io"

	"github.com/samllint/samllint/internal/format"
	"github.com/samllint/samllint/lint"
	"github.com/samllint/samllint/saml"
)

const decodeUsage = `usage: samllint decode [flags] [FILE|-]

Decodes a captured SAML message and shows what it says: what the capture
records around it (RelayState, where it was posted, the reply), the
response, the assertion with every attribute, each signature with its
verdict and what it covers, then the indented XML.`

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
	name, data, err := readInput(fs.Arg(0), stdin, stderr)
	if err != nil {
		return err
	}
	msgs, err := saml.Read(data, saml.Options{Anchors: in.Anchors(), DecryptionKeys: in.Keys()})
	if err != nil {
		return usageErr("%s: %w", name, err)
	}
	if *formatName == "json" {
		err = format.DecodeJSON(stdout, msgs, in.Anchors(), *redact)
	} else {
		err = format.Decode(stdout, msgs, !*noXML, *redact)
	}
	if err != nil {
		return err
	}
	// One undecodable message among several still prints the rest.
	if len(msgs) == 1 && msgs[0].Err != nil {
		return usageErr("%s: %w", name, msgs[0].Err)
	}
	return nil
}
