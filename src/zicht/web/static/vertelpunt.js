/* The vertelpunt's signifiers: triad, dyad and stones, by mouse, touch and keyboard.
 * Each widget writes its answer into a hidden input in the text format of
 * zicht.stories.answers; an untouched widget leaves it empty (= not answered). */
(function () {
  "use strict";

  var A = [150, 20], B = [20, 245], C = [280, 245];
  var STEP = 8;

  function pct(v) { return Math.round(v * 100); }

  function bary(x, y) {
    var d = (B[1] - C[1]) * (A[0] - C[0]) + (C[0] - B[0]) * (A[1] - C[1]);
    var a = ((B[1] - C[1]) * (x - C[0]) + (C[0] - B[0]) * (y - C[1])) / d;
    var b = ((C[1] - A[1]) * (x - C[0]) + (A[0] - C[0]) * (y - C[1])) / d;
    var w = [Math.max(a, 0), Math.max(b, 0), Math.max(1 - a - b, 0)];
    var s = w[0] + w[1] + w[2];
    return [w[0] / s, w[1] / s, w[2] / s];
  }

  function point(w) {
    return [w[0] * A[0] + w[1] * B[0] + w[2] * C[0], w[0] * A[1] + w[1] * B[1] + w[2] * C[1]];
  }

  function svgXY(svg, evt, width, height) {
    var r = svg.getBoundingClientRect();
    return [(evt.clientX - r.left) / r.width * width, (evt.clientY - r.top) / r.height * height];
  }

  function setupTriad(box) {
    var id = box.getAttribute("data-triad");
    var labels = box.getAttribute("data-labels").split("|");
    var handle = box.querySelector(".vp-handle");
    var input = document.getElementById("waarde-" + id);
    var svg = box.querySelector("svg");
    var w = null;

    function show() {
      if (!w) { return; }
      var p = point(w);
      handle.style.left = (p[0] / 300 * 100) + "%";
      handle.style.top = (p[1] / 270 * 100) + "%";
      handle.classList.add("vp-placed");
      input.value = w.map(function (v) { return v.toFixed(3); }).join("/");
      handle.setAttribute("aria-valuetext", labels.map(function (l, i) {
        return l + " " + pct(w[i]) + "%";
      }).join(", "));
    }

    if (input.value) {
      var parts = input.value.split("/").map(Number);
      if (parts.length === 3) { w = parts; show(); }
    }
    svg.addEventListener("click", function (evt) {
      var xy = svgXY(svg, evt, 300, 270);
      w = bary(xy[0], xy[1]);
      show();
      handle.focus();
    });
    handle.addEventListener("keydown", function (evt) {
      var moves = { ArrowLeft: [-STEP, 0], ArrowRight: [STEP, 0], ArrowUp: [0, -STEP], ArrowDown: [0, STEP] };
      var m = moves[evt.key];
      if (!m && evt.key !== "Home") { return; }
      evt.preventDefault();
      if (!w || evt.key === "Home") { w = [1 / 3, 1 / 3, 1 / 3]; show(); return; }
      var p = point(w);
      w = bary(p[0] + m[0], p[1] + m[1]);
      show();
    });
  }

  function setupDyad(range) {
    var id = range.getAttribute("data-dyad");
    var input = document.getElementById("waarde-" + id);
    var status = document.getElementById("status-" + id);
    function update() {
      input.value = (Number(range.value) / 100).toFixed(2);
      status.textContent = "Ingevuld: " + range.value + " van 100.";
    }
    range.addEventListener("input", update);
    range.addEventListener("change", update);
  }

  function setupStones(box) {
    var id = box.getAttribute("data-stones");
    var input = document.getElementById("waarde-" + id);
    var svg = box.querySelector("svg");
    var ns = "http://www.w3.org/2000/svg";
    var placed = {};
    var markers = {};
    var selected = null;
    var buttons = box.querySelectorAll(".vp-stone");

    function write() {
      input.value = Object.keys(placed).map(function (k) {
        return k + ":" + placed[k][0].toFixed(3) + "/" + placed[k][1].toFixed(3);
      }).join("|");
    }

    function draw(item, label, button) {
      var p = placed[item];
      if (!markers[item]) {
        var g = document.createElementNS(ns, "g");
        var c = document.createElementNS(ns, "circle");
        c.setAttribute("r", "9");
        c.setAttribute("class", "vp-marker");
        var t = document.createElementNS(ns, "text");
        t.textContent = label;
        t.setAttribute("dy", "-12");
        t.setAttribute("text-anchor", "middle");
        g.appendChild(c);
        g.appendChild(t);
        svg.appendChild(g);
        markers[item] = g;
      }
      markers[item].setAttribute("transform", "translate(" + (p[0] * 300) + "," + ((1 - p[1]) * 300) + ")");
      button.setAttribute("aria-valuetext", "horizontaal " + pct(p[0]) + "%, verticaal " + pct(p[1]) + "%");
      button.classList.add("vp-placed");
      write();
    }

    function find(item) {
      for (var i = 0; i < buttons.length; i += 1) {
        if (buttons[i].getAttribute("data-item") === item) { return buttons[i]; }
      }
      return null;
    }

    if (input.value) {
      input.value.split("|").forEach(function (part) {
        var kv = part.split(":");
        var xy = (kv[1] || "").split("/").map(Number);
        var b = find(kv[0]);
        if (b && xy.length === 2) { placed[kv[0]] = xy; draw(kv[0], b.textContent, b); }
      });
    }

    buttons.forEach(function (button) {
      var item = button.getAttribute("data-item");
      button.addEventListener("click", function () {
        buttons.forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
        button.setAttribute("aria-pressed", "true");
        selected = button;
      });
      button.addEventListener("keydown", function (evt) {
        var d = 0.05;
        var moves = { ArrowLeft: [-d, 0], ArrowRight: [d, 0], ArrowUp: [0, d], ArrowDown: [0, -d] };
        var m = moves[evt.key];
        if (!m) { return; }
        evt.preventDefault();
        var p = placed[item] || [0.5, 0.5];
        if (placed[item]) {
          p = [Math.min(1, Math.max(0, p[0] + m[0])), Math.min(1, Math.max(0, p[1] + m[1]))];
        }
        placed[item] = p;
        draw(item, button.textContent, button);
      });
    });
    svg.addEventListener("click", function (evt) {
      if (!selected) { return; }
      var xy = svgXY(svg, evt, 300, 300);
      var item = selected.getAttribute("data-item");
      placed[item] = [Math.min(1, Math.max(0, xy[0] / 300)), Math.min(1, Math.max(0, 1 - xy[1] / 300))];
      draw(item, selected.textContent, selected);
      selected.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-triad]").forEach(setupTriad);
    document.querySelectorAll("[data-dyad]").forEach(setupDyad);
    document.querySelectorAll("[data-stones]").forEach(setupStones);
  });
})();
