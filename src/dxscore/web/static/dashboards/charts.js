/* Draws every chart of the page with the Plotly.js bundled with the installed plotly
   package (served by the site itself: no CDN). The data comes from a JSON script tag.
   On a right-to-left page (dir="rtl", Arabic) the layout is mirrored here, the data left
   as it is: horizontal axes read from right to left, vertical axes swap sides, legend
   and title start at the right (charts.py's figures are the same in every language).
   The tool bar speaks the page's language (#chart-words, templatetags/dashboards.py). */
(function () {
  "use strict";
  function flipSide(side, fallback) {
    return (side || fallback) === "right" ? "left" : "right";
  }
  function mirror(layout) {
    Object.keys(layout).forEach(function (key) {
      var axis = layout[key];
      if (!axis || typeof axis !== "object") { return; }
      if (/^xaxis\d*$/.test(key)) {
        if (Array.isArray(axis.range)) {
          axis.range = [axis.range[1], axis.range[0]];
        } else if (axis.autorange === "reversed") {
          axis.autorange = true;
        } else {
          axis.autorange = "reversed";
        }
      } else if (/^yaxis\d*$/.test(key)) {
        axis.side = flipSide(axis.side, "left");
        if (axis.title && axis.title.standoff === undefined) { axis.automargin = true; }
      }
    });
    var m = layout.margin;
    if (m) { var l = m.l; m.l = m.r; m.r = l; }
    var legend = layout.legend || (layout.legend = {});
    // a horizontal legend starts at the right; a vertical one stands left of the plot
    legend.x = legend.orientation === "h" ? 1 : -0.05;
    legend.xanchor = "right";
    if (layout.title && typeof layout.title === "object") {
      layout.title.x = 0.98; layout.title.xanchor = "right";
    }
    layout.hoverlabel = Object.assign({ align: "right" }, layout.hoverlabel || {});
    return layout;
  }
  function draw() {
    var rtl = document.documentElement.getAttribute("dir") === "rtl";
    var wordsTag = document.getElementById("chart-words");
    var words = wordsTag ? JSON.parse(wordsTag.textContent) : null;
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-figure"));
      if (!source || typeof Plotly === "undefined") { return; }
      var fig = JSON.parse(source.textContent);
      var layout = rtl ? mirror(fig.layout || {}) : fig.layout;
      var config = {
        responsive: true, displaylogo: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d"]
      };
      if (words && words.locale && words.locale !== "en") {
        // the tool bar in the page's language, axis numbers with its marks
        var locales = {};
        locales[words.locale] = {
          dictionary: words.dictionary || {},
          format: { decimal: words.decimal || ".", thousands: words.thousands || "," }
        };
        config.locales = locales;
        config.locale = words.locale;
      }
      Plotly.newPlot(el, fig.data, layout, config);
      el.setAttribute("data-drawn", "1");
      if (rtl) { el.setAttribute("data-mirrored", "1"); }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else { draw(); }
})();
