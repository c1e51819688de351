#!/usr/bin/env bash
# Benchmark: unstoppable next to upstream's, on the same large traces.
#
#   UPSTREAM_UNSTOPPABLE=/path/to/unstoppable bench/unstoppable.sh [GO_VERSION ...]
#                                                   (default: 1.21 1.25)
#
# For each Go version, makes a trace of at least 10 MB with the project's
# generator (testdata/gen/tracegen, cached under bench/data/, shared with
# bench/etgrep.sh), then runs both binaries RUNS times (default 5),
# alternating, on the same file with the same flags
# (-print-stacks -profile FILE, output to /dev/null), checks that their
# outputs are the same, and reports the ratios first, then the medians of
# CPU time (user+sys), wall time and peak RSS of each. On a busy machine
# the CPU-time ratio is the fairer one: wall time then also measures
# waiting for a core. Upstream pins a golang.org/x/exp that reads formats
# up to Go 1.25: for newer versions, point UPSTREAM_UNSTOPPABLE at a build
# against a newer x/exp. Needs the toolchains of ../shared/tools/install-go.sh
# in $GO_TOOLCHAINS and /usr/bin/time.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
bench_start 5 "$@"
up=${UPSTREAM_UNSTOPPABLE:?set UPSTREAM_UNSTOPPABLE to an upstream unstoppable binary}
ours=$(our_bin unstoppable)

for v in "${versions[@]}"; do
  trace="$data/bench-go$v.trace"
  big_trace "$v" "$trace"
  mb=$(awk "BEGIN{printf \"%.1f\", $(stat -L -c %s "$trace")/1048576}")
  "$up" -input "$trace" -print-stacks > "$data/up.txt"
  "$ours" -input "$trace" -print-stacks > "$data/ours.txt"
  cmp -s "$data/up.txt" "$data/ours.txt" || { echo "go$v: outputs differ" >&2; exit 1; }
  : > "$data/up.log"
  : > "$data/ours.log"
  for _ in $(seq "$runs"); do
    once "$data/up.log" "$up" -input "$trace" -print-stacks -profile "$data/up.pb.gz"
    once "$data/ours.log" "$ours" -input "$trace" -print-stacks -profile "$data/ours.pb.gz"
  done
  echo "go$v trace: $mb MB, $(grep -c '^STW' "$data/ours.txt") pauses (same output); medians of $runs runs"
  report
done
