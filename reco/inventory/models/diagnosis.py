"""Diagnoses of devices (checklist, ORDS faults, grade) and the hardware reports imported for them."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reco.core.columns import enum_column
from reco.core.time import UTCDateTime, utcnow
from reco.extensions import db
from reco.inventory.models.devices import Grade


class Check(enum.StrEnum):
    """The points of the diagnosis checklist."""

    POWER_ON = "power_on"
    SCREEN = "screen"
    KEYBOARD = "keyboard"
    POINTING_DEVICE = "pointing_device"
    PORTS = "ports"
    WIFI = "wifi"
    WEBCAM = "webcam"
    AUDIO = "audio"
    BATTERY = "battery"
    CHARGER = "charger"


class CheckResult(enum.StrEnum):
    """The outcome of one check."""

    OK = "ok"
    FAULTY = "faulty"
    NOT_APPLICABLE = "na"


class FaultType(enum.StrEnum):
    """Fault types for computers of the Open Repair Data Standard."""

    BOOT = "boot"
    CASE = "case_chassis"
    CONFIGURATION = "configuration"
    KEYBOARD = "integrated_keyboard"
    POINTING_DEVICE = "integrated_pointing_device"
    SCREEN = "integrated_screen"
    STORAGE = "internal_storage"
    OPERATING_SYSTEM = "operating_system"
    OVERHEATING = "overheating"
    PERFORMANCE = "performance"
    PORTS = "ports_slots_connectors"
    POWER = "power_battery"
    SYSTEM_BOARD = "system_board"
    MALWARE = "virus_malware"
    OTHER = "other"
    UNKNOWN = "unknown"


class Diagnosis(db.Model):
    """A diagnosis of a device; the latest one is the device's current state of health."""

    __tablename__ = "diagnoses"
    audit_type = "diagnosis"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    #: {check: "ok" | "faulty" | "na"} for each point of the checklist.
    checks: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: ORDS fault types found.
    faults: Mapped[list[str]] = mapped_column(JSON, default=list)
    grade: Mapped[Grade | None] = mapped_column(enum_column(Grade, "grade"))
    #: Said explicitly: this machine has no storage (a device with no drive reaches ready only then).
    no_storage: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    by = relationship("User")


class HardwareReport(db.Model):
    """A raw lshw or smartctl JSON report imported for a device, kept with its SHA-256."""

    __tablename__ = "hardware_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    #: "lshw" or "smartctl".
    kind: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
