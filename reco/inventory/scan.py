"""What a scan shows of a device, read in one statement into plain objects that follow the models' own rules.

No ORM object is built (loading them took a fifth of a scan's time): the statement's rows become dataclasses that
take their rules (sanitized, passing, open repairs, latest diagnosis...) from the same mixins as the models, so that the
lifecycle guards and the API's serialisers read both alike.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from types import SimpleNamespace

from sqlalchemy import and_, bindparam, func, or_, select

from reco.accounts.models import Structure, User
from reco.core.permissions import SCOPE_PARAMETERS, Scope, scope_clause, scope_of, scope_parameters
from reco.core.scanning import normalise_code
from reco.donations.models import DeclaredItem
from reco.extensions import db
from reco.inventory.models import (Device, DeviceState, Diagnosis, Drive, ErasureLog, Location, Repair,
                                   Sanitization)
from reco.inventory.models.devices import DeviceRules, DriveRules
from reco.inventory.models.repairs import RepairRules
from reco.inventory.models.sanitization import SanitizationRules

#: At most so many devices share a code (a serial, a donor's tag) in one answer, newest first.
MATCHES = 20

_DEVICE = ("id", "tag", "workshop_id", "donation_id", "type", "brand", "model", "serial", "donor_tag", "state",
           "weight_kg", "accessories", "received_at", "grade", "cpu", "ram_bytes", "screen_inches", "os_name",
           "battery_health_pct", "returned_at")
_DRIVE = ("id", "device_id", "removed_from_id", "serial", "model", "capacity_bytes", "interface", "device_path",
          "smart_passed")
_SANITIZATION = ("id", "level", "technique", "tool", "method", "verification", "result", "ended_at",
                 "destruction_method", "witness", "validated_at", "created_at")


@dataclass(slots=True, eq=False)
class ScannedSanitization(SanitizationRules):
    """A sanitization record as the scan shows it."""

    id: int
    level: object
    technique: object
    tool: object
    method: str
    verification: object
    result: object
    ended_at: datetime | None
    destruction_method: object
    witness: str
    validated_at: datetime | None
    created_at: datetime
    drive: ScannedDrive
    operator: SimpleNamespace | None
    validated_by: SimpleNamespace | None
    log: SimpleNamespace | None


@dataclass(slots=True, eq=False)
class ScannedDrive(DriveRules):
    """A drive in the device, or taken out of it, with its sanitization records."""

    id: int
    device_id: int | None
    removed_from_id: int | None
    serial: str | None
    model: str
    capacity_bytes: int | None
    interface: object
    device_path: str | None
    smart_passed: bool | None
    workshop: SimpleNamespace
    #: The device it is in; of another device than the one scanned, only its return date.
    device: ScannedDevice | SimpleNamespace | None = None
    removed_from: ScannedDevice | None = None
    sanitizations: list[ScannedSanitization] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class ScannedDevice(DeviceRules):
    """A device as the scan shows it: its drives, its open repairs and its latest diagnosis."""

    id: int
    tag: str
    workshop_id: int
    donation_id: int | None
    type: object
    brand: str
    model: str
    serial: str | None
    donor_tag: str | None
    state: DeviceState
    weight_kg: Decimal | None
    accessories: list
    received_at: datetime
    grade: object
    cpu: str
    ram_bytes: int | None
    screen_inches: Decimal | None
    os_name: str
    battery_health_pct: int | None
    returned_at: datetime | None
    declared_item: SimpleNamespace | None
    location: SimpleNamespace | None
    drives: list[ScannedDrive] = field(default_factory=list)
    removed_drives: list[ScannedDrive] = field(default_factory=list)
    #: The repairs still open (the only ones a scan shows).
    repairs: list[ScannedRepair] = field(default_factory=list)
    #: The latest diagnosis only: ``diagnosis`` reads the last one.
    diagnoses: list[SimpleNamespace] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class ScannedRepair(RepairRules):
    """A repair of the device, still open."""

    id: int
    status: object


@cache
def _shown() -> tuple:
    """Return the columns, the outer joins and the order of the scan's statement, built once from the tables.

    Building them costs as much as running the statement; the same aliases each time let it be compiled once; table
    columns, not the models' attributes, spare the ORM's set-up of a statement that builds no object.
    """
    device, drive, record, diagnosis, repair = (model.__table__ for model in (Device, Drive, Sanitization, Diagnosis,
                                                                             Repair))
    line, place, log = DeclaredItem.__table__, Location.__table__, ErasureLog.__table__
    operator, validator = User.__table__.alias("operator"), User.__table__.alias("validator")
    workshop, home, latest = Structure.__table__.alias("workshop"), device.alias("home"), diagnosis.alias("latest")
    columns = select(*[device.c[name] for name in _DEVICE], line.c.line_number, place.c.code,
                     *[drive.c[name] for name in _DRIVE], workshop.c.sanitization_needs_validation,
                     home.c.returned_at, *[record.c[name] for name in _SANITIZATION], operator.c.name,
                     validator.c.name, log.c.sha256, diagnosis.c.created_at, diagnosis.c.no_storage, repair.c.id,
                     repair.c.status)
    last_diagnosis = select(func.max(latest.c.id)).where(latest.c.device_id == device.c.id).scalar_subquery()
    joins = ((line, line.c.id == device.c.declared_item_id), (place, place.c.id == device.c.location_id),
             (drive, or_(drive.c.device_id == device.c.id, drive.c.removed_from_id == device.c.id)),
             (workshop, workshop.c.id == drive.c.workshop_id), (home, home.c.id == drive.c.device_id),
             (record, record.c.drive_id == drive.c.id), (operator, operator.c.id == record.c.operator_id),
             (validator, validator.c.id == record.c.validated_by_id), (log, log.c.id == record.c.log_id),
             (diagnosis, diagnosis.c.id == last_diagnosis),
             (repair, and_(repair.c.device_id == device.c.id, repair.c.status.is_(None))))
    return device, columns, joins, (device.c.id.desc(), drive.c.id, record.c.id, repair.c.id)


@cache
def _statement(scope: Scope):
    """Return the one statement reading every device of ``scope`` known by the code bound as ``code``, with what it
    shows; built once per scope with the user's values as parameters, so that its cache key is computed once."""
    code = bindparam("code")
    found = select(Device.id).where(or_(Device.tag == code, Device.donor_tag == code, Device.serial == code))
    in_scope = scope_clause(Device, scope, SCOPE_PARAMETERS)
    if in_scope is not None:
        found = found.where(in_scope)
    found = found.order_by(Device.id.desc()).limit(MATCHES).subquery()
    device, columns, joins, order = _shown()
    statement = columns.select_from(found).join(device, device.c.id == found.c.id)
    for target, on in joins:
        statement = statement.outerjoin(target, on)
    return statement.order_by(*order)


def _assemble(rows) -> list[ScannedDevice]:
    """Return the devices of the statement's rows, each with its drives, records, repairs and diagnosis."""
    devices: dict[int, ScannedDevice] = {}
    drives: dict[tuple[int, int], ScannedDrive] = {}  # by device and drive: a drive shows in the device it left too
    records: set[tuple[int, int]] = set()
    repairs: dict[int, set] = {}
    n_device, n_drive, n_record = len(_DEVICE), len(_DRIVE), len(_SANITIZATION)
    for row in rows:
        device = devices.get(row[0])
        if device is None:
            line, place = row[n_device], row[n_device + 1]
            device = devices[row[0]] = ScannedDevice(
                *row[:n_device], declared_item=None if line is None else SimpleNamespace(line_number=line),
                location=None if place is None else SimpleNamespace(code=place))
            diagnosed_at, no_storage = row[-4], row[-3]
            if diagnosed_at is not None:
                device.diagnoses.append(SimpleNamespace(created_at=diagnosed_at, no_storage=no_storage))
            repairs[device.id] = set()
        at = n_device + 2
        drive_key = (device.id, row[at])
        if row[at] is not None and drive_key not in drives:
            drive = drives[drive_key] = ScannedDrive(
                *row[at:at + n_drive], workshop=SimpleNamespace(sanitization_needs_validation=row[at + n_drive]))
            if drive.device_id == device.id:
                drive.device = device
                device.drives.append(drive)
            elif drive.device_id is not None:  # taken out of this device and put in another
                drive.device = SimpleNamespace(returned_at=row[at + n_drive + 1])
            if drive.removed_from_id == device.id:
                drive.removed_from = device
                device.removed_drives.append(drive)
        at += n_drive + 2
        record_key = (device.id, row[at])
        if row[at] is not None and record_key not in records:
            records.add(record_key)
            drive = drives[drive_key]
            operator, validator, sha256 = row[at + n_record:at + n_record + 3]
            drive.sanitizations.append(ScannedSanitization(
                *row[at:at + n_record], drive=drive,
                operator=None if operator is None else SimpleNamespace(name=operator),
                validated_by=None if validator is None else SimpleNamespace(name=validator),
                log=None if sha256 is None else SimpleNamespace(sha256=sha256)))
        repair_id, status = row[-2], row[-1]
        if repair_id is not None and repair_id not in repairs[device.id]:
            repairs[device.id].add(repair_id)
            device.repairs.append(ScannedRepair(repair_id, status))
    return list(devices.values())


def best_matches(devices: list, code: str) -> list:
    """Return, of the devices known by ``code``, those meant: the one with this tag, else those not voided."""
    exact = [d for d in devices if d.tag == code]
    return exact or [d for d in devices if d.state is not DeviceState.VOIDED] or devices


def scanned_devices(code: str | None, user) -> list[ScannedDevice]:
    """Return the devices ``user`` may see whose tag, donor's tag or serial is ``code``, as a scan shows them."""
    code, scope = normalise_code(code), scope_of(user, "device.view")
    if not code or scope is None:
        return []
    db.session.flush()  # what this request changed shows, as through the session
    # On the session's connection, not through the session: the statement builds no ORM object.
    rows = db.session.connection().execute(_statement(scope), {"code": code} | scope_parameters(user))
    return best_matches(_assemble(rows), code)
