/* The attempt page: each answer is saved as it is given (a dropped connection loses
   nothing; the page shows it again within the time), the server's time left is shown,
   and leaving the tab is counted for the organisers. Without JavaScript the form still
   submits every answer at once. */
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) return;
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var status = document.getElementById("saved");
  var left = document.getElementById("left");
  var remaining = parseInt(form.dataset.remaining, 10);
  var ended = false;

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": token },
      body: body,
      credentials: "same-origin",
    });
  }

  function show(text) { if (status) status.textContent = text; }

  function save(fieldset) {
    var body = new FormData();
    body.append("question", fieldset.dataset.question);
    fieldset.querySelectorAll("input:checked").forEach(function (i) { body.append("option", i.value); });
    show(form.dataset.saving);
    post(form.dataset.answerUrl, body).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (res) {
      if (res.ok) {
        show(form.dataset.savedText.replace("%s", res.data.answered));
        remaining = res.data.remaining;
      } else {
        show(res.data.error || form.dataset.failed);
      }
    }).catch(function () { show(form.dataset.failed); });
  }

  form.querySelectorAll("fieldset.question").forEach(function (fs) {
    fs.addEventListener("change", function () { save(fs); });
  });

  function tick() {
    if (remaining <= 0) {
      left.textContent = "0:00";
      if (!ended) { ended = true; form.submit(); }
      return;
    }
    var m = Math.floor(remaining / 60), s = remaining % 60;
    left.textContent = m + ":" + (s < 10 ? "0" : "") + s;
    remaining -= 1;
  }
  tick();
  setInterval(tick, 1000);

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      var body = new FormData();
      body.append("csrfmiddlewaretoken", token);
      navigator.sendBeacon(form.dataset.tabUrl, body);
    }
  });
})();
