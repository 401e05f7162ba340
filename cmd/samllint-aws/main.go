// Command samllint-aws is samllint with its account reads (--from-aws,
// aws-export) and record's browser: samllint runs it for those, and it
// takes every command and flag samllint takes. See docs/commands.md.
package main

import (
	"os"

	"github.com/samllint/samllint/internal/cli"
	"github.com/samllint/samllint/internal/reach/live"
)

func main() { os.Exit(cli.Main(&live.Reach{})) }
