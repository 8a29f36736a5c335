"""lshw and smartctl reports: any bytes give a report or ReportNotRecognised, and a refused report changes nothing."""
from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st
from sqlalchemy import func, select

from reco.core.audit import Event
from reco.core.errors import ValidationFailed
from reco.extensions import db
from reco.inventory.diagnosis import ReportMismatch, apply_hardware_report
from reco.inventory.hardware_reports import (
    DriveReport,
    ReportNotRecognised,
    SmartReport,
    SystemReport,
    parse_hardware_report,
)
from reco.inventory.models import Device, Drive, DriveInterface, HardwareReport
from tests.factories import make_device, make_donation, make_donor, make_token, make_user
from tests.properties import assert_translated_refusal, examples

HARDWARE = Path(__file__).resolve().parent.parent / "fixtures" / "hardware"
SAMPLES = {f"{path.parent.name}/{path.name}": path.read_bytes() for path in sorted(HARDWARE.glob("*/*.json"))}

#: An lshw battery whose full charge is a 401-digit number: its percentage overflowed a float.
HUGE_BATTERY = json.dumps({"class": "system", "children": [
    {"class": "power", "id": "battery", "product": "45N1001", "capacity": 1, "size": 10 ** 400}]}).encode()
#: The same with a charge that fits a float but not the database's integer column.
BIG_BATTERY = HUGE_BATTERY.replace(b"1" + b"0" * 400, b"1" + b"0" * 20)

#: The keys the parser reads, so that random documents and mutations reach its branches.
LSHW_KEYS = ["class", "id", "children", "product", "vendor", "serial", "version", "size", "capacity", "units",
             "configuration", "capabilities", "logicalname", "businfo", "description", "chassis", "sku", "rotation"]
SMART_KEYS = ["smartctl", "json_format_version", "device", "type", "protocol", "name", "model_name",
              "scsi_model_name", "model_family", "serial_number", "user_capacity", "bytes", "nvme_total_capacity",
              "rotation_rate", "smart_status", "passed", "power_on_time", "hours", "ata_smart_attributes", "table",
              "raw", "value", "id", "nvme_smart_health_information_log", "media_errors"]
KEYS = LSHW_KEYS + SMART_KEYS
WORDS = ["system", "bus", "disk", "storage", "power", "processor", "memory", "volume", "battery", "cdrom",
         "System Memory", "FLASH", "notebook", "laptop", "desktop", "usb@1:2", "pci@0000:00:1f.2", "/dev/sda",
         "/dev/nvme0n1", "/dev/ng0n1", "/dev/mmcblk0", "NVMe disk", "ssd", "dvd", "7200rpm", "0", "nvme", "ata",
         "usbjmicron", "sntasmedia", "USB", "LENOVO", "To Be Filled By O.E.M.", "0000000000", " ", "", "\u0000",
         "\ud800", "ﬃ" * 50]
NUMBERS = st.sampled_from([0, 1, -1, 5, 100, 2 ** 31, 2 ** 63]) | st.builds(
    lambda sign, digits: sign * 10 ** digits, st.sampled_from([1, -1]), st.integers(0, 400))
SCALARS = (st.none() | st.booleans() | st.integers() | NUMBERS | st.floats() | st.text(max_size=12)
           | st.sampled_from(WORDS))
KEY_NAMES = st.sampled_from(KEYS) | st.text(max_size=8)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEY_NAMES, inner, max_size=5),
                    max_leaves=15)
VALUES = st.sampled_from(WORDS) | NUMBERS | JSON


@st.composite
def lshw_nodes(draw, depth: int = 0) -> dict:
    """Return an lshw node with some of the keys lshw prints, any values, and nodes below."""
    node = {key: draw(VALUES) for key in draw(st.lists(st.sampled_from(LSHW_KEYS), max_size=8, unique=True))}
    if depth < 3 and draw(st.booleans()):
        node["children"] = draw(st.lists(lshw_nodes(depth + 1), max_size=3))
    return node


@st.composite
def smartctl_documents(draw) -> dict:
    """Return a document marked as smartctl output, with some of the keys smartctl prints and any values."""
    objects = st.builds(dict, st.lists(st.tuples(st.sampled_from(SMART_KEYS), VALUES), max_size=4))
    document = {key: draw(VALUES | objects)
                for key in draw(st.lists(st.sampled_from(SMART_KEYS), max_size=10, unique=True))}
    return document | {"json_format_version": draw(JSON)}


LSHW_TREES = lshw_nodes().map(lambda root: root | {"class": "system"})
SMARTCTL_DOCUMENTS = smartctl_documents()


def _encode(document, ensure_ascii: bool) -> bytes:
    """Return a JSON document as bytes; lone surrogates become invalid UTF-8 when not escaped."""
    return json.dumps(document, ensure_ascii=ensure_ascii).encode("utf-8", "surrogatepass")


def _json_paths(value, prefix: tuple = ()) -> list[tuple]:
    """Return the path of every value inside a JSON document, the document itself excluded."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    paths = []
    for key, item in items:
        paths.append(prefix + (key,))
        paths.extend(_json_paths(item, prefix + (key,)))
    return paths


PATHS = {name: _json_paths(json.loads(data)) for name, data in SAMPLES.items()}
#: Paths that end on a key the parser reads, drawn as often as all the others together.
READ_PATHS = {name: [path for path in paths if path[-1] in KEYS] for name, paths in PATHS.items()}


def _holds(container, key) -> bool:
    """Tell whether a JSON object or array has ``key``."""
    if isinstance(container, dict):
        return key in container
    return isinstance(container, list) and isinstance(key, int) and key < len(container)


@st.composite
def mutated_reports(draw) -> bytes:
    """Return a real report with keys dropped and values swapped for other JSON values."""
    name = draw(st.sampled_from(sorted(SAMPLES)))
    document = json.loads(SAMPLES[name])
    for path in draw(st.lists(st.sampled_from(READ_PATHS[name]) | st.sampled_from(PATHS[name]), min_size=1,
                              max_size=6)):
        parent = document
        for key in path[:-1]:  # an earlier change may have removed the path
            parent = parent[key] if _holds(parent, key) else None
        if _holds(parent, path[-1]):
            if draw(st.booleans()):
                del parent[path[-1]]
            else:
                parent[path[-1]] = draw(SCALARS | JSON)
    return _encode(document, draw(st.booleans()))


@st.composite
def damaged_bytes(draw) -> bytes:
    """Return a real report cut short, with bytes overwritten, or behind a BOM or other prefix."""
    data = bytearray(SAMPLES[draw(st.sampled_from(sorted(SAMPLES)))])
    how = draw(st.sampled_from(["cut", "overwrite", "prefix"]))
    if how == "cut":
        return bytes(data[:draw(st.integers(0, len(data)))])
    if how == "overwrite":
        for position, value in draw(st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(0, 255)),
                                             min_size=1, max_size=10)):
            data[position] = value
        return bytes(data)
    return draw(st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b"\x00", b"  \n", b"[", b"\xff"])) + bytes(data)


REPORTS = st.one_of(
    mutated_reports(),
    damaged_bytes(),
    st.builds(_encode, JSON, st.booleans()),
    st.builds(_encode, LSHW_TREES, st.booleans()),
    st.builds(_encode, SMARTCTL_DOCUMENTS, st.booleans()),
    st.binary(max_size=500),
)


# --- checks ------------------------------------------------------------------------------------

def _optional(value, kind) -> bool:
    """Tell whether ``value`` is None or of ``kind`` (booleans are no numbers)."""
    return value is None or (isinstance(value, kind) and not (kind is int and isinstance(value, bool)))


def _check_text(value) -> None:
    """Check report text: None, or a non-empty string with its spaces collapsed."""
    assert value is None or (isinstance(value, str) and value and value == " ".join(value.split()))


def _check_drive(drive: DriveReport) -> None:
    """Check one drive of a report."""
    assert isinstance(drive, DriveReport)
    _check_text(drive.serial)
    _check_text(drive.device_path)
    assert isinstance(drive.model, str)
    assert drive.interface is None or isinstance(drive.interface, DriveInterface)
    assert _optional(drive.smart_passed, bool) and isinstance(drive.usb, bool)
    assert drive.failing is (drive.smart_passed is False)
    for name in ("capacity_bytes", "power_on_hours", "reallocated_sectors", "media_errors"):
        assert _optional(getattr(drive, name), int)
    if drive.usb:
        assert drive.interface is DriveInterface.USB


def _check_report(app, data: bytes) -> SystemReport | SmartReport | None:
    """Parse ``data`` and check the report is sound, or that it was refused with a translated message."""
    try:
        report = parse_hardware_report(data)
    except ReportNotRecognised as error:
        event(f"refused: {assert_translated_refusal(app, error)[:40]}")
        return None
    if isinstance(report, SmartReport):
        event("smartctl")
        _check_drive(report.drive)
        assert report.drive.model or report.drive.serial
        return report
    event("lshw")
    assert isinstance(report, SystemReport)
    assert isinstance(report.vendor, str) and isinstance(report.model, str)
    for text in (report.serial, report.chassis, report.cpu):
        _check_text(text)
    assert _optional(report.ram_bytes, int) and _optional(report.battery_present, bool)
    assert report.battery_health_pct is None or (
        _optional(report.battery_health_pct, int) and 0 <= report.battery_health_pct <= 100)
    assert isinstance(report.drives, list)
    for drive in report.drives:
        _check_drive(drive)
    return report


# --- parser properties -------------------------------------------------------------------------

@examples(200)
@given(data=st.binary(max_size=2000))
@example(data=b"\xef\xbb\xbf{}")
@example(data=b"[" * 5000)
def test_random_bytes_are_refused_or_read(app, data):
    _check_report(app, data)


@examples(200)
@given(document=JSON, ensure_ascii=st.booleans())
@example(document={"class": "system", "children": [{"class": "power", "id": "battery", "product": "X",
                                                     "capacity": 3, "size": -7}]}, ensure_ascii=True)
def test_any_json_value_is_refused_or_read(app, document, ensure_ascii):
    _check_report(app, _encode(document, ensure_ascii))


@examples(100)
@given(data=st.one_of(st.builds(_encode, LSHW_TREES, st.booleans()),
                      st.builds(_encode, SMARTCTL_DOCUMENTS, st.booleans())))
@example(data=HUGE_BATTERY)  # was: OverflowError, integer division result too large for a float
@example(data=BIG_BATTERY)  # was: a battery health of 10²² %
def test_documents_shaped_like_reports_are_refused_or_read(app, data):
    _check_report(app, data)


@examples(200)
@given(data=st.one_of(mutated_reports(), damaged_bytes()))
def test_real_reports_mutated_are_refused_or_read(app, data):
    _check_report(app, data)


# --- attaching a report to a device ------------------------------------------------------------

@pytest.fixture
def donation(ctx):
    return make_donation()


def _written(device: Device) -> tuple:
    """Return what the database holds about the device and its drives, and how many reports and events."""
    db.session.flush()
    device_row = db.session.execute(select(Device.__table__).where(Device.id == device.id)).one()
    drives = db.session.execute(select(Drive.__table__).order_by(Drive.id)).all()
    counts = [db.session.scalar(select(func.count()).select_from(table)) for table in (HardwareReport, Event)]
    return tuple(device_row), [tuple(row) for row in drives], counts


@examples(40)
@given(data=REPORTS)
@example(data=HUGE_BATTERY)
@example(data=BIG_BATTERY)
@example(data=SAMPLES["lshw/laptop-dell-latitude-e5530.json"])
def test_a_report_updates_the_device_or_is_refused_changing_nothing(app, donation, data):
    device = make_device(donation, drives=[{"serial": "KEEP-1", "capacity_gb": "500", "interface": "ata_hdd"}])
    before = _written(device)
    try:
        summary = apply_hardware_report(device, data, by=None)
    except ValidationFailed as error:
        event("refused")
        assert error.message.strip() and error.fields == {"report": [error.message]}
        assert _written(device) == before
        return
    except ReportMismatch as error:  # the same sample, applied before to another device, names that machine
        event("refused: another machine")
        assert error.details["confirm"] == "confirm_serial" and _written(device) == before
        return
    event(f"applied {summary['kind']}")
    _device, _drives, (reports, events) = _written(device)  # the flush proves every value fits its column
    assert summary["kind"] in ("lshw", "smartctl") and reports == before[2][0] + 1 and events > before[2][1]
    assert device.battery_health_pct is None or 0 <= device.battery_health_pct <= 100


@pytest.fixture
def bench(ctx):
    technician = make_user("technician")
    return technician, {"Authorization": f"Bearer {make_token(technician)}"}


@examples(20)
@given(data=REPORTS)
@example(data=HUGE_BATTERY)
def test_a_report_sent_to_the_api_is_applied_or_refused_with_422(client, bench, data):
    technician, headers = bench
    device = make_device(make_donation(make_donor(technician.structure)),
                         drives=[{"serial": "KEEP-1", "capacity_gb": "500", "interface": "ata_hdd"}])
    url = f"/api/v1/devices/{device.tag}"
    before = client.get(url, headers=headers).get_json()
    response = client.post(f"{url}/hardware-reports", data=data, headers=headers | {"Content-Type": "application/json"})
    assert response.status_code in (201, 422), response.get_data(as_text=True)
    event(f"HTTP {response.status_code}")
    if response.status_code == 422:
        assert response.get_json()["message"].strip()
        assert client.get(url, headers=headers).get_json() == before
