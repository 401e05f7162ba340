package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/samllint/samllint/internal/base/version"
)

// Helper is the command that reads AWS accounts and drives browsers: a
// whole samllint that links the AWS SDK and chromedp, which samllint
// itself does not, so that a paste pays for neither's initialisation.
const Helper = "samllint-aws"

// NeedsReach reports whether args ask for an AWS account read or a
// browser: record, aws-export, or --from-aws on any command. It errs
// towards yes: the helper runs every command as samllint does.
func NeedsReach(args []string) bool {
	if len(args) > 0 && (args[0] == "record" || args[0] == "aws-export") {
		return true
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && name == "from-aws" {
			if !hasValue {
				return true
			}
			switch value {
			case "0", "f", "F", "false", "FALSE", "False":
			default:
				return true
			}
		}
	}
	return false
}

// errNoReach is what a build without the helper's code says when asked
// for what only the helper does (Delegate runs it instead).
func errNoReach(what string) error {
	return usageErr("%s needs %s, which this samllint does not link: run %s with the same arguments", what, Helper, Helper)
}

// Delegate runs the helper with args in samllint's place: found beside
// samllint's own executable, else in PATH. It returns only when the
// helper could not be run (on Windows, when it has ended), with the exit
// status.
func Delegate(args []string, stderr io.Writer) int {
	path, err := findHelper()
	if err != nil {
		sayf(stderr, "samllint: %v\n", err)
		return 2
	}
	code, err := execHelper(path, args)
	if err != nil {
		sayf(stderr, "samllint: cannot run %s: %v\n", path, err)
		return 2
	}
	return code
}

func findHelper() (string, error) {
	name := Helper
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	var beside string
	if self, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(self); err == nil {
			self = real
		}
		beside = filepath.Join(filepath.Dir(self), name)
		if st, err := os.Stat(beside); err == nil && !st.IsDir() {
			return beside, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	} else if !errors.Is(err, exec.ErrNotFound) {
		return "", fmt.Errorf("%s in PATH: %w", name, err)
	}
	v := version.String()
	if !strings.HasPrefix(v, "v") {
		v = "latest"
	}
	return "", fmt.Errorf("--from-aws, aws-export and record are run by %s, which is neither beside this samllint (%s) nor in PATH: "+
		"it is in every release archive, or go install github.com/samllint/samllint/cmd/%s@%s", Helper, beside, Helper, v)
}
