"""Devices and their drives, as received at the workshop."""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from reco.core.columns import enum_column
from reco.core.scanning import normalise_code
from reco.core.time import UTCDateTime, utcnow
from reco.extensions import db


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


#: States in which a device has left the workbench.
LEFT_WORKBENCH = frozenset({DeviceState.READY, DeviceState.RESERVED, DeviceState.DELIVERED,
                            DeviceState.HARVESTED, DeviceState.RECYCLED})


class DriveInterface(enum.StrEnum):
    """How a drive is built and connected."""

    ATA_HDD = "ata_hdd"
    SATA_SSD = "sata_ssd"
    NVME = "nvme"
    EMMC = "emmc"
    USB = "usb"


class Accessory(enum.StrEnum):
    """Accessories that can come with a device."""

    CHARGER = "charger"
    POWER_CABLE = "power_cable"
    BATTERY = "battery"
    KEYBOARD = "keyboard"
    MOUSE = "mouse"
    BAG = "bag"
    STYLUS = "stylus"


class Device(db.Model):
    """One donated device, known by our asset tag."""

    __tablename__ = "devices"
    __table_args__ = (Index("ix_devices_workshop_state", "workshop_id", "state"),)
    audit_type = "device"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Our asset tag, printed on the label: workshop prefix + sequence, e.g. DEM-000123.
    tag: Mapped[str] = mapped_column(String(20), unique=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("structures.id"))
    donation_id: Mapped[int | None] = mapped_column(ForeignKey("donations.id"), index=True)
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

    workshop = relationship("Structure", foreign_keys=[workshop_id])
    donation = relationship("Donation", back_populates="devices")
    declared_item = relationship("DeclaredItem", back_populates="device")
    received_by = relationship("User", foreign_keys=[received_by_id])
    drives: Mapped[list[Drive]] = relationship(back_populates="device", order_by="Drive.id",
                                               foreign_keys="Drive.device_id")

    @validates("serial", "donor_tag")
    def _normalise_code(self, key: str, value: str | None) -> str | None:
        """Store codes as the scan box compares them."""
        return normalise_code(value)

    @property
    def structure_id(self) -> int:
        """Return the owning workshop (for permission checks)."""
        return self.workshop_id

    def __str__(self) -> str:
        return self.tag


class Drive(db.Model):
    """A storage drive; it stays linked to its donation even once removed from its device."""

    __tablename__ = "drives"
    audit_type = "drive"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The device it is in; empty once removed.
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    donation_id: Mapped[int | None] = mapped_column(ForeignKey("donations.id"), index=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), index=True)
    serial: Mapped[str | None] = mapped_column(String(80), index=True)
    model: Mapped[str] = mapped_column(String(120), default="")
    capacity_bytes: Mapped[int | None] = mapped_column(BigInteger)
    interface: Mapped[DriveInterface | None] = mapped_column(enum_column(DriveInterface, "drive_interface"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    device: Mapped[Device | None] = relationship(back_populates="drives", foreign_keys=[device_id])

    @validates("serial")
    def _normalise_serial(self, key: str, value: str | None) -> str | None:
        """Store serials as the scan box compares them."""
        return normalise_code(value)

    @property
    def structure_id(self) -> int:
        """Return the owning workshop (for permission checks)."""
        return self.workshop_id

    @property
    def is_sanitized(self) -> bool:
        """Tell whether the drive has a passing sanitization record (none exist before the workbench)."""
        return False
