#!/usr/bin/env bash
# Peak memory of samllint, each run a process of its own: every command and
# output format on 200 MB of junk, a HAR with a 200 MB header, one with a
# 170 MB page and six hostile 10 MB shapes must stay under 100 MiB, and a
# HAR of 20,000 sign-ins must peak no higher than one of 2,000 (within
# 10 MiB). Writes 1 GB of inputs to TMPDIR and takes about a minute of two
# cores, which is why go test ./... leaves TestMemoryBound to this script.
set -euo pipefail
cd "$(dirname "$0")/.."
SAMLLINT_MEMORY=1 go test ./internal/cli -run '^TestMemoryBound$' -count 1 -timeout 10m "$@"
