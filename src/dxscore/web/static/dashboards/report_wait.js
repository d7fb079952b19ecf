/* A report being prepared: ask the server how far it got every few seconds, show the count
   (a live region, so a screen reader hears it without the page reloading), and open the
   "ready" page when the file is there (it starts the download). Without JavaScript the
   page's "Check now" link does the same by hand. */
(function () {
  "use strict";
  var box = document.getElementById("report-wait");
  if (!box || !window.fetch) { return; }
  var poll = box.getAttribute("data-poll");
  var seconds = parseInt(box.getAttribute("data-seconds"), 10) || 3;
  var text = document.getElementById("report-progress-text");
  var bar = document.getElementById("report-progress");
  function check() {
    fetch(poll, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.state !== "preparing") { window.location.assign(data.page); return; }
        if (data.total) {
          bar.max = data.total;
          bar.value = data.done;
          if (text.textContent !== data.progress) { text.textContent = data.progress; }
        }
        window.setTimeout(check, seconds * 1000);
      })
      .catch(function () { window.setTimeout(check, seconds * 4000); });
  }
  window.setTimeout(check, seconds * 1000);
})();
