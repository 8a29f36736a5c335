// Keep the scan field ready: focus it on pages that ask for it, and after each scan.
document.addEventListener("DOMContentLoaded", function () {
  var field = document.querySelector("[data-autofocus]");
  if (field) {
    field.focus();
    field.select();
  }
});
