#!/usr/bin/env bash
# Seeds the fuzz corpora (read_trace, regions) with the fixture traces
# (whole, and cut short).
set -euo pipefail
cd "$(dirname "$0")"
for target in read_trace regions; do
  mkdir -p "corpus/$target"
  for t in ../testdata/traces/*.trace; do
    n=$(basename "$t" .trace)
    cp "$t" "corpus/$target/$n"
    head -c 4096 "$t" > "corpus/$target/$n-head"
  done
done
