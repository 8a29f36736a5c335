"""Matching ready devices to accepted prescriptions, and reserving one so that two people never both win."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, case, cast, func, select

from reco.accounts.models import Structure, User
from reco.core.errors import DomainError
from reco.core.time import utcnow
from reco.extensions import db
from reco.inventory.lifecycle import transition_device
from reco.inventory.models import Device, DeviceState, DeviceType, Drive, Grade, Location
from reco.prescriptions.models import EquipmentWanted, Need, Prescription, PrescriptionStatus, Reservation
from reco.prescriptions.services import change_status, lock_prescription
from reco.prescriptions.vocabulary import PRESCRIPTION_STATUS_LABELS

GIB = 1024 ** 3
GB = 1000 ** 3
#: Device types that answer each equipment wanted, the better fit first.
TYPES_FOR = {
    EquipmentWanted.LAPTOP: (DeviceType.LAPTOP,),
    EquipmentWanted.DESKTOP: (DeviceType.DESKTOP, DeviceType.ALL_IN_ONE),
    EquipmentWanted.TABLET: (DeviceType.TABLET,),
    EquipmentWanted.ANY: (DeviceType.LAPTOP, DeviceType.ALL_IN_ONE, DeviceType.DESKTOP, DeviceType.TABLET),
}
GRADE_ORDER = {Grade.A: 0, Grade.B: 1, Grade.C: 2}


@dataclass(frozen=True)
class ReadyDevice:
    """What matching needs to know of a ready device."""

    id: int
    tag: str
    type: DeviceType
    brand: str
    model: str
    grade: Grade | None
    ram_bytes: int | None
    storage_bytes: int
    has_webcam: bool | None
    received_at: datetime
    location: str | None


def ready_devices(workshop_id: int) -> list[ReadyDevice]:
    """Return the workshop's ready devices in one query, the longest on the shelf first."""
    storage = (select(func.coalesce(func.sum(Drive.capacity_bytes), 0)).where(Drive.device_id == Device.id)
               .scalar_subquery())
    rows = db.session.execute(
        select(Device.id, Device.tag, Device.type, Device.brand, Device.model, Device.grade, Device.ram_bytes,
               storage, Device.has_webcam, Device.received_at, Location.name)
        .outerjoin(Location, Location.id == Device.location_id)
        .where(Device.workshop_id == workshop_id, Device.state == DeviceState.READY)
        .order_by(Device.received_at, Device.id))
    return [ReadyDevice(*row) for row in rows]


def ready_count(workshop_id: int) -> int:
    """Return how many devices of the workshop are ready."""
    return db.session.scalar(select(func.count(Device.id)).where(Device.workshop_id == workshop_id,
                                                                 Device.state == DeviceState.READY)) or 0


def fits(prescription: Prescription, device: ReadyDevice, workshop: Structure) -> bool:
    """Tell whether ``device`` answers the prescription and meets the workshop's minimums."""
    if device.type not in TYPES_FOR[prescription.equipment or EquipmentWanted.ANY]:
        return False
    if Need.SCHOOL.value in prescription.needs and not device.has_webcam:
        return False
    if workshop.min_ram_gb and (device.ram_bytes or 0) < workshop.min_ram_gb * GIB * 0.95:
        return False
    return not (workshop.min_storage_gb and device.storage_bytes < workshop.min_storage_gb * GB * 0.95)


def _fit_rank(prescription: Prescription, device: ReadyDevice) -> tuple:
    """Return the sort key of a fitting device: preferred type, a webcam, best grade, most RAM and storage, oldest."""
    types = TYPES_FOR[prescription.equipment or EquipmentWanted.ANY]
    return (types.index(device.type), not device.has_webcam, GRADE_ORDER.get(device.grade, 3), -(device.ram_bytes or 0),
            -device.storage_bytes, device.received_at, device.id)


def fitting_devices(prescription: Prescription, devices: list[ReadyDevice], workshop: Structure) -> list[ReadyDevice]:
    """Return the devices that fit the prescription, the best fit first."""
    return sorted((d for d in devices if fits(prescription, d, workshop)), key=lambda d: _fit_rank(prescription, d))


@dataclass(frozen=True)
class Fit:
    """How many ready devices fit a prescription, and the best of them."""

    count: int
    best: ReadyDevice | None


def shelf(workshop: Structure) -> list[tuple[ReadyDevice, int]]:
    """Return the workshop's ready devices that meet its minimums, grouped by type and webcam: the best of each
    group (as the waiting list ranks them) and how many the group holds. One query, whatever the stock."""
    on_shelf = (Device.workshop_id == workshop.id, Device.state == DeviceState.READY)
    storage = (select(Drive.device_id, cast(func.sum(Drive.capacity_bytes), BigInteger).label("bytes"))
               .join(Device, Device.id == Drive.device_id).where(*on_shelf).group_by(Drive.device_id).subquery())
    ready = (select(Device.id, Device.tag, Device.type, Device.brand, Device.model, Device.grade,
                    func.coalesce(Device.ram_bytes, 0).label("ram"),
                    func.coalesce(storage.c.bytes, 0).label("storage"), Device.has_webcam, Device.received_at,
                    Location.name.label("location"))
             .outerjoin(storage, storage.c.device_id == Device.id)
             .outerjoin(Location, Location.id == Device.location_id).where(*on_shelf).subquery())
    # groups by numbers: sorting on the type's text costs a collation per comparison, three times the sort
    group = (case(*((ready.c.type == t, i) for i, t in enumerate(DeviceType)), else_=-1), ready.c.has_webcam)
    grade = case(*((ready.c.grade == g, rank) for g, rank in GRADE_ORDER.items()), else_=3)
    order = (grade, ready.c.ram.desc(), ready.c.storage.desc(), ready.c.received_at, ready.c.id)
    ranked = select(ready, func.row_number().over(partition_by=group, order_by=order).label("rank"),
                    func.count().over(partition_by=group).label("size"))
    if workshop.min_ram_gb:
        ranked = ranked.where(ready.c.ram >= workshop.min_ram_gb * GIB * 0.95)
    if workshop.min_storage_gb:
        ranked = ranked.where(ready.c.storage >= workshop.min_storage_gb * GB * 0.95)
    ranked = ranked.subquery()
    rows = db.session.execute(select(ranked).where(ranked.c.rank == 1))
    return [(ReadyDevice(r.id, r.tag, r.type, r.brand, r.model, r.grade, r.ram or None, r.storage, r.has_webcam,
                         r.received_at, r.location), r.size) for r in rows]


def fit_from_shelf(prescription: Prescription, groups: list[tuple[ReadyDevice, int]]) -> Fit:
    """Return how many devices of the shelf fit the prescription, and the best fit."""
    types = TYPES_FOR[prescription.equipment or EquipmentWanted.ANY]
    webcam = Need.SCHOOL.value in prescription.needs
    matching = [(best, size) for best, size in groups if best.type in types and (best.has_webcam or not webcam)]
    best = min((device for device, _size in matching), key=lambda d: _fit_rank(prescription, d), default=None)
    return Fit(sum(size for _device, size in matching), best)


def reserve_device(prescription: Prescription, device: Device, *, by: User) -> Reservation:
    """Set ``device`` aside for the accepted ``prescription``; of two people reserving at once, one only wins."""
    lock_prescription(prescription)
    if prescription.status is not PrescriptionStatus.ACCEPTED:
        raise DomainError(str(_l("Only an accepted prescription waiting for a device can get one; this one is "
                                 "« %(status)s ».", status=PRESCRIPTION_STATUS_LABELS[prescription.status])))
    if device.workshop_id != prescription.workshop_id:
        raise DomainError(str(_l("Device %(tag)s belongs to another workshop.", tag=device.tag)))
    transition_device(device, DeviceState.RESERVED, by=by, by_service=True, reason=prescription.code)
    reservation = Reservation(prescription=prescription, device_id=device.id, reserved_by_id=by.id)
    db.session.add(reservation)
    db.session.flush()
    change_status(prescription, PrescriptionStatus.RESERVED, by=by, device=device.tag)
    return reservation


def release_device(prescription: Prescription, *, by: User, reason: str) -> Device:
    """End the reservation in force and put its device back on the shelf as ready."""
    reservation = prescription.reservation
    if reservation is None:
        raise DomainError(str(_l("This prescription has no device reserved.")))
    from reco.prescriptions.visits import close_open_visits

    close_open_visits(prescription, by=by, reason=reason)
    device = reservation.device
    reservation.released_at = utcnow()
    reservation.released_by_id = by.id
    reservation.release_reason = reason[:500]
    transition_device(device, DeviceState.READY, by=by, by_service=True, reason=prescription.code)
    return device


def release_reservation(prescription: Prescription, *, by: User, reason: str = "") -> Device:
    """Give the reserved device back to the shelf and put the prescription back on the waiting list."""
    lock_prescription(prescription)
    if prescription.status is not PrescriptionStatus.RESERVED:
        raise DomainError(str(_l("This prescription has no device reserved.")))
    reason = (reason or "").strip()
    device = release_device(prescription, by=by, reason=reason)
    change_status(prescription, PrescriptionStatus.ACCEPTED, by=by, device=device.tag, reason=reason[:500])
    return device


def reservation_of(device: Device) -> Reservation | None:
    """Return the reservation in force on ``device``, if any."""
    return db.session.scalar(select(Reservation).where(Reservation.device_id == device.id,
                                                       Reservation.released_at.is_(None)))
