"""Labels sent straight to the workshop's label printer, without a dialog: a Brother QL on the network, or CUPS."""
from __future__ import annotations

import re
import socket
import subprocess
import threading
import time
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from reco.core.audit import record_event
from reco.core.errors import ValidationFailed
from reco.core.vocabulary import DETAIL_VALUE_LABELS
from reco.labels.formats import LabelFormat
from reco.labels.printing import label_format, location_label, print_devices, print_locations

NONE, BROTHER, CUPS = "none", "brother_ql", "cups"
KIND_LABELS = {NONE: _l("No label printer: print the PDF"), BROTHER: _l("Brother QL on the network"),
               CUPS: _l("Printer of this server's CUPS")}
#: The Brother QL models brother_ql speaks to, by their brother_ql ids.
BROTHER_MODELS = ("QL-700", "QL-710W", "QL-720NW", "QL-800", "QL-810W", "QL-820NWB")
DEFAULT_PORT = 9100
#: Seconds a printer may stay silent: to connect, then to take each part of the job.
STALL_TIMEOUT = 3.0
#: Seconds a whole job may take on top of STALL_TIMEOUT, per label page (a QL prints about one label a second).
PAGE_ALLOWANCE = 1.0
#: Labels sent at once: more would hold the page for minutes (a QL prints about one label a second).
MAX_SENT = 100
#: Seconds ``lp`` may take to queue the job.
LP_TIMEOUT = 5.0
HOST_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$|^[0-9A-Fa-f]*:[0-9A-Fa-f:.]{1,44}$")
QUEUE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,126}$")
SETTINGS = ("label_printer_kind", "label_printer_host", "label_printer_port", "label_printer_model",
            "label_printer_queue", "label_printer_format", "label_auto_print")
DETAIL_VALUE_LABELS["structure.fields"] = DETAIL_VALUE_LABELS.get("structure.fields", {}) | {
    "label_printer_kind": _l("label printer"), "label_printer_host": _l("printer address"),
    "label_printer_port": _l("printer port"), "label_printer_model": _l("printer model"),
    "label_printer_queue": _l("print queue"), "label_printer_format": _l("format of the label printer"),
    "label_auto_print": _l("label printed at intake")}


class PrinterFailed(Exception):
    """The printer did not take the job; ``error`` says how (unreachable, refused, unprintable)."""

    def __init__(self, error: str, message: str):
        super().__init__(message)
        self.error = error
        self.message = message


@dataclass(frozen=True)
class Sending:
    """What became of labels sent to the workshop's printer; ``message`` is for people, in their language."""

    sent: bool
    printer: str  #: the printer, as people recognise it
    message: str
    error: str = ""  #: "unreachable", "refused" or "unprintable" when not sent
    count: int = 0  #: labels sent


def has_printer(workshop) -> bool:
    """Tell whether the workshop has a label printer set up."""
    return workshop is not None and workshop.label_printer_kind in (BROTHER, CUPS)


def printer_name(workshop) -> str:
    """Return the workshop's label printer as people recognise it, e.g. « Brother QL-820NWB (192.168.1.40:9100) »."""
    if workshop.label_printer_kind == BROTHER:
        port = "" if workshop.label_printer_port == DEFAULT_PORT else f":{workshop.label_printer_port}"
        return f"Brother {workshop.label_printer_model} ({workshop.label_printer_host}{port})"
    if workshop.label_printer_kind == CUPS:
        return _("CUPS queue %(queue)s", queue=workshop.label_printer_queue)
    return _("none")


def printer_format(workshop) -> LabelFormat:
    """Return the format the workshop's label printer is loaded with."""
    return label_format(workshop.label_printer_format)


def _fail(field: str, message) -> None:
    """Refuse one setting with its reason."""
    raise ValidationFailed(str(message), {field: [str(message)]})


def set_label_printer(workshop, *, by, kind: str, host: str = "", port=DEFAULT_PORT, model: str = "",
                      queue: str = "", format_key: str | None = None, auto_print: bool = False) -> None:
    """Check and keep the workshop's label printer; the change is recorded."""
    host, queue = (host or "").strip(), (queue or "").strip()
    if kind not in KIND_LABELS:
        _fail("kind", _l("Choose how labels are printed."))
    if kind == BROTHER:
        if not host or not HOST_RE.match(host):
            _fail("host", _l("Give the printer's IP address or host name, without spaces (e.g. 192.168.1.40)."))
        try:
            port = int(port if port not in (None, "") else DEFAULT_PORT)
        except (TypeError, ValueError):
            port = 0
        if not 1 <= port <= 65535:
            _fail("port", _l("The port is a number between 1 and 65535 (9100 for Brother printers)."))
        if model not in BROTHER_MODELS:
            _fail("model", _l("Choose the printer's model among %(models)s.", models=", ".join(BROTHER_MODELS)))
    if kind == CUPS and not QUEUE_RE.match(queue):
        _fail("queue", _l("The queue name is the one CUPS shows (lpstat -p): letters, digits, « - », « _ » and "
                          "« . », without spaces."))
    fmt = None
    if kind != NONE:
        try:
            fmt = label_format(format_key)
        except ValidationFailed:
            _fail("format", _l("Choose the label format the printer is loaded with."))
        if kind == BROTHER and fmt.driver != BROTHER:
            _fail("format", _l("A Brother QL prints the formats of Brother QL rolls only: choose one of them."))
    before = {name: getattr(workshop, name) for name in SETTINGS}
    workshop.label_printer_kind = kind
    workshop.label_printer_host = host if kind == BROTHER else ""
    workshop.label_printer_port = port if kind == BROTHER else DEFAULT_PORT
    workshop.label_printer_model = model if kind == BROTHER else ""
    workshop.label_printer_queue = queue if kind == CUPS else ""
    workshop.label_printer_format = fmt.key if fmt else None
    workshop.label_auto_print = bool(auto_print) and kind != NONE
    diff = {name: [before[name], getattr(workshop, name)] for name in SETTINGS if before[name] != getattr(workshop, name)}
    if diff:
        record_event(by, workshop, "updated", changes=diff)


def _resolve(host: str, port: int) -> tuple:
    """Return the first address of ``host``, or give up after STALL_TIMEOUT (the system's lookup has no timeout)."""
    found = {}

    def lookup():
        try:
            found["addresses"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            found["error"] = error

    thread = threading.Thread(target=lookup, daemon=True)  # left to finish on its own when the lookup hangs
    thread.start()
    thread.join(STALL_TIMEOUT)
    if "error" in found:
        raise found["error"]
    if not found.get("addresses"):
        raise TimeoutError("no answer in time")
    return found["addresses"][0][4][:2]


def _send_tcp(host: str, port: int, data: bytes, pages: int) -> None:
    """Send ``data`` to a raw TCP printer port; give up when it stays silent or the job overruns its time."""
    deadline = time.monotonic() + STALL_TIMEOUT + PAGE_ALLOWANCE * max(pages, 1)
    with socket.create_connection(_resolve(host, port), timeout=STALL_TIMEOUT) as connection:
        view = memoryview(data)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the printer takes too long")
            connection.settimeout(min(STALL_TIMEOUT, left))
            view = view[connection.send(view[:65536]):]


def _brother(workshop, fmt: LabelFormat, pdf: bytes, count: int) -> None:
    """Send the PDF to the workshop's Brother QL as raster data."""
    from reco.labels.raster import RasterError, brother_raster  # loads brother_ql only when a QL is used

    try:
        data = brother_raster(fmt, pdf, workshop.label_printer_model)
    except RasterError as error:
        raise PrinterFailed("unprintable", _("This label cannot go to this printer: %(reason)s", reason=str(error))) \
            from None
    try:
        _send_tcp(workshop.label_printer_host, workshop.label_printer_port, data, count)
    except (OSError, ValueError) as error:  # refused, no route, unknown host, timeout; ValueError: a bad port
        raise PrinterFailed("unreachable", _("Printer %(printer)s not reachable (%(reason)s): the label did not "
                                             "print. Check that it is on and on the network, or print the PDF.",
                                             printer=printer_name(workshop), reason=_reason(error))) from None


def _reason(error: Exception) -> str:
    """Return a short, stable reason for a network failure."""
    if isinstance(error, TimeoutError | socket.timeout):
        return _("no answer in time")
    if isinstance(error, ConnectionRefusedError):
        return _("connection refused")
    if isinstance(error, socket.gaierror):
        return _("unknown address")
    return (error.strerror or type(error).__name__) if isinstance(error, OSError) else str(error)


def _cups(workshop, fmt: LabelFormat, pdf: bytes, count: int) -> None:
    """Queue the PDF on the workshop's CUPS printer with ``lp``."""
    command = ["lp", "-d", workshop.label_printer_queue, "-t", "Reco"]
    if fmt.media and fmt.driver != BROTHER:
        command += ["-o", f"media={fmt.media}"]
    command += ["-o", "print-scaling=none", "-"]
    try:
        done = subprocess.run(command, input=pdf, capture_output=True, timeout=LP_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise PrinterFailed("unreachable", _("Printer %(printer)s not reachable (no answer in time): the label did "
                                             "not print.", printer=printer_name(workshop))) from None
    except OSError as error:  # lp is not installed, or cannot run
        raise PrinterFailed("unreachable", _("Printer %(printer)s not reachable (lp cannot run: %(reason)s): the "
                                             "label did not print.", printer=printer_name(workshop),
                                             reason=error.strerror or type(error).__name__)) from None
    if done.returncode != 0:
        reason = " ".join(done.stderr.decode("utf-8", "replace").split())[:200] or f"lp {done.returncode}"
        raise PrinterFailed("refused", _("Printer %(printer)s refused the label (%(reason)s): it did not print.",
                                         printer=printer_name(workshop), reason=reason))


def send_labels(workshop, pdf: bytes, count: int = 1) -> Sending:
    """Send a PDF of ``count`` labels, made in the printer's format, to the workshop's label printer."""
    printer = printer_name(workshop)
    try:
        fmt = printer_format(workshop)
        (_brother if workshop.label_printer_kind == BROTHER else _cups)(workshop, fmt, pdf, count)
    except PrinterFailed as failure:
        return Sending(False, printer, failure.message, failure.error)
    except ValidationFailed as error:  # the printer's format file was removed since
        return Sending(False, printer, error.message, "unprintable")
    return Sending(True, printer, _("Label sent to the printer %(printer)s.", printer=printer) if count == 1
                   else _("%(n)d labels sent to the printer %(printer)s.", n=count, printer=printer), count=count)


def keeping_last_format(workshop, make):
    """Make a PDF without changing the format offered first on the print page."""
    last = workshop.label_format
    try:
        return make()
    finally:
        workshop.label_format = last


def _check_count(count: int) -> None:
    """Refuse to send more labels at once than a printer prints in a reasonable wait."""
    if count > MAX_SENT:
        raise ValidationFailed(_("At most %(n)d labels go to the printer at once: print the PDF instead.", n=MAX_SENT),
                               {"tags": [_("too many")]})


def send_device_labels(workshop, tags: list[str], copies=1) -> Sending:
    """Make the labels of the workshop's devices ``tags`` in the printer's format and send them to it."""
    count = len([t for t in tags if t and t.strip()]) * int(copies or 1)
    _check_count(count)
    pdf = keeping_last_format(workshop, lambda: print_devices(
        workshop, tags, format_key=workshop.label_printer_format or None, copies=copies))
    return send_labels(workshop, pdf, count)


def send_location_labels(workshop, codes: list[str] | None) -> Sending:
    """Make the labels of the workshop's locations (all when ``codes`` is empty) and send them to its printer."""
    made = []
    pdf = keeping_last_format(workshop, lambda: print_locations(
        workshop, codes, format_key=workshop.label_printer_format or None,
        label=lambda location: made.append(location) or location_label(location)))
    _check_count(len(made))
    return send_labels(workshop, pdf, len(made))
