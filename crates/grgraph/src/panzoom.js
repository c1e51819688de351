// Pan and zoom for grstates' SVG graphs (the toolbox's own script):
// drag to move the graph, turn the wheel (or press + and -) to zoom about
// the pointer, press 0 to go back to the first view. The graph is drawn
// inside <g id="viewport">, whose transform this script sets; the script
// comes before that group, so it starts once the document is parsed.
(function () {
  "use strict";

  function start() {
    var svg = document.documentElement;
    var view = document.getElementById("viewport");
    if (!view) {
      return;
    }
    var first = { s: 0.5, x: 0, y: 0 };
    var cur = { s: first.s, x: first.x, y: first.y };
    var drag = null;

    function show() {
      view.setAttribute("transform", "translate(" + cur.x + "," + cur.y + ") scale(" + cur.s + "," + cur.s + ")");
    }

    // Where an event happened, in the coordinates of the outer <svg>.
    function at(ev) {
      var r = svg.getBoundingClientRect();
      return { x: ev.clientX - r.left, y: ev.clientY - r.top };
    }

    // Scales by factor, keeping the point p where it is on screen.
    function zoom(factor, p) {
      var s = Math.min(Math.max(cur.s * factor, 0.005), 200);
      factor = s / cur.s;
      cur.x = p.x - (p.x - cur.x) * factor;
      cur.y = p.y - (p.y - cur.y) * factor;
      cur.s = s;
      show();
    }

    svg.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var unit = ev.deltaMode === 1 ? 16 : ev.deltaMode === 2 ? 400 : 1;
      zoom(Math.exp(-ev.deltaY * unit / 400), at(ev));
    }, { passive: false });

    svg.addEventListener("pointerdown", function (ev) {
      if (ev.button !== 0) {
        return;
      }
      drag = { from: at(ev), x: cur.x, y: cur.y };
      if (svg.setPointerCapture) {
        try {
          svg.setPointerCapture(ev.pointerId);
        } catch (e) {
          // No such pointer (a synthetic event): dragging works without.
        }
      }
      svg.style.cursor = "move";
    });
    svg.addEventListener("pointermove", function (ev) {
      if (drag === null) {
        return;
      }
      var p = at(ev);
      cur.x = drag.x + p.x - drag.from.x;
      cur.y = drag.y + p.y - drag.from.y;
      show();
    });
    function release() {
      drag = null;
      svg.style.cursor = "";
    }
    svg.addEventListener("pointerup", release);
    svg.addEventListener("pointercancel", release);

    document.addEventListener("keydown", function (ev) {
      var r = svg.getBoundingClientRect();
      var middle = { x: r.width / 2, y: r.height / 2 };
      if (ev.key === "+" || ev.key === "=") {
        zoom(1.25, middle);
      } else if (ev.key === "-") {
        zoom(0.8, middle);
      } else if (ev.key === "0") {
        cur = { s: first.s, x: first.x, y: first.y };
        show();
      }
    });

    show();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
