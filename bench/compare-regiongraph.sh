#!/usr/bin/env bash
# Compares regiongraph with an upstream regiongraph on Go ≤1.21 traces, in
# every output mode: -show-regions, -json and -json -summarize byte for
# byte; -show-chains and -show-pairs (printed by upstream in Go map order)
# as sorted lines.
#
#   UPSTREAM_REGIONGRAPH=/path/to/regiongraph bench/compare-regiongraph.sh TRACE...
#
# Prints one line per trace and mode: "same", "same lines" (equal once
# sorted: upstream ordered ties differently), or "DIFFERENT"; exits 1 if
# any mode differs.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
upstream=${UPSTREAM_REGIONGRAPH:?set UPSTREAM_REGIONGRAPH to an upstream regiongraph binary}
target=${CARGO_TARGET_DIR:-$top/target}
ours=${REGIONGRAPH:-$target/release/regiongraph}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for trace in "$@"; do
  for mode in "-show-regions" "-show-chains" "-show-pairs" "-json" "-json -summarize"; do
    # shellcheck disable=SC2086
    "$upstream" -input "$trace" $mode > "$tmp/u" 2>&1
    # shellcheck disable=SC2086
    "$ours" -input "$trace" $mode > "$tmp/o" 2>&1
    if cmp -s "$tmp/u" "$tmp/o"; then
      verdict=same
    elif cmp -s <(LC_ALL=C sort "$tmp/u") <(LC_ALL=C sort "$tmp/o"); then
      verdict="same lines"
    else
      verdict=DIFFERENT
      status=1
    fi
    printf '%-60s %-17s %6d lines  %s\n' "$trace" "$mode" "$(wc -l < "$tmp/o")" "$verdict"
  done
done
exit $status
