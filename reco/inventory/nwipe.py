"""Reading nwipe log files (``nwipe -l FILE``): which drives were wiped, how, and with what result.

Reads the format nwipe has written since 2020 (0.28 onwards, ShredOS included): ``[YYYY/MM/DD hh:mm:ss]
notice: ...`` lines, one ``Found /dev/...`` line per drive, the program options, then the Error Summary
and Drive Status tables; logs anonymised with ``-q`` included. Older logs (``nwipe: notice: ...``) name
no drive in a way we can read, and are refused. nwipe writes the local time of the machine
without a zone: we read it as UTC, since the log carries no zone and bench machines usually run on UTC.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache

from flask_babel import lazy_gettext as _l

MAX_LOG_BYTES = 20 * 1024 * 1024

_LINE = re.compile(r"\[(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d)\]\s*"
                   r"(?:(?:debug|info|notice|warning|error|fatal|sanity):\s?)?(.*)")
_FOUND = re.compile(r"Found (/dev/\S+?),(.*)")
_OPTION = re.compile(r"\s+(\w+)\s*=\s*(.*?)\s*$")
_VERSION = re.compile(r"(?:nwipe\s+|ShredOS\s+v\S*_)(\d[\w.]*)")
_INVOKING = re.compile(r"Invoking method '(.+)' on (/dev/\S+)")
_STARTING_ROUND = re.compile(r"Starting round \d+ of (\d+) on (/dev/\S+)")
_DEVICE = re.compile(r"/dev/[\w./-]+")
_BLANKING = re.compile(r"Blanking device (/dev/\S+)")
_STATUS = re.compile(r"Status: (/dev/\S+), result=-?\d+, pass_errors=(\d+), verify_errors=(\d+)")
_FOOTER = re.compile(r"Total Throughput [^,]*, (.+), (\d+)R\+(N?B)\+(NV|VL|VA)")
_ANONYMISED = re.compile(r"[X?]+")
#: ``/dev/sda, sect/blk/dev 512/4096/500107862016``: the exact size of the device as the system saw it.
_GEOMETRY = re.compile(r"(/dev/\S+), sect/blk/dev \d+/\d+/(\d+)")
_WRITTEN = re.compile(r"(\d+) bytes written to (/dev/\S+)")
#: The size of the ``Found`` line, in nwipe's decimal units: ``67 MB``, ``1000 GB``, ``160GB``.
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGTP]?)B", re.IGNORECASE)
_UNITS = {"": 1, "K": 10 ** 3, "M": 10 ** 6, "G": 10 ** 9, "T": 10 ** 12, "P": 10 ** 15}

VERIFY_OPTION = {"0": "none", "1": "last_pass", "2": "all_passes"}
VERIFY_FOOTER = {"NV": "none", "VL": "last_pass", "VA": "all_passes"}
#: Drive Status column -> our result; any other status (``INSANITY``, older spellings) counts as failed.
STATUS_RESULTS = {"Erased": "erased", "-FAILED-": "failed", "UABORTED": "aborted"}


class NotAnNwipeLog(ValueError):
    """The uploaded bytes are not an nwipe log we can read."""


@dataclass
class WipedDrive:
    """One drive of an nwipe log and the outcome of its wipe."""

    device_path: str
    bus: str
    model: str
    size: str
    serial: str | None
    #: The device's size in bytes: exact from the ``sect/blk/dev`` line, else read from the ``Found`` line.
    size_bytes: int | None
    #: How far ``size_bytes`` may be from the truth: 0 when exact, one unit of the ``Found`` line otherwise.
    size_precision: int
    #: The most bytes one pass wrote to the device (``N bytes written to /dev/...``), if the log says.
    bytes_written: int | None
    method: str
    rounds: int | None
    verification: str
    blanking: bool
    result: str
    started_at: datetime | None
    ended_at: datetime | None
    pass_errors: int | None
    verify_errors: int | None


@dataclass
class NwipeLog:
    """What an nwipe log says: the nwipe version and every drive it wiped."""

    version: str | None
    drives: list[WipedDrive]


@dataclass
class _Drive:
    """What the log has told about one drive so far."""

    path: str
    bus: str = ""
    model: str = ""
    size: str = ""
    serial: str | None = None
    size_bytes: int | None = None
    bytes_written: int | None = None
    method: str | None = None
    rounds: int | None = None
    blanked: bool = False
    started_at: datetime | None = None
    last_seen: datetime | None = None
    status: str | None = None
    pass_errors: int | None = None
    verify_errors: int | None = None


@dataclass
class _Run:
    """What the log has told about the whole run so far: options, summary footer and drives by name."""

    options: dict[str, str] = field(default_factory=dict)
    drives: dict[str, _Drive] = field(default_factory=dict)
    banner: str = ""
    footer: re.Match | None = None
    table_time: datetime | None = None
    #: Set once the Drive Status table was read: the run is over, a new one may follow in the same file.
    finished: bool = False

    def drive(self, path: str) -> _Drive:
        """Return the drive at ``path``, known by its name without /dev/ as in the summary tables."""
        path = path.strip("'\".,")
        return self.drives.setdefault(path.rsplit("/", 1)[-1], _Drive(path))


def parse_nwipe_log(data: bytes) -> NwipeLog:
    """Read an nwipe log: its version, and for each drive wiped the method, options, result and times.

    nwipe appends to its log file, so one file may hold several runs: each is read with its own options,
    and a drive wiped in several runs is reported as its last run left it.
    """
    runs, run, table = [], _Run(), None
    for line in _text_lines(data):
        if line.startswith("*****"):
            table = "errors" if "Error Summary" in line else "status" if "Drive Status" in line else None
        elif table and "|" in line:
            _read_table_row(run, table, line)
            run.finished = run.finished or table == "status"
        elif (match := _LINE.fullmatch(line)) and (when := _timestamp(match[1])):
            if run.finished and ("Found " in match[2] or "Program options" in match[2]):
                runs.append(run)
                run, table = _Run(), None
            _read_message(run, match[2], when)
    runs.append(run)
    if not any(r.drives for r in runs):
        raise NotAnNwipeLog(_l("This file is not an nwipe log: it names no drive (no \"Found /dev/...\" line "
                               "and no Drive Status table)."))
    wiped: dict[str, WipedDrive] = {}
    for one in runs:
        for drive in one.drives.values():
            if drive.started_at or drive.status:
                result = _wiped_drive(one, drive)
                wiped[result.serial or result.device_path] = result
    return NwipeLog(version=_version(runs[-1]) or _version(runs[0]), drives=list(wiped.values()))


def _text_lines(data: bytes) -> list[str]:
    """Return the lines of the log, or say in a person's words why it cannot be one."""
    if not data or not data.strip():
        raise NotAnNwipeLog(_l("The file is empty."))
    if len(data) > MAX_LOG_BYTES:
        raise NotAnNwipeLog(_l("The file is larger than 20 MB: this is not an nwipe log."))
    if b"\x00" in data:
        raise NotAnNwipeLog(_l("This file is not text: it is not an nwipe log."))
    # Split at line feeds only: nwipe 0.34 may print stray bytes (carriage returns, separators) as a serial.
    return [line.removesuffix("\r") for line in data.decode("utf-8", errors="replace").split("\n")]


@lru_cache(maxsize=256)
def _timestamp(text: str) -> datetime | None:
    """Return the log time ``2026/11/22 07:33:08`` as a UTC datetime, or None if it is no real date."""
    try:
        return datetime.strptime(text, "%Y/%m/%d %H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _read_message(run: _Run, message: str, when: datetime) -> None:
    """Take what one timestamped message says about the run or about a drive."""
    if found := _FOUND.match(message):
        _read_found(run.drive(found[1]), found[2])
    elif option := _OPTION.match(message):
        run.options.setdefault(option[1], option[2])
    elif message.strip() == "do not perform a final blank pass":
        run.options["noblank"] = "1"
    elif footer := _FOOTER.match(message):
        run.footer, run.table_time = footer, when
    elif status := _STATUS.match(message):
        drive = run.drive(status[1])
        drive.pass_errors = _integer(status[2]) if drive.pass_errors is None else drive.pass_errors
        drive.verify_errors = _integer(status[3]) if drive.verify_errors is None else drive.verify_errors
    elif geometry := _GEOMETRY.match(message):
        run.drive(geometry[1]).size_bytes = _integer(geometry[2])
    elif written := _WRITTEN.match(message):
        drive, count = run.drive(written[2]), _integer(written[1])
        if count is not None:
            drive.bytes_written = max(drive.bytes_written or 0, count)
    elif blanking := _BLANKING.match(message):
        run.drive(blanking[1]).blanked = True
    elif start := _INVOKING.match(message) or _STARTING_ROUND.match(message):
        drive = run.drive(start[2])
        drive.started_at = drive.started_at or when
        if message.startswith("Invoking"):
            drive.method = drive.method or start[1]
        else:
            drive.rounds = drive.rounds or _integer(start[1])
    elif _VERSION.match(message):
        run.banner = run.banner or message
    for path in _DEVICE.findall(message):
        drive = run.drives.get(path.rstrip(".").rsplit("/", 1)[-1])
        if drive and drive.started_at and drive.path == path.rstrip("."):
            drive.last_seen = when


def _read_found(drive: _Drive, rest: str) -> None:
    """Read ``ATA , TOSHIBA MQ01ABD1, 1000 GB, S/N=35H2SCTWS``; nwipe 0.28 wrote bus and model as one field."""
    fields = [text.strip() for text in rest.split(",")]
    serial = ""
    for index, text in enumerate(fields):
        if text.startswith("S/N="):
            serial, fields = text.removeprefix("S/N="), fields[:index]
            break
    if len(fields) >= 3:
        drive.bus, drive.model, drive.size = fields[0], ", ".join(fields[1:-1]), fields[-1]
    elif len(fields) == 2:
        (drive.bus, _, drive.model), drive.size = fields[0].partition(" "), fields[1]
    drive.serial = _serial(serial)


def _serial(text: str) -> str | None:
    """Return a serial number, or None when empty, anonymised (``-q`` prints XXXX... or ????...) or unreadable.

    On devices that report none, nwipe 0.34 may print whatever bytes were in its buffer: not a serial.
    """
    text = text.strip()
    if not text or _ANONYMISED.fullmatch(text) or not text.isprintable() or "\ufffd" in text:
        return None
    return text


def _read_table_row(run: _Run, table: str, line: str) -> None:
    """Read one row of the Error Summary or Drive Status table (rows name the device without /dev/)."""
    cells = [cell.strip() for cell in line.lstrip("!").split("|")]
    if not cells[0] or cells[0] == "Device" or " " in cells[0]:
        return
    drive = run.drive("/dev/" + cells[0])
    if table == "errors" and len(cells) >= 3:
        drive.pass_errors, drive.verify_errors = _integer(cells[1]), _integer(cells[2])
    elif table == "status" and len(cells) >= 5:
        model, _, serial = cells[4].rpartition("/")
        drive.status, drive.model = cells[1], drive.model or model.strip()
        drive.serial = drive.serial or _serial(serial)


def _integer(text: str) -> int | None:
    """Return the whole number written in ``text``, or None (also when too long to be a count)."""
    return int(text) if text.isdecimal() and len(text) <= 18 else None


def _version(run: _Run) -> str | None:
    """Return nwipe's version, from the ``banner = nwipe 0.33`` option or the banner line that opens the log."""
    version = _VERSION.match(run.options.get("banner", "")) or _VERSION.match(run.banner)
    return version[1] if version else None


def _wiped_drive(run: _Run, drive: _Drive) -> WipedDrive:
    """Put together what the log says about one drive with the options of the whole run."""
    footer = run.footer
    return WipedDrive(
        device_path=drive.path,
        bus=drive.bus,
        model=drive.model,
        size=drive.size,
        serial=drive.serial,
        size_bytes=drive.size_bytes or _found_size(drive.size)[0],
        size_precision=0 if drive.size_bytes else _found_size(drive.size)[1],
        bytes_written=drive.bytes_written,
        method=drive.method or run.options.get("method") or (footer[1] if footer else ""),
        rounds=_rounds(run, drive),
        verification=_verification(run),
        blanking=_blanking(run, drive),
        result="aborted" if drive.status is None else STATUS_RESULTS.get(drive.status, "failed"),
        started_at=drive.started_at,
        ended_at=drive.last_seen or (run.table_time if drive.status else None),
        pass_errors=drive.pass_errors,
        verify_errors=drive.verify_errors,
    )


def _found_size(text: str) -> tuple[int | None, int]:
    """Return the bytes of a ``Found`` line size such as ``67 MB``, and how far off its rounding may be."""
    size = _SIZE.fullmatch(text.strip())
    if not size or len(size[1]) > 12:
        return None, 0
    unit = _UNITS[size[2].upper()]
    count = int(float(size[1]) * unit)
    return (count, unit) if count < 10 ** 18 else (None, 0)


def _rounds(run: _Run, drive: _Drive) -> int | None:
    """Return the number of rounds from the ``rounds = 1`` option, the footer or the drive's own lines."""
    if (rounds := _integer(run.options.get("rounds", ""))) is not None:
        return rounds
    return _integer(run.footer[2]) if run.footer else drive.rounds


def _verification(run: _Run) -> str:
    """Return ``none``, ``last_pass`` or ``all_passes`` from the ``verify = 1 (last pass)`` option or the footer."""
    if "verify" in run.options:
        return VERIFY_OPTION.get(run.options["verify"][:1], "none")
    return VERIFY_FOOTER[run.footer[4]] if run.footer else "none"


def _blanking(run: _Run, drive: _Drive) -> bool:
    """Tell whether the run blanks the drives at the end (nwipe does unless told ``--noblank``)."""
    if run.footer:
        return run.footer[3] == "B"
    if run.options:
        return "noblank" not in run.options
    return drive.blanked
