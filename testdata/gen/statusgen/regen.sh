#!/usr/bin/env bash
# Regenerates grstates' GoStatusStack fixture,
# testdata/traces/status-go1.25.trace: goroutines blocked across generations
# (see main.go). Then regenerate its expected graph with
# testdata/gen/grstates-expect.sh, from an upstream grstates built against
# golang.org/x/exp 944ab1f or newer (README, grstates).
#
#   testdata/gen/statusgen/regen.sh
#
# Needs Go 1.25 under $GO_TOOLCHAINS (default ~/go-toolchains).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
tc=${GO_TOOLCHAINS:-$HOME/go-toolchains}
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
unset GOROOT
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$here" && "$tc/1.25/bin/go" build -o "$tmp/statusgen" .)
GOMAXPROCS=2 "$tmp/statusgen" -o "$top/testdata/traces/status-go1.25.trace"
echo "status-go1.25: $(wc -c < "$top/testdata/traces/status-go1.25.trace") bytes"
