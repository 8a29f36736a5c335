"""Corrections with history: fix what was recorded at intake, void a device received by mistake, merge duplicates.

A voided device keeps its tag (never handed out again: tags come from a sequence and devices are never deleted)
and its history, and counts nowhere. Voiding takes its drives out of it rather than refusing: a drive's
sanitization records belong to the drive, which stays traceable (it left this device) and goes to the bank,
where it is reused only once its data is proven erased. A device whose drives were wiped can thus still be
voided, and nothing of what was done to the drives is lost.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from reco.core.audit import record_event
from reco.core.errors import DomainError, ValidationFailed
from reco.core.scanning import normalise_code
from reco.extensions import db
from reco.inventory.lifecycle import transition_device
from reco.inventory.models import (
    Device,
    DeviceState,
    DeviceType,
    Diagnosis,
    Drive,
    ErasureLog,
    HardwareReport,
    Repair,
    Sanitization,
    storage_recount,
)
from reco.inventory.sanitization import remove_drive
from reco.inventory.vocabulary import STATE_LABELS

#: Fields a correction may change, with the longest text each takes.
CORRECTABLE = {"type": None, "brand": 80, "model": 120, "serial": 80, "donor_tag": 80}
#: States a device no longer leaves the workbench from by a merge: it left, or is already voided.
PAST_WORKBENCH = frozenset({DeviceState.RESERVED, DeviceState.DELIVERED, DeviceState.HARVESTED,
                            DeviceState.RECYCLED, DeviceState.VOIDED})
#: Fields the kept device takes from the other one when it has none.
FILLED_WHEN_EMPTY = ("brand", "model", "serial", "donor_tag", "weight_kg", "grade", "cpu", "ram_bytes",
                     "screen_inches", "os_name", "has_webcam", "battery_health_pct", "notes")
MAX_REASON = 500


def _fail(field_name: str, message) -> None:
    """Raise a validation error about one field."""
    raise ValidationFailed(str(message), {field_name: [str(message)]})


def _shown(value):
    """Return a value as an event stores it (JSON): enums and decimals as text."""
    if isinstance(value, DeviceType | DeviceState):
        return value.value
    return str(value) if isinstance(value, Decimal) else value


def _lock(*devices: Device) -> None:
    """Lock the devices' rows (in id order, so two people never wait for each other) and read them again."""
    db.session.flush()
    ids = sorted(d.id for d in devices)
    db.session.execute(select(Device.id).where(Device.id.in_(ids)).order_by(Device.id).with_for_update())
    for device in devices:
        db.session.refresh(device)


def _clean(name: str, value):
    """Return a corrected value as it is stored, or refuse it with a message about its field."""
    if name == "type":
        try:
            return DeviceType(value)
        except (ValueError, TypeError):
            _fail("type", _l("Choose the type of device."))
    if value is None:
        value = ""
    if not isinstance(value, str):
        _fail(name, _l("This must be text."))
    if name in ("serial", "donor_tag"):
        code = normalise_code(value)
        if code and len(code) > CORRECTABLE[name]:
            _fail(name, _l("This code is too long (80 characters at most)."))
        return code
    if len(value) > CORRECTABLE[name]:
        _fail(name, _l("This is too long (%(n)d characters at most).", n=CORRECTABLE[name]))
    return value.strip()


@dataclass
class Corrected:
    """What a correction changed (before and after of each field) and what the person should check."""

    changes: dict[str, dict]
    warnings: list[str] = field(default_factory=list)


def correct_device(device: Device, changes: dict, *, by) -> Corrected:
    """Correct the type, brand, model, serial or donor's tag of ``device``; refuse a change that changes nothing."""
    unknown = sorted(set(changes) - set(CORRECTABLE))
    if unknown:
        _fail(unknown[0], _l("This field cannot be corrected here."))
    clean = {name: _clean(name, value) for name, value in changes.items()}
    _lock(device)
    if device.is_voided:
        raise DomainError(str(_l("%(tag)s is voided: it is no longer corrected.", tag=device.tag)))
    diff = {name: {"before": _shown(getattr(device, name)), "after": _shown(value)}
            for name, value in clean.items() if getattr(device, name) != value}
    if not diff:
        raise ValidationFailed(str(_l("Nothing to correct: every field is as already recorded.")))
    for name in diff:
        setattr(device, name, clean[name])
    warnings = []
    if "serial" in diff and device.serial:
        twin = db.session.scalar(select(Device.tag).where(
            Device.serial == device.serial, Device.workshop_id == device.workshop_id, Device.id != device.id,
            Device.state != DeviceState.VOIDED).limit(1))
        if twin:
            warnings.append(str(_l("Another device (%(tag)s) already has serial %(serial)s: if it is the same "
                                   "machine, merge them.", tag=twin, serial=device.serial)))
    record_event(by, device, "corrected", fields=diff)
    return Corrected(diff, warnings)


def _reason(reason) -> str:
    """Return the reason given for voiding, or refuse an empty or too long one."""
    if not isinstance(reason, str) or not reason.strip():
        _fail("reason", _l("Say why the device is voided."))
    if len(reason) > MAX_REASON:
        _fail("reason", _l("This is too long (%(n)d characters at most).", n=MAX_REASON))
    return reason.strip()


def void_device(device: Device, *, by, reason) -> Device:
    """Void a device received by mistake: it keeps its tag and history, leaves every count, frees its donor's line."""
    reason = _reason(reason)
    _lock(device)
    transition_device(device, DeviceState.VOIDED, by=by, by_service=True, reason=reason)
    line = device.declared_item.line_number if device.declared_item else None
    drives = [remove_drive(drive, by=by).serial or f"#{drive.id}" for drive in list(device.drives)]
    device.declared_item = None
    if device.location is not None:
        record_event(by, device, "moved", **{"from": device.location.code, "to": None})
        device.location = None
    record_event(by, device, "voided", reason=reason, declared_line=line, drives=drives)
    return device


@dataclass
class MergePlan:
    """What merging ``other`` into ``kept`` would do, or why it cannot be done."""

    kept: Device
    other: Device
    problems: list[str] = field(default_factory=list)
    #: Serial (or model) of each drive that moves, with its sanitization records.
    drives: list[str] = field(default_factory=list)
    diagnoses: int = 0
    repairs: int = 0
    hardware_reports: int = 0
    #: Accessories the kept device did not have.
    accessories: list[str] = field(default_factory=list)
    #: Fields the kept device takes because it had none: {field: value}.
    fields: dict[str, object] = field(default_factory=dict)
    #: The donor's line that moves to the kept device, or that is released.
    declared_line: int | None = None
    released_line: int | None = None

    def details(self) -> dict:
        """Return what moved, as the kept device's event stores it."""
        return {"device": self.other.tag, "drives": self.drives,
                "changes": {"diagnoses": self.diagnoses, "repairs": self.repairs,
                            "hardware_reports": self.hardware_reports, "accessories": self.accessories},
                "fields": {name: {"before": None, "after": _shown(value)} for name, value in self.fields.items()},
                "declared_line": self.declared_line}


def _count(model, device: Device) -> int:
    """Return how many rows of ``model`` belong to ``device``."""
    return db.session.scalar(select(func.count(model.id)).where(model.device_id == device.id)) or 0


def _empty(value) -> bool:
    """Tell whether a field holds nothing."""
    return value is None or value == ""


def _merge_problems(kept: Device, other: Device) -> list[str]:
    """Return every reason why ``other`` cannot be merged into ``kept``."""
    if kept.id == other.id:
        return [str(_l("A device cannot be merged with itself."))]
    if kept.workshop_id != other.workshop_id:
        return [str(_l("These devices belong to different workshops."))]
    problems = [str(_l("%(tag)s is « %(state)s »: only devices still on the workbench are merged.",
                       tag=d.tag, state=STATE_LABELS[d.state])) for d in (kept, other) if d.state in PAST_WORKBENCH]
    if kept.serial and other.serial and kept.serial != other.serial:
        problems.append(str(_l("%(a)s has serial %(sa)s and %(b)s serial %(sb)s: they are two machines.",
                               a=kept.tag, sa=kept.serial, b=other.tag, sb=other.serial)))
    unproven = [d.serial or d.model or f"#{d.id}" for d in other.drives if not d.is_sanitized]
    if kept.state in (DeviceState.WIPED, DeviceState.READY) and unproven:
        problems.append(str(_l("%(tag)s is « %(state)s », and the data of these drives of %(other)s is not proven "
                               "gone: %(drives)s. Sanitize them first, or keep %(other)s instead.",
                               tag=kept.tag, state=STATE_LABELS[kept.state], other=other.tag,
                               drives=", ".join(unproven))))
    if kept.state is DeviceState.READY and other.open_repairs:
        problems.append(str(_l("%(tag)s is ready, and %(other)s has repairs still open: close them first, or keep "
                               "%(other)s instead.", tag=kept.tag, other=other.tag)))
    return problems


def plan_merge(kept: Device, other: Device) -> MergePlan:
    """Return what merging ``other`` into ``kept`` would move, and what refuses it."""
    plan = MergePlan(kept, other, problems=_merge_problems(kept, other))
    if plan.problems:
        return plan
    plan.drives = [d.serial or d.model or f"#{d.id}" for d in other.drives]
    plan.diagnoses, plan.repairs = _count(Diagnosis, other), _count(Repair, other)
    plan.hardware_reports = _count(HardwareReport, other)
    plan.accessories = sorted(set(other.accessories or []) - set(kept.accessories or []))
    plan.fields = {name: getattr(other, name) for name in FILLED_WHEN_EMPTY
                   if _empty(getattr(kept, name)) and not _empty(getattr(other, name))}
    line = other.declared_item
    if line is not None:
        if kept.declared_item is None and line.donation_id == kept.donation_id:
            plan.declared_line = line.line_number
        else:
            plan.released_line = line.line_number
    return plan


def _move_records(kept: Device, other: Device) -> None:
    """Move the other device's drives, diagnoses, repairs, reports and logs to the kept one."""
    for model in (Diagnosis, Repair, HardwareReport, ErasureLog, Sanitization, Drive):
        db.session.execute(update(model).where(model.device_id == other.id).values(device_id=kept.id))
    db.session.execute(update(Drive).where(Drive.removed_from_id == other.id).values(removed_from_id=kept.id))
    db.session.execute(storage_recount([kept.id, other.id]))  # the drives moved in SQL, not through a flush
    db.session.expire_all()


def merge_devices(kept: Device, other: Device, *, by) -> MergePlan:
    """Merge ``other`` into ``kept`` (one machine received twice): its records move, then it is voided."""
    _lock(kept, other)
    plan = plan_merge(kept, other)
    if plan.problems:
        raise DomainError(" ".join(plan.problems), problems=plan.problems)
    line = other.declared_item
    other.declared_item = None
    db.session.flush()  # the donor's line is free before the kept device takes it
    for name, value in plan.fields.items():
        setattr(kept, name, value)
    kept.accessories = sorted(set(kept.accessories or []) | set(plan.accessories))
    if plan.declared_line is not None:
        kept.declared_item = line
    if other.location is not None:
        record_event(by, other, "moved", **{"from": other.location.code, "to": None})
    other.location_id = None
    other.merged_into_id = kept.id
    db.session.flush()
    _move_records(kept, other)
    transition_device(other, DeviceState.VOIDED, by=by, by_service=True, reason=kept.tag)
    record_event(by, kept, "merged", **plan.details())
    record_event(by, other, "merged_into", kept=kept.tag, released_line=plan.released_line)
    return plan
