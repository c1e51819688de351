#!/usr/bin/env bash
# Benchmark: reading a large trace with etgrep, next to Go's own parser.
#
#   bench/etgrep.sh [GO_VERSION ...]        (default: 1.25 1.21)
#
# For each Go version, makes a trace of at least 10 MB with the project's
# generator (testdata/gen/tracegen, cached under bench/data/), then runs, in
# the same run and on the same file:
#   reference: go tool trace -d=parsed TRACE > /dev/null   (Go 1.27)
#   ours:      etgrep -input TRACE -stacks > /dev/null
# and reports wall time and CPU time (user+sys; best of 3 runs each), peak
# RSS, throughput, and the ratios. On a busy machine the CPU-time ratio is the
# fairer one: wall time then mostly measures waiting for a core.
# Needs the toolchains of ../shared/tools/install-go.sh in $GO_TOOLCHAINS.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tc=${GO_TOOLCHAINS:-$HOME/go-toolchains}
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.25 1.21)
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
unset GOROOT
data="$top/bench/data"
mkdir -p "$data"
(cd "$top" && cargo build --release --quiet --bin etgrep)
etgrep="${CARGO_TARGET_DIR:-$top/target}/release/etgrep"
go="$tc/1.27/bin/go"
"$go" tool trace -h >/dev/null 2>&1 || true   # build the tool once, outside the timings

# best-of-3 wall seconds, best-of-3 CPU seconds and max RSS (KB) of a
# command writing to /dev/null
measure() {
  local best="" cpu="" rss=0 t u s r c
  for _ in 1 2 3; do
    /usr/bin/time -f '%e %U %S %M' -o "$data/time.out" "$@" > /dev/null 2>&1 || true
    read -r t u s r < "$data/time.out"
    c=$(awk "BEGIN{print $u + $s}")
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    if [ -z "$cpu" ] || awk "BEGIN{exit !($c < $cpu)}"; then cpu=$c; fi
    [ "$r" -gt "$rss" ] && rss=$r
  done
  echo "$best $cpu $rss"
}

for v in "${versions[@]}"; do
  trace="$data/bench-go$v.trace"
  if [ ! -s "$trace" ]; then
    (cd "$top/testdata/gen/tracegen" && "$tc/$v/bin/go" build -o "$data/tracegen-$v" .)
    GOMAXPROCS=4 "$data/tracegen-$v" -o "$trace" -repeat 120 -ticks 0
  fi
  mb=$(awk "BEGIN{printf \"%.1f\", $(stat -L -c %s "$trace")/1048576}")
  read -r gt gcpu grss < <(measure "$go" tool trace -d=parsed "$trace")
  read -r rt rcpu rrss < <(measure "$etgrep" -input "$trace" -stacks)
  events=$("$etgrep" -input "$trace" | wc -l)
  echo "go$v trace: $mb MB, $events events"
  printf '  go tool trace -d=parsed: %6.2f s wall %6.2f s CPU  %7d KB peak\n' "$gt" "$gcpu" "$grss"
  printf '  etgrep -stacks:          %6.2f s wall %6.2f s CPU  %7d KB peak  (%.0f MB/s)\n' "$rt" "$rcpu" "$rrss" "$(awk "BEGIN{print $mb/($rt>0?$rt:0.001)}")"
  printf '  speed-up %.1fx wall, %.1fx CPU; memory %.2f of Go'"'"'s\n' "$(awk "BEGIN{print $gt/($rt>0?$rt:0.001)}")" "$(awk "BEGIN{print $gcpu/($rcpu>0?$rcpu:0.001)}")" "$(awk "BEGIN{print $rrss/$grss}")"
done
