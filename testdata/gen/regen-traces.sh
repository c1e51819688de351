#!/usr/bin/env bash
# Regenerates the fixture traces and their expected etgrep outputs.
#
#   testdata/gen/regen-traces.sh [VERSION ...]     (default: 1.19 1.21 1.22 1.23 1.25 1.26 1.27)
#
# Needs the Go toolchains of ../shared/tools/install-go.sh under $GO_TOOLCHAINS
# (default ~/go-toolchains). Expected outputs come from Go's own tools:
# plain output from `go tool trace -d=parsed` of Go 1.27 (its lines that start
# with "M="); the -stacks, -sort=goroutine and -match forms from an upstream
# etgrep binary named by $UPSTREAM_ETGREP (built from rhysh/go-tracing-toolbox;
# without it those forms are not regenerated).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tc=${GO_TOOLCHAINS:-$HOME/go-toolchains}
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.19 1.21 1.22 1.23 1.25 1.26 1.27)
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
unset GOROOT
match='Any "**" "runtime/trace.WithRegion" "**"'

# Expected outputs of one trace file, named go$1.* under testdata/expected.
expect() {
  local name=$1 trace=$2 exp="$top/testdata/expected/go$1"
  "$tc/1.27/bin/go" tool trace -d=parsed "$trace" | grep '^M=' | gzip -9n > "$exp.plain.txt.gz"
  if [ -n "${UPSTREAM_ETGREP:-}" ]; then
    "$UPSTREAM_ETGREP" -input "$trace" -stacks | gzip -9n > "$exp.stacks.txt.gz"
    "$UPSTREAM_ETGREP" -input "$trace" -sort=goroutine | gzip -9n > "$exp.goroutine.txt.gz"
    "$UPSTREAM_ETGREP" -input "$trace" -stacks -match="$match" | gzip -9n > "$exp.match.txt.gz"
  fi
  echo "go$name: $(wc -c < "$trace") bytes, $(zcat "$exp.plain.txt.gz" | wc -l) events"
}

# Go 1.11 traces can't be made with the toolchains at hand: take the ones
# Go's own tests keep (user tasks and regions; start and stop of tracing).
v1data="$tc/1.27/src/internal/trace/internal/tracev1/testdata"
cp "$v1data/user_task_region_1_11_good" "$top/testdata/traces/go1.11-tasks.trace"
expect 1.11-tasks "$top/testdata/traces/go1.11-tasks.trace"
cp "$v1data/stress_start_stop_1_11_good" "$top/testdata/traces/go1.11-startstop.trace"
expect 1.11-startstop "$top/testdata/traces/go1.11-startstop.trace"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for v in "${versions[@]}"; do
  trace="$top/testdata/traces/go$v.trace"
  (cd "$here/tracegen" && "$tc/$v/bin/go" build -o "$work/tracegen-$v" .)
  # Small traces: one P keeps them a few hundred KB.
  GOMAXPROCS=2 "$work/tracegen-$v" -o "$trace"
  expect "$v" "$trace"
done
