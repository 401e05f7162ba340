package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/samllint/samllint/saml"
)

// readInput reads FILE, or standard input for "" and "-". On a terminal it
// says what to paste, since a silent wait looks like a hang.
func readInput(path string, stdin io.Reader, stderr io.Writer) (name string, data []byte, err error) {
	max := int64(saml.DefaultLimits.MaxInput)
	var r io.Reader
	if path == "" || path == "-" {
		name, r = "<stdin>", stdin
		if f, ok := stdin.(*os.File); ok && isTerminal(f) {
			fmt.Fprintln(stderr, "Paste the SAMLResponse (base64, form body, XML, or a HAR file's text), then press Ctrl-D on a new line:")
		}
	} else {
		f, err := os.Open(path)
		if err != nil {
			return path, nil, usageErr("cannot read input: %v", err)
		}
		defer f.Close()
		name, r = path, f
	}
	data, err = io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return name, nil, usageErr("%s: cannot read: %v", name, err)
	}
	if int64(len(data)) > max {
		return name, nil, usageErr("%s: input is larger than %d bytes; expected a SAMLResponse or a HAR export", name, max)
	}
	return name, data, nil
}

// openInput opens FILE, or standard input for "" and "-", for streaming.
func openInput(path string, stdin io.Reader, stderr io.Writer) (string, io.ReadCloser, error) {
	if path == "" || path == "-" {
		if f, ok := stdin.(*os.File); ok && isTerminal(f) {
			fmt.Fprintln(stderr, "Paste the SAMLResponse (base64, form body, XML, or a HAR file's text), then press Ctrl-D on a new line:")
		}
		return "<stdin>", io.NopCloser(stdin), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return path, nil, usageErr("cannot read input: %v", err)
	}
	return path, f, nil
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// trustFlags are the inputs every command that verifies signatures takes.
type trustFlags struct {
	metadata multiFlag
	certs    multiFlag
	keys     multiFlag
}

func (t *trustFlags) register(fs *flag.FlagSet) {
	fs.Var(&t.metadata, "metadata", "IdP metadata XML (as uploaded to the IAM SAML provider) to verify signatures against; repeatable")
	fs.Var(&t.certs, "cert", "PEM certificate of the IdP to verify signatures against; repeatable")
	fs.Var(&t.keys, "key", "PEM private key to decrypt EncryptedAssertions with; repeatable")
}

func (t *trustFlags) load() (*saml.Anchors, []any, error) {
	anchors := &saml.Anchors{}
	for _, m := range t.metadata {
		b, err := os.ReadFile(m)
		if err != nil {
			return nil, nil, usageErr("--metadata: %v", err)
		}
		a, err := saml.LoadMetadata(b, m)
		if err != nil {
			return nil, nil, usageErr("--metadata %s: %w", m, err)
		}
		anchors.Add(a)
	}
	for _, c := range t.certs {
		b, err := os.ReadFile(c)
		if err != nil {
			return nil, nil, usageErr("--cert: %v", err)
		}
		a, err := saml.LoadCertificates(b, c)
		if err != nil {
			return nil, nil, usageErr("--cert %s: %w", c, err)
		}
		anchors.Add(a)
	}
	var keys []any
	for _, k := range t.keys {
		b, err := os.ReadFile(k)
		if err != nil {
			return nil, nil, usageErr("--key: %v", err)
		}
		ks, err := saml.LoadPrivateKeys(b)
		if err != nil {
			return nil, nil, usageErr("--key %s: %w", k, err)
		}
		keys = append(keys, ks...)
	}
	return anchors, keys, nil
}
