/* Draws the Plotly charts whose figures the page carries as JSON data blocks.
 * No inline script anywhere: the Content-Security-Policy allows only our own files. */
(function () {
  "use strict";

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || !window.Plotly) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var figure = spec.figure || spec;
    if (spec.geojson) {
      // One copy of the boundaries in the page, shared by every map trace.
      figure.data.forEach(function (trace) { trace.geojson = spec.geojson; });
    }
    window.Plotly.newPlot(el, figure.data, figure.layout, figure.config).then(function () {
      el.setAttribute("data-ready", "true");
    });
  }

  function resizeAll() {
    document.querySelectorAll(".js-plotly-plot").forEach(function (el) {
      window.Plotly.Plots.resize(el);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
})();
