"""Repair log of devices (Open Repair Data Standard) and its ORDS export."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from reco.accounts.models import Structure
from reco.core.audit import record_event
from reco.core.errors import DomainError, ValidationFailed
from reco.core.permissions import scoped
from reco.core.spreadsheet import PLAIN, Column, Kind, Sheet, streamed_rows
from reco.core.time import utcnow
from reco.extensions import db
from reco.inventory.lifecycle import guard_problems, in_reach, transition_device
from reco.inventory.models import Barrier, Device, DeviceState, DeviceType, FaultType, Repair, RepairStatus

#: ORDS product categories of our device types.
ORDS_CATEGORIES = {
    DeviceType.LAPTOP: "Laptop", DeviceType.DESKTOP: "Desktop computer", DeviceType.ALL_IN_ONE: "Desktop computer",
    DeviceType.TABLET: "Tablet", DeviceType.SMARTPHONE: "Mobile", DeviceType.SCREEN: "Flat screen",
    DeviceType.PRINTER: "Printer/scanner", DeviceType.OTHER: "Misc",
}
ORDS_STATUS = {RepairStatus.FIXED: "Fixed", RepairStatus.REPAIRABLE: "Repairable",
               RepairStatus.END_OF_LIFE: "End of life"}
#: The standard's columns, in its order and with its names; the group is the workshop, the date the day (Paris)
#: the repair was closed. Its CSV keeps the standard's commas, ISO dates and decimal points (PLAIN), for the
#: programs that read it (?sep=semicolon for French Excel), and its English vocabulary.
ORDS_COLUMNS = [
    Column("id", Kind.IDENTIFIER), Column("data_provider"), Column("country"),
    Column("partner_product_category", Kind.IDENTIFIER), Column("product_category"), Column("brand"),
    Column("year_of_manufacture", Kind.NUMBER), Column("product_age", Kind.DECIMAL), Column("repair_status"),
    Column("repair_barrier_if_end_of_life"), Column("group_identifier"), Column("event_date", Kind.DATE),
    Column("problem"), Column("fault_type", Kind.IDENTIFIER)]


def _fail(field_name: str, message) -> None:
    """Raise a validation error about one field."""
    raise ValidationFailed(str(message), {field_name: [str(message)]})


def _minutes(value) -> int | None:
    """Return minutes spent, checked."""
    if value in (None, ""):
        return None
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        minutes = -1
    if isinstance(value, bool) or not 0 <= minutes <= 100000:
        _fail("minutes_spent", _l("Give the time spent in minutes."))
    return minutes


def _status_and_barrier(status, barrier) -> tuple[RepairStatus | None, Barrier | None]:
    """Check a repair's status and its barrier (required at end of life, refused otherwise)."""
    try:
        status = RepairStatus(status) if status not in (None, "") else None
        barrier = Barrier(barrier) if barrier not in (None, "") else None
    except ValueError:
        _fail("status", _l("Unknown repair status or barrier."))
    if status is RepairStatus.END_OF_LIFE and barrier is None:
        _fail("barrier", _l("Say what prevents the repair (end of life)."))
    if status is not RepairStatus.END_OF_LIFE:
        barrier = None
    return status, barrier


def record_repair(device: Device, *, by, problem: str, fault_type, actions: str = "", minutes_spent=None,
                  status=None, barrier=None, parts_used: str = "") -> Repair:
    """Open a repair (no status) or record a finished one; an open repair puts the device in repair."""
    problem = (problem or "").strip()[:5000]
    if not problem:
        _fail("problem", _l("Describe the problem."))
    try:
        fault_type = FaultType(fault_type)
    except ValueError:
        _fail("fault_type", _l("Choose the fault type."))
    status, barrier = _status_and_barrier(status, barrier)
    if status is None and device.state is not DeviceState.IN_REPAIR \
            and not in_reach(device, "in_repair"):
        raise DomainError(str(_l("A repair cannot be opened on a device in this state.")))
    repair = Repair(device=device, problem=problem, fault_type=fault_type, actions=(actions or "").strip()[:5000],
                    minutes_spent=_minutes(minutes_spent), status=status, barrier=barrier,
                    parts_used=(parts_used or "").strip()[:2000], by_id=getattr(by, "id", None),
                    closed_at=utcnow() if status else None)
    db.session.add(repair)
    db.session.flush()
    record_event(by, device, "repair", repair=repair.id, fault_type=fault_type.value,
                 status=status.value if status else "open")
    if status is None and in_reach(device, "in_repair") \
            and not guard_problems(device, DeviceState.IN_REPAIR):
        transition_device(device, DeviceState.IN_REPAIR, by=by)
    return repair


def close_repair(repair: Repair, *, by, status, barrier=None, actions: str | None = None,
                 minutes_spent=None) -> Repair:
    """Close an open repair with its ORDS status."""
    if not repair.is_open:
        raise DomainError(str(_l("This repair is already closed.")))
    status, barrier = _status_and_barrier(status, barrier)
    if status is None:
        _fail("status", _l("Choose how the repair ended."))
    repair.status, repair.barrier, repair.closed_at = status, barrier, utcnow()
    if actions:
        repair.actions = actions.strip()[:5000]
    if minutes_spent not in (None, ""):
        repair.minutes_spent = _minutes(minutes_spent)
    record_event(by, repair.device, "repair_closed", repair=repair.id, status=status.value)
    return repair


def ords_list(user, *, network: bool = False) -> Sheet:
    """Return the user's workshop's closed repairs (``network``: the network's) as ORDS rows, under its workshop."""
    query = (select(Device.type, Device.brand, Repair.id, Repair.status, Repair.barrier, Repair.closed_at,
                    Repair.problem, Repair.fault_type, Structure.tag_prefix, Structure.name)
             .select_from(Repair).join(Repair.device).join(Structure, Structure.id == Device.workshop_id)
             .where(Repair.status.is_not(None)).order_by(Repair.id))
    query = scoped(query, "report.network_lists" if network else "repair.export", user)
    rows = ([f"{row.tag_prefix}-R{row.id}", "Reco", "FRA", row.type.value, ORDS_CATEGORIES[row.type], row.brand,
             None, None, ORDS_STATUS[row.status],
             row.barrier.value.replace("_", " ").capitalize() if row.barrier else "", row.name, row.closed_at,
             row.problem, row.fault_type.value]
            for row in streamed_rows(query, 500))
    return Sheet("repairs-ords-network" if network else "repairs-ords", ORDS_COLUMNS, rows,
                 dialect=PLAIN)
