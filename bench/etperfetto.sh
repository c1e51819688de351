#!/usr/bin/env bash
# Benchmark: etperfetto converting a whole large trace, next to Go's own
# parser reading it, and etperfetto's peak memory as the trace grows.
#
#   bench/etperfetto.sh [GO_VERSION ...]        (default: 1.21 1.25)
#
# For each Go version, makes two traces with the project's generator
# (testdata/gen/tracegen, cached under bench/data/): the 10 MB one of
# bench/lib.sh (-repeat 120) and one four times as long (-repeat 480). On
# the first, in the same run, alternating, RUNS times (default 3):
#   reference: go tool trace -d=parsed TRACE > /dev/null   (Go 1.27)
#   ours:      etperfetto -input TRACE -output FILE
# and reports the ratios, then the medians of CPU (user+sys), wall time and
# peak RSS. Then etperfetto's medians on the longer trace, to show whether
# peak memory grows with the trace. With Python's perfetto and protobuf
# packages, the outputs are checked with crates/cli/tests/perfetto_check.py.
# Needs the toolchains of ../shared/tools/install-go.sh in $GO_TOOLCHAINS
# and /usr/bin/time.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
bench_start 3 "$@"
ours=$(our_bin etperfetto)
go="$tc/1.27/bin/go"
"$go" tool trace -h >/dev/null 2>&1 || true   # build the tool once, outside the timings

# medians of "wall cpu rss" in log $1
medians() {
  for c in 1 2 3; do cut -d' ' -f$c "$1" | median; done | xargs
}

mb() { awk "BEGIN{printf \"%.1f\", $(stat -L -c %s "$1")/1048576}"; }

checked() {
  if python3 -c 'import google.protobuf.unknown_fields, perfetto.protos.perfetto.trace.perfetto_trace_pb2' 2>/dev/null; then
    python3 "$top/crates/cli/tests/perfetto_check.py" "$1" > /dev/null && echo "decodes with Perfetto's schema, no problem found"
  else
    echo "not checked (no python3 perfetto/protobuf)"
  fi
}

for v in "${versions[@]}"; do
  small="$data/bench-go$v.trace"
  big_trace "$v" "$small"
  large="$data/bench-go$v-x4.trace"
  if [ ! -s "$large" ]; then
    GOMAXPROCS=4 "$data/tracegen-$v" -o "$large" -repeat 480 -ticks 0
  fi
  : > "$data/up.log"
  : > "$data/ours.log"
  : > "$data/large.log"
  for _ in $(seq "$runs"); do
    once "$data/up.log" "$go" tool trace -d=parsed "$small"
    once "$data/ours.log" "$ours" -input "$small" -output "$data/out.pftrace"
    once "$data/large.log" "$ours" -input "$large" -output "$data/out-x4.pftrace"
  done
  echo "go$v trace: $(mb "$small") MB -> $(mb "$data/out.pftrace") MB Perfetto trace ($(checked "$data/out.pftrace")); medians of $runs runs"
  read -r uw uc ur < <(medians "$data/up.log")
  read -r ow oc or < <(medians "$data/ours.log")
  read -r lw lc lr < <(medians "$data/large.log")
  echo "  etperfetto vs go tool trace -d=parsed: $(ratio "$uc" "$oc")x less CPU, $(ratio "$uw" "$ow")x less wall time, peak memory $(ratio "$or" "$ur") of Go's"
  printf '  go tool trace -d=parsed: %6.2f s CPU %6.2f s wall %8d KB peak\n' "$uc" "$uw" "$ur"
  printf '  etperfetto:              %6.2f s CPU %6.2f s wall %8d KB peak\n' "$oc" "$ow" "$or"
  printf '  etperfetto, %6s MB trace (4x): %6.2f s CPU %6.2f s wall %8d KB peak (%s)\n' "$(mb "$large")" "$lc" "$lw" "$lr" "$(checked "$data/out-x4.pftrace")"
  rm -f "$data/out.pftrace" "$data/out-x4.pftrace"
done
