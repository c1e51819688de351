#!/usr/bin/env bash
# Compares our `grstates -dot` with upstream's on any traces.
#
#   UPSTREAM_GRSTATES=/path/to/grstates bench/compare-grstates.sh TRACE...
#
# Upstream's DOT output changes from run to run where it depends on Go's map
# order (README, grstates): which of several stack-states drawn as one node
# or edge gives its count and example, and the order of nodes whose
# priorities tie. So upstream runs $RUNS times (default 8) and, per trace,
# this prints:
#   structure  every node (id, shape, label) and edge (endpoints) the same as
#              in each upstream run: "same" or DIFF (never map-order
#              dependent, so any difference is a bug);
#   weights    each edge's weight and penwidth as in one of upstream's runs
#              (the same for edges without colliding stack-states);
#   tooltips   each node's and edge's tooltip/comment as in one of the runs;
#   bytes      whether our file is byte-identical to one of the runs (it may
#              not be where node order ties are broken differently).
# Exit status 1 if any structure, weight or tooltip is not upstream's.
#
# The upstream build must read GoStatusStack events as Go's parser does
# since Go 1.26, and golang.org/x/exp since 944ab1f: with the goroutine's
# stack (README, grstates). Built against the x/exp that upstream pins
# (645b1fa), it drops those stacks, so on Go 1.23+ traces where goroutines
# stay blocked across generations its graphs lack nodes and edges, and the
# structure would differ for that reason alone. The script checks that first,
# on the fixture made for it (testdata/gen/statusgen), and refuses such a
# build (exit status 2).
set -euo pipefail
: "${UPSTREAM_GRSTATES:?set UPSTREAM_GRSTATES to an upstream grstates binary}"
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-8}
(cd "$top" && cargo build --release --quiet --bin grstates)
ours="${CARGO_TARGET_DIR:-$top/target}/release/grstates"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One line per element, sorted: FIELD is "struct", "weight" or "tip".
norm() {
  awk -v field="$1" '
    function quoted(name,   s) {
      if (!match($0, name "=\"([^\"\\\\]|\\\\.)*\"")) return ""
      return substr($0, RSTART + length(name) + 1, RLENGTH - length(name) - 1)
    }
    function plain(name,   s) {
      if (!match($0, "[[,]" name "=[^,\\]]*")) return ""
      return substr($0, RSTART + length(name) + 2, RLENGTH - length(name) - 2)
    }
    /^\th[0-9a-f]+ -> h[0-9a-f]+ \[/ {
      sub(/^\t/, ""); ends = $1 " " $3
      if (field == "struct") print "E " ends
      if (field == "weight") print "W " ends " " plain("weight") " " plain("penwidth")
      if (field == "tip") print "T " ends " " quoted("tooltip") " " quoted("comment")
      next
    }
    /^\th[0-9a-f]+ \[/ {
      sub(/^\t/, "")
      if (field == "struct") print "N " $1 " " plain("shape") " " quoted("label")
      if (field == "tip") print "T " $1 " " quoted("tooltip") " " quoted("comment")
    }' "$2" | LC_ALL=C sort
}

probe="$top/testdata/traces/status-go1.25.trace"
"$UPSTREAM_GRSTATES" -input "$probe" -dot "$tmp/probe.dot"
gzip -dc "$top/testdata/expected/grstates/status-go1.25.dot.gz" > "$tmp/probe-expected.dot"
if ! cmp -s <(norm struct "$tmp/probe.dot") <(norm struct "$tmp/probe-expected.dot"); then
  echo "$UPSTREAM_GRSTATES drops the stacks of GoStatusStack events (a build" \
    "against golang.org/x/exp older than 944ab1f?): its graph of $probe" \
    "lacks nodes; compare with a build against a newer x/exp" >&2
  exit 2
fi

status=0
for t in "$@"; do
  "$ours" -input "$t" -dot "$tmp/ours.dot"
  for i in $(seq "$runs"); do
    "$UPSTREAM_GRSTATES" -input "$t" -dot "$tmp/up$i.dot"
  done
  line="$t: $(grep -c ' \[shape=' "$tmp/ours.dot") nodes, $(grep -c ' -> ' "$tmp/ours.dot") edges:"
  # Structure: the same as every run.
  norm struct "$tmp/ours.dot" > "$tmp/ours.struct"
  verdict=same
  for i in $(seq "$runs"); do
    norm struct "$tmp/up$i.dot" > "$tmp/up.struct"
    if ! cmp -s "$tmp/ours.struct" "$tmp/up.struct"; then
      n=$(diff "$tmp/ours.struct" "$tmp/up.struct" | grep -c '^[<>]' || true)
      verdict="DIFF ($n lines vs run $i)"
      status=1
      break
    fi
  done
  line="$line structure $verdict;"
  # Weights and tooltips: each of ours among upstream's variants.
  for field in weight tip; do
    for i in $(seq "$runs"); do norm "$field" "$tmp/up$i.dot"; done | LC_ALL=C sort -u > "$tmp/up.$field"
    norm "$field" "$tmp/ours.dot" > "$tmp/ours.$field"
    missing=$(LC_ALL=C comm -23 "$tmp/ours.$field" "$tmp/up.$field" | wc -l || true)
    variants=$(($(wc -l < "$tmp/up.$field") - $(wc -l < "$tmp/ours.$field")))
    if [ "$missing" -eq 0 ]; then
      line="$line ${field}s upstream's ($variants other variants seen);"
    else
      line="$line ${field}s DIFF ($missing not seen in $runs runs);"
      status=1
    fi
  done
  same=none
  for i in $(seq "$runs"); do
    if cmp -s "$tmp/ours.dot" "$tmp/up$i.dot"; then same="run $i"; break; fi
  done
  echo "$line bytes identical to: $same"
done
exit $status
