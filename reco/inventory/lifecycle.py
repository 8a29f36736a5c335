"""The device lifecycle: one transition table, a guard per move, refusals that say why and change nothing."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from reco.core.audit import record_event
from reco.core.errors import DomainError, ValidationFailed
from reco.core.time import local_today, utcnow
from reco.extensions import db
from reco.inventory.models import Device, DeviceExit, DeviceState, DeviceType, Grade
from reco.inventory.quantities import parse_weight
from reco.inventory.vocabulary import STATE_LABELS

S = DeviceState

#: Every allowed move; anything else is refused.
TRANSITIONS: dict[DeviceState, frozenset[DeviceState]] = {
    S.RECEIVED: frozenset({S.DIAGNOSED, S.HARVESTED, S.RECYCLED, S.VOIDED}),
    S.DIAGNOSED: frozenset({S.IN_REPAIR, S.WIPED, S.HARVESTED, S.RECYCLED, S.VOIDED}),
    S.IN_REPAIR: frozenset({S.DIAGNOSED, S.WIPED, S.HARVESTED, S.RECYCLED, S.VOIDED}),
    S.WIPED: frozenset({S.READY, S.IN_REPAIR, S.HARVESTED, S.RECYCLED, S.VOIDED}),
    S.READY: frozenset({S.RESERVED, S.IN_REPAIR, S.HARVESTED, S.RECYCLED, S.VOIDED}),
    S.RESERVED: frozenset({S.DELIVERED, S.READY}),
    S.DELIVERED: frozenset({S.RECEIVED}),
    S.HARVESTED: frozenset(),
    S.RECYCLED: frozenset(),
    S.VOIDED: frozenset(),
}

#: Moves that only another feature makes, with the reason shown when someone tries them directly.
MADE_ELSEWHERE = {
    S.RESERVED: _l("A device is reserved from an accepted prescription, not moved there by hand."),
    S.DELIVERED: _l("A device is delivered by the visit report or the handover at the workshop."),
    S.VOIDED: _l("A device received by mistake is voided from its « Correct » page."),
}

#: States that only another feature leaves, with the reason shown when someone tries by hand.
LEFT_ELSEWHERE = {
    S.RESERVED: _l("The device is reserved for a household: release it from the prescription's page."),
    S.DELIVERED: _l("A delivered device comes back through the « Device brought back » form of its page."),
}


def _diagnosis_problems(device: Device) -> list[str]:
    """Return why the device lacks a usable diagnosis."""
    return [] if device.diagnosis is not None else [str(_l("It has no diagnosis yet."))]


def _drive_problems(device: Device) -> list[str]:
    """Return one sentence per drive of the device whose data is not proven gone."""
    problems = []
    for drive in device.drives:
        name = drive.serial or drive.model or f"#{drive.id}"
        records = drive.sanitizations
        if drive.is_sanitized:
            continue
        if not records:
            problems.append(str(_l("Drive %(drive)s has no sanitization record.", drive=name)))
        elif any(r.proves_erasure and r.needs_validation for r in records):
            problems.append(str(_l("The sanitization of drive %(drive)s waits for a supervisor's validation.",
                                   drive=name)))
        elif records[-1].result.value == "failed":
            problems.append(str(_l("The last wipe of drive %(drive)s failed: wipe it again or destroy it.",
                                   drive=name)))
        else:
            problems.append(str(_l("The wipe of drive %(drive)s was not verified: wipe it again with "
                                   "verification, or destroy it.", drive=name)))
    return problems


def _storage_problems(device: Device) -> list[str]:
    """Return why a device with no drive ever recorded may not pass: only a diagnosis that says so lets it."""
    if device.drives or device.type is DeviceType.SCREEN or (device.diagnosis and device.diagnosis.no_storage):
        return []
    if device.removed_drives:
        return []  # its drives were recorded, then taken out or destroyed
    return [str(_l("No drive is recorded in this machine: import its hardware report or record its drives; if it "
                   "really has no storage, say so in its diagnosis."))]


def _open_repair_problems(device: Device) -> list[str]:
    """Return why open repairs block the move."""
    count = len(device.open_repairs)
    return [str(_l("Repairs still open: %(n)d.", n=count))] if count else []


def _grade_problems(device: Device) -> list[str]:
    """Return why the device's grade keeps it from a household."""
    if device.grade is None:
        return [str(_l("It has no cosmetic grade."))]
    if device.grade is Grade.PARTS_ONLY:
        return [str(_l("It is graded « parts only »: harvest it instead."))]
    return []


def guard_problems(device: Device, to: DeviceState, details: dict | None = None) -> list[str]:
    """Return every reason why ``device`` cannot move to ``to`` now; empty when the move is allowed."""
    details = details or {}
    if to not in TRANSITIONS[device.state]:
        if not TRANSITIONS[device.state]:
            return [str(_l("The device is %(state)s: that is final.", state=STATE_LABELS[device.state]))]
        return [str(_l("A device cannot go from « %(from)s » to « %(to)s ».", **{
            "from": STATE_LABELS[device.state], "to": STATE_LABELS[to]}))]
    if to in MADE_ELSEWHERE and not details.get("by_service"):
        return [str(MADE_ELSEWHERE[to])]
    if device.state in LEFT_ELSEWHERE and not details.get("by_service"):
        return [str(LEFT_ELSEWHERE[device.state])]
    problems: list[str] = []
    if to in (S.DIAGNOSED, S.IN_REPAIR, S.WIPED, S.READY):
        problems += _diagnosis_problems(device)
    if to in (S.WIPED, S.READY):
        problems += _storage_problems(device)
    if to in (S.WIPED, S.READY, S.RECYCLED):
        problems += _drive_problems(device)
    if to is S.READY:
        problems += _grade_problems(device) + _open_repair_problems(device)
    if to is S.HARVESTED and not [p for p in details.get("parts") or [] if str(p).strip()]:
        problems.append(str(_l("List the parts taken out of it.")))
    if to is S.RECYCLED:
        if not details.get("weight_kg"):
            problems.append(str(_l("Give the weight handed to the WEEE channel.")))
        if not str(details.get("slip_number") or "").strip():
            problems.append(str(_l("Give the number of the WEEE collection slip.")))
    return problems


def ready_missing(device: Device) -> list[str]:
    """Return what is left before ``device`` can be ready, one sentence each; empty once it is ready or further.

    On the workbench (received, diagnosed, in repair) it lists everything the move to ready will ask; from wiped (or
    a final state) it is the guard of the move to ready itself; when nothing is missing, it says which moves are left.
    """
    if device.state in (S.READY, S.RESERVED, S.DELIVERED):
        return []
    if not TRANSITIONS[device.state]:
        return guard_problems(device, S.READY)
    if S.READY in TRANSITIONS[device.state]:
        return guard_problems(device, S.READY) or [str(_l("Nothing else is missing: move it to « %(ready)s ».",
                                                          ready=STATE_LABELS[S.READY]))]
    problems = (_diagnosis_problems(device) + _storage_problems(device) + _drive_problems(device)
                + _grade_problems(device) + _open_repair_problems(device))
    return problems or [str(_l("Nothing else is missing: move it to « %(wiped)s », then « %(ready)s ».",
                               wiped=STATE_LABELS[S.WIPED], ready=STATE_LABELS[S.READY]))]


def allowed_moves(device: Device) -> list[tuple[DeviceState, list[str]]]:
    """Return each move the table allows from the current state, with what still blocks it."""
    return [(to, guard_problems(device, to, {"parts": ["-"], "weight_kg": 1, "slip_number": "-"}))
            for to in sorted(TRANSITIONS[device.state], key=list(DeviceState).index)
            if to not in MADE_ELSEWHERE and device.state not in LEFT_ELSEWHERE]


def parse_state(value) -> DeviceState:
    """Return the state named ``value``, or refuse with 422."""
    try:
        return DeviceState(value)
    except ValueError:
        raise ValidationFailed(str(_l("Unknown state « %(state)s ».", state=str(value)[:40])),
                               {"to": [str(_l("unknown state"))]}) from None


def _record_exit(device: Device, to: DeviceState, details: dict, by) -> None:
    """Write down how the device left: the parts harvested, or the recycling slip."""
    weight = parse_weight(details["weight_kg"]) if to is S.RECYCLED else None
    parts = [str(p).strip()[:200] for p in details.get("parts") or [] if str(p).strip()][:100]
    db.session.add(DeviceExit(
        device=device, kind=to.value, on=details.get("on") or local_today(), parts=parts if to is S.HARVESTED else [],
        weight_kg=weight, slip_number=str(details.get("slip_number") or "").strip()[:60],
        notes=str(details.get("notes") or "")[:2000], by_id=getattr(by, "id", None)))


def lock_device(device: Device) -> None:
    """Lock the device's row until the transaction ends and read it afresh."""
    db.session.flush()
    db.session.execute(select(Device.id).where(Device.id == device.id).with_for_update())
    db.session.refresh(device)


def transition_device(device: Device, to, *, by, **details) -> Device:
    """Move ``device`` to state ``to`` if its guard allows it; otherwise raise with every reason."""
    to = parse_state(to)
    lock_device(device)
    problems = guard_problems(device, to, details)
    if problems:
        raise DomainError(" ".join(problems), problems=problems)
    previous = device.state
    if to in (S.HARVESTED, S.RECYCLED):
        _record_exit(device, to, details, by)
    if previous is S.DELIVERED and to is S.RECEIVED:
        device.returned_at = utcnow()
    device.state = to
    event_details = {"from": previous.value, "to": to.value}
    if details.get("reason"):
        event_details["reason"] = str(details["reason"])[:500]
    record_event(by, device, "transition", **event_details)
    return device
