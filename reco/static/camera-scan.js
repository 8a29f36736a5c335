// Scanning with the camera of a phone or tablet. Each scan field (data-scan) gets a « Scan with the camera » button
// where the browser can open a camera; a code read fills the field as a keyboard-wedge scanner does: the code, then
// Enter (which sends the form, unless the page gives Enter another meaning), or a new line in a text area.
// The browser's BarcodeDetector reads the codes where it knows our symbologies; otherwise zxing-wasm does (served
// by Reco from static/vendor, loaded on the first scan). The camera stops after a read, on cancel, or on leaving.
(function () {
  "use strict";

  var script = document.currentScript;
  var NATIVE_FORMATS = ["code_128", "code_39", "ean_13", "ean_8", "upc_a", "upc_e", "qr_code"];
  var ZXING_FORMATS = ["Code128", "Code39", "EANUPC", "QRCode"];
  var INTERVAL_MS = 120;
  var MAX_WIDTH = 1280;
  var texts = {};
  var dialog, video, status, current = null, readerPromise = null;

  function text(name) {
    return texts[name] || "";
  }

  function hasCamera() {
    if (!navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== "function") {
      return Promise.resolve(false);
    }
    if (typeof navigator.mediaDevices.enumerateDevices !== "function") {
      return Promise.resolve(true);
    }
    return navigator.mediaDevices.enumerateDevices().then(function (devices) {
      return devices.some(function (device) { return device.kind === "videoinput"; });
    }, function () { return true; });
  }

  // What a label holds, as the field expects it: the QR code of our device labels holds the address of the
  // device's page, whose last part is the tag.
  function cleaned(value) {
    var code = String(value || "").replace(/[\u0000-\u001f\u007f]/g, "").trim();
    var page = /^https?:\/\/[^\s]+\/devices\/([^\/?#\s]+)\/?$/i.exec(code);
    if (page) {
      try {
        return decodeURIComponent(page[1]);
      } catch (error) {
        return page[1];
      }
    }
    return code;
  }

  function nativeDetector() {
    if (!("BarcodeDetector" in window) || typeof window.BarcodeDetector.getSupportedFormats !== "function") {
      return Promise.resolve(null);
    }
    return window.BarcodeDetector.getSupportedFormats().then(function (supported) {
      var formats = NATIVE_FORMATS.filter(function (f) { return supported.indexOf(f) !== -1; });
      if (formats.indexOf("code_128") === -1 || formats.indexOf("qr_code") === -1) {
        return null;
      }
      var detector = new window.BarcodeDetector({formats: formats});
      return function (source) {
        return detector.detect(source).then(function (found) {
          return found.length ? found[0].rawValue : null;
        });
      };
    }, function () { return null; });
  }

  function loadReader() {
    if (readerPromise) {
      return readerPromise;
    }
    readerPromise = new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = script.getAttribute("data-reader");
      tag.onload = resolve;
      tag.onerror = reject;
      document.head.appendChild(tag);
    }).then(function () {
      var wasm = script.getAttribute("data-wasm");
      return window.ZXingWASM.prepareZXingModule({
        overrides: {locateFile: function (path, prefix) { return /\.wasm$/.test(path) ? wasm : prefix + path; }},
        fireImmediately: true
      });
    }).then(function () {
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", {willReadFrequently: true});
      var options = {formats: ZXING_FORMATS, tryHarder: true, maxNumberOfSymbols: 1};
      return function (source) {
        var scale = Math.min(1, MAX_WIDTH / source.videoWidth);
        canvas.width = Math.round(source.videoWidth * scale);
        canvas.height = Math.round(source.videoHeight * scale);
        context.drawImage(source, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        return window.ZXingWASM.readBarcodes(image, options).then(function (found) {
          var valid = found.filter(function (result) { return result.isValid && result.text; });
          return valid.length ? valid[0].text : null;
        });
      };
    });
    readerPromise.catch(function () { readerPromise = null; });
    return readerPromise;
  }

  function reader() {
    return nativeDetector().then(function (detect) { return detect || loadReader(); });
  }

  function stopCamera() {
    if (current && current.stream) {
      current.stream.getTracks().forEach(function (track) { track.stop(); });
    }
    video.srcObject = null;
    dialog.removeAttribute("data-camera");
  }

  function finish(code) {
    var scan = current;
    current = null;
    if (scan) {
      scan.active = false;
      if (scan.stream) {
        scan.stream.getTracks().forEach(function (track) { track.stop(); });
      }
    }
    video.srcObject = null;
    dialog.removeAttribute("data-camera");
    if (dialog.open) {
      dialog.close();
    }
    if (!scan) {
      return;
    }
    var field = scan.field;
    field.focus();
    if (code === null) {
      return;
    }
    deliver(field, code);
  }

  // What a keyboard-wedge scanner does: type the code, then Enter.
  function deliver(field, code) {
    if (field.tagName === "TEXTAREA") {
      var before = field.value && !/\n$/.test(field.value) ? field.value + "\n" : field.value;
      field.value = before + code + "\n";
      field.dispatchEvent(new Event("input", {bubbles: true}));
      return;
    }
    field.value = code;
    field.dispatchEvent(new Event("input", {bubbles: true}));
    field.dispatchEvent(new Event("change", {bubbles: true}));
    var enter = new KeyboardEvent("keydown", {key: "Enter", code: "Enter", bubbles: true, cancelable: true});
    if (!field.dispatchEvent(enter) || !field.form) {
      return;
    }
    var submitter = Array.prototype.find.call(field.form.elements, function (element) {
      return element.type === "submit";
    });
    if (submitter && submitter.disabled) {
      return;
    }
    field.form.requestSubmit(submitter || undefined);
  }

  function look(scan, detect) {
    if (!scan.active) {
      return;
    }
    var next = function () { setTimeout(function () { look(scan, detect); }, INTERVAL_MS); };
    if (video.readyState < 2 || !video.videoWidth) {
      next();
      return;
    }
    detect(video).then(function (value) {
      var code = value === null ? "" : cleaned(value);
      if (scan.active && code) {
        finish(code);
      } else {
        next();
      }
    }, next);
  }

  function start(field) {
    var scan = {field: field, active: true, stream: null};
    current = scan;
    status.textContent = text("starting");
    dialog.showModal();
    navigator.mediaDevices.getUserMedia({audio: false, video: {facingMode: {ideal: "environment"},
                                                               width: {ideal: 1280}, height: {ideal: 720}}})
      .then(function (stream) {
        if (!scan.active) {
          stream.getTracks().forEach(function (track) { track.stop(); });
          return null;
        }
        scan.stream = stream;
        video.srcObject = stream;
        dialog.setAttribute("data-camera", "on");
        return video.play().then(reader);
      })
      .then(function (detect) {
        if (!detect || !scan.active) {
          return;
        }
        status.textContent = text("aim");
        look(scan, detect);
      })
      .catch(function (error) {
        if (!scan.active) {
          return;
        }
        scan.active = false;
        stopCamera();
        status.textContent = error && error.name === "NotAllowedError" ? text("denied") : text("unavailable");
      });
  }

  function buildDialog() {
    dialog = document.createElement("dialog");
    dialog.className = "camera-scan";
    dialog.setAttribute("aria-labelledby", "camera-scan-title");
    var title = document.createElement("h2");
    title.id = "camera-scan-title";
    title.textContent = text("title");
    video = document.createElement("video");
    video.muted = true;
    video.setAttribute("playsinline", "");
    video.setAttribute("aria-hidden", "true");
    status = document.createElement("p");
    status.setAttribute("role", "status");
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button";
    cancel.textContent = text("cancel");
    cancel.addEventListener("click", function () { finish(null); });
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      finish(null);
    });
    dialog.append(title, video, status, cancel);
    document.body.appendChild(dialog);
  }

  function addButton(field) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button camera-scan-button";
    button.textContent = text("button");
    button.setAttribute("aria-haspopup", "dialog");
    var label = field.labels && field.labels.length ? field.labels[0] : null;
    if (label) {  // several scan fields on a page: each button is described by its own field's label
      label.id = label.id || field.id + "-label";
      button.setAttribute("aria-describedby", label.id);
    }
    button.setAttribute("data-camera-for", field.id);
    button.addEventListener("click", function () { start(field); });
    var row = field.closest(".scan-row") || field.parentNode;
    row.appendChild(button);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var fields = document.querySelectorAll("[data-scan]");
    if (!script || !fields.length) {
      return;
    }
    ["button", "title", "cancel", "starting", "aim", "denied", "unavailable"].forEach(function (name) {
      texts[name] = script.getAttribute("data-text-" + name);
    });
    hasCamera().then(function (yes) {
      if (!yes) {
        return;
      }
      buildDialog();
      fields.forEach(addButton);
    });
  });
  window.addEventListener("pagehide", function () {
    if (current) {
      finish(null);
    }
  });
})();
