// The answer sheet: show and hide questions by their show_if as the person answers
// (the server applies the same rule), and save the draft a moment after each change.
(function () {
  "use strict";
  var form = document.getElementById("sheet");
  if (!form) { return; }
  var status = document.getElementById("saved");

  function answer(code) {
    var fields = form.querySelectorAll('[name="' + code + '"]');
    var out = [];
    fields.forEach(function (f) {
      if ((f.type === "radio" || f.type === "checkbox")) { if (f.checked) { out.push(f.value); } }
      else if (f.value !== "") { out.push(f.value); }
    });
    return out;
  }

  function shown(el) { return !el.hidden; }

  function apply() {
    form.querySelectorAll(".question[data-show-if]").forEach(function (el) {
      var parent = document.getElementById("q-" + el.dataset.showIf);
      var values = answer(el.dataset.showIf);
      var ok = false;
      if (parent && shown(parent) && values.length) {
        if (el.dataset.showAtLeast !== "") {
          ok = parseFloat(values[0].replace(",", ".")) >= parseFloat(el.dataset.showAtLeast);
        } else {
          var allowed = el.dataset.showIn.split(" ");
          ok = values.some(function (v) { return allowed.indexOf(v) >= 0; });
        }
      }
      el.hidden = !ok;
    });
  }

  // data-pending: changes not saved yet (0 once every change is saved)
  var timer = null;
  var pending = 0;
  function mark() { form.dataset.pending = String(pending); }
  function save() {
    var data = new FormData(form);
    fetch(form.dataset.save, {method: "POST", body: data, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (body) { if (body.saved && status) { status.textContent = form.dataset.saved; } })
      .catch(function () { /* the Save draft button still works */ })
      .then(function () { pending = Math.max(0, pending - 1); mark(); });
  }

  form.addEventListener("change", function () {
    apply();
    if (timer) { clearTimeout(timer); pending = Math.max(0, pending - 1); }
    pending += 1;
    mark();
    if (status) { status.textContent = ""; }
    timer = setTimeout(function () { timer = null; save(); }, 400);
  });
  // submitting sends every answer: a draft save waiting now would only be refused
  form.addEventListener("submit", function () {
    if (timer) { clearTimeout(timer); timer = null; }
  });
  mark();
  apply();
}());
