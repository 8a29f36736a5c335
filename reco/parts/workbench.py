"""The parts bank at the workbench: dismantling a device into stock, using parts and bank drives in repairs."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select

from reco.accounts.models import User
from reco.core.audit import record_event
from reco.core.errors import DomainError, ValidationFailed
from reco.core.time import local_today
from reco.extensions import db
from reco.inventory.lifecycle import transition_device
from reco.inventory.models import (
    Device,
    DeviceState,
    Drive,
    Repair,
    Sanitization,
    SanitizationLevel,
    SanitizationResult,
)
from reco.inventory.sanitization import remove_drive
from reco.parts.models import Condition, MoveKind, PartType, StockLevel
from reco.parts.stock import add_stock, parse_condition, parse_quantity, take_stock


def harvest_device(device: Device, *, by: User, lines, drives_to_bank: bool, other_parts=(), notes: str = "",
                   on: date | None = None, location=None) -> list:
    """Dismantle a device: it leaves as harvested and the parts taken out enter the workshop's stock."""
    checked = []
    for part_type, quantity, condition in lines:
        if part_type is None:
            raise ValidationFailed(str(_l("Choose the part of each line.")), {"lines": [str(_l("unknown part"))]})
        checked.append((part_type, parse_quantity(quantity), parse_condition(condition)))
    drives = list(device.drives) if drives_to_bank else []
    names = [f"{quantity} × {part_type.name}" for part_type, quantity, _condition in checked]
    names += [str(_l("drive %(serial)s to the bank", serial=d.serial or f"#{d.id}")) for d in drives]
    names += [p.strip()[:200] for p in other_parts if p and p.strip()]
    transition_device(device, DeviceState.HARVESTED, by=by, parts=names, notes=notes, on=on or local_today())
    for drive in drives:
        remove_drive(drive, by=by)
    return [add_stock(device.workshop, part_type, quantity=quantity, condition=condition, kind=MoveKind.HARVESTED,
                      by=by, location=location, device_id=device.id, note=device.tag)
            for part_type, quantity, condition in checked]


def use_part(repair: Repair, level: StockLevel, *, quantity, by: User):
    """Take parts from the workshop's stock for a repair; the repair log and the ledger link them."""
    device = repair.device
    if level.workshop_id != device.workshop_id:
        raise DomainError(str(_l("These parts belong to another workshop: ask for them through the bank.")))
    if not repair.is_open:
        raise DomainError(str(_l("This repair is closed.")))
    if level.condition is Condition.FAULTY:
        raise DomainError(str(_l("A faulty part cannot go into a device.")))
    move = take_stock(level, quantity=quantity, kind=MoveKind.USED, by=by, device_id=device.id, repair_id=repair.id,
                      note=device.tag)
    record_event(by, device, "part_used", part=level.part_type.name, quantity=-move.quantity, repair=repair.id)
    return move


def bank_drives():
    """Return the query of the drives taken out of devices and kept, not destroyed, of every workshop."""
    destroyed = Drive.sanitizations.any(and_(Sanitization.level == SanitizationLevel.DESTROY,
                                             Sanitization.result == SanitizationResult.SUCCESS))
    return (select(Drive).where(Drive.device_id.is_(None), Drive.removed_from_id.is_not(None), ~destroyed)
            .order_by(Drive.removed_at.desc()))


def install_drive(repair: Repair, serial: str, *, by: User) -> Drive:
    """Put a drive of the bank into the device being repaired; only a sanitized drive may be reused."""
    device = repair.device
    if not repair.is_open:
        raise DomainError(str(_l("This repair is closed.")))
    drive = db.session.scalar(bank_drives().where(Drive.workshop_id == device.workshop_id,
                                                     Drive.serial == (serial or "").strip().upper())
                              .limit(1))
    if drive is not None:  # lock it, then look again: someone may have installed it meanwhile
        db.session.execute(select(Drive.id).where(Drive.id == drive.id).with_for_update())
        db.session.refresh(drive)
    if drive is None or drive.device_id is not None:
        raise DomainError(str(_l("No drive with this serial number in the workshop's parts bank.")))
    if not drive.is_sanitized:
        raise DomainError(str(_l("Drive %(serial)s is not sanitized: erase it (with verification) before reusing it.",
                                 serial=drive.serial)))
    device.drives.append(drive)
    record_event(by, device, "drive_installed", drive=drive.serial, repair=repair.id,
                 origin=drive.removed_from.tag if drive.removed_from else None)
    return drive


def part_type_choices() -> list[PartType]:
    """Return the catalogue, by category and name."""
    return list(db.session.scalars(select(PartType).order_by(PartType.category, PartType.name)))
