#!/usr/bin/env bash
# Regenerates scope_tls's and scope_chart's fixtures and expected outputs:
# TLS handshake traces with CPU samples (tlsgen, Go 1.21 and 1.25), their
# CPU profiles, scope_tls's text lines (ours), upstream's text lines for
# the Go 1.21 trace (TLS 1.2 only) and upstream scope_chart's pictures.
#
#   testdata/expected/scope/regen.sh
#
# Needs the Go toolchains under $GO_TOOLCHAINS (default ~/go-toolchains),
# upstream binaries named by $UPSTREAM_SCOPE_TLS and $UPSTREAM_SCOPE_CHART
# (built from rhysh/go-tracing-toolbox; scope_chart writes /tmp/img.png and
# /tmp/img.svg), and our release build of scope_tls ($SCOPE_TLS).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
tc=${GO_TOOLCHAINS:-$HOME/go-toolchains}
ours=${SCOPE_TLS:-${CARGO_TARGET_DIR:-$top/target}/release/scope_tls}
up_tls=${UPSTREAM_SCOPE_TLS:?set UPSTREAM_SCOPE_TLS to an upstream scope_tls binary}
up_chart=${UPSTREAM_SCOPE_CHART:?set UPSTREAM_SCOPE_CHART to an upstream scope_chart binary}
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
unset GOROOT
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for v in 1.21 1.25; do
  (cd "$here/tlsgen" && "$tc/$v/bin/go" build -o "$tmp/tlsgen" .)
  "$tmp/tlsgen" -trace "$tmp/tls-go$v.trace" -cpu "$here/tls-go$v.cpu.pb.gz"
  gzip -9n < "$tmp/tls-go$v.trace" > "$here/tls-go$v.trace.gz"
  "$ours" -input "$tmp/tls-go$v.trace" -text > "$here/tls-go$v.txt"
  echo "go$v: $(wc -l < "$here/tls-go$v.txt") samples in handshakes"
done
"$up_tls" -input "$tmp/tls-go1.21.trace" -text > "$here/tls-go1.21.upstream.txt"
"$up_chart"
cp /tmp/img.svg "$here/chart-sample.upstream.svg"
cp /tmp/img.png "$here/chart-sample.upstream.png"
"$up_chart" -input "$here/tls-go1.21.txt"
cp /tmp/img.svg "$here/chart-tls-go1.21.upstream.svg"
cp /tmp/img.png "$here/chart-tls-go1.21.upstream.png"
# Fractions that are NaN, infinite or out of range (odd-fracs.txt is
# hand-written): where upstream draws them on amd64.
"$up_chart" -input "$here/odd-fracs.txt"
cp /tmp/img.svg "$here/odd-fracs.upstream.svg"
chmod 644 "$here"/*.svg "$here"/*.png
