"""nwipe logs: any bytes give the drives wiped or NotAnNwipeLog, and a refused log records nothing."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st
from sqlalchemy import func, select

from reco.core.audit import Event
from reco.core.errors import DomainError, ValidationFailed
from reco.extensions import db
from reco.inventory.models import Drive, ErasureLog, Sanitization
from reco.inventory.nwipe import NotAnNwipeLog, NwipeLog, WipedDrive, parse_nwipe_log
from reco.inventory.sanitization import import_erasure_log
from tests.factories import make_device, make_donation
from tests.inventory.workbench_helpers import drive_of, nwipe_log_for
from tests.properties import assert_translated_refusal, examples

NWIPE = Path(__file__).resolve().parent.parent / "fixtures" / "erasure" / "nwipe"
#: Read as text; nwipe 0.34 prints stray bytes as the serial of a loop device, so some logs are not all UTF-8.
LOGS = {path.name: path.read_bytes().decode("utf-8", "replace") for path in sorted(NWIPE.glob("*.log"))}
#: 4,400 digits: more than Python turns into a number (4,300), as a line may hold.
HUGE = "9" * 4400
ERASED = LOGS["nwipe-zero-verified-erased.log"]

DEVICES = ["/dev/sda", "/dev/sdb", "/dev/nvme0n1", "/dev/loop0", "/dev/", "/dev/sda.", "'/dev/sdc'", "sda"]
NUMBERS = st.one_of(st.integers(0, 10 ** 6).map(str), st.sampled_from(["-1", "0", "٣", "²", HUGE, "1" * 19]),
                    st.text(alphabet="0123456789", min_size=1, max_size=30))
TEXT = st.text(max_size=20)
TOKENS = st.one_of(NUMBERS, TEXT, st.sampled_from(DEVICES), st.sampled_from(
    ["Erased", "-FAILED-", "UABORTED", "INSANITY", "|", "/", "S/N=", "S/N=XXXX", "R+B+VL", "NV", "VA", ",", "=",
     "nwipe", "ShredOS v2024.02_", "Found", "*****", "\t", "\r", "\x00", "\x85", "\u2028"]))


def _timestamp(moment: datetime) -> str:
    """Return a time as nwipe prints it."""
    return f"[{moment:%Y/%m/%d %H:%M:%S}]"


STAMPS = st.one_of(st.datetimes().map(_timestamp), st.sampled_from(
    ["[2026/11/22 07:33:08]", "[0000/00/00 00:00:00]", "[2026/02/30 25:61:61]", "[٢٠٢٦/١١/٢٢ 07:33:08]", "", "["]))
LEVELS = st.sampled_from(["notice: ", " notice: ", "   info: ", "warning: ", "error: ", "fatal: ", "sanity: ", ""])
#: Messages in nwipe's own formats, with any of their fields replaced.
MESSAGES = st.one_of(
    st.builds("Found {}, {}, {}, {}, S/N={}".format, st.sampled_from(DEVICES), TOKENS, TOKENS, TOKENS, TOKENS),
    st.builds("Found {},{}".format, st.sampled_from(DEVICES), TEXT),
    st.builds("Invoking method '{}' on {}".format, TOKENS, st.sampled_from(DEVICES)),
    st.builds("Starting round {} of {} on {}".format, NUMBERS, NUMBERS, st.sampled_from(DEVICES)),
    st.builds("Blanking device {}".format, st.sampled_from(DEVICES)),
    st.builds("Status: {}, result={}, pass_errors={}, verify_errors={}".format, st.sampled_from(DEVICES), NUMBERS,
              NUMBERS, NUMBERS),
    st.builds("Total Throughput {} B/s, {}, {}R+{}+{}".format, NUMBERS, TOKENS, NUMBERS, st.sampled_from(["B", "NB"]),
              st.sampled_from(["NV", "VL", "VA"])),
    st.builds("  {} = {}".format, st.sampled_from(["rounds", "verify", "method", "banner", "noblank"]) | TEXT,
              TOKENS),
    st.builds("nwipe {}".format, TOKENS),
    st.sampled_from(["Program options are set as follows...", "do not perform a final blank pass"]),
    st.builds("{} bytes written to {}".format, NUMBERS, st.sampled_from(DEVICES)),
    TEXT,
)
TABLE_LINES = st.one_of(
    st.sampled_from(["***** Error Summary *****", "***** Drive Status *****", "*****", "-" * 20]),
    st.lists(TOKENS, max_size=6).map(" | ".join),
    st.builds("{} | {} | {} | {} | {}/{}".format, st.sampled_from(["sda", "loop0", "nvme0n1", "", "a b"]) | TEXT,
              st.sampled_from(["Erased", "-FAILED-", "UABORTED", "INSANITY"]) | TEXT, NUMBERS, TEXT, TEXT, TOKENS),
)
LINES = st.builds("{}{}{}".format, STAMPS, LEVELS, MESSAGES) | TABLE_LINES


@st.composite
def mutated_logs(draw) -> bytes:
    """Return a real log with its lines shuffled, dropped, repeated, cut short or with fields replaced."""
    lines = LOGS[draw(st.sampled_from(sorted(LOGS)))].splitlines()
    for _ in range(draw(st.integers(0, 6))):
        how = draw(st.sampled_from(["field", "field", "drop", "repeat", "insert", "shuffle"]))
        index = draw(st.integers(0, max(len(lines) - 1, 0)))
        if not lines:
            lines = [draw(LINES)]
        elif how == "field":
            tokens = list(re.finditer(r"[^\s,|=\[\]']+", lines[index]))
            if tokens:
                token = tokens[draw(st.integers(0, len(tokens) - 1))]
                lines[index] = lines[index][:token.start()] + draw(TOKENS) + lines[index][token.end():]
        elif how == "drop":
            del lines[index]
        elif how == "repeat":
            lines.insert(draw(st.integers(0, len(lines))), lines[index])
        elif how == "insert":
            lines.insert(index, draw(LINES))
        else:
            lines = draw(st.permutations(lines))
    data = "\n".join(lines).encode()
    if draw(st.booleans()):  # cut short, maybe inside a line or a UTF-8 character
        data = data[:draw(st.integers(0, len(data)))]
    return data


def _check_drive(drive: WipedDrive) -> None:
    """Check one drive of a log."""
    assert isinstance(drive, WipedDrive)
    assert all(isinstance(text, str) for text in (drive.device_path, drive.bus, drive.model, drive.size, drive.method))
    assert drive.serial is None or (isinstance(drive.serial, str) and drive.serial == drive.serial.strip() != "")
    assert drive.result in ("erased", "failed", "aborted")
    assert drive.verification in ("none", "last_pass", "all_passes") and isinstance(drive.blanking, bool)
    for count in (drive.rounds, drive.pass_errors, drive.verify_errors, drive.size_bytes, drive.bytes_written):
        assert count is None or (type(count) is int and 0 <= count < 10 ** 18)
    for moment in (drive.started_at, drive.ended_at):
        assert moment is None or (isinstance(moment, datetime) and moment.tzinfo is timezone.utc)


def _check_log(app, data: bytes) -> NwipeLog | None:
    """Parse ``data`` and check the log is sound, or that it was refused with a translated message."""
    try:
        log = parse_nwipe_log(data)
    except NotAnNwipeLog as error:
        event(f"refused: {assert_translated_refusal(app, error)[:40]}")
        return None
    assert isinstance(log, NwipeLog) and isinstance(log.drives, list)
    assert log.version is None or (isinstance(log.version, str) and log.version)
    event(f"{min(len(log.drives), 2)} drive(s)")
    for drive in log.drives:
        _check_drive(drive)
    keys = [drive.serial or drive.device_path for drive in log.drives]
    assert len(keys) == len(set(keys))
    return log


@examples(200)
@given(data=st.binary(max_size=2000))
@example(data=b"\x00" + ERASED.encode())
def test_random_bytes_are_refused_or_read(app, data):
    _check_log(app, data)


@examples(200)
@given(text=st.text(max_size=1000))
def test_random_text_is_refused_or_read(app, text):
    _check_log(app, text.encode("utf-8", "surrogatepass"))


@examples(250)
@given(lines=st.lists(LINES, max_size=25), newline=st.sampled_from(["\n", "\r\n", "\r"]))
@example(lines=["[2026/11/22 07:33:08] notice: Found /dev/sda, ATA, X, 1 GB, S/N=A1",
                f"[2026/11/22 07:33:08] notice: Starting round 1 of {HUGE} on /dev/sda"], newline="\n")
@example(lines=["[2026/11/22 07:33:08] notice: Found /dev/sda, ATA, X, 1 GB, S/N=A1",
                f"[2026/11/22 07:33:09] notice: Status: /dev/sda, result=0, pass_errors={HUGE}, verify_errors=0"],
         newline="\n")
def test_lines_in_nwipe_formats_with_any_fields_are_refused_or_read(app, lines, newline):
    _check_log(app, newline.join(lines).encode("utf-8", "surrogatepass"))


@examples(250)
@given(data=mutated_logs())
# Each of these was: ValueError, exceeds the limit (4300 digits) for integer string conversion.
@example(data=ERASED.replace("Starting round 1 of 1", f"Starting round 1 of {HUGE}").encode())
@example(data=ERASED.replace("rounds   = 1", f"rounds   = {HUGE}").encode())
@example(data=ERASED.replace("1R+B+VL", f"{HUGE}R+B+VL").replace("rounds   = 1", "rounds = x").encode())
@example(data=ERASED.replace("|           0 |", f"| {HUGE} |").encode())
def test_real_logs_shuffled_cut_or_changed_are_refused_or_read(app, data):
    _check_log(app, data)


# --- importing a log into a device -------------------------------------------------------------

@pytest.fixture
def donation(ctx):
    return make_donation()


def _written() -> list[int]:
    """Return how many sanitizations, erasure logs and events the database holds, and the drives' paths."""
    db.session.flush()
    counts = [db.session.scalar(select(func.count()).select_from(table)) for table in (Sanitization, ErasureLog, Event)]
    return counts + [tuple(db.session.execute(select(Drive.id, Drive.device_path).order_by(Drive.id)).all())]


@examples(40)
@given(data=mutated_logs() | st.builds("\n".join, st.lists(LINES, max_size=15)).map(str.encode))
@example(data=nwipe_log_for("erased", "/dev/sda"))
def test_a_log_records_the_device_drives_or_is_refused_recording_nothing(app, donation, data):
    device = make_device(donation, drives=[drive_of(serial="WD-1", interface="ata_hdd")])  # the 64 MiB of the logs
    device.drives[0].device_path = "/dev/sda"
    data = data.replace(b"/dev/loop0", b"/dev/sda").replace(b"/dev/loop2", b"/dev/sda")
    data = data.replace(b" loop0 ", b" sda ").replace(b" loop2 ", b" sda ")
    before = _written()
    try:
        result = import_erasure_log(device, data, by=None, filename="sda.log", confirm_anonymised=True)
    except DomainError as error:  # not a log of this drive (422), or one whose figures differ from it (409)
        event(f"refused: {error.code}")
        assert error.message.strip()
        assert not isinstance(error, ValidationFailed) or list(error.fields) == ["log"]
        assert _written() == before
        return
    event("recorded")
    after = _written()
    assert result.records and after[0] == before[0] + len(result.records) and after[1] == before[1] + 1
