#!/usr/bin/env bash
# Compares our etgrep with Go's tools on any traces, in the four forms:
#   plain      vs the "M=" lines of `go tool trace -d=parsed` (Go 1.27)
#   -stacks, -sort=goroutine, -match   vs an upstream etgrep ($UPSTREAM_ETGREP)
# For each form it prints "same", or "DIFF" with the first differing line.
# Go's own output for Go <=1.21 traces can change between runs (see
# README); such differences show as DIFF here, with equal line counts.
#
#   UPSTREAM_ETGREP=/path/to/etgrep bench/compare-etgrep.sh TRACE...
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
go=${GO:-${GO_TOOLCHAINS:-$HOME/go-toolchains}/1.27/bin/go}
export GOTOOLCHAIN=local TZ=${TZ:-UTC}
(cd "$top" && cargo build --release --quiet --bin etgrep)
ours="$top/target/release/etgrep"
match='StateTransition "**" "sync...Mutex..Lock"'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
compare() {
  if cmp -s "$tmp/want" "$tmp/got"; then
    echo "  $1: same ($(wc -l < "$tmp/got") lines)"
  else
    echo "  $1: DIFF ($(wc -l < "$tmp/want") vs $(wc -l < "$tmp/got") lines)"
    diff "$tmp/want" "$tmp/got" | head -4 | sed 's/^/    /'
  fi
}
for t in "$@"; do
  echo "$t"
  "$go" tool trace -d=parsed "$t" 2>/dev/null | grep '^M=' > "$tmp/want" || true
  "$ours" -input "$t" > "$tmp/got" 2>/dev/null || true
  compare plain
  [ -n "${UPSTREAM_ETGREP:-}" ] || continue
  for form in stacks goroutine match; do
    case $form in
      stacks) args=(-stacks) ;;
      goroutine) args=(-sort=goroutine) ;;
      match) args=(-stacks "-match=$match") ;;
    esac
    "$UPSTREAM_ETGREP" -input "$t" "${args[@]}" > "$tmp/want" 2>/dev/null || true
    "$ours" -input "$t" "${args[@]}" > "$tmp/got" 2>/dev/null || true
    compare "${args[*]}"
  done
done
