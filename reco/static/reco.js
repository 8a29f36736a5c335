// Keep the scan field ready: focus it on pages that ask for it, and after each scan.
document.addEventListener("DOMContentLoaded", function () {
  var field = document.querySelector("[data-autofocus]");
  if (field) {
    field.focus();
    field.select();
  }
});

// A form marked data-ctrl-enter is sent by Ctrl+Enter (or the button) only: a scanner's Enter in one of its
// fields never sends it.
document.addEventListener("keydown", function (event) {
  var form = document.querySelector("form[data-ctrl-enter]");
  if (!form || event.key !== "Enter") {
    return;
  }
  if (event.ctrlKey || event.metaKey) {
    event.preventDefault();
    form.requestSubmit();
  } else if (event.target.form === form && event.target.tagName === "INPUT") {
    event.preventDefault();
  }
});

// A form marked data-submit-once is sent once: a second Enter or click while the page loads does nothing.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute("data-submit-once")) {
    return;
  }
  if (form.dataset.sent) {
    event.preventDefault();
  }
  form.dataset.sent = "1";
});
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-sent]").forEach(function (form) {
    delete form.dataset.sent;
  });
});
