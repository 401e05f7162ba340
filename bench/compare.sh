#!/usr/bin/env bash
# Side-by-side speed of samllint, python3-saml and xmlsec1 on the same
# response, measured in one run on this machine; prints a markdown table.
# Not part of CI (it measures, it does not test). Needs Debian's
# python3-onelogin-saml2, python3-xmlsec and xmlsec1:
#   apt-get install -y python3-onelogin-saml2 python3-xmlsec xmlsec1
# usage: bench/compare.sh [iterations] [before]   (default 2000)
# With a git revision as "before" (such as main~1), the CLI is also
# timed against samllint built from that revision, in alternation.
# Binaries are built as the release builds them (CGO_ENABLED=0,
# -trimpath, -ldflags "-s -w").
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
BEFORE=${2:-}
SAMPLE=testdata/assertions/okta-connect.b64
CERT=testdata/keys/idp.crt
MD=testdata/metadata/okta-idp-metadata.xml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

release_build() { CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" "$@"; }
release_build -o "$work/samllint" ./cmd/samllint
if [ -n "$BEFORE" ]; then
  git worktree add -q --detach "$work/before" "$BEFORE"
  (cd "$work/before" && release_build -o "$work/samllint-before" ./cmd/samllint)
  git worktree remove --force "$work/before"
fi
base64 -d <(tr -d '\n' < "$SAMPLE") > "$work/sample.xml"

# 1. samllint: the whole lint (decode, parse, verify both signatures, every
#    rule) on one core, from the Go benchmark.
# 1b. crewjam/saml's ServiceProvider.ParseXMLResponse on the same response
#     and clock, in the same run of the same test binary.
bench=$(go test ./lint -run '^$' -bench '^(BenchmarkPipeline|BenchmarkCrewjamParseXMLResponse)$' -benchtime "${N}x" -cpu 1)
ns=$(awk '/^BenchmarkPipeline/ {print $3}' <<<"$bench")
cj_ns=$(awk '/^BenchmarkCrewjamParseXMLResponse/ {print $3}' <<<"$bench")
samllint_rps=$(awk -v ns="$ns" 'BEGIN {printf "%.0f", 1e9/ns}')
cj_rps=$(awk -v ns="$cj_ns" 'BEGIN {printf "%.0f", 1e9/ns}')

# 2b. python3-xmlsec: libxmlsec1 in process through lxml, both
#     signatures, no SAML checks.
pyx_rps=$(/usr/bin/python3 bench/python3_xmlsec.py "$SAMPLE" "$CERT" "$N")

# 2. python3-saml: is_valid, strict, both signatures required, pinned clock.
py_rps=$(/usr/bin/python3 bench/python3_saml.py "$SAMPLE" "$CERT" "$N")

# 3. xmlsec1 --verify: one process per signature, two per response.
xs_n=$(( N / 10 ))
start=$(date +%s%N)
for _ in $(seq "$xs_n"); do
  for i in 1 2; do
    xmlsec1 --verify --pubkey-cert-pem "$CERT" \
      --id-attr:ID urn:oasis:names:tc:SAML:2.0:protocol:Response \
      --id-attr:ID urn:oasis:names:tc:SAML:2.0:assertion:Assertion \
      --node-xpath "(//*[local-name()='Signature'])[$i]" "$work/sample.xml" >/dev/null 2>&1
  done
done
end=$(date +%s%N)
xs_rps=$(awk -v n="$xs_n" -v t=$(( end - start )) 'BEGIN {printf "%.0f", n/(t/1e9)}')

# 4 and 5. Whole processes, timed in alternation so that both sides see
# the same machine: the median of each.
alternate() { # rounds cmd-a -- cmd-b: prints "median-a median-b" in ms
  /usr/bin/python3 - "$@" <<'PY'
import statistics, subprocess, sys, time
rounds = int(sys.argv[1])
rest = sys.argv[2:]
cut = rest.index("--")
cmds = [rest[:cut], rest[cut + 1:]]
times = [[], []]
for _ in range(rounds):
    for i, cmd in enumerate(cmds):
        t = time.perf_counter()
        subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times[i].append((time.perf_counter() - t) * 1000)
print(" ".join(f"{statistics.median(t):.1f}" for t in times))
PY
}

# 4. Batch scaling: the CLI over 400 captures, --jobs 1 and --jobs 2.
mkdir "$work/batch"
for i in $(seq 400); do cp "$SAMPLE" "$work/batch/c$i.b64"; done
read -r j1 j2 < <(alternate 7 "$work/samllint" --at-issue --metadata "$MD" --jobs 1 --format json "$work/batch" -- \
  "$work/samllint" --at-issue --metadata "$MD" --jobs 2 --format json "$work/batch")
scale=$(awk -v a="$j1" -v b="$j2" 'BEGIN {printf "%.2f", a/b}')

# 5. CLI wall time for one paste (process start to exit): the median of
# 30, alternating with a Go program that prints one line (what starting
# a process costs here) or with the "before" build.
mkdir "$work/hello"
printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n' > "$work/hello/main.go"
printf 'module hello\n\ngo 1.21\n' > "$work/hello/go.mod"
(cd "$work/hello" && release_build -o "$work/hello-bin" .)
read -r paste_ms hello_ms < <(alternate 30 "$work/samllint" --at-issue --metadata "$MD" "$SAMPLE" -- "$work/hello-bin")
before_row=""
if [ -n "$BEFORE" ]; then
  read -r after_ms before_ms < <(alternate 30 "$work/samllint" --at-issue --metadata "$MD" "$SAMPLE" -- \
    "$work/samllint-before" --at-issue --metadata "$MD" "$SAMPLE")
  before_row="| CLI, one paste, this build ÷ $BEFORE's (${after_ms} ms ÷ ${before_ms} ms, in alternation) | $(awk -v a="$after_ms" -v b="$before_ms" 'BEGIN {printf "%.2f×", a/b}') |"
fi

# 6. Peak memory (max RSS) linting a 10 MB and a 50 MB HAR.
/usr/bin/python3 - "$SAMPLE" "$work" <<'PY'
import json, sys, urllib.parse
b64 = "".join(open(sys.argv[1]).read().split())
entry = {"startedDateTime": "2026-11-20T10:00:01.000Z",
         "request": {"method": "POST", "url": "https://signin.aws.amazon.com/saml",
                     "postData": {"mimeType": "application/x-www-form-urlencoded",
                                  "params": [{"name": "SAMLResponse", "value": urllib.parse.quote(b64, safe="")}]}},
         "response": {"status": 302, "statusText": "Found", "redirectURL": "https://console.aws.amazon.com/"}}
one = len(json.dumps(entry))
for mb in (10, 50):
    n = mb * 1000 * 1000 // one
    with open(f"{sys.argv[2]}/{mb}mb.har", "w") as f:
        f.write('{"log":{"version":"1.2","entries":[')
        f.write(",".join([json.dumps(entry)] * n))
        f.write("]}}")
PY
rss() { /usr/bin/time -f %M "$work/samllint" --at-issue --metadata "$MD" "$1" 2>&1 >/dev/null | tail -1; }
rss10=$(rss "$work/10mb.har"); rss50=$(rss "$work/50mb.har")
entries50=$(grep -o '"SAMLResponse"' "$work/50mb.har" | wc -l)

cat <<TABLE
| measurement | result |
|---|---|
| samllint, whole lint, 1 core | ${samllint_rps} responses/s |
| python3-saml is_valid, 1 core | ${py_rps} responses/s |
| samllint ÷ python3-saml | $(awk -v a="$samllint_rps" -v b="$py_rps" 'BEGIN {printf "%.2f×", a/b}') |
| crewjam/saml ParseXMLResponse, 1 core | ${cj_rps} responses/s |
| samllint ÷ crewjam/saml | $(awk -v a="$samllint_rps" -v b="$cj_rps" 'BEGIN {printf "%.2f×", a/b}') |
| python3-xmlsec (lxml), both signatures only, 1 core | ${pyx_rps} responses/s |
| samllint ÷ python3-xmlsec | $(awk -v a="$samllint_rps" -v b="$pyx_rps" 'BEGIN {printf "%.2f×", a/b}') |
| xmlsec1 --verify (2 processes per response) | ${xs_rps} responses/s |
| samllint ÷ xmlsec1 | $(awk -v a="$samllint_rps" -v b="$xs_rps" 'BEGIN {printf "%.1f×", a/b}') |
| batch of 400, --jobs 1 ÷ --jobs 2 wall time (${j1} ms ÷ ${j2} ms) | ${scale}× |
| CLI wall time, one paste (median of 30) | ${paste_ms} ms |
| a Go hello-world process, the floor (median of 30) | ${hello_ms} ms |
${before_row}
| peak RSS, 10 MB HAR | ${rss10} KiB |
| peak RSS, 50 MB HAR (${entries50} captures) | ${rss50} KiB |
TABLE
