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

  var timer = null;
  function save() {
    var data = new FormData(form);
    fetch(form.dataset.save, {method: "POST", body: data, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (body) { if (body.saved && status) { status.textContent = form.dataset.saved; } })
      .catch(function () { /* the Save draft button still works */ });
  }

  form.addEventListener("change", function () {
    apply();
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 400);
  });
  apply();
}());
