#!/usr/bin/env bash
# Measures what profile-guided optimisation would give samllint: collects
# a CPU profile from the pipeline and decode benchmarks, then runs the
# pipeline benchmark (in sample) and the parse-and-verify benchmark (held
# out) with and without it, interleaved, and compares them with benchstat;
# and times a cold build of cmd/samllint both ways.
# Usage: bench/pgo.sh [rounds]   (default 2; each round is 4 runs a side)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
out=$(mktemp -d)
go test ./lint -run '^$' -bench 'BenchmarkPipeline$|BenchmarkPipelineParallel$' -benchtime 4s -cpuprofile "$out/lint.prof" >/dev/null
go test ./saml -run '^$' -bench 'BenchmarkDecodeParse$' -benchtime 3s -cpuprofile "$out/saml.prof" >/dev/null
go tool pprof -proto "$out/lint.prof" "$out/saml.prof" > "$out/default.pgo"
for _ in $(seq "$rounds"); do
  for pgo in off "$out/default.pgo"; do
    side=on; [ "$pgo" = off ] && side=off
    go test ./lint -run '^$' -bench 'BenchmarkPipeline$' -count 4 -pgo="$pgo" | grep ^Benchmark >> "$out/pipeline-$side.txt"
    go test ./saml -run '^$' -bench 'BenchmarkParseVerify$' -count 4 -pgo="$pgo" | grep ^Benchmark >> "$out/verify-$side.txt"
  done
done
benchstat() { go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da "$@"; }
benchstat "$out/pipeline-off.txt" "$out/pipeline-on.txt"
benchstat "$out/verify-off.txt" "$out/verify-on.txt"
for pgo in off "$out/default.pgo"; do
  cache=$(mktemp -d)
  start=$(date +%s.%N)
  GOCACHE=$cache CGO_ENABLED=0 go build -trimpath -pgo="$pgo" -o /dev/null ./cmd/samllint
  echo "cold build with -pgo=$pgo: $(echo "$(date +%s.%N) - $start" | bc) s"
  rm -rf "$cache"
done
