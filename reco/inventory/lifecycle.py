"""The device lifecycle: one transition table, a guard per move, refusals that say why and change nothing."""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from reco.core.errors import ValidationFailed
from reco.core.lifecycle import Lifecycle, Move
from reco.core.time import local_today, utcnow
from reco.extensions import db
from reco.inventory.models import Device, DeviceExit, DeviceState, DeviceType, Grade
from reco.inventory.quantities import parse_weight
from reco.inventory.vocabulary import STATE_LABELS

S = DeviceState


def _diagnosis_problems(device: Device, given: Mapping | None = None) -> list[str]:
    """Return why the device lacks a usable diagnosis."""
    return [] if device.diagnosis is not None else [str(_l("It has no diagnosis yet."))]


def _drive_problems(device: Device, given: Mapping | None = None) -> list[str]:
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


def _storage_problems(device: Device, given: Mapping | None = None) -> list[str]:
    """Return why a device with no drive ever recorded may not pass: only a diagnosis that says so lets it."""
    if device.drives or device.type is DeviceType.SCREEN or (device.diagnosis and device.diagnosis.no_storage):
        return []
    if device.removed_drives:
        return []  # its drives were recorded, then taken out or destroyed
    return [str(_l("No drive is recorded in this machine: import its hardware report or record its drives; if it "
                   "really has no storage, say so in its diagnosis."))]


def _open_repair_problems(device: Device, given: Mapping | None = None) -> list[str]:
    """Return why open repairs block the move."""
    count = len(device.open_repairs)
    return [str(_l("Repairs still open: %(n)d.", n=count))] if count else []


def _grade_problems(device: Device, given: Mapping | None = None) -> list[str]:
    """Return why the device's grade keeps it from a household."""
    if device.grade is None:
        return [str(_l("It has no cosmetic grade."))]
    if device.grade is Grade.PARTS_ONLY:
        return [str(_l("It is graded « parts only »: harvest it instead."))]
    return []


def _parts_problems(device: Device, given: Mapping | None) -> list[str]:
    """Return why a harvest cannot be written down: the parts taken out are not listed."""
    if given is None or [p for p in given.get("parts") or [] if str(p).strip()]:
        return []
    return [str(_l("List the parts taken out of it."))]


def _slip_problems(device: Device, given: Mapping | None) -> list[str]:
    """Return what the hand-over to the WEEE channel lacks: its weight, its slip."""
    if given is None:
        return []
    problems = [] if given.get("weight_kg") else [str(_l("Give the weight handed to the WEEE channel."))]
    if not str(given.get("slip_number") or "").strip():
        problems.append(str(_l("Give the number of the WEEE collection slip.")))
    return problems


#: What a device must show before it is ready for a household.
_READY_GUARDS = (_diagnosis_problems, _storage_problems, _drive_problems, _grade_problems, _open_repair_problems)
#: The states a device can leave the workshop from (dismantled, recycled) or be voided in.
_WORKBENCH = frozenset({S.RECEIVED, S.DIAGNOSED, S.IN_REPAIR, S.WIPED, S.READY})
#: Moves that write down how the device left: each has its own form.
EXITS = frozenset({S.HARVESTED, S.RECYCLED})


def _by_hand(target: DeviceState, sources: set, *guards) -> Move:
    """Return the move to ``target`` that the workshop makes from the device's page."""
    return Move(target.value, frozenset(sources), target, STATE_LABELS[target], "device.work", guards)


def _elsewhere(name: str, sources: set, target: DeviceState, why, *guards) -> Move:
    """Return a move that only another feature makes, with the reason shown when someone tries it directly."""
    return Move(name, frozenset(sources), target, STATE_LABELS[target], guards=guards, made_elsewhere=why)


#: Every allowed move, in the order of the states; anything else is refused.
DEVICE_LIFECYCLE = Lifecycle(
    attribute="state",
    moves=(
        _by_hand(S.DIAGNOSED, {S.RECEIVED, S.IN_REPAIR}, _diagnosis_problems),
        _by_hand(S.IN_REPAIR, {S.DIAGNOSED, S.WIPED, S.READY}, _diagnosis_problems),
        _by_hand(S.WIPED, {S.DIAGNOSED, S.IN_REPAIR}, _diagnosis_problems, _storage_problems, _drive_problems),
        _by_hand(S.READY, {S.WIPED}, *_READY_GUARDS),
        _elsewhere("reserved", {S.READY}, S.RESERVED,
                   _l("A device is reserved from an accepted prescription, not moved there by hand.")),
        _elsewhere("released", {S.RESERVED}, S.READY,
                   _l("The device is reserved for a household: release it from the prescription's page."),
                   *_READY_GUARDS),
        _elsewhere("delivered", {S.RESERVED}, S.DELIVERED,
                   _l("A device is delivered by the visit report or the handover at the workshop.")),
        _elsewhere("brought_back", {S.DELIVERED}, S.RECEIVED,
                   _l("A delivered device comes back through the « Device brought back » form of its page.")),
        _by_hand(S.HARVESTED, _WORKBENCH, _parts_problems),
        _by_hand(S.RECYCLED, _WORKBENCH, _drive_problems, _slip_problems),
        _elsewhere("voided", _WORKBENCH, S.VOIDED,
                   _l("A device received by mistake is voided from its « Correct » page.")),
    ),
    status_labels=STATE_LABELS,
    refusal=_l("A device cannot go from « %(from)s » to « %(to)s »."),
    final=_l("The device is %(status)s: that is final."),
    event_action="transition",
)


def _move_to(state: DeviceState, to: DeviceState) -> Move:
    """Return the move from ``state`` to ``to``; when the table has none, a move to ``to``, which refuses."""
    reaching = [move for move in DEVICE_LIFECYCLE.moves if move.target is to]
    return next((move for move in reaching if state in move.sources), reaching[0])


def in_reach(device: Device, name: str) -> bool:
    """Say whether move ``name`` leaves the device's state, whoever makes it."""
    return device.state in DEVICE_LIFECYCLE.move(name).sources


def guard_problems(device: Device, to: DeviceState, given: Mapping | None = None) -> list[str]:
    """Return every reason why ``device`` cannot move to ``to`` now (with the move's input, when ``given``)."""
    return DEVICE_LIFECYCLE.problems(device, _move_to(device.state, to).name, given)


def ready_missing(device: Device) -> list[str]:
    """Return what is left before ``device`` can be ready, one sentence each; empty once it is ready or further.

    On the workbench (received, diagnosed, in repair) it lists everything the move to ready will ask; from wiped (or
    a final state) it is the guard of the move to ready itself; when nothing is missing, it says which moves are left.
    """
    if device.state in (S.READY, S.RESERVED, S.DELIVERED):
        return []
    if DEVICE_LIFECYCLE.is_final(device.state):
        return guard_problems(device, S.READY)
    if in_reach(device, "ready"):
        return guard_problems(device, S.READY) or [str(_l("Nothing else is missing: move it to « %(ready)s ».",
                                                          ready=STATE_LABELS[S.READY]))]
    problems = [problem for guard in _READY_GUARDS for problem in guard(device)]
    return problems or [str(_l("Nothing else is missing: move it to « %(wiped)s », then « %(ready)s ».",
                               wiped=STATE_LABELS[S.WIPED], ready=STATE_LABELS[S.READY]))]


def parse_state(value) -> DeviceState:
    """Return the state named ``value``, or refuse with 422."""
    try:
        return DeviceState(value)
    except ValueError:
        raise ValidationFailed(str(_l("Unknown state « %(state)s ».", state=str(value)[:40])),
                               {"to": [str(_l("unknown state"))]}) from None


def _record_exit(device: Device, to: DeviceState, details: Mapping, by) -> None:
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


def transition_device(device: Device, to, *, by, by_service: bool = False, reason: str = "", **given) -> Device:
    """Move ``device`` to state ``to`` if its guard allows it; otherwise raise with every reason.

    ``by_service`` is for the features that make the moves the device's page does not (reserve, deliver, void…).
    """
    to = parse_state(to)
    lock_device(device)
    previous = device.state
    DEVICE_LIFECYCLE.apply(device, _move_to(previous, to).name, by=by, given=given, by_service=by_service,
                           reason=str(reason or "")[:500])
    if to in EXITS:
        _record_exit(device, to, given, by)
    if previous is S.DELIVERED and to is S.RECEIVED:
        device.returned_at = utcnow()
    return device
