#!/usr/bin/env bash
# Checks that etviz's pictures are well-formed XML and render in a browser:
# draws the committed summaries of the HTTP fixtures (with and without
# -details), parses each SVG with Python's XML parser, and screenshots it
# with headless Chromium (Debian package `chromium`) into OUTDIR (default
# /tmp/etviz-check) for a look.
#
#   testdata/gen/httpgen/check-svg.sh [OUTDIR]
set -euo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
out=${1:-/tmp/etviz-check}
target=${CARGO_TARGET_DIR:-$top/target}
(cd "$top" && cargo build --release --quiet --bin etviz)
etviz="$target/release/etviz"
mkdir -p "$out"
for summary in "$top"/testdata/expected/regiongraph/http-go*.summary.json.gz; do
  name=$(basename "$summary" .summary.json.gz)
  gzip -dc "$summary" > "$out/$name.json"
  for details in "" "-details"; do
    svg="$out/$name$details.svg"
    "$etviz" -input "$out/$name.json" -output "$svg" $details
    python3 -c 'import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
n = sum(1 for _ in root.iter())
assert root.tag.endswith("svg") and n > 10, n
print(sys.argv[1] + ": well-formed,", n, "elements, height", root.get("height"))' "$svg"
    png="$out/$name$details.png"
    rm -f "$png"
    chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
      --disable-component-update --disable-sync --hide-scrollbars \
      --window-size=1000,800 --screenshot="$png" "file://$svg" > /dev/null 2>&1
    [ -s "$png" ] || { echo "$svg: no screenshot" >&2; exit 1; }
    echo "$png: $(stat -c %s "$png") bytes"
  done
done
