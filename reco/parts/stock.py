"""A workshop's stock of parts: every change is a ledger entry and a balance change under a row lock."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from reco.accounts.models import Structure, User
from reco.core.errors import DomainError, ValidationFailed
from reco.extensions import db
from reco.parts.models import Condition, MoveKind, PartType, StockLevel, StockMove

MAX_QUANTITY = 100_000


def parse_quantity(value, name: str = "quantity") -> int:
    """Return a positive whole number of units, or refuse."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,7}", value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_QUANTITY:
        raise ValidationFailed(str(_l("Give a number of units between 1 and %(n)d.", n=MAX_QUANTITY)),
                               {name: [str(_l("a whole number, 1 or more"))]})
    return value


def parse_condition(value) -> Condition:
    """Return the condition named ``value``, or refuse."""
    try:
        return Condition(value)
    except ValueError:
        raise ValidationFailed(str(_l("Say whether the parts are tested, untested or faulty.")),
                               {"condition": [str(_l("choose a condition"))]}) from None


def _level_query(workshop_id: int, part_type: PartType, condition: Condition, location=None):
    """Return the query of the id of the balance row of this part, condition and place, created if needed."""
    key = location.id if location is not None else 0
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(StockLevel).values(
        workshop_id=workshop_id, part_type_id=part_type.id, condition=condition.value, location_key=key,
        location_id=location.id if location is not None else None, quantity=0, reserved=0)
        .on_conflict_do_nothing(index_elements=["workshop_id", "part_type_id", "condition", "location_key"]))
    return select(StockLevel.id).where(
        StockLevel.workshop_id == workshop_id, StockLevel.part_type_id == part_type.id,
        StockLevel.condition == condition, StockLevel.location_key == key)


def locked_level(workshop_id: int, part_type: PartType, condition: Condition, location=None) -> StockLevel:
    """Return the balance row of this part, condition and place, created if needed, locked until the commit."""
    level_id = db.session.scalar(_level_query(workshop_id, part_type, condition, location).with_for_update())
    level = db.session.get(StockLevel, level_id)
    db.session.refresh(level)
    return level


def lock_level(level: StockLevel) -> StockLevel:
    """Lock a balance row until the commit and read it afresh."""
    db.session.flush()
    db.session.execute(select(StockLevel.id).where(StockLevel.id == level.id).with_for_update())
    db.session.refresh(level)
    return level


def _move(level: StockLevel, quantity: int, kind: MoveKind, by: User | None, **links) -> StockMove:
    """Write one ledger entry and change the balance by ``quantity``."""
    level.quantity += quantity
    move = StockMove(stock_level_id=level.id, workshop_id=level.workshop_id, part_type_id=level.part_type_id,
                     kind=kind, quantity=quantity, by_id=getattr(by, "id", None),
                     note=str(links.pop("note", "") or "")[:500], **links)
    db.session.add(move)
    db.session.flush()
    return move


def add_stock(workshop: Structure, part_type: PartType, *, quantity, condition, kind: MoveKind, by: User | None,
              location=None, **links) -> StockMove:
    """Put units into the workshop's stock (received, harvested, transferred in or counted)."""
    quantity, condition = parse_quantity(quantity), parse_condition(condition)
    if location is not None and location.workshop_id != workshop.id:
        raise DomainError(str(_l("This location belongs to another workshop.")))
    level = locked_level(workshop.id, part_type, condition, location)
    return _move(level, quantity, kind, by, **links)


def take_stock(level: StockLevel, *, quantity, kind: MoveKind, by: User | None, from_reserved: bool = False,
               **links) -> StockMove:
    """Take units out of a balance; never more than it has, even with two people taking the last one at once."""
    quantity = parse_quantity(quantity)
    lock_level(level)
    free = level.reserved if from_reserved else level.available
    if quantity > free:
        raise DomainError(str(_l("Only %(n)d « %(part)s » available here: %(asked)d asked.", n=free,
                                 part=level.part_type.name, asked=quantity)))
    if from_reserved:
        level.reserved -= quantity
    return _move(level, -quantity, kind, by, **links)


def move_stock(level: StockLevel, *, quantity, to, by: User | None, note: str = "") -> tuple[StockMove, StockMove]:
    """Move free units of a balance to another place of the workshop (a bin, a shelf, or none): one ledger entry
    out of the place they leave, one into the place they reach; units promised to a request stay."""
    quantity = parse_quantity(quantity)
    if to is not None and to.workshop_id != level.workshop_id:
        raise DomainError(str(_l("This location belongs to another workshop.")))
    if (to.id if to is not None else 0) == level.location_key:
        raise DomainError(str(_l("These parts are already there: choose another place.")))
    db.session.flush()
    target_id = db.session.scalar(_level_query(level.workshop_id, level.part_type, level.condition, to))
    # Both rows locked in the order of their ids: two moves the other way round never wait for each other.
    db.session.execute(select(StockLevel.id).where(StockLevel.id.in_([level.id, target_id]))
                       .order_by(StockLevel.id).with_for_update())
    target = db.session.get(StockLevel, target_id)
    db.session.refresh(level)
    db.session.refresh(target)
    if quantity > level.available:
        raise DomainError(str(_l("Only %(n)d « %(part)s » available here: %(asked)d asked.", n=level.available,
                                 part=level.part_type.name, asked=quantity)))
    where = to.code if to is not None else str(_l("no place"))
    text = str(note or "").strip()
    out = _move(level, -quantity, MoveKind.MOVED, by, note=f"→ {where}" + (f" · {text}" if text else ""))
    came_from = level.location.code if level.location is not None else str(_l("no place"))
    into = _move(target, quantity, MoveKind.MOVED, by, note=f"← {came_from}" + (f" · {text}" if text else ""))
    return out, into


def count_stock(level: StockLevel, *, counted, by: User, note: str = "") -> StockMove | None:
    """Set a balance to what was counted on the shelf; the difference is a correction in the ledger."""
    if isinstance(counted, str) and re.fullmatch(r"[0-9]{1,7}", counted.strip()):
        counted = int(counted.strip())
    if isinstance(counted, bool) or not isinstance(counted, int) or not 0 <= counted <= MAX_QUANTITY:
        raise ValidationFailed(str(_l("Give the number of units counted, 0 or more.")),
                               {"counted": [str(_l("a whole number, 0 or more"))]})
    lock_level(level)
    if counted < level.reserved:
        raise DomainError(str(_l("%(n)d units are promised to another workshop: the count cannot be lower.",
                                 n=level.reserved)))
    if counted == level.quantity:
        return None
    return _move(level, counted - level.quantity, MoveKind.CORRECTION, by, note=note)


def ledger_total(level: StockLevel) -> int:
    """Return the sum of a balance's ledger entries (which always equals its quantity)."""
    return db.session.scalar(select(func.coalesce(func.sum(StockMove.quantity), 0))
                             .where(StockMove.stock_level_id == level.id))
