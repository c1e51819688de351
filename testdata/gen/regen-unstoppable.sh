#!/usr/bin/env bash
# Regenerates unstoppable's expected outputs (testdata/expected/unstoppable/)
# from an upstream build, on the committed fixture traces:
#   NAME.txt        unstoppable -input TRACE
#   NAME.stacks.txt unstoppable -input TRACE -print-stacks -grace=20us
#   NAME.pb.gz      the -profile of that run
#
#   UPSTREAM_UNSTOPPABLE=/path/to/unstoppable testdata/gen/regen-unstoppable.sh
#
# Upstream pins a golang.org/x/exp that reads trace formats up to Go 1.25;
# for Go 1.26 and 1.27 traces build it against a newer x/exp (its outputs
# on older formats are the same).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
up=${UPSTREAM_UNSTOPPABLE:?set UPSTREAM_UNSTOPPABLE to an upstream unstoppable binary}
out="$top/testdata/expected/unstoppable"
mkdir -p "$out"
for name in go1.11-startstop go1.19 go1.21 go1.22 go1.23 go1.25 go1.26 go1.27 http-go1.19 http-go1.21 http-go1.25; do
  trace="$top/testdata/traces/$name.trace"
  "$up" -input "$trace" > "$out/$name.txt"
  "$up" -input "$trace" -print-stacks -grace=20us -profile "$out/$name.pb.gz" > "$out/$name.stacks.txt"
  echo "$name: $(wc -l < "$out/$name.txt") pauses, $(grep -c '^[a-z-]* +' "$out/$name.stacks.txt" || true) samples counted"
done
