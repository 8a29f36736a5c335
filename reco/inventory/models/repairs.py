"""Repairs of devices, following the Open Repair Data Standard."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reco.core.columns import enum_column
from reco.core.time import UTCDateTime, utcnow
from reco.extensions import db
from reco.inventory.models.diagnosis import FaultType


class RepairStatus(enum.StrEnum):
    """ORDS repair status; a repair without status is still open."""

    FIXED = "fixed"
    REPAIRABLE = "repairable"
    END_OF_LIFE = "end_of_life"


class Barrier(enum.StrEnum):
    """ORDS barrier to repair, given when the device is at end of life."""

    PARTS_NOT_AVAILABLE = "spare_parts_not_available"
    PARTS_TOO_EXPENSIVE = "spare_parts_too_expensive"
    CANNOT_OPEN = "no_way_to_open_product"
    NO_INFORMATION = "repair_information_not_available"
    NO_EQUIPMENT = "lack_of_equipment"
    WORN_OUT = "item_too_worn_out"


class RepairRules:
    """Whether a repair is still going on: read the same on the model and on the scan's read model."""

    __slots__ = ()

    @property
    def is_open(self) -> bool:
        """Tell whether the repair is still going on."""
        return self.status is None


class Repair(RepairRules, db.Model):
    """One repair of a device: the problem, what was done, how long, and how it ended."""

    __tablename__ = "repairs"
    audit_type = "repair"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    problem: Mapped[str] = mapped_column(Text)
    fault_type: Mapped[FaultType] = mapped_column(enum_column(FaultType, "fault_type"))
    actions: Mapped[str] = mapped_column(Text, default="")
    minutes_spent: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[RepairStatus | None] = mapped_column(enum_column(RepairStatus, "repair_status"))
    barrier: Mapped[Barrier | None] = mapped_column(enum_column(Barrier, "repair_barrier"))
    #: Parts used, one per line, until the parts bank links them.
    parts_used: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    device = relationship("Device", back_populates="repairs")
    by = relationship("User")
