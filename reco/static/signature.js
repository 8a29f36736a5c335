// The family's signature at the handover: drawn with a finger, a stylus or the mouse in a canvas, kept as a PNG
// data URL in the form's hidden input « signature ». A signature already in the input (the form shown again after
// a refusal, or restored from a draft) is drawn first.
(function () {
  "use strict";

  var INK = "#10243a";
  var MAX_WIDTH = 2400;
  var MAX_HEIGHT = 1200;

  function setUp(pad) {
    var canvas = pad.querySelector("canvas");
    var form = pad.closest("form");
    var input = form && form.querySelector("input[name=signature]");
    var status = pad.querySelector("[data-signature-status]");
    if (!canvas || !input || pad.dataset.ready) {
      return;
    }
    pad.dataset.ready = "1";
    var context = canvas.getContext("2d");
    var strokes = []; // each stroke: points as fractions of the canvas's width and height
    var current = null;
    var base = null; // a signature found in the input, drawn under the new strokes
    var exported = input.value;

    function scale() {
      return Math.min(window.devicePixelRatio || 1, MAX_WIDTH / canvas.clientWidth, MAX_HEIGHT / canvas.clientHeight);
    }

    function paint() {
      context.setTransform(1, 0, 0, 1, 0, 0);
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      if (base) {
        context.drawImage(base, 0, 0, canvas.width, canvas.height);
      }
      context.strokeStyle = INK;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.lineWidth = Math.max(2, canvas.width / 220);
      strokes.forEach(function (stroke) {
        context.beginPath();
        stroke.forEach(function (point, index) {
          var x = point[0] * canvas.width;
          var y = point[1] * canvas.height;
          if (index === 0) {
            context.moveTo(x, y);
            context.lineTo(x + 0.01, y); // a dot
          } else {
            context.lineTo(x, y);
          }
        });
        context.stroke();
      });
    }

    function resize() {
      var ratio = scale();
      var width = Math.round(canvas.clientWidth * ratio);
      var height = Math.round(canvas.clientHeight * ratio);
      if (width > 0 && height > 0 && (width !== canvas.width || height !== canvas.height)) {
        canvas.width = width;
        canvas.height = height;
        paint();
      }
    }

    function signed() {
      return strokes.length > 0 || base !== null;
    }

    function tell() {
      if (status) {
        status.textContent = signed() ? status.dataset.signed : status.dataset.empty;
      }
      pad.classList.toggle("is-signed", signed());
    }

    function save() {
      input.value = exported = signed() ? canvas.toDataURL("image/png") : "";
      input.dispatchEvent(new Event("input", {bubbles: true}));
      input.dispatchEvent(new Event("change", {bubbles: true}));
      tell();
    }

    function load(value) {
      base = null;
      strokes = [];
      if (!value) {
        paint();
        tell();
        return;
      }
      var image = new Image();
      image.onload = function () {
        base = image;
        paint();
        tell();
      };
      image.src = value;
    }

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return [Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1),
              Math.min(Math.max((event.clientY - box.top) / box.height, 0), 1)];
    }

    canvas.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) {
        return;
      }
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      current = [point(event)];
      strokes.push(current);
      paint();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!current) {
        return;
      }
      event.preventDefault();
      var events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
      (events.length ? events : [event]).forEach(function (each) {
        current.push(point(each));
      });
      paint();
    });
    function end() {
      if (current) {
        current = null;
        save();
      }
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);

    pad.querySelector("[data-signature-clear]").addEventListener("click", function () {
      load("");
      save();
    });
    // A draft restored into the hidden input shows as the signature it holds.
    input.addEventListener("change", function () {
      if (!current && input.value !== exported) {
        exported = input.value;
        load(input.value);
      }
    });
    window.addEventListener("resize", resize);
    resize();
    load(input.value);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-signature-pad]").forEach(setUp);
  });
})();
