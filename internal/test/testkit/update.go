package testkit

import "flag"

// Update is go test's -update: rewrite golden files, generated docs and
// screenshots instead of comparing with them. It is defined here once, so
// that every test package (each imports testkit) accepts the flag and
// go test ./... -update reaches them all.
var Update = flag.Bool("update", false, "rewrite golden files, generated docs and screenshots instead of comparing")
