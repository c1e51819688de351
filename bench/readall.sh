#!/usr/bin/env bash
# Benchmark: the reader alone, next to Go's own parser doing the same work.
#
#   bench/readall.sh [GO_VERSION ...]                 (default: 1.21 1.25)
#
# Builds go-readall (../shared/tools/go-readall/build.sh: Go 1.27's
# internal/trace reading every event and touching every frame's function
# and line) and our `readall` example (crates/gotrace/examples/readall.rs,
# the same work with gotrace::Reader). For each Go version, makes a trace of
# at least 10 MB with the project's generator (testdata/gen/tracegen, cached
# under bench/data/, shared with the other benchmarks), checks that both
# print the same two numbers (events, frame checksum), then runs both RUNS
# times (default 5), alternating, and reports the ratios first, then the
# medians of CPU time (user+sys), wall time and peak RSS of each. On a busy
# machine the CPU-time ratio is the fairer one: wall time then also
# measures waiting for a core. GO_READALL=/path/to/go-readall skips the
# build; SHARED_TOOLS names ../shared/tools when the checkout is elsewhere. Needs the toolchains of ../shared/tools/install-go.sh in
# $GO_TOOLCHAINS and /usr/bin/time.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
bench_start 5 "$@"
tools=${SHARED_TOOLS:-$top/../shared/tools}
goreadall=${GO_READALL:-}
if [ -z "$goreadall" ]; then
  goreadall="$data/go-readall"
  GO_TOOLCHAINS=$tc "$tools/go-readall/build.sh" "$goreadall" > /dev/null
fi
(cd "$top" && cargo build --release --quiet -p gotrace --example readall)
ours="${CARGO_TARGET_DIR:-$top/target}/release/examples/readall"

for v in "${versions[@]}"; do
  trace="$data/bench-go$v.trace"
  big_trace "$v" "$trace"
  mb=$(awk "BEGIN{printf \"%.1f\", $(stat -L -c %s "$trace")/1048576}")
  want=$("$goreadall" "$trace")
  got=$("$ours" "$trace")
  [ "$want" = "$got" ] || { echo "go$v: go-readall printed '$want', readall '$got'" >&2; exit 1; }
  : > "$data/up.log"
  : > "$data/ours.log"
  for _ in $(seq "$runs"); do
    once "$data/up.log" "$goreadall" "$trace"
    once "$data/ours.log" "$ours" "$trace"
  done
  echo "go$v trace: $mb MB, $want (events, frame checksum: the same); medians of $runs runs"
  report go-readall
done
