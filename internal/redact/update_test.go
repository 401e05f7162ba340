package redact

import "flag"

// go test ./... -update hands the flag to every package; this one has no
// golden files, so it only accepts the flag.
var _ = flag.Bool("update", false, "rewrite golden files (none in this package)")
