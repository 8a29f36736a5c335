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

// A page that refused a form says so first: its error summary takes the focus, unless a scan field of the page
// keeps it for the next scan; a link of the summary takes the focus to the field it names.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary && !document.querySelector("main [data-autofocus]")) {
    summary.focus();
  }
});
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
  var field = link && document.getElementById(link.getAttribute("href").slice(1));
  if (!field) {
    return;
  }
  event.preventDefault();
  var details = field.closest("details");
  if (details) {
    details.open = true;
  }
  var label = document.querySelector("label[for='" + CSS.escape(field.id) + "']") || field.closest("fieldset");
  (label || field).scrollIntoView({block: "center"});
  field.focus({preventScroll: true});
});
