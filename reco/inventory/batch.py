"""Scan batches: scan tag after tag, see each checked at once, then apply one action to them all."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from reco.core.errors import DomainError
from reco.core.scanning import clean_code
from reco.extensions import db
from reco.inventory.intake import find_devices
from reco.inventory.lifecycle import transition_device
from reco.inventory.locations import move_device
from reco.inventory.models import Device, Location, ScanBatch

MAX_CODES = 500


@dataclass
class BatchItem:
    """One scanned code and what it points to."""

    code: str
    device: Device | None
    #: "ok", "unknown", "duplicate" (same device scanned before) or "ambiguous" (several devices match).
    status: str


@dataclass
class Outcome:
    """What an action did to one device."""

    tag: str
    done: bool
    message: str


def batch_of(user) -> ScanBatch:
    """Return the user's scan batch, creating an empty one."""
    batch = db.session.scalar(select(ScanBatch).where(ScanBatch.user_id == user.id))
    if batch is None:
        batch = ScanBatch(user_id=user.id, codes=[])
        db.session.add(batch)
        db.session.flush()
    return batch


def add_scan(user, raw: str | None) -> str | None:
    """Add a scanned code to the user's batch; return the cleaned code, or None when empty or full."""
    code = clean_code(raw)
    batch = batch_of(user)
    if not code or len(batch.codes) >= MAX_CODES:
        return None
    batch.codes = [*batch.codes, code]
    return code


def remove_scan(user, index: int) -> None:
    """Remove the code at ``index`` from the user's batch."""
    batch = batch_of(user)
    if 0 <= index < len(batch.codes):
        batch.codes = batch.codes[:index] + batch.codes[index + 1:]


def clear_batch(user) -> None:
    """Empty the user's batch."""
    batch_of(user).codes = []


def batch_items(user) -> list[BatchItem]:
    """Return the codes of the user's batch with the device each one found in the user's workshop."""
    items, seen = [], set()
    for code in batch_of(user).codes:
        devices = find_devices(code, workshop_ids=[user.structure_id])
        if not devices:
            items.append(BatchItem(code, None, "unknown"))
        elif len(devices) > 1:
            items.append(BatchItem(code, None, "ambiguous"))
        elif devices[0].id in seen:
            items.append(BatchItem(code, devices[0], "duplicate"))
        else:
            seen.add(devices[0].id)
            items.append(BatchItem(code, devices[0], "ok"))
    return items


def apply_to_batch(user, *, by, action: str, location: Location | None = None, to=None) -> list[Outcome]:
    """Apply one action to every device of the batch; each refusal is reported and changes nothing for it."""
    outcomes = []
    for item in batch_items(user):
        if item.status != "ok":
            continue
        try:
            with db.session.begin_nested():
                if action == "move":
                    move_device(item.device, location, by=by)
                else:
                    transition_device(item.device, to, by=by)
        except DomainError as error:
            outcomes.append(Outcome(item.device.tag, False, error.message))
        else:
            outcomes.append(Outcome(item.device.tag, True, str(_l("done"))))
    return outcomes
