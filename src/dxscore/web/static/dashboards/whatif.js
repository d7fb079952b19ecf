/* What-if simulator: recompute as values are typed (the server answers JSON for the
   same GET); without JavaScript the Recompute button does the same with a page load. */
(function () {
  "use strict";
  var form = document.getElementById("whatif-form");
  var table = document.getElementById("whatif-table");
  if (!form || !table || !window.fetch) { return; }
  var decimals = parseInt(table.getAttribute("data-decimals"), 10) || 4;
  var timer = null, seq = 0;
  /* numbers as the page's language writes them (the server's dxscore.numbers does the same) */
  var shown = window.Intl ? new Intl.NumberFormat(document.documentElement.lang || "en",
    {minimumFractionDigits: decimals, maximumFractionDigits: decimals}) : null;
  function fmt(v) {
    if (v === null || v === undefined) { return "\u2013"; }
    return shown ? shown.format(v) : Number(v).toFixed(decimals);
  }
  function gain(g) {
    if (g === null || g === undefined) { return "\u2013"; }
    if (g > 0) { return "\u25b2 " + g; }
    if (g < 0) { return "\u25bc " + (-g); }
    return "\u25b6 0";
  }
  function show(data) {
    var errors = document.getElementById("whatif-errors");
    errors.textContent = "";
    if (data.errors && data.errors.length) {
      var ul = document.createElement("ul"); ul.className = "errorlist";
      data.errors.forEach(function (e) { var li = document.createElement("li"); li.textContent = e[0] + ": " + e[1]; ul.appendChild(li); });
      errors.appendChild(ul);
      return;
    }
    data.rows.forEach(function (r) {
      var tr = table.querySelector('tr[data-node="' + r.node + '"]');
      if (!tr) { return; }
      tr.querySelector('[data-k="score_after"]').textContent = fmt(r.score_after);
      tr.querySelector('[data-k="rank_after"]').textContent = r.rank_after === null ? "\u2013" : r.rank_after;
      var g = tr.querySelector('[data-k="gain"]');
      g.textContent = gain(r.gain);
      g.className = "num " + (r.gain > 0 ? "up" : r.gain < 0 ? "down" : "same");
      if (r.node === "index") {
        var s = document.getElementById("whatif-summary");
        var a = s.querySelector('.value[data-k="score_after"]'); if (a) { a.textContent = fmt(r.score_after); }
        var b = s.querySelector('span[data-k="rank_after"]'); if (b) { b.textContent = r.rank_after; }
      }
    });
  }
  function update() {
    var params = new URLSearchParams(new FormData(form));
    params.set("format", "json");
    var mine = ++seq;
    fetch(window.location.pathname + "?" + params.toString(), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) { if (mine === seq) { show(data); } });
  }
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 250); });
})();
