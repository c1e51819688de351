#!/usr/bin/env bash
# Benchmark: what regiongraph's critical paths cost on top of the analysis.
#
#   bench/critical-path.sh [GO_VERSION ...]     (default: 1.21 1.25)
#
# For each Go version, makes (once, cached under bench/data/) a trace of
# about 10 MB of the HTTP workload with testdata/gen/httpgen, then runs
# `regiongraph -json -summarize` and `regiongraph -critical-path -json` on
# it RUNS times each (default 5), alternating, output to /dev/null, and
# reports the ratio of the medians of CPU time (user+sys) (the issue's
# bound: at most 1.5), then wall time and peak RSS of each. Both commands
# do the two passes over the trace; the critical paths add the goroutine
# histories recorded during the second pass and the walk of each tree.
# Needs the Go toolchains in $GO_TOOLCHAINS (default ~/go-toolchains) and
# /usr/bin/time.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
bench_start 5 "$@"
rg=$(our_bin regiongraph)

# Requests that make about 10 MB of trace, by format.
declare -A requests=([1.21]=8500 [1.25]=2900)

for v in "${versions[@]}"; do
  n=${requests[$v]:-2900}
  trace="$data/http-critical-go$v-$n.trace"
  if [ ! -s "$trace" ]; then
    (cd "$top/testdata/gen/httpgen" && "$tc/$v/bin/go" build -o "$data/httpgen-$v" .)
    "$data/httpgen-$v" -o "$trace" -requests "$n"
  fi
  mb=$(awk "BEGIN{printf \"%.1f\", $(stat -L -c %s "$trace")/1048576}")
  trees=$("$rg" -input "$trace" -critical-path -json | wc -l)
  rm -f "$data/sum.log" "$data/crit.log"
  for _ in $(seq "$runs"); do
    once "$data/sum.log" "$rg" -input "$trace" -json -summarize
    once "$data/crit.log" "$rg" -input "$trace" -critical-path -json
  done
  read -r sw sc sr < <(for c in 1 2 3; do cut -d' ' -f$c "$data/sum.log" | median; done | xargs)
  read -r cw cc cr < <(for c in 1 2 3; do cut -d' ' -f$c "$data/crit.log" | median; done | xargs)
  echo "go$v HTTP trace: $mb MB, $trees trees (medians of $runs runs)"
  echo "  -critical-path -json / -json -summarize: $(ratio "$cc" "$sc")x CPU, $(ratio "$cw" "$sw")x wall, $(ratio "$cr" "$sr")x peak memory"
  printf '  -json -summarize:      %6.2f s CPU %6.2f s wall %8d KB peak\n' "$sc" "$sw" "$sr"
  printf '  -critical-path -json:  %6.2f s CPU %6.2f s wall %8d KB peak\n' "$cc" "$cw" "$cr"
done
