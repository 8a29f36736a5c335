"""Diagnosing devices: the checklist, faults and grade, and hardware reports that fill the specs."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from reco.core.audit import record_event
from reco.core.errors import DomainError, ValidationFailed
from reco.core.scanning import normalise_code
from reco.core.time import utcnow
from reco.extensions import db
from reco.inventory.hardware_reports import (
    PORTABLE_CHASSIS,
    DriveReport,
    ReportNotRecognised,
    SmartReport,
    SystemReport,
    parse_hardware_report,
)
from reco.inventory.lifecycle import transition_device
from reco.inventory.models import (
    Check,
    CheckResult,
    Device,
    DeviceState,
    Diagnosis,
    Drive,
    FaultType,
    Grade,
    HardwareReport,
)
from reco.inventory.vocabulary import STATE_LABELS


def _fail(field: str, message) -> None:
    """Raise a validation error about one field."""
    raise ValidationFailed(str(message), {field: [str(message)]})


def _checks(values: dict | None) -> dict[str, str]:
    """Return the checklist with known points and results only."""
    if values is not None and not isinstance(values, dict):
        _fail("checks", _l("The checklist is a list of points with ok, faulty or na."))
    checks = {}
    for key, value in (values or {}).items():
        try:
            checks[Check(key).value] = CheckResult(value).value
        except ValueError:
            _fail("checks", _l("Unknown check « %(check)s » or result « %(result)s ».", check=str(key)[:40],
                               result=str(value)[:40]))
    return checks


def _spec_text(specs: dict, name: str) -> str:
    """Return a spec typed as text (empty when null), refusing any other value."""
    value = specs[name]
    if value is not None and not isinstance(value, str):
        _fail(name, _l("The field « %(name)s » must be text.", name=name))
    return (value or "").strip()


def _whole_number(value) -> int | None:
    """Return a whole number given as such or as text ("87"), or None for anything else (true, 87.5, "8 7")."""
    if isinstance(value, str):
        return int(value) if re.fullmatch(r"\s*[0-9]{1,9}\s*", value) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
        return None
    return int(value)


def _specs(device: Device, specs: dict) -> None:
    """Set the specs typed at diagnosis, checking each."""
    if "cpu" in specs:
        device.cpu = _spec_text(specs, "cpu")[:120]
    if "os_name" in specs:
        device.os_name = _spec_text(specs, "os_name")[:80]
    if specs.get("ram_gb") not in (None, ""):
        try:
            ram = Decimal(str(specs["ram_gb"]).replace(",", "."))
        except InvalidOperation:
            ram = Decimal(-1)
        if not ram.is_finite() or ram <= 0 or ram > 4096:
            _fail("ram_gb", _l("Give the memory in gigabytes, e.g. 8."))
        device.ram_bytes = int(ram * 1024 ** 3)
    if specs.get("screen_inches") not in (None, ""):
        try:
            screen = Decimal(str(specs["screen_inches"]).replace(",", "."))
        except InvalidOperation:
            screen = Decimal(-1)
        if not screen.is_finite() or screen < 5 or screen > 100:
            _fail("screen_inches", _l("Give the screen size in inches, e.g. 15,6."))
        device.screen_inches = screen.quantize(Decimal("0.1"))
    if specs.get("battery_health_pct") not in (None, ""):
        health = _whole_number(specs["battery_health_pct"])
        if health is None or not 0 <= health <= 100:
            _fail("battery_health_pct", _l("Give the battery health as a percentage from 0 to 100."))
        device.battery_health_pct = health


@dataclass(frozen=True)
class ReportAnswers:
    """What the device's latest lshw report already answers of its diagnosis."""

    #: Points of the checklist the report answers: {check: result}.
    checks: dict[str, str] = field(default_factory=dict)
    cameras: list[str] = field(default_factory=list)
    ram_bytes: int | None = None
    battery_health_pct: int | None = None
    #: How many drives the report found inside the machine (USB ones aside).
    drives: int = 0


def report_answers(device: Device) -> ReportAnswers | None:
    """Read the device's latest lshw report for what it answers: a camera found (webcam works as far as the
    system sees it), no camera or no battery in a desktop (not applicable), memory, battery health, drives.
    None without a readable lshw report."""
    stored = db.session.scalar(select(HardwareReport).where(HardwareReport.device_id == device.id,
                                                            HardwareReport.kind == "lshw")
                               .order_by(HardwareReport.id.desc()).limit(1))
    if stored is None:
        return None
    try:
        report = parse_hardware_report(stored.content.encode("utf-8"))
    except ReportNotRecognised:
        return None
    if not isinstance(report, SystemReport):
        return None
    desktop = bool(report.chassis) and report.chassis.lower() not in PORTABLE_CHASSIS
    checks = {}
    if report.cameras:
        checks[Check.WEBCAM.value] = CheckResult.OK.value
    elif desktop:
        checks[Check.WEBCAM.value] = CheckResult.NOT_APPLICABLE.value
    if report.battery_present is False:
        checks[Check.BATTERY.value] = CheckResult.NOT_APPLICABLE.value
    return ReportAnswers(checks, report.cameras, _bounded(report.ram_bytes, 2 ** 50), report.battery_health_pct,
                         sum(1 for drive in report.drives if not drive.usb))


def record_diagnosis(device: Device, *, by, checks: dict | None = None, faults=(), grade=None,
                     specs: dict | None = None, notes: str = "", no_storage: bool = False) -> Diagnosis:
    """Record a diagnosis; a device just received becomes diagnosed.

    ``no_storage`` says the machine has no drive at all, which lets a device with no drive recorded pass.
    """
    check_open(device)
    if no_storage is not True and no_storage is not False:
        _fail("no_storage", _l("Say with true or false whether the machine has no storage."))
    if no_storage and device.drives:
        _fail("no_storage", _l("Drives are recorded in this machine: take them out before saying it has no storage."))
    checks = _checks(checks)
    try:
        faults = sorted({FaultType(f).value for f in faults or ()})
    except ValueError:
        _fail("faults", _l("Unknown fault type."))
    try:
        grade = Grade(grade) if grade not in (None, "") else None
    except ValueError:
        _fail("grade", _l("The grade is A, B, C or parts only."))
    _specs(device, specs or {})
    diagnosis = Diagnosis(device_id=device.id, checks=checks, faults=faults, grade=grade, no_storage=no_storage,
                          notes=(notes or "").strip()[:5000], by_id=getattr(by, "id", None))
    db.session.add(diagnosis)
    device.diagnoses.append(diagnosis)
    if grade is not None:
        device.grade = grade
    if Check.WEBCAM.value in checks:
        device.has_webcam = checks[Check.WEBCAM.value] == CheckResult.OK.value
    db.session.flush()
    record_event(by, device, "diagnosed", grade=grade.value if grade else None, faults=faults,
                 faulty=[k for k, v in checks.items() if v == CheckResult.FAULTY.value],
                 **({"no_storage": True} if no_storage else {}))
    if device.state is DeviceState.RECEIVED:
        transition_device(device, DeviceState.DIAGNOSED, by=by)
    return diagnosis


class ReportMismatch(DomainError):
    """A report describes another machine or a drive held by a closed device: applied only once confirmed."""

    code = "report_mismatch"
    shown_details = ("confirm", "device")


def _drive_serial(report: DriveReport) -> str | None:
    """Return a drive's serial as it is stored."""
    return (normalise_code(_stored(report.serial)) or "")[:80] or None


def _known_drive(device: Device, report: DriveReport, distinct: bool) -> Drive | None:
    """Return the recorded drive a report speaks of: this device's own first, then the workshop's newest.

    A drive held by a device past the workbench never moves: the report is refused, unless ``distinct`` says it
    is another physical drive sharing the serial (None then: it gets its own record, with no sanitization).
    """
    serial = _drive_serial(report)
    if not serial:
        return next((d for d in device.drives if report.device_path and d.device_path == report.device_path), None)
    drive = next((d for d in device.drives if d.serial == serial), None) or db.session.scalar(
        select(Drive).where(Drive.serial == serial, Drive.workshop_id == device.workshop_id)
        .order_by(Drive.id.desc()).limit(1))
    holder = drive.device if drive is not None else None
    if drive is not None and holder is None and drive.is_destroyed:
        if distinct:
            return None
        raise ReportMismatch(str(_l(
            "Drive %(serial)s is recorded as destroyed: it cannot be in a machine. If this is another physical "
            "drive with the same serial, tick « another drive with the same serial » and send the report again; it "
            "will start with no sanitization.", serial=serial)), confirm="distinct_drives", device=None)
    if holder is None or holder.id == device.id or holder.state in MOVABLE_FROM:
        return drive
    if distinct:
        return None
    raise ReportMismatch(str(_l(
        "Drive %(serial)s is recorded in %(tag)s, which is « %(state)s »: it cannot leave it. If this is another "
        "physical drive with the same serial, tick « another drive with the same serial » and send the report "
        "again; it will start with no sanitization.", serial=serial, tag=holder.tag,
        state=STATE_LABELS[holder.state])), confirm="distinct_drives", device=holder.tag)


def _update_drive(device: Device, report: DriveReport, drive: Drive | None, *, by) -> tuple[Drive, bool]:
    """Create or update the device's drive the report describes (``drive``, when known); return it and whether
    it is new."""
    created = drive is None
    if created:
        drive = Drive(serial=_drive_serial(report), workshop_id=device.workshop_id, donation_id=device.donation_id)
        db.session.add(drive)
        device.drives.append(drive)
    elif drive.device_id != device.id:
        _move_drive_here(device, drive, by=by)
    model = _stored(report.model)
    if len(model) > len(drive.model or ""):  # lshw cuts names to 16 characters; keep the longest
        drive.model = model[:120]
    drive.capacity_bytes = _bounded(report.capacity_bytes, 10 ** 16) or drive.capacity_bytes
    drive.interface = report.interface or drive.interface
    drive.device_path = (_stored(report.device_path) or drive.device_path or "")[:40] or None
    drive.smart_passed = report.smart_passed if report.smart_passed is not None else drive.smart_passed
    for name in ("power_on_hours", "reallocated_sectors", "media_errors"):
        value = _bounded(getattr(report, name), 2 ** 31 - 1)
        if value is not None:
            setattr(drive, name, value)
    return drive, created


def _stored(text: str | None) -> str:
    """Return report text as it can be stored: no NUL, no lone surrogate."""
    return (text or "").replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def _bounded(number: int | None, limit: int) -> int | None:
    """Return a figure of a report when it is plausible, else None."""
    return number if isinstance(number, int) and 0 <= number <= limit else None


def _move_drive_here(device: Device, drive: Drive, *, by) -> None:
    """Put a known drive, found by a report in ``device``, into it with its records: it is really there."""
    previous = drive.device
    if previous is not None:
        previous.drives.remove(drive)
        drive.removed_from_id, drive.removed_at = previous.id, utcnow()
        record_event(by, previous, "drive_removed", drive=drive.serial, to=device.tag)
    device.drives.append(drive)
    drive.removed_at = None
    record_event(by, device, "drive_added", drive=drive.serial, **{"from": previous.tag if previous else None})


#: States in which diagnosis and drives may change; later, the device must go back to repair first.
OPEN_STATES = (DeviceState.RECEIVED, DeviceState.DIAGNOSED, DeviceState.IN_REPAIR)
#: States of a device whose drive may be found, by a report, in another device: still open, or voided by mistake.
MOVABLE_FROM = (*OPEN_STATES, DeviceState.VOIDED)


def check_open(device: Device) -> None:
    """Refuse to change the diagnosis or drives of a device past the workbench's checks."""
    if device.state not in OPEN_STATES:
        raise DomainError(str(_l("%(tag)s is « %(state)s »: move it back to « In repair » before changing its "
                                 "diagnosis or its drives.", tag=device.tag, state=STATE_LABELS[device.state])))


def _system_serial(device: Device, report: SystemReport, confirmed: bool) -> str | None:
    """Return the serial an lshw report gives the device, refusing a report of another machine (its serial
    differs from the device's, or is another device's) unless the person confirmed it."""
    serial = (normalise_code(_stored(report.serial)) or "")[:80] or None
    if not serial or serial == device.serial:
        return None
    if device.serial and not confirmed:
        raise ReportMismatch(str(_l(
            "This report describes the machine with serial number %(report)s, but %(tag)s has serial number "
            "%(device)s. Check that it is this machine's report; if it is, tick « this report is for this device » "
            "and send it again: the serial number will be corrected.", report=serial, tag=device.tag,
            device=device.serial)), confirm="confirm_serial", device=device.tag)
    other = None if confirmed else db.session.scalar(select(Device.tag).where(
        Device.serial == serial, Device.workshop_id == device.workshop_id, Device.id != device.id,
        Device.state != DeviceState.VOIDED).limit(1))
    if other:
        raise ReportMismatch(str(_l(
            "This report describes the machine with serial number %(report)s, which is %(other)s. Check that it is "
            "the report of %(tag)s; if it is, tick « this report is for this device » and send it again.",
            report=serial, other=other, tag=device.tag)), confirm="confirm_serial", device=other)
    return serial


def _apply_system(device: Device, report: SystemReport, known: list[Drive | None], *, by) -> dict:
    """Fill the device's specs and drives from an lshw report (``known``: the recorded drive of each non-USB one)."""
    device.brand = device.brand or _stored(report.vendor)[:80]
    device.model = device.model or _stored(report.model)[:120]
    device.cpu = (_stored(report.cpu) or device.cpu or "")[:120]
    device.ram_bytes = _bounded(report.ram_bytes, 2 ** 50) or device.ram_bytes
    if report.battery_health_pct is not None:
        device.battery_health_pct = report.battery_health_pct
    drives = []
    for drive_report, drive in zip([d for d in report.drives if not d.usb], known):
        drive, created = _update_drive(device, drive_report, drive, by=by)
        drives.append({"serial": drive.serial, "model": drive.model, "created": created,
                       "failing": drive.failing})
    return {"specs": {"cpu": device.cpu, "ram_bytes": device.ram_bytes,
                      "battery_health_pct": device.battery_health_pct},
            "drives": drives, "ignored_usb_drives": [d.serial or d.model for d in report.drives if d.usb]}


def apply_hardware_report(device: Device, data: bytes, *, by, confirm_serial: bool = False,
                          distinct_drives: bool = False) -> dict:
    """Read an lshw or smartctl JSON report and update the device and its drives; return what was recognised.

    A report of another machine (``confirm_serial``) or naming a drive held by a closed device
    (``distinct_drives``) is refused, changing nothing, unless the person confirmed it.
    """
    check_open(device)
    try:
        report = parse_hardware_report(data)
    except ReportNotRecognised as error:
        raise ValidationFailed(str(error), {"report": [str(error)]}) from None
    smart = isinstance(report, SmartReport)
    serial = None if smart else _system_serial(device, report, confirm_serial)
    known = [_known_drive(device, d, distinct_drives) for d in ([report.drive] if smart else report.drives)
             if not d.usb or smart]
    corrected = {"serial": {"from": device.serial, "to": serial}} if serial and device.serial else {}
    device.serial = serial or device.serial
    if smart:
        drive, created = _update_drive(device, report.drive, known[0], by=by)
        summary = {"kind": "smartctl", "drives": [{"serial": drive.serial, "model": drive.model, "created": created,
                                                   "failing": drive.failing}]}
    else:
        summary = {"kind": "lshw"} | _apply_system(device, report, known, by=by)
    db.session.add(HardwareReport(device_id=device.id, kind=summary["kind"], content=data.decode("utf-8"),
                                  sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=getattr(by, "id", None)))
    db.session.flush()
    record_event(by, device, "hardware_report", kind=summary["kind"],
                 drives=[d["serial"] for d in summary["drives"]],
                 failing=[d["serial"] for d in summary["drives"] if d["failing"]], **corrected)
    return summary
