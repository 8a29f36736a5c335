"""Locations of the workshop (shelves, bins) and moving devices between them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from reco.core.audit import record_event
from reco.core.errors import DomainError, ValidationFailed
from reco.core.scanning import normalise_code
from reco.core.sequences import next_value
from reco.extensions import db
from reco.inventory.models import Device, Location, LocationKind


def create_location(workshop, *, by, name: str, kind="shelf") -> Location:
    """Create a location of ``workshop`` with a new scannable code."""
    name = (name or "").strip()[:80]
    if not name:
        raise ValidationFailed(str(_l("Give the location a name.")), {"name": [str(_l("Give the location a name."))]})
    try:
        kind = LocationKind(kind)
    except ValueError:
        raise ValidationFailed(str(_l("Unknown kind of location.")), {"kind": [str(_l("Unknown kind of location."))]}) \
            from None
    code = f"{workshop.tag_prefix}-L{next_value('location:' + workshop.tag_prefix):04d}"
    location = Location(workshop_id=workshop.id, code=code, name=name, kind=kind)
    db.session.add(location)
    db.session.flush()
    record_event(by, location, "created", name=name, code=code)
    return location


def find_location(code: str | None, workshop_id: int) -> Location | None:
    """Return the workshop's active location with this code."""
    code = normalise_code(code)
    if not code:
        return None
    return db.session.scalar(select(Location).where(Location.code == code, Location.workshop_id == workshop_id,
                                                    Location.active.is_(True)))


def move_device(device: Device, location: Location, *, by) -> Device:
    """Put a device at a location of its own workshop."""
    if location.workshop_id != device.workshop_id:
        raise DomainError(str(_l("This location belongs to another workshop.")))
    if device.location_id != location.id:
        previous = device.location.code if device.location else None
        device.location = location
        record_event(by, device, "moved", **{"from": previous, "to": location.code})
    return device


def update_location(location: Location, *, by, name: str, kind, active: bool) -> Location:
    """Rename a location, change its kind, or put it out of use; its code never changes."""
    name = (name or "").strip()[:80]
    if not name:
        raise ValidationFailed(str(_l("Give the location a name.")), {"name": [str(_l("Give the location a name."))]})
    try:
        kind = LocationKind(kind)
    except ValueError:
        raise ValidationFailed(str(_l("Unknown kind of location.")), {"kind": [str(_l("Unknown kind of location."))]}) \
            from None
    changes = {field: value for field, value in (("name", name), ("kind", kind.value), ("active", bool(active)))
               if getattr(location, field) != (kind if field == "kind" else value)}
    location.name, location.kind, location.active = name, kind, bool(active)
    if changes:
        record_event(by, location, "updated", **changes)
    return location
