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
# Upstream pins a golang.org/x/exp that reads formats up to Go 1.25: for
# newer versions, point UPSTREAM_GRSTATES at a build against a newer x/exp.
# Needs the toolchains of ../shared/tools/install-go.sh in $GO_TOOLCHAINS
# and /usr/bin/time.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tc=${GO_TOOLCHAINS:-$HOME/go-toolchains}
up=${UPSTREAM_GRSTATES:?set UPSTREAM_GRSTATES to an upstream grstates binary}
runs=${RUNS:-5}
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.21 1.25)
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
unset GOROOT
data=${BENCH_DATA:-${TMPDIR:-/tmp}/toolbox-bench}
mkdir -p "$data"
(cd "$top" && cargo build --release --quiet --bin grstates)
ours="${CARGO_TARGET_DIR:-$top/target}/release/grstates"

median() { sort -g | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
ratio() { awk "BEGIN{printf \"%.2f\", $1/($2>0?$2:0.001)}"; }

# Runs "$@" once; appends "wall cpu rss_kb" to file $1.
once() {
  local log=$1
  shift
  /usr/bin/time -f '%e %U %S %M' -o "$data/time.out" "$@" > /dev/null 2>&1
  awk '{print $1, $2 + $3, $4}' "$data/time.out" >> "$log"
}

for v in "${versions[@]}"; do
  trace="$data/grstates-go$v.trace"
  if [ ! -s "$trace" ]; then
    (cd "$top/testdata/gen/tracegen" && "$tc/$v/bin/go" build -o "$data/tracegen-$v" .)
    GOMAXPROCS=4 "$data/tracegen-$v" -o "$trace" -repeat 120 -ticks 0
  fi
  mb=$(awk "BEGIN{printf \"%.1f\", $(stat -c %s "$trace")/1048576}")
  check=$(RUNS=8 UPSTREAM_GRSTATES=$up "$top/bench/compare-grstates.sh" "$trace" || true)
  : > "$data/up.log"
  : > "$data/ours.log"
  for _ in $(seq "$runs"); do
    once "$data/up.log" "$up" -input "$trace" -dot "$data/up.dot"
    once "$data/ours.log" "$ours" -input "$trace" -dot "$data/ours.dot"
  done
  read -r uw uc ur < <(for c in 1 2 3; do cut -d' ' -f$c "$data/up.log" | median; done | xargs)
  read -r ow oc or < <(for c in 1 2 3; do cut -d' ' -f$c "$data/ours.log" | median; done | xargs)
  echo "go$v trace: $mb MB; medians of $runs runs"
  echo "  ours vs upstream: $(ratio "$uc" "$oc")x less CPU, $(ratio "$uw" "$ow")x less wall time, peak memory $(ratio "$or" "$ur") of upstream's"
  printf '  upstream: %6.2f s CPU %6.2f s wall %8d KB peak\n' "$uc" "$uw" "$ur"
  printf '  ours:     %6.2f s CPU %6.2f s wall %8d KB peak\n' "$oc" "$ow" "$or"
  echo "  check: ${check#"$trace": }"
done
