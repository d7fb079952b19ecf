/* The few behaviours of every page, without inline scripts (the Content-Security-Policy
   runs scripts of the site's own files only): a select marked data-autosubmit submits its
   form when changed (the language selector; a button in <noscript> does it without
   JavaScript); a field marked data-select-all selects its text when clicked. */
(function () {
  "use strict";
  function wire() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });
    document.querySelectorAll("[data-select-all]").forEach(function (el) {
      el.addEventListener("click", function () { el.select(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else { wire(); }
})();
