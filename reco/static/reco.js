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

// On a narrow screen the header (scan box, account, main menu) folds behind its Menu button; without this script
// the button stays hidden and everything is shown.
document.addEventListener("DOMContentLoaded", function () {
  var toggle = document.querySelector(".menu-toggle");
  if (!toggle) {
    return;
  }
  var show = function (open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    document.documentElement.classList.toggle("menu-closed", !open);
  };
  show(false);
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    show(toggle.getAttribute("aria-expanded") !== "true");
  });
});

// A table wider than the screen scrolls in its own box; one with nothing to focus in it takes the focus itself,
// so that it can be scrolled with the keyboard too.
function focusScrollingTables() {
  document.querySelectorAll("main table").forEach(function (table) {
    var scrolls = table.scrollWidth > table.clientWidth + 1;
    if (scrolls && !table.hasAttribute("tabindex") && !table.querySelector("a[href], button, input, select, textarea")) {
      table.tabIndex = 0;
      table.dataset.scrollFocus = "1";
    } else if (!scrolls && table.dataset.scrollFocus) {
      table.removeAttribute("tabindex");
      delete table.dataset.scrollFocus;
    }
  });
}
document.addEventListener("DOMContentLoaded", focusScrollingTables);
window.addEventListener("resize", focusScrollingTables);

// « Everything works » sets every point of the checklist to OK in the page, but those the hardware report
// answered, and says so; without this script the button sends the form and the page comes back set.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-all-ok]");
  if (!button || !button.form) {
    return;
  }
  event.preventDefault();
  button.form.querySelectorAll("tr[data-check]:not([data-from-report]) input[type=radio][value=ok]")
    .forEach(function (radio) { radio.checked = true; });
  var done = document.getElementById("all-ok-done");
  if (done) {
    done.textContent = done.getAttribute("data-message");
  }
});
