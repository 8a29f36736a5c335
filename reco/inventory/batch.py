"""Scan batches: scan tag after tag, see each checked at once, then apply one action to them all."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask import session
from flask_babel import lazy_gettext as _l
from flask_login import user_logged_in, user_logged_out
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from reco.core.errors import DomainError, ValidationFailed
from reco.core.permissions import scoped
from reco.core.scanning import clean_code
from reco.core.time import utcnow
from reco.extensions import db
from reco.inventory.intake import find_devices
from reco.inventory.lifecycle import guard_problems, in_reach, transition_device
from reco.inventory.locations import find_location, move_device
from reco.inventory.models import Device, DeviceState, Location, ScanBatch
from reco.inventory.quantities import decimal_of

MAX_CODES = 500
#: Where the Flask session keeps the key of its login session's batch.
SESSION_BATCH_KEY = "scan_batch_key"
#: A batch left untouched this long belongs to a session that ended; it is removed when its owner starts a new one.
STALE_AFTER = timedelta(days=7)


#: What the list says about a code that found no device, several, or one already scanned.
SCAN_PROBLEMS = {"unknown": _l("Unknown code"), "ambiguous": _l("Several devices match: scan our tag"),
                 "duplicate": _l("already in the list")}


@dataclass
class BatchItem:
    """One scanned code and what it points to."""

    code: str
    device: Device | None
    #: "ok", "unknown", "duplicate" (same device scanned before) or "ambiguous" (several devices match).
    status: str
    #: Why the last action was refused for this device, when it was.
    refusal: str = ""

    @property
    def is_ok(self) -> bool:
        """Say whether the code found one device, not scanned before: the list's actions apply to it."""
        return self.status == "ok"

    @property
    def problem(self) -> str:
        """Say what is wrong with the scanned code; empty when it is ok."""
        return str(SCAN_PROBLEMS.get(self.status, ""))


@dataclass
class Outcome:
    """What an action did to one device."""

    tag: str
    done: bool
    message: str


def session_batch_key() -> str:
    """Return the key of this login session's batch, drawing a random one on first use."""
    if not session.get(SESSION_BATCH_KEY):
        session[SESSION_BATCH_KEY] = secrets.token_hex(16)
    return session[SESSION_BATCH_KEY]


@user_logged_in.connect
@user_logged_out.connect
def _forget_batch_key(_app, **_extra) -> None:
    """Start a new batch with each login session: the next scan draws a new key."""
    session.pop(SESSION_BATCH_KEY, None)


def batch_of(user, key: str) -> ScanBatch:
    """Return the batch of ``user``'s login session ``key``, creating an empty one (and pruning stale ones)."""
    query = select(ScanBatch).where(ScanBatch.user_id == user.id, ScanBatch.session_key == key)
    batch = db.session.scalar(query)
    if batch is not None:
        return batch
    db.session.execute(delete(ScanBatch).where(ScanBatch.user_id == user.id,
                                               ScanBatch.updated_at < utcnow() - STALE_AFTER))
    try:
        with db.session.begin_nested():
            batch = ScanBatch(user_id=user.id, session_key=key, codes=[])
            db.session.add(batch)
    except IntegrityError:
        batch = db.session.scalar(query)
    return batch


def batch_size(user, key: str | None) -> int:
    """Return how many codes the batch of ``user``'s login session ``key`` holds, without creating it."""
    codes = db.session.scalar(select(ScanBatch.codes).where(ScanBatch.user_id == user.id,
                                                            ScanBatch.session_key == key)) if key else None
    return len(codes or [])


def add_scan(batch: ScanBatch, raw: str | None) -> str | None:
    """Add a scanned code to the batch; return the cleaned code, or None when empty or full."""
    code = clean_code(raw)
    if not code or len(batch.codes) >= MAX_CODES:
        return None
    batch.codes = [*batch.codes, code]
    return code


def scan_destination(batch: ScanBatch, raw: str | None, user) -> Location | None:
    """When the code scanned is a location of the user's workshop and no device's, make it where the list goes."""
    code = clean_code(raw)
    if not code or find_devices(code, scoped(select(Device), "device.view", user)):
        return None
    location = find_location(code, user.structure_id)
    if location is not None:
        batch.location_id = location.id
        batch.location = location
    return location


def remove_scan(batch: ScanBatch, index: int) -> None:
    """Remove the code at ``index`` from the batch."""
    if 0 <= index < len(batch.codes):
        batch.codes = batch.codes[:index] + batch.codes[index + 1:]


def clear_batch(batch: ScanBatch) -> None:
    """Empty the batch and forget its destination."""
    batch.codes = []
    batch.location_id = None
    batch.location = None


def batch_items(batch: ScanBatch, user) -> list[BatchItem]:
    """Return the codes of the batch with the device each one found in the user's workshop."""
    items, seen = [], set()
    for code in batch.codes:
        devices = find_devices(code, scoped(select(Device), "device.view", user))
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


def apply_to_batch(batch: ScanBatch, *, by, action: str, location: Location | None = None,
                   to=None) -> tuple[list[Outcome], list[BatchItem]]:
    """Apply one action to every device of the batch; those done leave it; return the outcomes and the items left."""
    outcomes, items, done = [], batch_items(batch, by), set()
    for item in items:
        if not item.is_ok:
            continue
        try:
            with db.session.begin_nested():
                if action == "move":
                    move_device(item.device, location, by=by)
                else:
                    transition_device(item.device, to, by=by)
        except DomainError as error:
            item.refusal = error.message
            outcomes.append(Outcome(item.device.tag, False, error.message))
        else:
            done.add(item.device.id)
            outcomes.append(Outcome(item.device.tag, True, str(_l("done"))))
    left = [item for item in items if item.device is None or item.device.id not in done]
    batch.codes = [item.code for item in left]
    return outcomes, left


def split_weight(total: Decimal, devices: list[Device]) -> list[Decimal]:
    """Share a weight among devices, by their weight at intake when every one has it, else equally; the shares
    are in hundredths of a kilogram and add up to ``total``."""
    cent = Decimal("0.01")
    known = [d.weight_kg for d in devices]
    weights = known if all(w and w > 0 for w in known) else [Decimal(1)] * len(devices)
    whole = sum(weights)
    shares = [(total * w / whole).quantize(cent) for w in weights]
    shares[-1] += total - sum(shares)
    return shares


def recycle_batch(batch: ScanBatch, *, by, weight_kg, slip_number, on=None,
                  notes: str = "") -> tuple[list[Outcome], list[BatchItem]]:
    """Hand every device of the list to the WEEE channel with one slip and the weight of them all, shared out.

    The weight is the whole list's: when one device cannot leave, none does, and each refused one says why.
    """
    items = batch_items(batch, by)
    devices = [item.device for item in items if item.is_ok]
    slip = str(slip_number or "").strip()
    total = decimal_of(weight_kg) if str(weight_kg or "").strip() else None
    fields = {}
    if total is None or total <= 0 or total > 500 * max(len(devices), 1):
        fields["weight_kg"] = [str(_l("Give the weight of the whole list in kilograms, e.g. 42,5."))]
    elif total.quantize(Decimal("0.01")) < Decimal("0.01") * len(devices):
        fields["weight_kg"] = [str(_l("This weight is too small for %(n)d devices.", n=len(devices)))]
    if not slip:
        fields["slip_number"] = [str(_l("Give the number of the WEEE collection slip."))]
    if fields:
        raise ValidationFailed(" ".join(message for messages in fields.values() for message in messages), fields)
    refused = 0
    for item in items:
        if item.is_ok:
            problems = guard_problems(item.device, DeviceState.RECYCLED)  # the weight and slip are checked above
            item.refusal = " ".join(problems)
            refused += bool(problems)
    if refused:
        message = str(_l("Nothing was recycled: the weight is the whole list's. Remove or fix the refused devices, "
                         "then apply again."))
        return [Outcome(item.device.tag, False, item.refusal or message) for item in items
                if item.is_ok], items
    shares = split_weight(total.quantize(Decimal("0.01")), devices)
    for device, share in zip(devices, shares, strict=True):
        transition_device(device, DeviceState.RECYCLED, by=by, weight_kg=share, slip_number=slip, on=on,
                          notes=notes)
    left = [item for item in items if not item.is_ok]
    batch.codes = [item.code for item in left]
    return [Outcome(d.tag, True, str(_l("done"))) for d in devices], left


def next_to_harvest(batch: ScanBatch, user) -> Device | None:
    """Return the first device of the list still to dismantle, or None."""
    return next((item.device for item in batch_items(batch, user)
                 if item.is_ok and in_reach(item.device, "harvested")), None)


def leave_batch(batch: ScanBatch, device: Device) -> None:
    """Take a device out of the list, whichever of its codes was scanned."""
    of_workshop = select(Device).where(Device.workshop_id == device.workshop_id)
    batch.codes = [code for code in batch.codes if device not in find_devices(code, of_workshop)]
