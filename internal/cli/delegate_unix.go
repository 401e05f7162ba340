//go:build unix

package cli

import (
	"os"
	"syscall"
)

// execHelper replaces this process with the helper: it keeps the
// terminal, the signals and the exit status, as if run directly.
func execHelper(path string, args []string) (int, error) {
	return 2, syscall.Exec(path, append([]string{path}, args...), os.Environ())
}
