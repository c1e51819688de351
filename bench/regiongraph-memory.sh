#!/usr/bin/env bash
# Benchmark: regiongraph's peak memory against the size of its input.
#
#   [UPSTREAM_REGIONGRAPH=/path/to/regiongraph] bench/regiongraph-memory.sh
#
# Makes (once, cached under bench/data/) traces of the HTTP workload
# (testdata/gen/httpgen) with 300, 1200 and 4800 inbound requests for Go 1.21
# and Go 1.25, and a 20 MB Go 1.25 trace of the generic generator
# (testdata/gen/tracegen, as bench/etgrep.sh makes it) with many events and
# no HTTP regions. For each it prints the trace's size, its events (lines of
# `etgrep`), the regions and span trees found, and the peak RSS of
# `regiongraph -json -summarize`; with UPSTREAM_REGIONGRAPH, upstream's peak
# RSS on the Go 1.21 traces too (upstream reads no newer format).
# Needs Go 1.21 and 1.25 in $GO_TOOLCHAINS (default ~/go-toolchains).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tc=${GO_TOOLCHAINS:-$HOME/go-toolchains}
upstream=${UPSTREAM_REGIONGRAPH:-}
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
unset GOROOT
data="$top/bench/data"
mkdir -p "$data"
target=${CARGO_TARGET_DIR:-$top/target}
(cd "$top" && cargo build --release --quiet --bin regiongraph --bin etgrep)
ours="$target/release/regiongraph"
etgrep="$target/release/etgrep"

traces=()
for v in 1.21 1.25; do
  for n in 300 1200 4800; do
    t="$data/http-mem-go$v-$n.trace"
    if [ ! -s "$t" ]; then
      [ -x "$data/httpgen-$v" ] ||
        (cd "$top/testdata/gen/httpgen" && "$tc/$v/bin/go" build -o "$data/httpgen-$v" .)
      "$data/httpgen-$v" -o "$t" -requests "$n"
    fi
    traces+=("$t")
  done
done
t="$data/bench-go1.25.trace"
if [ ! -s "$t" ]; then
  (cd "$top/testdata/gen/tracegen" && "$tc/1.25/bin/go" build -o "$data/tracegen-1.25" .)
  GOMAXPROCS=4 "$data/tracegen-1.25" -o "$t" -repeat 120 -ticks 0
fi
traces+=("$t")

# peak RSS (KB) of a command writing to /dev/null
rss() {
  /usr/bin/time -f '%M' -o "$data/time.out" "$@" > /dev/null 2>&1 || true
  cat "$data/time.out"
}

printf '%-28s %8s %10s %8s %7s %10s %8s %12s\n' trace MB events regions trees "peak KB" "B/event" "upstream KB"
for t in "${traces[@]}"; do
  mb=$(awk "BEGIN{printf \"%.2f\", $(stat -L -c %s "$t")/1048576}")
  events=$("$etgrep" -input "$t" | wc -l)
  regions=$("$ours" -input "$t" -show-regions | wc -l)
  trees=$("$ours" -input "$t" -json -summarize | wc -l)
  peak=$(rss "$ours" -input "$t" -json -summarize)
  up=-
  if [ -n "$upstream" ] && [[ "$t" == *go1.21* ]]; then
    up=$(rss "$upstream" -input "$t" -json -summarize)
  fi
  printf '%-28s %8s %10d %8d %7d %10d %8.1f %12s\n' "$(basename "$t")" "$mb" "$events" \
    "$regions" "$trees" "$peak" "$(awk "BEGIN{print $peak*1024/$events}")" "$up"
done
