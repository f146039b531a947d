// Assay's shared script: progressive enhancements only; every page works
// without it. Page-specific scripts are separate files.
(function () {
  "use strict";
  // Confirm destructive actions declared with data-confirm on a form.
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });
  // Auto-submit filter forms when a select changes (data-autosubmit).
  document.addEventListener("change", function (e) {
    var f = e.target.form;
    if (f && f.hasAttribute("data-autosubmit") && e.target.tagName === "SELECT") { f.submit(); }
  });
})();
