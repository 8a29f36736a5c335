// Forms marked data-draft are kept on this phone as they are typed (localStorage, one draft per user and
// form), shown again when the page is opened again, and sent when the network allows: at "Send" if it can,
// else as soon as it comes back. The draft goes once Reco answers it recorded it (reco/core/drafts.py).
// Every named field is kept, hidden ones too (but the CSRF token), without knowing their names.
(function () {
  "use strict";

  var script = document.currentScript;
  var user = script && script.dataset.user;
  var PREFIX = "reco-draft:";
  var RETRY_MS = 20000;
  var FORGET_MS = 30 * 24 * 3600 * 1000;
  var SKIPPED = ["submit", "button", "reset", "file", "image", "password"];
  var sending = {};
  var restoring = false;
  var store;
  try {
    store = window.localStorage;
  } catch (error) {
    store = null;
  }
  if (!user || !store || !window.fetch || !window.FormData || !window.DOMParser) {
    return;
  }
  if (navigator.serviceWorker && script.dataset.worker) {
    navigator.serviceWorker.register(script.dataset.worker, {scope: "/"}).catch(function () {});
  }

  function keyOf(form) {
    return PREFIX + user + ":" + new URL(form.action, location.href).pathname;
  }

  function read(key) {
    try {
      return JSON.parse(store.getItem(key));
    } catch (error) {
      return null;
    }
  }

  function write(key, draft) {
    try {
      store.setItem(key, JSON.stringify(draft));
      return true;
    } catch (error) {
      return false;  // the phone's storage is full
    }
  }

  function kept(element) {
    return element.name && element.name !== "csrf_token" && !element.disabled && SKIPPED.indexOf(element.type) < 0;
  }

  // The form's fields as it would send them, and the names of all of them (unchecked boxes included).
  function snapshot(form) {
    var fields = [];
    var names = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element)) {
        return;
      }
      if (names.indexOf(element.name) < 0) {
        names.push(element.name);
      }
      if (element.type === "checkbox" || element.type === "radio") {
        if (element.checked) {
          fields.push([element.name, element.value]);
        }
      } else if (element.type === "select-multiple") {
        Array.prototype.forEach.call(element.selectedOptions, function (option) {
          fields.push([element.name, option.value]);
        });
      } else {
        fields.push([element.name, element.value]);
      }
    });
    return {page: location.pathname, action: new URL(form.action, location.href).pathname, names: names,
            fields: fields, saved: Date.now(), pending: false, error: ""};
  }

  function valuesOf(draft, name) {
    return draft.fields.filter(function (field) {
      return field[0] === name;
    }).map(function (field) {
      return field[1];
    });
  }

  function restore(form, draft) {
    var seen = {};
    restoring = true;
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element) || draft.names.indexOf(element.name) < 0) {
        return;
      }
      var values = valuesOf(draft, element.name);
      var before;
      var after;
      if (element.type === "checkbox" || element.type === "radio") {
        before = element.checked;
        element.checked = after = values.indexOf(element.value) >= 0;
      } else if (element.type === "select-multiple") {
        before = after = "";
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = values.indexOf(option.value) >= 0;
        });
      } else {
        var index = seen[element.name] || 0;
        seen[element.name] = index + 1;
        before = element.value;
        element.value = after = index < values.length ? values[index] : "";
      }
      if (before !== after) {
        element.dispatchEvent(new Event("change", {bubbles: true}));
      }
    });
    restoring = false;
    form.dispatchEvent(new CustomEvent("reco:draft-restored", {bubbles: true}));
  }

  function formFor(key) {
    return Array.prototype.filter.call(document.querySelectorAll("form[data-draft]"), function (form) {
      return keyOf(form) === key;
    })[0] || null;
  }

  // Say near the button where the form is: saved, sending, sent, refused, or waiting for a new login.
  function show(form, state, message) {
    var box = form && form.querySelector("[data-draft-status]");
    if (!box) {
      return;
    }
    box.dataset.state = state;
    box.querySelector(".draft-state").textContent = box.dataset[state] || "";
    box.querySelector(".draft-message").textContent = message || "";
    box.hidden = false;
  }

  function markErrors(form, errors) {
    if (!form) {
      return;
    }
    form.querySelectorAll("[data-draft-error]").forEach(function (old) {
      old.remove();
    });
    Object.keys(errors || {}).forEach(function (name) {
      var element = form.elements[name];
      element = element && !element.nodeType ? element[0] : element;
      if (!element) {
        return;
      }
      var place = element.closest(".field") || element.parentNode;
      errors[name].forEach(function (message) {
        var line = document.createElement("p");
        line.className = "error";
        line.setAttribute("data-draft-error", "");
        line.textContent = message;
        place.appendChild(line);
      });
    });
  }

  function save(form) {
    if (restoring) {
      return;
    }
    var key = keyOf(form);
    var previous = read(key);
    var draft = snapshot(form);
    draft.pending = Boolean(previous && previous.pending);
    if (write(key, draft)) {
      show(form, "saved");
    }
  }

  function toLogin(response) {
    return response.redirected && new URL(response.url).pathname === script.dataset.login;
  }

  function Retry(login) {
    this.login = login;
  }

  // A fresh CSRF token from the form's page (the one kept may have expired during hours offline).
  function freshToken(draft) {
    return fetch(draft.page, {credentials: "same-origin", cache: "no-store"}).then(function (response) {
      if (toLogin(response)) {
        throw new Retry(true);
      }
      return response.text();
    }).then(function (html) {
      var token = new DOMParser().parseFromString(html, "text/html").querySelector("input[name=csrf_token]");
      return token ? token.value : "";
    });
  }

  function post(draft, token) {
    var body = new FormData();
    draft.fields.forEach(function (field) {
      body.append(field[0], field[1]);
    });
    body.append("csrf_token", token);
    return fetch(draft.action, {method: "POST", body: body, credentials: "same-origin",
                                headers: {"X-Reco-Draft": "1", "Accept": "application/json"}});
  }

  function answered(key, draft, response, interactive) {
    var form = formFor(key);
    if (toLogin(response)) {
      throw new Retry(true);
    }
    var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
    if (response.status >= 500 || response.status === 409 || response.status === 429 || (response.ok && !json)) {
      throw new Retry(false);
    }
    return (json ? response.json() : Promise.resolve({})).then(function (answer) {
      if (response.ok && answer.recorded) {
        store.removeItem(key);
        markErrors(form, {});
        show(form, "sent", answer.message);
        if (form) {
          form.removeAttribute("data-draft");  // recorded: what is typed now is no longer a draft of it
        }
        if (interactive && answer.location) {
          location.assign(answer.location);
        }
        return;
      }
      // Refused (the visit closed by someone else, an answer to correct): the draft stays, with the reason.
      draft.pending = false;
      draft.error = answer.message || (form && form.querySelector("[data-draft-status]").dataset.unknown) || "";
      write(key, draft);
      show(form, "refused", draft.error);
      markErrors(form, answer.errors);
    });
  }

  function send(key, interactive) {
    var draft = read(key);
    if (!draft || sending[key]) {
      return;
    }
    sending[key] = true;
    show(formFor(key), "sending");
    freshToken(draft).then(function (token) {
      return post(draft, token);
    }).then(function (response) {
      return answered(key, draft, response, interactive);
    }).catch(function (problem) {
      show(formFor(key), problem instanceof Retry && problem.login ? "login" : "saved");
    }).then(function () {
      delete sending[key];
    });
  }

  // Send every draft of this user that waits to be sent, unless the phone knows it has no network.
  function sendWaiting() {
    if (navigator.onLine === false) {
      return;
    }
    var keys = [];
    for (var i = 0; i < store.length; i += 1) {
      keys.push(store.key(i));
    }
    keys.forEach(function (key) {
      if (key && key.indexOf(PREFIX + user + ":") === 0) {
        var draft = read(key);
        if (draft && draft.pending) {
          send(key, false);
        } else if (draft && Date.now() - draft.saved > FORGET_MS) {
          store.removeItem(key);
        }
      }
    });
  }

  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-draft")) {
      save(form);
    }
  });
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-draft")) {
      save(form);
    }
  });

  // The page never leaves at "Send": the draft is saved first, then sent if the network answers.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-draft") || event.defaultPrevented) {
      return;
    }
    event.preventDefault();
    setTimeout(function () {  // after the page's other submit handlers (e.g. a signature written into a field)
      var key = keyOf(form);
      var draft = snapshot(form);
      draft.pending = true;
      if (!write(key, draft)) {
        form.submit();  // no room on the phone: send it as a plain form
        return;
      }
      markErrors(form, {});
      if (navigator.onLine === false) {
        show(form, "saved");
        return;
      }
      send(key, true);
    }, 0);
  });

  function start() {
    document.querySelectorAll("form[data-draft]").forEach(function (form) {
      var draft = read(keyOf(form));
      if (draft) {
        restore(form, draft);
        show(form, draft.error ? "refused" : "saved", draft.error);
      }
      // Scripts set hidden fields without an input event: their value attribute changes.
      new MutationObserver(function () {
        save(form);
      }).observe(form, {attributes: true, attributeFilter: ["value"], subtree: true});
    });
    sendWaiting();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  window.addEventListener("online", sendWaiting);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      sendWaiting();
    }
  });
  setInterval(sendWaiting, RETRY_MS);
}());
