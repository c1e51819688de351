#!/usr/bin/env bash
# Seeds the fuzz corpus with the fixture traces (whole, and cut short).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/read_trace
for t in ../testdata/traces/*.trace; do
  n=$(basename "$t" .trace)
  cp "$t" "corpus/read_trace/$n"
  head -c 4096 "$t" > "corpus/read_trace/$n-head"
done
