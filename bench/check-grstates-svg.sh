#!/usr/bin/env bash
# Checks that grstates' pictures are well-formed XML, render in a browser,
# and pan and zoom: draws the SVG of a fixture trace, parses it with
# Python's XML parser, screenshots it with headless Chromium (Debian package
# `chromium`), then loads a copy with a probe script that turns the wheel
# and drags, and prints the viewport transforms the pan/zoom script set
# (and screenshots that too). Pictures go to OUTDIR (default
# /tmp/grstates-check) for a look.
#
#   bench/check-grstates-svg.sh [OUTDIR] [TRACE]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-/tmp/grstates-check}
trace=${2:-$top/testdata/traces/go1.21.trace}
(cd "$top" && cargo build --release --quiet --bin grstates)
grstates="${CARGO_TARGET_DIR:-$top/target}/release/grstates"
mkdir -p "$out"
svg="$out/graph.svg"
"$grstates" -input "$trace" -svg "$svg"
python3 -c 'import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
nodes = sum(1 for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "node")
assert root.tag.endswith("svg") and nodes > 0, nodes
print(sys.argv[1] + ": well-formed,", nodes, "nodes")' "$svg"
# The probe runs after the pan/zoom script has started.
python3 - "$svg" "$out/probe.svg" <<'PY'
import sys
s = open(sys.argv[1]).read()
probe = '''<script type="text/ecmascript"><![CDATA[
document.addEventListener("DOMContentLoaded", function () {
  var svg = document.documentElement, view = document.getElementById("viewport"), log = [];
  function fire(type, x, y, extra) {
    var init = {clientX: x, clientY: y, bubbles: true, cancelable: true, button: 0, pointerId: 1};
    for (var k in extra) init[k] = extra[k];
    svg.dispatchEvent(type === "wheel" ? new WheelEvent(type, init) : new PointerEvent(type, init));
  }
  log.push("start " + view.getAttribute("transform"));
  fire("wheel", 100, 100, {deltaY: -400});
  log.push("wheel in at (100,100): " + view.getAttribute("transform"));
  fire("pointerdown", 100, 100, {});
  fire("pointermove", 400, 250, {});
  fire("pointerup", 400, 250, {});
  log.push("dragged by (300,150): " + view.getAttribute("transform"));
  svg.setAttribute("data-probe", log.join(" | "));
});
]]></script>'''
i = s.rindex("</svg>")
open(sys.argv[2], "w").write(s[:i] + probe + s[i:])
PY
chrome() {
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars \
    --window-size=1200,900 "$@" 2>/dev/null
}
chrome --screenshot="$out/graph.png" "file://$svg" > /dev/null
chrome --screenshot="$out/probe.png" "file://$out/probe.svg" > /dev/null
ls -l "$out/graph.png" "$out/probe.png"
chrome --dump-dom "file://$out/probe.svg" | grep -o 'data-probe="[^"]*"' | tr '|' '\n'
