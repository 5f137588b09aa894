/* Gradeline charts: draw each Plotly chart when it first comes near the screen.
   The page is complete without this script: every chart's data is in the table beside it.
   plotly.js (only the trace types the site draws) is fetched as the page loads (the page's
   head preloads it), so that it is there by the time the reader reaches a chart; it runs,
   and charts are drawn, only as a chart comes near the screen, so that a reader of the
   text above the charts never waits for it. */
(function () {
  "use strict";
  var script = document.currentScript;
  var plotlySrc = script && script.getAttribute("data-plotly");
  var loading = null;

  /* plotly.js injects a <style> element, which the Content-Security-Policy refuses. It
     skips it when an element with its id is already present: its rules come from a
     stylesheet file instead. */
  function preventInlineStyles() {
    if (!document.getElementById("plotly.js-style-global")) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.id = "plotly.js-style-global";
      link.className = "no-inline-styles";
      link.href = script.getAttribute("data-plotly-css");
      document.head.appendChild(link);
    }
  }

  function loadPlotly() {
    if (window.Plotly) { return Promise.resolve(window.Plotly); }
    if (!loading) {
      preventInlineStyles();
      loading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = plotlySrc;
        s.async = true;
        s.onload = function () { resolve(window.Plotly); };
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return loading;
  }

  /* A chart that scrolls sideways keeps its row labels in view: a copy of them, on a
     strip of the chart's background, is held at the left edge while the grid scrolls
     beneath it (the column labels above the grid scroll with their columns). */
  function holdRowLabels(canvas) {
    var container = canvas.querySelector(".svg-container");
    var chart = canvas.querySelector(".main-svg");
    var labels = chart && chart.querySelector(".yaxislayer-above");
    if (!container || !labels) { return; }
    var old = container.querySelector(".chart-held-labels");
    if (old) { container.removeChild(old); }
    var left = chart.getBoundingClientRect().left;
    var right = 0;
    Array.prototype.forEach.call(labels.querySelectorAll("text"), function (text) {
      right = Math.max(right, text.getBoundingClientRect().right - left);
    });
    var ns = "http://www.w3.org/2000/svg";
    var strip = document.createElementNS(ns, "svg");
    strip.setAttribute("class", "chart-held-labels");
    strip.setAttribute("width", String(Math.ceil(right) + 4));
    strip.setAttribute("height", chart.getAttribute("height"));
    var background = document.createElementNS(ns, "rect");
    background.setAttribute("width", "100%");
    background.setAttribute("height", "100%");
    background.setAttribute("fill", "#ffffff");
    strip.appendChild(background);
    strip.appendChild(labels.cloneNode(true));
    container.insertBefore(strip, container.firstChild);
  }

  function linkFor(canvas, path) {
    var index = path.slice(-1) === "/" ? canvas.getAttribute("data-index") : "";
    return canvas.getAttribute("data-root") + path + index;
  }

  function render(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-figure"));
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    loadPlotly().then(function (Plotly) {
      canvas.textContent = "";
      var height = Number(canvas.getAttribute("data-height"));
      var narrowest = Number(canvas.getAttribute("data-min-width"));
      var narrow = figure.narrow;
      delete figure.narrow;
      if (narrow && narrowest > canvas.clientWidth) {
        /* A phone: the figure's layout for narrow screens (shorter lines of labels). */
        Object.keys(narrow.layout).forEach(function (key) {
          figure.layout[key] = narrow.layout[key];
        });
        height = narrow.height;
        narrowest = narrow.min_width;
      }
      canvas.style.height = height + "px";
      if (narrowest > canvas.clientWidth) {
        /* Too narrow to read: drawn as wide as it must be, to scroll sideways. */
        figure.layout.width = narrowest;
        canvas.classList.add("chart-wide");
      }
      return Plotly.newPlot(canvas, figure.data, figure.layout, figure.config);
    }).then(function () {
      if (canvas.classList.contains("chart-wide")) {
        holdRowLabels(canvas);
        canvas.on("plotly_afterplot", function () { holdRowLabels(canvas); });
      }
      canvas.classList.add("chart-drawn");
      canvas.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        var data = point && point.customdata;
        if (data && data.length > 3 && data[3]) { window.location.href = linkFor(canvas, data[3]); }
      });
    }).catch(function () {
      canvas.classList.add("chart-failed");
    });
  }

  var canvases = document.querySelectorAll(".chart-canvas[data-figure]");
  if (!canvases.length) { return; }
  if (!("IntersectionObserver" in window)) {
    Array.prototype.forEach.call(canvases, render);
    return;
  }
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        render(entry.target);
      }
    });
  }, { rootMargin: "200px 0px" });
  Array.prototype.forEach.call(canvases, function (c) { observer.observe(c); });
})();
