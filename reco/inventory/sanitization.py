"""Recording drive sanitization: nwipe logs, secure erase, physical destruction, and their validation."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from flask_babel import lazy_gettext as _l

from reco.core.audit import record_event
from reco.core.errors import DomainError, ValidationFailed
from reco.core.scanning import normalise_code
from reco.core.time import utcnow
from reco.extensions import db
from reco.inventory.models import (
    DestructionMethod,
    Device,
    DeviceState,
    Drive,
    ErasureLog,
    Sanitization,
    SanitizationLevel,
    SanitizationResult,
    SanitizationTool,
    Technique,
    Verification,
)
from reco.inventory.nwipe import NotAnNwipeLog, WipedDrive, parse_nwipe_log
from reco.inventory.vocabulary import STATE_LABELS

#: What each nwipe drive status means for the record.
NWIPE_RESULTS = {"erased": SanitizationResult.SUCCESS, "failed": SanitizationResult.FAILED,
                 "aborted": SanitizationResult.FAILED}


def _fail(field_name: str, message) -> None:
    """Raise a validation error about one field."""
    raise ValidationFailed(str(message), {field_name: [str(message)]})


@dataclass
class ErasureImport:
    """What an imported erasure log recorded, drive by drive, and what it could not place."""

    log: ErasureLog
    records: list[Sanitization] = field(default_factory=list)
    unmatched: list[WipedDrive] = field(default_factory=list)


def _match(device: Device, wiped: WipedDrive) -> Drive | None:
    """Return the device's drive a log entry is about: by serial, else (anonymised log) by device path."""
    serial = normalise_code(wiped.serial)
    if serial:
        return next((d for d in device.drives if d.serial == serial), None)
    return next((d for d in device.drives if d.device_path and d.device_path == wiped.device_path), None)


def import_erasure_log(device: Device, data: bytes, *, by, filename: str = "") -> ErasureImport:
    """Record a sanitization for every drive of ``device`` found in an nwipe log; refuse a log about none."""
    try:
        parsed = parse_nwipe_log(data)
    except NotAnNwipeLog as error:
        raise ValidationFailed(str(error), {"log": [str(error)]}) from None
    pairs = [(wiped, _match(device, wiped)) for wiped in parsed.drives]
    if not any(drive for _wiped, drive in pairs):
        found = ", ".join(w.serial or w.device_path for w in parsed.drives)
        raise ValidationFailed(str(_l("None of the drives in this log (%(found)s) is a drive of %(tag)s. "
                                      "Nothing was recorded.", found=found, tag=device.tag)),
                               {"log": [str(_l("no drive of this device in the log"))]})
    log = ErasureLog(device_id=device.id, filename=(filename or "")[:200], content=data.decode("utf-8", "replace"),
                     sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=getattr(by, "id", None))
    db.session.add(log)
    result = ErasureImport(log)
    for wiped, drive in pairs:
        if drive is None:
            result.unmatched.append(wiped)
            continue
        if not drive.device_path:
            drive.device_path = wiped.device_path[:40]
        record = Sanitization(
            drive=drive, device_id=device.id, level=SanitizationLevel.CLEAR, technique=Technique.OVERWRITE,
            tool=SanitizationTool.NWIPE, tool_version=(parsed.version or "")[:40], method=wiped.method[:80],
            rounds=wiped.rounds if wiped.rounds is not None and 0 <= wiped.rounds <= 1000 else None,
            verification=Verification(wiped.verification), blanking=wiped.blanking,
            result=NWIPE_RESULTS[wiped.result], started_at=wiped.started_at, ended_at=wiped.ended_at,
            operator_id=getattr(by, "id", None), log=log)
        db.session.add(record)
        result.records.append(record)
    db.session.flush()
    for record in result.records:
        record_event(by, device, "sanitization", drive=record.drive.serial or record.drive.device_path,
                     result=record.result.value, verification=record.verification.value, method=record.method,
                     log_sha256=log.sha256)
    return result


def _moment(value, name: str) -> datetime | None:
    """Return a timestamp given as a datetime, a date or nothing."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime.combine(value, time(12), tzinfo=timezone.utc)
    _fail(name, _l("Give a date."))
    return None


def record_secure_erase(drive: Drive, *, by, tool, technique, method: str = "", verification="none",
                        result="success", started_at=None, ended_at=None, notes: str = "") -> Sanitization:
    """Record an hdparm or nvme-cli secure erase (purge) of a drive."""
    try:
        tool, technique = SanitizationTool(tool), Technique(technique)
        verification, result = Verification(verification), SanitizationResult(result)
    except ValueError:
        _fail("tool", _l("Unknown tool, technique, verification or result."))
    if technique not in (Technique.BLOCK_ERASE, Technique.CRYPTO_ERASE, Technique.OVERWRITE):
        _fail("technique", _l("A secure erase is a block erase, a cryptographic erase or an overwrite."))
    record = Sanitization(
        drive=drive, device_id=drive.device_id, level=SanitizationLevel.PURGE if technique is not Technique.OVERWRITE
        else SanitizationLevel.CLEAR, technique=technique, tool=tool, method=(method or "").strip()[:80],
        verification=verification, result=result, started_at=_moment(started_at, "started_at"),
        ended_at=_moment(ended_at, "ended_at"), operator_id=getattr(by, "id", None), notes=(notes or "")[:2000])
    db.session.add(record)
    db.session.flush()
    record_event(by, drive.device or drive.removed_from or drive, "sanitization",
                 drive=drive.serial or f"#{drive.id}", result=result.value, verification=verification.value,
                 method=record.method or technique.value)
    return record


def record_destruction(drive: Drive, *, by, method, on=None, witness: str = "", notes: str = "") -> Sanitization:
    """Record the physical destruction of a drive, which leaves its device; a witness is required."""
    try:
        method = DestructionMethod(method)
    except ValueError:
        _fail("method", _l("Choose how the drive was destroyed: shredded, drilled, crushed or degaussed."))
    witness = (witness or "").strip()[:120]
    if not witness:
        _fail("witness", _l("Give the name of the witness of the destruction."))
    device = drive.device
    if device is not None:
        _check_drives_may_leave(device)
    record = Sanitization(
        drive=drive, device_id=drive.device_id, level=SanitizationLevel.DESTROY, technique=Technique.DESTRUCTION,
        destruction_method=method, tool=SanitizationTool.OTHER, method=method.value,
        verification=Verification.NONE, result=SanitizationResult.SUCCESS,
        started_at=_moment(on, "on") or utcnow(), ended_at=_moment(on, "on") or utcnow(),
        operator_id=getattr(by, "id", None), witness=witness, notes=(notes or "")[:2000])
    db.session.add(record)
    if device is not None:
        remove_drive(drive, by=by)
    db.session.flush()
    record_event(by, device or drive.removed_from or drive, "drive_destroyed", drive=drive.serial or f"#{drive.id}",
                 method=method.value, witness=witness)
    return record


#: States of a device promised to a family with the proof of its drives: none leaves it before it goes back to repair.
DRIVES_KEPT = frozenset({DeviceState.READY, DeviceState.RESERVED, DeviceState.DELIVERED})


def _check_drives_may_leave(device: Device) -> None:
    """Refuse to take a drive out of a device that is ready, reserved or delivered."""
    if device.state in DRIVES_KEPT:
        raise DomainError(str(_l("%(tag)s is « %(state)s »: its drives stay in it. Move it back to « In repair » "
                                 "first.", tag=device.tag, state=STATE_LABELS[device.state])))


def remove_drive(drive: Drive, *, by) -> Drive:
    """Take a drive out of its device; it stays linked to its donation and to the device it left."""
    device = drive.device
    if device is None:
        raise DomainError(str(_l("This drive is not in a device.")))
    _check_drives_may_leave(device)
    device.drives.remove(drive)
    drive.removed_from_id, drive.removed_at = device.id, utcnow()
    record_event(by, device, "drive_removed", drive=drive.serial or f"#{drive.id}")
    return drive


def validate_sanitization(record: Sanitization, *, by) -> Sanitization:
    """Let a supervisor confirm a sanitization, when the workshop asks for it."""
    if not record.proves_erasure:
        raise DomainError(str(_l("Only a successful and verified sanitization can be validated.")))
    if record.validated_at is None:
        record.validated_by_id, record.validated_at = by.id, utcnow()
        device = db.session.get(Device, record.device_id) if record.device_id else None
        record_event(by, device or record.drive, "sanitization_validated",
                     drive=record.drive.serial or f"#{record.drive.id}")
    return record
