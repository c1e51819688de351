#!/usr/bin/env bash
# Benchmark: regiongraph -json -summarize next to upstream's regiongraph on
# the same Go 1.21 trace of the HTTP workload.
#
#   UPSTREAM_REGIONGRAPH=/path/to/regiongraph bench/regiongraph.sh [REQUESTS]
#
# Makes (once, cached under bench/data/) a Go 1.21 trace of about 1.6 MB
# with testdata/gen/httpgen (REQUESTS inbound requests, default 1100), checks
# that both tools print the same lines, then reports wall time (best of 3),
# peak RSS and the ratios. Needs the Go 1.21 toolchain in $GO_TOOLCHAINS
# (default ~/go-toolchains) and an upstream build (rhysh/go-tracing-toolbox).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tc=${GO_TOOLCHAINS:-$HOME/go-toolchains}
upstream=${UPSTREAM_REGIONGRAPH:?set UPSTREAM_REGIONGRAPH to an upstream regiongraph binary}
requests=${1:-1100}
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
unset GOROOT
data="$top/bench/data"
mkdir -p "$data"
target=${CARGO_TARGET_DIR:-$top/target}
(cd "$top" && cargo build --release --quiet --bin regiongraph)
ours="$target/release/regiongraph"

trace="$data/http-bench-go1.21-$requests.trace"
if [ ! -s "$trace" ]; then
  (cd "$top/testdata/gen/httpgen" && "$tc/1.21/bin/go" build -o "$data/httpgen-1.21" .)
  "$data/httpgen-1.21" -o "$trace" -requests "$requests"
fi

# best-of-3 wall seconds and max RSS (KB) of a command writing to /dev/null
measure() {
  local best="" rss=0 t r
  for _ in 1 2 3; do
    /usr/bin/time -f '%e %M' -o "$data/time.out" "$@" > /dev/null 2>&1 || true
    read -r t r < "$data/time.out"
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    [ "$r" -gt "$rss" ] && rss=$r
  done
  echo "$best $rss"
}

"$upstream" -input "$trace" -json -summarize | sort > "$data/upstream.out"
"$ours" -input "$trace" -json -summarize | sort > "$data/ours.out"
if cmp -s "$data/upstream.out" "$data/ours.out"; then same="same lines"; else same="OUTPUTS DIFFER"; fi
mb=$(awk "BEGIN{printf \"%.2f\", $(stat -L -c %s "$trace")/1048576}")
read -r ut urss < <(measure "$upstream" -input "$trace" -json -summarize)
read -r ot orss < <(measure "$ours" -input "$trace" -json -summarize)
echo "go1.21 HTTP trace: $mb MB, $(wc -l < "$data/ours.out") summary lines ($same)"
printf '  upstream regiongraph -json -summarize: %6.2f s  %7d KB peak\n' "$ut" "$urss"
printf '  regiongraph -json -summarize:          %6.2f s  %7d KB peak\n' "$ot" "$orss"
printf '  speed-up %.1fx, memory %.2f of upstream'"'"'s\n' "$(awk "BEGIN{print $ut/($ot>0?$ot:0.001)}")" "$(awk "BEGIN{print $orss/$urss}")"
