"""Devices, their drives, locations and exits."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, validates

from reco.core.columns import enum_column
from reco.core.scanning import normalise_code
from reco.core.time import UTCDateTime, utcnow
from reco.extensions import db

if TYPE_CHECKING:
    from reco.inventory.models.diagnosis import Diagnosis
    from reco.inventory.models.repairs import Repair
    from reco.inventory.models.sanitization import Sanitization


class DeviceType(enum.StrEnum):
    """What kind of equipment a device is."""

    LAPTOP = "laptop"
    DESKTOP = "desktop"
    ALL_IN_ONE = "all_in_one"
    TABLET = "tablet"
    SMARTPHONE = "smartphone"
    SCREEN = "screen"
    PRINTER = "printer"
    OTHER = "other"


class DeviceState(enum.StrEnum):
    """Where a device is in the pipeline."""

    RECEIVED = "received"
    DIAGNOSED = "diagnosed"
    IN_REPAIR = "in_repair"
    WIPED = "wiped"
    READY = "ready"
    RESERVED = "reserved"
    DELIVERED = "delivered"
    HARVESTED = "harvested"
    RECYCLED = "recycled"
    #: Received by mistake (or merged into another device): keeps its tag and history, counts nowhere.
    VOIDED = "voided"


#: States in which a device has left the workbench.
LEFT_WORKBENCH = frozenset({DeviceState.READY, DeviceState.RESERVED, DeviceState.DELIVERED,
                            DeviceState.HARVESTED, DeviceState.RECYCLED, DeviceState.VOIDED})


class DriveInterface(enum.StrEnum):
    """How a drive is built and connected."""

    ATA_HDD = "ata_hdd"
    SATA_SSD = "sata_ssd"
    NVME = "nvme"
    EMMC = "emmc"
    USB = "usb"


class Grade(enum.StrEnum):
    """Cosmetic grade given at diagnosis (not regulated in France; the label legend says what each means)."""

    A = "A"
    B = "B"
    C = "C"
    PARTS_ONLY = "parts_only"


class Accessory(enum.StrEnum):
    """Accessories that can come with a device."""

    CHARGER = "charger"
    POWER_CABLE = "power_cable"
    BATTERY = "battery"
    KEYBOARD = "keyboard"
    MOUSE = "mouse"
    BAG = "bag"
    STYLUS = "stylus"


class DeviceRules:
    """What a device's own records say of it: read the same on the model and on the scan's read model."""

    __slots__ = ()

    @property
    def diagnosis(self) -> Diagnosis | None:
        """Return the latest diagnosis made since the device last came back, if any."""
        latest = self.diagnoses[-1] if self.diagnoses else None
        if latest is not None and self.returned_at is not None and latest.created_at < self.returned_at:
            return None
        return latest

    @property
    def open_repairs(self) -> list[Repair]:
        """Return the repairs still going on."""
        return [r for r in self.repairs if r.is_open]

    @property
    def is_voided(self) -> bool:
        """Say whether the device was received by mistake or merged into another: it counts nowhere."""
        return self.state is DeviceState.VOIDED

    @property
    def storage_bytes(self) -> int:
        """Return the total capacity of the drives in the device."""
        return sum(d.capacity_bytes or 0 for d in self.drives)


class Device(DeviceRules, db.Model):
    """One donated device, known by our asset tag."""

    __tablename__ = "devices"
    __table_args__ = (
        # The device list filtered by state reads the newest first from the index, not the whole table backwards.
        Index("ix_devices_workshop_state", "workshop_id", "state", "id"),
        # The intake page shows a collection's last devices: read newest first from the index, however many it holds.
        Index("ix_devices_donation_id", "donation_id", "id"),
        UniqueConstraint("workshop_id", "intake_key", name="uq_devices_workshop_intake_key"),
        # The figures count devices received in a period: PostgreSQL answers from the index alone.
        Index("ix_devices_received_at", "received_at",
              postgresql_include=["workshop_id", "state", "type", "weight_kg", "donation_id"]),
        # The waiting list matches households with the shelf: the ready devices, read from the index alone.
        Index("ix_devices_shelf", "workshop_id", postgresql_where=text("state = 'ready'"),
              sqlite_where=text("state = 'ready'"), postgresql_include=[
                  "id", "tag", "type", "brand", "model", "grade", "ram_bytes", "has_webcam", "received_at",
                  "location_id", "storage_total"]),
    )
    audit_type = "device"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Our asset tag, printed on the label: workshop prefix + sequence, e.g. DEM-000123.
    tag: Mapped[str] = mapped_column(String(20), unique=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("structures.id"))
    donation_id: Mapped[int | None] = mapped_column(ForeignKey("donations.id"))
    #: The line of the donor's inventory this device was matched to, if any.
    declared_item_id: Mapped[int | None] = mapped_column(ForeignKey("declared_items.id"), unique=True)
    type: Mapped[DeviceType] = mapped_column(enum_column(DeviceType, "device_type"))
    brand: Mapped[str] = mapped_column(String(80), default="")
    model: Mapped[str] = mapped_column(String(120), default="")
    #: Manufacturer serial number, stored as scanned codes are compared (trimmed, upper case).
    serial: Mapped[str | None] = mapped_column(String(80), index=True)
    #: The donor's own asset tag, stored like the serial.
    donor_tag: Mapped[str | None] = mapped_column(String(80), index=True)
    weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    #: Accessory values received with the device, e.g. ["charger"].
    accessories: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[DeviceState] = mapped_column(enum_column(DeviceState, "device_state"),
                                               default=DeviceState.RECEIVED)
    notes: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    grade: Mapped[Grade | None] = mapped_column(enum_column(Grade, "grade"))
    cpu: Mapped[str] = mapped_column(String(120), default="")
    ram_bytes: Mapped[int | None] = mapped_column(BigInteger)
    screen_inches: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    os_name: Mapped[str] = mapped_column(String(80), default="")
    #: Whether the last diagnosis found a working webcam (school follow-up needs one); empty if not checked.
    has_webcam: Mapped[bool | None] = mapped_column(Boolean)
    #: Remaining battery capacity against its design capacity, in percent.
    battery_health_pct: Mapped[int | None] = mapped_column(Integer)
    #: The capacity of the drives in it, in bytes, recounted by every flush that adds, moves, resizes or deletes a
    #: drive (see storage_recount): the waiting list ranks the shelf on it without reading the drives.
    storage_total: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0", deferred=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    #: When the device last came back from a family: diagnoses and sanitizations before it no longer count.
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The key of the intake form that created it: a form posted twice still makes one device.
    intake_key: Mapped[str | None] = mapped_column(String(64))
    #: The device this one was merged into (both were one machine); this one is then voided.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))

    workshop = relationship("Structure", foreign_keys=[workshop_id])
    donation = relationship("Donation", back_populates="devices")
    declared_item = relationship("DeclaredItem", back_populates="device")
    received_by = relationship("User", foreign_keys=[received_by_id])
    drives: Mapped[list[Drive]] = relationship(back_populates="device", order_by="Drive.id",
                                               foreign_keys="Drive.device_id")
    merged_into: Mapped[Device | None] = relationship(remote_side=[id], foreign_keys=[merged_into_id])
    #: Drives taken out of it (destroyed, banked or moved), still shown with their sanitization records.
    removed_drives: Mapped[list[Drive]] = relationship(foreign_keys="Drive.removed_from_id", order_by="Drive.id",
                                                       viewonly=True)
    location: Mapped[Location | None] = relationship(lazy="joined")
    exit: Mapped[DeviceExit | None] = relationship(back_populates="device")
    diagnoses: Mapped[list[Diagnosis]] = relationship(order_by="Diagnosis.id")
    repairs: Mapped[list[Repair]] = relationship(back_populates="device", order_by="Repair.id")
    #: The reservation in force, as read with the device (read-only: services ask ``reservation_of``).
    reservation = relationship("Reservation", viewonly=True, uselist=False, primaryjoin="and_("
                               "Reservation.device_id == Device.id, Reservation.released_at.is_(None))")

    @validates("serial", "donor_tag")
    def _normalise_code(self, key: str, value: str | None) -> str | None:
        """Store codes as the scan box compares them."""
        return normalise_code(value)

    @hybrid_property
    def structure_id(self) -> int:
        """Return the owning workshop (for permission checks)."""
        return self.workshop_id

    def __str__(self) -> str:
        return self.tag


class DriveRules:
    """Whether a drive fails and whether its data is proven gone: read the same on the model and the read model."""

    __slots__ = ()

    @property
    def failing(self) -> bool:
        """Tell whether the last SMART report said the drive is failing."""
        return self.smart_passed is False

    @property
    def passing_sanitization(self) -> Sanitization | None:
        """Return the latest record that proves the data is gone, made since the device last came back."""
        home = self.device or self.removed_from  # a drive in the bank keeps its device's cut-off
        since = home.returned_at if home is not None else None
        passing = [s for s in self.sanitizations if s.is_passing and (since is None or s.created_at >= since)]
        return passing[-1] if passing else None

    @property
    def is_sanitized(self) -> bool:
        """Tell whether a passing sanitization (verified, validated when required, or destruction) exists."""
        return self.passing_sanitization is not None

    @property
    def is_destroyed(self) -> bool:
        """Tell whether the drive was physically destroyed."""
        return any(s.is_passing and s.level.value == "destroy" for s in self.sanitizations)


class Drive(DriveRules, db.Model):
    """A storage drive; it stays linked to its donation even once removed from its device."""

    __tablename__ = "drives"
    # With the capacity, so that a device's storage is read from the index alone.
    __table_args__ = (Index("ix_drives_device_id", "device_id", postgresql_include=["capacity_bytes"]),)
    audit_type = "drive"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The device it is in; empty once removed.
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), active_history=True)
    donation_id: Mapped[int | None] = mapped_column(ForeignKey("donations.id"), index=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), index=True)
    serial: Mapped[str | None] = mapped_column(String(80), index=True)
    model: Mapped[str] = mapped_column(String(120), default="")
    #: With active_history, as device_id: a flush knows the old value, and recounts the device it left.
    capacity_bytes: Mapped[int | None] = mapped_column(BigInteger, active_history=True)
    interface: Mapped[DriveInterface | None] = mapped_column(enum_column(DriveInterface, "drive_interface"))
    #: Where the operating system saw it, e.g. /dev/sda; matches anonymised nwipe logs.
    device_path: Mapped[str | None] = mapped_column(String(40))
    #: Overall SMART result of the last report; False flags the drive as failing.
    smart_passed: Mapped[bool | None] = mapped_column(Boolean)
    power_on_hours: Mapped[int | None] = mapped_column(Integer)
    reallocated_sectors: Mapped[int | None] = mapped_column(Integer)
    media_errors: Mapped[int | None] = mapped_column(Integer)
    #: The device the drive was taken out of, kept for traceability.
    removed_from_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    device: Mapped[Device | None] = relationship(back_populates="drives", foreign_keys=[device_id])
    removed_from: Mapped[Device | None] = relationship(foreign_keys=[removed_from_id])
    workshop = relationship("Structure")
    sanitizations: Mapped[list[Sanitization]] = relationship(back_populates="drive", order_by="Sanitization.id")

    @validates("serial")
    def _normalise_serial(self, key: str, value: str | None) -> str | None:
        """Store serials as the scan box compares them."""
        return normalise_code(value)

    @hybrid_property
    def structure_id(self) -> int:
        """Return the owning workshop (for permission checks)."""
        return self.workshop_id


def storage_recount(device_ids):
    """Return the UPDATE that recounts the storage total of the devices ``device_ids`` (ids or a query of ids)."""
    total = select(func.coalesce(func.sum(Drive.capacity_bytes), 0)).where(Drive.device_id == Device.id)
    return update(Device).where(Device.id.in_(device_ids)).values(storage_total=total.scalar_subquery())


@event.listens_for(Session, "after_flush")
def _recount_changed_storage(session: Session, flush_context) -> None:
    """Recount the storage of the devices a flush gave or took a drive, or whose drive changed size.

    The devices are locked first, in order: of two people changing drives of one device, the second recounts once
    the first has committed, and sees their drives.
    """
    changed = set()
    for drives, only_if_moved in ((session.new, False), (session.deleted, False), (session.dirty, True)):
        for drive in drives:
            if not isinstance(drive, Drive):
                continue
            state = inspect(drive)
            moved = state.attrs.device_id.history
            if only_if_moved and not moved.has_changes() and not state.attrs.capacity_bytes.history.has_changes():
                continue  # its SMART figures or serial changed: the total stays
            changed.update(i for i in (drive.device_id, *moved.deleted) if i is not None)
    if changed:
        connection = session.connection()
        connection.execute(select(Device.id).where(Device.id.in_(changed)).order_by(Device.id).with_for_update())
        connection.execute(storage_recount(changed))


class LocationKind(enum.StrEnum):
    """Where things are kept at the workshop."""

    SHELF = "shelf"
    BIN = "bin"
    AREA = "area"


class Location(db.Model):
    """A shelf, bin or area of a workshop, with its own scannable code."""

    __tablename__ = "locations"
    audit_type = "location"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), index=True)
    #: Scannable code, unique in the network: workshop prefix, "L" and a number, e.g. DEM-L0003.
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[LocationKind] = mapped_column(enum_column(LocationKind, "location_kind"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @hybrid_property
    def structure_id(self) -> int:
        """Return the owning workshop (for permission checks)."""
        return self.workshop_id

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class DeviceExit(db.Model):
    """How a device left the pipeline without reaching a family: harvested for parts or recycled."""

    __tablename__ = "device_exits"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), unique=True)
    #: "harvested" or "recycled".
    kind: Mapped[str] = mapped_column(String(20))
    on: Mapped[date] = mapped_column(Date)
    #: Parts taken out, one per line (harvest).
    parts: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Weight handed to the WEEE channel (recycling).
    weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    #: Number of the WEEE (DEEE) collection slip.
    slip_number: Mapped[str] = mapped_column(String(60), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    device: Mapped[Device] = relationship(back_populates="exit")
