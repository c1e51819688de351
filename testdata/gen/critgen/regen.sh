#!/usr/bin/env bash
# Regenerates the critical-path fixture traces of regiongraph
# (testdata/traces/crit-goVERSION.trace), which crates/regions/tests and
# crates/cli/tests check against the path critgen's main.go describes.
#
#   testdata/gen/critgen/regen.sh [VERSION ...]     (default: 1.21 1.25 1.27)
#
# Needs the Go toolchains under $GO_TOOLCHAINS (default ~/go-toolchains).
# The timings are real: on a busy machine a run can stray from the plan (a
# spin descheduled past the sleeper's 5 ms, say), which the tests then
# report. Check with
#   regiongraph -input testdata/traces/crit-go1.25.trace \
#     -patterns testdata/gen/critgen/critgen.toml -critical-path
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
tc=${GO_TOOLCHAINS:-$HOME/go-toolchains}
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.21 1.25 1.27)
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
unset GOROOT
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for v in "${versions[@]}"; do
  (cd "$here" && "$tc/$v/bin/go" build -o "$tmp/critgen-$v" .)
  "$tmp/critgen-$v" -o "$top/testdata/traces/crit-go$v.trace" -n 3
  echo "crit-go$v: $(wc -c < "$top/testdata/traces/crit-go$v.trace") bytes"
done
