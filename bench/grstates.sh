#!/usr/bin/env bash
# Benchmark: grstates -dot next to upstream's, on the same large traces.
#
#   UPSTREAM_GRSTATES=/path/to/grstates bench/grstates.sh [GO_VERSION ...]
#                                                   (default: 1.21 1.25)
#
# For each Go version, makes a trace of at least 10 MB with the project's
# generator (testdata/gen/tracegen), outside the repo in $BENCH_DATA
# (default ${TMPDIR:-/tmp}/toolbox-bench), then runs both binaries RUNS
# times (default 5), alternating, on the same file (-dot FILE), checks that
# the two graphs have the same nodes and edges (bench/compare-grstates.sh),
# and reports the ratios first, then the medians of CPU time (user+sys),
# wall time and peak RSS of each. On a busy machine the CPU-time ratio is
# the fairer one: wall time then also measures waiting for a core.
# The upstream build must be against golang.org/x/exp 944ab1f or newer:
# the x/exp that upstream pins reads formats up to Go 1.25 only and drops the
# stacks of GoStatusStack events, so its graphs of Go 1.23+ traces lack
# nodes (README, grstates); bench/compare-grstates.sh refuses such a build.
# Needs the toolchains of ../shared/tools/install-go.sh in $GO_TOOLCHAINS
# and /usr/bin/time.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
data=${BENCH_DATA:-${TMPDIR:-/tmp}/toolbox-bench}
bench_start 5 "$@"
up=${UPSTREAM_GRSTATES:?set UPSTREAM_GRSTATES to an upstream grstates binary}
ours=$(our_bin grstates)

for v in "${versions[@]}"; do
  trace="$data/grstates-go$v.trace"
  big_trace "$v" "$trace"
  mb=$(awk "BEGIN{printf \"%.1f\", $(stat -L -c %s "$trace")/1048576}")
  check=$(RUNS=8 UPSTREAM_GRSTATES=$up "$top/bench/compare-grstates.sh" "$trace" || true)
  : > "$data/up.log"
  : > "$data/ours.log"
  for _ in $(seq "$runs"); do
    once "$data/up.log" "$up" -input "$trace" -dot "$data/up.dot"
    once "$data/ours.log" "$ours" -input "$trace" -dot "$data/ours.dot"
  done
  echo "go$v trace: $mb MB; medians of $runs runs"
  report
  echo "  check: ${check#"$trace": }"
done
