"""Matching ready devices to accepted prescriptions, and reserving one so that two people never both win."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from reco.accounts.models import Structure, User
from reco.core.errors import DomainError, ValidationFailed
from reco.core.time import utcnow
from reco.extensions import db
from reco.inventory.lifecycle import lock_device, transition_device
from reco.inventory.models import Device, DeviceState, DeviceType, Grade, Location
from reco.inventory.vocabulary import STATE_LABELS, TYPE_LABELS
from reco.prescriptions.models import (
    EquipmentWanted,
    Need,
    Prescription,
    ReleaseKind,
    Reservation,
)
from reco.prescriptions.lifecycle import (
    PRESCRIPTION,
    close_open_visits,
    lock_prescription,
    move_prescription,
    reason_of,
)
from reco.prescriptions.vocabulary import EQUIPMENT_LABELS, NEED_LABELS

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
#: Needs that take a webcam (video lessons and calls with the teachers).
WEBCAM_NEEDS = (Need.SCHOOL,)
#: How long after a reservation another person trying the device hears it was « just » reserved.
JUST_RESERVED = timedelta(minutes=15)


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
    rows = db.session.execute(
        select(Device.id, Device.tag, Device.type, Device.brand, Device.model, Device.grade, Device.ram_bytes,
               Device.storage_total, Device.has_webcam, Device.received_at, Location.name)
        .outerjoin(Location, Location.id == Device.location_id)
        .where(Device.workshop_id == workshop_id, Device.state == DeviceState.READY)
        .order_by(Device.received_at, Device.id))
    return [ReadyDevice(*row) for row in rows]


def ready_count(workshop_id: int) -> int:
    """Return how many devices of the workshop are ready."""
    return db.session.scalar(select(func.count(Device.id)).where(Device.workshop_id == workshop_id,
                                                                 Device.state == DeviceState.READY)) or 0


def webcam_need(prescription: Prescription) -> Need | None:
    """Return the first need of the household that takes a webcam, if any."""
    return next((need for need in WEBCAM_NEEDS if need.value in prescription.needs), None)


def misfits(prescription: Prescription, device: ReadyDevice, workshop: Structure) -> list[str]:
    """Return what keeps ``device`` from fitting: "type", "webcam", "ram", "storage"; empty when it fits."""
    found = []
    if device.type not in TYPES_FOR[prescription.equipment or EquipmentWanted.ANY]:
        found.append("type")
    if webcam_need(prescription) and not device.has_webcam:
        found.append("webcam")
    if workshop.min_ram_gb and (device.ram_bytes or 0) < workshop.min_ram_gb * GIB * 0.95:
        found.append("ram")
    if workshop.min_storage_gb and device.storage_bytes < workshop.min_storage_gb * GB * 0.95:
        found.append("storage")
    return found


def fits(prescription: Prescription, device: ReadyDevice, workshop: Structure) -> bool:
    """Tell whether ``device`` answers the prescription and meets the workshop's minimums."""
    return not misfits(prescription, device, workshop)


def as_ready_device(device: Device) -> ReadyDevice:
    """Return what matching needs to know of one device, whatever its state."""
    return ReadyDevice(device.id, device.tag, device.type, device.brand, device.model, device.grade, device.ram_bytes,
                       device.storage_bytes, device.has_webcam, device.received_at,
                       device.location.name if device.location else None)


def _gigabytes(count: int, unit: int) -> str:
    """Return a size in gigabytes in the user's language."""
    return str(_l("%(n)s GB", n=format_decimal(count / unit, "#,##0.#")))


def mismatches(prescription: Prescription, device: Device) -> list[str]:
    """Return one sentence per way ``device`` does not fit the household or the workshop's minimums."""
    workshop = prescription.workshop
    sentences = []
    for misfit in misfits(prescription, as_ready_device(device), workshop):
        if misfit == "type" and prescription.equipment not in (None, EquipmentWanted.ANY):
            sentences.append(_l("It is a « %(type)s »; the household asked for « %(wanted)s ».",
                                type=TYPE_LABELS[device.type], wanted=EQUIPMENT_LABELS[prescription.equipment]))
        elif misfit == "type":
            sentences.append(_l("It is a « %(type)s », not a computer or a tablet.", type=TYPE_LABELS[device.type]))
        elif misfit == "webcam":
            need = NEED_LABELS[webcam_need(prescription)]
            sentences.append(_l("It has no webcam; the household needs one for « %(need)s ».", need=need)
                             if device.has_webcam is False else
                             _l("Its webcam was not checked; the household needs one for « %(need)s ».", need=need))
        elif misfit == "ram" and device.ram_bytes:
            sentences.append(_l("Its memory (%(ram)s) is under the workshop's minimum of %(min)d GB.",
                                ram=_gigabytes(device.ram_bytes, GIB), min=workshop.min_ram_gb))
        elif misfit == "ram":
            sentences.append(_l("Its memory is not recorded; the workshop's minimum is %(min)d GB.",
                                min=workshop.min_ram_gb))
        elif device.storage_bytes:
            sentences.append(_l("Its storage (%(storage)s) is under the workshop's minimum of %(min)d GB.",
                                storage=_gigabytes(device.storage_bytes, GB), min=workshop.min_storage_gb))
        else:
            sentences.append(_l("It has no storage recorded; the workshop's minimum is %(min)d GB.",
                                min=workshop.min_storage_gb))
    return [str(sentence) for sentence in sentences]


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
    # ranked on the sort keys alone (narrow rows sort faster); only the winners are joined to their names and places
    ready = (select(Device.id, Device.type, Device.grade, func.coalesce(Device.ram_bytes, 0).label("ram"),
                    Device.storage_total.label("storage"), Device.has_webcam, Device.received_at)
             .where(Device.workshop_id == workshop.id, Device.state == DeviceState.READY).subquery())
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
    rows = db.session.execute(
        select(ranked, Device.tag, Device.brand, Device.model, Location.name.label("location"))
        .join(Device, Device.id == ranked.c.id).outerjoin(Location, Location.id == Device.location_id)
        .where(ranked.c.rank == 1))
    return [(ReadyDevice(r.id, r.tag, r.type, r.brand, r.model, r.grade, r.ram or None, r.storage, r.has_webcam,
                         r.received_at, r.location), r.size) for r in rows]


def fit_from_shelf(prescription: Prescription, groups: list[tuple[ReadyDevice, int]]) -> Fit:
    """Return how many devices of the shelf fit the prescription, and the best fit."""
    types = TYPES_FOR[prescription.equipment or EquipmentWanted.ANY]
    webcam = webcam_need(prescription) is not None
    matching = [(best, size) for best, size in groups if best.type in types and (best.has_webcam or not webcam)]
    best = min((device for device, _size in matching), key=lambda d: _fit_rank(prescription, d), default=None)
    return Fit(sum(size for _device, size in matching), best)


class DeviceTaken(DomainError):
    """The device is reserved for another household: of two people reserving it at once, this one lost."""

    code = "device_taken"
    shown_details = ("tag",)

    def __init__(self, device: Device):
        reservation = reservation_of(device)
        just = reservation is None or utcnow() - reservation.reserved_at < JUST_RESERVED
        message = (_l("%(tag)s was just reserved for another household.", tag=device.tag) if just
                   else _l("%(tag)s is already reserved for another household.", tag=device.tag))
        super().__init__(str(message), tag=device.tag)


class DeviceMismatch(ValidationFailed):
    """The device does not fit the household or the workshop's minimums: reserved only once confirmed."""

    code = "device_mismatch"
    shown_details = ("tag", "mismatches")

    def __init__(self, device: Device, reasons: list[str]):
        super().__init__(str(_l("%(tag)s does not fit this household: %(reasons)s Reserve it anyway only if you "
                                "mean to.", tag=device.tag, reasons=" ".join(reasons))),
                         {"confirm_mismatch": reasons})
        self.details = {"tag": device.tag, "mismatches": reasons}


def reserve_device(prescription: Prescription, device: Device, *, by: User,
                   confirm_mismatch: bool = False) -> Reservation:
    """Set ``device`` aside for the accepted ``prescription``; of two people reserving at once, one only wins.

    A device that does not fit the household is reserved only with ``confirm_mismatch``, and the event says why.
    """
    lock_prescription(prescription)
    PRESCRIPTION.check(prescription, "reserve")
    if device.workshop_id != prescription.workshop_id:
        raise DomainError(str(_l("Device %(tag)s belongs to another workshop.", tag=device.tag)))
    lock_device(device)
    if device.state is DeviceState.RESERVED:
        raise DeviceTaken(device)
    if device.state is not DeviceState.READY:
        raise DomainError(str(_l("%(tag)s is not ready to be given: it is « %(state)s ».", tag=device.tag,
                                 state=STATE_LABELS[device.state])))
    reasons = mismatches(prescription, device)
    if reasons and not confirm_mismatch:
        raise DeviceMismatch(device, reasons)
    transition_device(device, DeviceState.RESERVED, by=by, by_service=True, reason=prescription.code)
    reservation = Reservation(prescription=prescription, device_id=device.id, reserved_by_id=by.id)
    db.session.add(reservation)
    db.session.flush()
    move_prescription(prescription, "reserve", by=by, device=device.tag, mismatch_confirmed=" ".join(reasons))
    return reservation


def release_device(prescription: Prescription, *, by: User, reason: str, kind: str = "") -> Device:
    """End the reservation in force and put its device back on the shelf as ready; ``reason`` stays on it only."""
    reservation = prescription.reservation
    if reservation is None:
        raise DomainError(str(_l("This prescription has no device reserved.")))
    close_open_visits(prescription, by=by, reason=reason, kind=kind)
    end_reservation(reservation, by=by, reason=reason, kind=kind)
    transition_device(reservation.device, DeviceState.READY, by=by, by_service=True, reason=prescription.code)
    return reservation.device


def end_reservation(reservation: Reservation, *, by: User, reason: str, kind: str) -> None:
    """Mark the reservation ended now, with the kind of reason and what was written about it."""
    reservation.released_at, reservation.released_by_id = utcnow(), by.id
    reservation.release_kind, reservation.release_reason = kind, reason[:500]


def release_reservation(prescription: Prescription, *, by: User, reason: str = "",
                        reason_kind: str | None = None) -> Device:
    """Give the reserved device back to the shelf and put the prescription back on the waiting list."""
    kind, detail = reason_of(ReleaseKind, reason_kind, reason)
    lock_prescription(prescription)
    PRESCRIPTION.check(prescription, "release")
    device = release_device(prescription, by=by, reason=detail, kind=kind)
    move_prescription(prescription, "release", by=by, device=device.tag, reason_kind=kind)
    return device


def reservation_of(device: Device) -> Reservation | None:
    """Return the reservation in force on ``device``, if any."""
    return db.session.scalar(select(Reservation).where(Reservation.device_id == device.id,
                                                       Reservation.released_at.is_(None)))
