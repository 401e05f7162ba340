//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package cli

import (
	"errors"
	"os"
)

// nonCanonical is not available here; the paste is read as the console
// delivers it.
func nonCanonical(*os.File) (func(), error) { return nil, errors.New("no termios") }
