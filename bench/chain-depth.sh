#!/usr/bin/env bash
# Benchmark: regiongraph's time against the depth of a cause tree, next to
# etgrep's time to read (and print) the same trace.
#
#   bench/chain-depth.sh [DEPTH ...]        (default: 1000 10000 100000)
#
# Makes (once, cached under $BENCH_DATA, default bench/data/, never committed)
# a Go 1.25 trace of testdata/gen/chaingen per depth: a chain of DEPTH
# goroutines, each starting the next and waiting for it, which
# testdata/gen/chaingen/chain.toml turns into one cause tree DEPTH levels
# deep. Prints a Markdown table of wall times (best of 3) and the largest
# peak RSS of the regiongraph runs. Needs the Go 1.25 toolchain in
# $GO_TOOLCHAINS (default ~/go-toolchains).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tc=${GO_TOOLCHAINS:-$HOME/go-toolchains}
depths=("$@")
[ ${#depths[@]} -gt 0 ] || depths=(1000 10000 100000)
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
unset GOROOT
data=${BENCH_DATA:-$top/bench/data}
mkdir -p "$data"
target=${CARGO_TARGET_DIR:-$top/target}
(cd "$top" && cargo build --release --quiet --bin regiongraph --bin etgrep)
regiongraph="$target/release/regiongraph"
etgrep="$target/release/etgrep"
patterns="$top/testdata/gen/chaingen/chain.toml"
(cd "$top/testdata/gen/chaingen" && "$tc/1.25/bin/go" build -o "$data/chaingen-1.25" .)

# best-of-3 wall seconds and max RSS (KB) of a command writing to /dev/null
measure() {
  local best="" rss=0 t r
  for _ in 1 2 3; do
    /usr/bin/time -f '%e %M' -o "$data/time.out" "$@" > /dev/null
    read -r t r < "$data/time.out"
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    [ "$r" -gt "$rss" ] && rss=$r
  done
  echo "$best $rss"
}

echo "| depth | trace | etgrep (read) | -show-regions | -show-pairs | -json | -json -summarize | peak RSS |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for d in "${depths[@]}"; do
  trace="$data/chain-$d-go1.25.trace"
  [ -s "$trace" ] || "$data/chaingen-1.25" -o "$trace" -depth "$d"
  mb=$(awk "BEGIN{printf \"%.2f MB\", $(stat -L -c %s "$trace")/1048576}")
  read -r e _ < <(measure "$etgrep" -input "$trace")
  row="| $d | $mb | $e s"
  peak=0
  for mode in -show-regions -show-pairs -json "-json -summarize"; do
    # shellcheck disable=SC2086 # the mode is one or two flags
    read -r t r < <(measure "$regiongraph" -patterns "$patterns" $mode "$trace")
    row="$row | $t s"
    [ "$r" -gt "$peak" ] && peak=$r
  done
  echo "$row | $((peak / 1024)) MB |"
done
