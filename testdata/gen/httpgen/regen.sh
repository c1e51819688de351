#!/usr/bin/env bash
# Regenerates the HTTP fixture traces of regiongraph and etviz, and their
# expected outputs.
#
#   testdata/gen/httpgen/regen.sh [VERSION ...]     (default: 1.19 1.21 1.25)
#
# Needs the Go toolchains under $GO_TOOLCHAINS (default ~/go-toolchains).
# Expected outputs of Go ≤1.21 traces come from upstream's tools, named by
# $UPSTREAM_REGIONGRAPH and $UPSTREAM_ETVIZ (built from
# rhysh/go-tracing-toolbox); those of Go 1.22+ traces, which upstream cannot
# read, from ours ($REGIONGRAPH, $ETVIZ: default the release builds), as
# regression snapshots.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
tc=${GO_TOOLCHAINS:-$HOME/go-toolchains}
target=${CARGO_TARGET_DIR:-$top/target}
ours_rg=${REGIONGRAPH:-$target/release/regiongraph}
ours_viz=${ETVIZ:-$target/release/etviz}
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.19 1.21 1.25)
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
unset GOROOT
exp="$top/testdata/expected/regiongraph"
viz="$top/testdata/expected/etviz"
mkdir -p "$exp" "$viz"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for v in "${versions[@]}"; do
  trace="$top/testdata/traces/http-go$v.trace"
  (cd "$here" && "$tc/$v/bin/go" build -o "$tmp/httpgen" .)
  "$tmp/httpgen" -o "$trace" -requests 80
  minor=${v#1.}
  if [ "$minor" -le 21 ]; then
    rg=${UPSTREAM_REGIONGRAPH:?set UPSTREAM_REGIONGRAPH to an upstream regiongraph binary}
    ev=${UPSTREAM_ETVIZ:?set UPSTREAM_ETVIZ to an upstream etviz binary}
  else
    rg=$ours_rg
    ev=$ours_viz
  fi
  out="$exp/http-go$v"
  "$rg" -input "$trace" -show-regions | gzip -9n > "$out.regions.txt.gz"
  "$rg" -input "$trace" -show-chains | LC_ALL=C sort | gzip -9n > "$out.chains.txt.gz"
  "$rg" -input "$trace" -show-pairs | LC_ALL=C sort | gzip -9n > "$out.pairs.txt.gz"
  "$rg" -input "$trace" -json | gzip -9n > "$out.json.gz"
  "$rg" -input "$trace" -json -summarize > "$tmp/summary.json"
  gzip -9n < "$tmp/summary.json" > "$out.summary.json.gz"
  if [ -x "$ev" ] && [ "$minor" -ge 21 ]; then
    "$ev" -input "$tmp/summary.json" -output "$tmp/plain.svg"
    "$ev" -input "$tmp/summary.json" -output "$tmp/details.svg" -details
    gzip -9n < "$tmp/plain.svg" > "$viz/http-go$v.svg.gz"
    gzip -9n < "$tmp/details.svg" > "$viz/http-go$v.details.svg.gz"
  fi
  echo "go$v: $(stat -c %s "$trace") bytes, $(gzip -dc "$out.regions.txt.gz" | wc -l) regions"
done
