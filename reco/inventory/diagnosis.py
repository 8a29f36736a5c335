"""Diagnosing devices: the checklist, faults and grade, and hardware reports that fill the specs."""
from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from reco.core.audit import record_event
from reco.core.errors import ValidationFailed
from reco.core.scanning import normalise_code
from reco.extensions import db
from reco.inventory.hardware_reports import (
    DriveReport,
    ReportNotRecognised,
    SmartReport,
    SystemReport,
    parse_hardware_report,
)
from reco.inventory.lifecycle import TRANSITIONS, transition_device
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


def _specs(device: Device, specs: dict) -> None:
    """Set the specs typed at diagnosis, checking each."""
    if "cpu" in specs:
        device.cpu = str(specs["cpu"] or "").strip()[:120]
    if "os_name" in specs:
        device.os_name = str(specs["os_name"] or "").strip()[:80]
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
        try:
            health = int(specs["battery_health_pct"])
        except (TypeError, ValueError):
            health = -1
        if not 0 <= health <= 100:
            _fail("battery_health_pct", _l("Give the battery health as a percentage from 0 to 100."))
        device.battery_health_pct = health


def record_diagnosis(device: Device, *, by, checks: dict | None = None, faults=(), grade=None,
                     specs: dict | None = None, notes: str = "") -> Diagnosis:
    """Record a diagnosis; a device just received becomes diagnosed."""
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
    diagnosis = Diagnosis(device_id=device.id, checks=checks, faults=faults, grade=grade,
                          notes=(notes or "").strip()[:5000], by_id=getattr(by, "id", None))
    db.session.add(diagnosis)
    device.diagnoses.append(diagnosis)
    if grade is not None:
        device.grade = grade
    db.session.flush()
    record_event(by, device, "diagnosed", grade=grade.value if grade else None, faults=faults,
                 faulty=[k for k, v in checks.items() if v == CheckResult.FAULTY.value])
    if device.state is DeviceState.RECEIVED and DeviceState.DIAGNOSED in TRANSITIONS[device.state]:
        transition_device(device, DeviceState.DIAGNOSED, by=by)
    return diagnosis


def _update_drive(device: Device, report: DriveReport) -> tuple[Drive, bool]:
    """Create or update the device's drive with this serial; return it and whether it is new."""
    serial = normalise_code(report.serial)
    drive = None
    if serial:
        drive = db.session.scalar(select(Drive).where(Drive.serial == serial, Drive.workshop_id == device.workshop_id)
                                  .order_by(Drive.id.desc()).limit(1))
    if drive is None and not serial and report.device_path:
        drive = next((d for d in device.drives if d.device_path == report.device_path), None)
    created = drive is None
    if created:
        drive = Drive(serial=serial, workshop_id=device.workshop_id, donation_id=device.donation_id)
        db.session.add(drive)
    if drive.device_id is None and drive.removed_at is None:
        device.drives.append(drive)
    if len(report.model) > len(drive.model or ""):  # lshw cuts names to 16 characters; keep the longest
        drive.model = report.model[:120]
    drive.capacity_bytes = report.capacity_bytes or drive.capacity_bytes
    drive.interface = report.interface or drive.interface
    drive.device_path = (report.device_path or drive.device_path or "")[:40] or None
    for name in ("smart_passed", "power_on_hours", "reallocated_sectors", "media_errors"):
        if getattr(report, name) is not None:
            setattr(drive, name, getattr(report, name))
    return drive, created


def _apply_system(device: Device, report: SystemReport) -> dict:
    """Fill the device's specs and drives from an lshw report."""
    device.brand = device.brand or report.vendor[:80]
    device.model = device.model or report.model[:120]
    device.serial = device.serial or normalise_code(report.serial)
    device.cpu = (report.cpu or device.cpu or "")[:120]
    device.ram_bytes = report.ram_bytes or device.ram_bytes
    if report.battery_health_pct is not None:
        device.battery_health_pct = report.battery_health_pct
    drives, ignored = [], []
    for drive_report in report.drives:
        if drive_report.usb:
            ignored.append(drive_report.serial or drive_report.model)
            continue
        drive, created = _update_drive(device, drive_report)
        drives.append({"serial": drive.serial, "model": drive.model, "created": created,
                       "failing": drive.failing})
    return {"specs": {"cpu": device.cpu, "ram_bytes": device.ram_bytes,
                      "battery_health_pct": device.battery_health_pct},
            "drives": drives, "ignored_usb_drives": ignored}


def apply_hardware_report(device: Device, data: bytes, *, by) -> dict:
    """Read an lshw or smartctl JSON report and update the device and its drives; return what was recognised."""
    try:
        report = parse_hardware_report(data)
    except ReportNotRecognised as error:
        raise ValidationFailed(str(error), {"report": [str(error)]}) from None
    if isinstance(report, SmartReport):
        drive, created = _update_drive(device, report.drive)
        summary = {"kind": "smartctl", "drives": [{"serial": drive.serial, "model": drive.model, "created": created,
                                                   "failing": drive.failing}]}
    else:
        summary = {"kind": "lshw"} | _apply_system(device, report)
    db.session.add(HardwareReport(device_id=device.id, kind=summary["kind"], content=data.decode("utf-8"),
                                  sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=getattr(by, "id", None)))
    db.session.flush()
    record_event(by, device, "hardware_report", kind=summary["kind"],
                 drives=[d["serial"] for d in summary["drives"]],
                 failing=[d["serial"] for d in summary["drives"] if d["failing"]])
    return summary
