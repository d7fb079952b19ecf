/* The few behaviours of every page, without inline scripts (the Content-Security-Policy
   runs scripts of the site's own files only): a select marked data-autosubmit submits its
   form when changed (the language selector; a button in <noscript> does it without
   JavaScript); a field marked data-select-all selects its text when clicked; a list of
   check boxes marked data-filter gets a box above it that shows only the matching ones
   (the cooperating units of a task: a hundred units, no Ctrl-click); a table frame that
   scrolls sideways takes the keyboard's focus. */
(function () {
  "use strict";
  function wire() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });
    document.querySelectorAll("[data-select-all]").forEach(function (el) {
      el.addEventListener("click", function () { el.select(); });
    });
    // a table wider than the screen scrolls in its frame: the keyboard reaches it too
    function scrollable() {
      document.querySelectorAll(".table-wrap").forEach(function (el) {
        if (el.scrollWidth > el.clientWidth + 1) { el.tabIndex = 0; } else { el.removeAttribute("tabindex"); }
      });
    }
    scrollable();
    window.addEventListener("resize", scrollable);
    document.querySelectorAll("[data-filter]").forEach(function (list) {
      var box = document.createElement("input");
      box.type = "search";
      box.className = "pick-filter";
      box.setAttribute("aria-label", list.getAttribute("data-filter-label") || "Filter");
      box.placeholder = list.getAttribute("data-filter-label") || "";
      list.parentNode.insertBefore(box, list);
      var fold = function (s) {
        return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d")
          .replace(/Đ/g, "D").toLowerCase();
      };
      box.addEventListener("input", function () {
        var q = fold(box.value.trim());
        list.querySelectorAll("label").forEach(function (label) {
          var row = label.closest("div") || label;
          var input = label.querySelector("input");
          row.hidden = q !== "" && !(input && input.checked) && fold(label.textContent).indexOf(q) < 0;
        });
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else { wire(); }
})();
