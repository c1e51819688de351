#!/usr/bin/env bash
# Regenerates testdata/expected/grstates/: the DOT graph of every fixture
# trace, and of two traces merged.
#
#   UPSTREAM_GRSTATES=/path/to/grstates testdata/gen/grstates-expect.sh
#
# Upstream's output changes from run to run where it depends on Go's map
# order (README, grstates). For each trace, upstream runs up to $RUNS times
# (default 16): if one run is byte-identical to ours, that run is the
# expected output; if none is, ours is kept, after bench/compare-grstates.sh
# has checked it against upstream's runs (same nodes and edges, each weight
# and tooltip one of upstream's). The merged graph has no upstream
# counterpart: it is ours.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${UPSTREAM_GRSTATES:?set UPSTREAM_GRSTATES to an upstream grstates binary}"
runs=${RUNS:-16}
(cd "$top" && cargo build --release --quiet --bin grstates)
ours="${CARGO_TARGET_DIR:-$top/target}/release/grstates"
exp="$top/testdata/expected/grstates"
mkdir -p "$exp"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in "$top"/testdata/traces/*.trace; do
  name=$(basename "$t" .trace)
  "$ours" -input "$t" -dot "$tmp/ours.dot"
  from=ours
  for i in $(seq "$runs"); do
    "$UPSTREAM_GRSTATES" -input "$t" -dot "$tmp/up.dot"
    if cmp -s "$tmp/ours.dot" "$tmp/up.dot"; then from="upstream (run $i)"; break; fi
  done
  if [ "$from" = ours ]; then
    RUNS=$runs "$top/bench/compare-grstates.sh" "$t"
  fi
  gzip -9n < "$tmp/ours.dot" > "$exp/$name.dot.gz"
  echo "$name: $(wc -l < "$tmp/ours.dot") lines, from $from"
done
"$ours" -dot "$tmp/merged.dot" "$top/testdata/traces/go1.21.trace" "$top/testdata/traces/go1.22.trace"
gzip -9n < "$tmp/merged.dot" > "$exp/merged-go1.21-go1.22.dot.gz"
echo "merged-go1.21-go1.22: $(wc -l < "$tmp/merged.dot") lines, ours"
