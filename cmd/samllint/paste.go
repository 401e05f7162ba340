package main

import (
	"bytes"
	"io"
	"os"
)

// readPaste reads what a person pastes on a terminal.
func readPaste(f *os.File, stderr io.Writer) ([]byte, error) {
	pastePrompt(stderr)
	return io.ReadAll(f)
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
