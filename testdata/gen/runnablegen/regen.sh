#!/usr/bin/env bash
# Regenerates the fixture testdata/traces/go1.21-runnable.trace (a Go 1.21
# trace that opens with thousands of goroutines runnable, see main.go) and
# its expected output from Go 1.27's `go tool trace -d=parsed` (the lines
# that start with "M="). Go prints those goroutines' statuses in map order,
# so the test compares events up to their order and times.
#
#   testdata/gen/runnablegen/regen.sh
#
# Needs Go 1.21 and 1.27 under $GO_TOOLCHAINS (default ~/go-toolchains).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
tc=${GO_TOOLCHAINS:-$HOME/go-toolchains}
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
unset GOROOT
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trace="$top/testdata/traces/go1.21-runnable.trace"
(cd "$here" && "$tc/1.21/bin/go" build -o "$tmp/runnablegen" .)
"$tmp/runnablegen" -o "$trace"
"$tc/1.27/bin/go" tool trace -d=parsed "$trace" | grep '^M=' |
  gzip -9n > "$top/testdata/expected/go1.21-runnable.plain.txt.gz"
echo "go1.21-runnable: $(wc -c < "$trace") bytes, $(zcat "$top/testdata/expected/go1.21-runnable.plain.txt.gz" | wc -l) events"
