// The vendor risk report's Print button: hidden until this script runs,
// since without it the button would do nothing.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
