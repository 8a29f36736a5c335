"""Recording drive sanitization: nwipe logs, secure erase, physical destruction, and their validation."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from flask_babel import format_date, format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

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


#: How far the size nwipe saw (and wrote, pass after pass) may be from the drive's recorded capacity, the drive
#: still being the same one. Up to 1 % above: marketed capacities are rounded down (a « 500 GB » drive holds
#: 500.1 GB). Up to 5 % below: what a Host Protected Area or a Device Configuration Overlay usually hides from
#: the system (an OEM recovery area, a capacity clipped to a round figure), which nwipe neither sees nor wipes.
#: Further below, the log is of a smaller drive (a 240 GB log for a 256 GB drive is 6 % short), or so much is
#: hidden that the drive is not wiped: remove the HPA/DCO (hdparm -N, --dco-restore) and wipe it again.
SIZE_ABOVE, SIZE_BELOW = 0.01, 0.05


class ErasureMismatch(DomainError):
    """An nwipe log names a drive of the device but describes another one (serial, model or size)."""

    code = "erasure_mismatch"
    shown_details = ("mismatches",)


class AnonymisedMatch(DomainError):
    """A log without serial matches drives by device path, size and model: recorded only once confirmed."""

    code = "confirm_anonymised"
    shown_details = ("proposed", "confirm")


class LogAlreadyRecorded(DomainError):
    """The same log (same SHA-256) already proves an erasure: a log counts once."""

    code = "log_already_recorded"
    shown_details = ("recorded",)


@dataclass
class ErasureImport:
    """What an imported erasure log recorded, drive by drive, and what it could not place."""

    log: ErasureLog
    records: list[Sanitization] = field(default_factory=list)
    unmatched: list[WipedDrive] = field(default_factory=list)


def _gb(count: int | None) -> str:
    """Return a size in bytes as decimal gigabytes, in the user's language."""
    return "—" if count is None else format_decimal(count / 10 ** 9, "#,##0.##")


def _bytes(count: int | None) -> str:
    """Return a count of bytes, in the user's language."""
    return "—" if count is None else format_decimal(count, "#,##0")


def same_model(logged: str, recorded: str) -> bool:
    """Tell whether two model names are one: equal, or one cut to the 16 characters of a SCSI inquiry."""
    logged, recorded = (" ".join(name.split()).casefold() for name in (logged or "", recorded or ""))
    if not logged or not recorded:
        return False
    short, long = sorted((logged, recorded), key=len)
    return short == long or (len(short) == 16 and long.startswith(short))


def _size_fits(count: int | None, capacity: int, precision: int = 0) -> bool:
    """Tell whether a size the log gives fits the drive's capacity, within what an HPA/DCO can hide."""
    return count is not None and \
        capacity * (1 - SIZE_BELOW) - precision <= count <= capacity * (1 + SIZE_ABOVE) + precision


def _differences(drive: Drive, wiped: WipedDrive) -> list[str]:
    """Return what differs between a drive and the log's description of it: serial, model, size, written."""
    differs = []
    if wiped.serial and normalise_code(wiped.serial) != drive.serial:
        differs.append("serial")
    if not same_model(wiped.model, drive.model):
        differs.append("model")
    capacity = drive.capacity_bytes
    if not capacity or not _size_fits(wiped.size_bytes, capacity, wiped.size_precision):
        differs.append("size")
    elif wiped.result == "erased" and wiped.bytes_written is not None and not _size_fits(wiped.bytes_written,
                                                                                          capacity):
        differs.append("written")
    return differs


def _figures(drive: Drive, wiped: WipedDrive, differs: list[str] | None = None) -> dict:
    """Return the log's and the drive's figures side by side, as the API shows them."""
    return {"drive_id": drive.id, "device_path": wiped.device_path, "differs": differs or [],
            "log": {"serial": wiped.serial, "model": wiped.model, "size_bytes": wiped.size_bytes,
                    "size_gb": round(wiped.size_bytes / 10 ** 9, 2) if wiped.size_bytes else None,
                    "bytes_written": wiped.bytes_written, "result": wiped.result,
                    "verification": wiped.verification},
            "drive": {"serial": drive.serial, "model": drive.model, "capacity_bytes": drive.capacity_bytes,
                      "capacity_gb": round(drive.capacity_bytes / 10 ** 9, 2) if drive.capacity_bytes else None}}


def _side_by_side(drive: Drive, wiped: WipedDrive) -> str:
    """Say in words the log's and the drive's serial, model and size."""
    return str(_l("log: serial %(log_serial)s, model %(log_model)s, %(log_bytes)s bytes (%(log_gb)s GB), "
                  "%(written)s bytes written — drive: serial %(serial)s, model %(model)s, %(bytes)s bytes (%(gb)s GB)",
                  log_serial=wiped.serial or "—", log_model=wiped.model or "—", log_bytes=_bytes(wiped.size_bytes),
                  log_gb=_gb(wiped.size_bytes), written=_bytes(wiped.bytes_written), serial=drive.serial or "—",
                  model=drive.model or "—", bytes=_bytes(drive.capacity_bytes), gb=_gb(drive.capacity_bytes)))


def _candidate(device: Device, wiped: WipedDrive) -> Drive | None:
    """Return the device's drive a log entry names: by serial, else (no serial in the log) by device path."""
    serial = normalise_code(wiped.serial)
    if serial:
        return next((d for d in device.drives if d.serial == serial), None)
    at_path = [d for d in device.drives if d.device_path and d.device_path == wiped.device_path]
    if len(at_path) > 1:
        raise ErasureMismatch(str(_l("Several drives of %(tag)s were seen at %(path)s: a log without serial cannot "
                                     "tell which one it wiped. Nothing was recorded.", tag=device.tag,
                                     path=wiped.device_path)), mismatches=[])
    return at_path[0] if at_path else None


def _check_not_recorded(device: Device, sha256: str) -> None:
    """Refuse a log already recorded, saying where; in another workshop, without naming its device."""
    known = db.session.scalar(select(ErasureLog).where(ErasureLog.sha256 == sha256))
    if known is None:
        return
    holder = db.session.get(Device, known.device_id)
    if holder is None or holder.workshop_id != device.workshop_id:
        raise LogAlreadyRecorded(str(_l("This log was already recorded by another workshop of the network: a log "
                                        "proves one erasure, once. Nothing was recorded.")), recorded=None)
    drives = [r.drive.serial or r.drive.device_path or f"#{r.drive_id}" for r in db.session.scalars(
        select(Sanitization).where(Sanitization.log_id == known.id).order_by(Sanitization.id))]
    when = format_date(known.uploaded_at, "short")
    raise LogAlreadyRecorded(str(_l("This log was already recorded on %(date)s for %(tag)s, drive %(drives)s: a log "
                                    "proves one erasure, once. Nothing was recorded.", date=when, tag=holder.tag,
                                    drives=", ".join(drives) or "—")),
                             recorded={"tag": holder.tag, "drives": drives, "uploaded_at": known.uploaded_at.isoformat()})


def _pair_drives(device: Device, parsed, confirm_anonymised: bool) -> list[tuple[WipedDrive, Drive | None]]:
    """Match each drive of the log to the device's drive it is, refusing mismatches and unconfirmed guesses."""
    pairs, mismatches, proposed = [], [], []
    for wiped in parsed.drives:
        drive = _candidate(device, wiped)
        if drive is not None and (differs := _differences(drive, wiped)):
            mismatches.append((drive, wiped, differs))
        elif drive is not None and not wiped.serial:
            proposed.append((drive, wiped))
        pairs.append((wiped, drive))
    if mismatches:
        raise ErasureMismatch(str(_l("This log does not describe the drive it names in %(tag)s, so nothing was "
                                     "recorded: %(figures)s.", tag=device.tag, figures="; ".join(
                                         f"{w.device_path}: {_side_by_side(d, w)}" for d, w, _differs in mismatches))),
                              mismatches=[_figures(d, w, differs) for d, w, differs in mismatches])
    if not any(drive for _wiped, drive in pairs):
        found = ", ".join(w.serial or w.device_path for w in parsed.drives)
        raise ValidationFailed(str(_l("None of the drives in this log (%(found)s) is a drive of %(tag)s. "
                                      "Nothing was recorded.", found=found, tag=device.tag)),
                               {"log": [str(_l("no drive of this device in the log"))]})
    if proposed and not confirm_anonymised:
        raise AnonymisedMatch(str(_l("This log has no serial number: it matches %(tag)s by device path, model and "
                                     "size only (%(figures)s). Confirm that it is the wipe of this drive to record "
                                     "it.", tag=device.tag, figures="; ".join(
                                         f"{w.device_path}: {_side_by_side(d, w)}" for d, w in proposed))),
                              proposed=[_figures(d, w) for d, w in proposed], confirm="confirm_anonymised")
    return pairs


def import_erasure_log(device: Device, data: bytes, *, by, filename: str = "",
                       confirm_anonymised: bool = False) -> ErasureImport:
    """Record a sanitization for every drive of ``device`` an nwipe log truly describes; refuse anything else.

    A drive of the log is the device's drive with its serial (or, without serial, at its device path, once
    confirmed) only if model and size agree too; a log already recorded anywhere is refused.
    """
    try:
        parsed = parse_nwipe_log(data)
    except NotAnNwipeLog as error:
        raise ValidationFailed(str(error), {"log": [str(error)]}) from None
    sha256 = hashlib.sha256(data).hexdigest()
    _check_not_recorded(device, sha256)
    pairs = _pair_drives(device, parsed, confirm_anonymised)
    log = ErasureLog(device_id=device.id, filename=(filename or "")[:200], content=data.decode("utf-8", "replace"),
                     sha256=sha256, uploaded_by_id=getattr(by, "id", None))
    try:
        with db.session.begin_nested():  # two uploads of one log at once: the unique index lets one through
            db.session.add(log)
    except IntegrityError:
        _check_not_recorded(device, sha256)
        raise
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
    """Let a supervisor confirm a sanitization, when the workshop asks for it: a second person, not its operator."""
    if not record.proves_erasure:
        raise DomainError(str(_l("Only a successful and verified sanitization can be validated.")))
    if record.operator_id is not None and record.operator_id == getattr(by, "id", None):
        raise DomainError(str(_l("You recorded this sanitization yourself: another supervisor must validate it. "
                                 "A validation is a second person's check.")))
    if record.validated_at is None:
        record.validated_by_id, record.validated_at = by.id, utcnow()
        device = db.session.get(Device, record.device_id) if record.device_id else None
        record_event(by, device or record.drive, "sanitization_validated",
                     drive=record.drive.serial or f"#{record.drive.id}")
    return record
