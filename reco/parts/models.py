"""Part types, stock balances kept beside their append-only ledger, and requests between workshops."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reco.core.columns import enum_column
from reco.core.time import UTCDateTime, utcnow
from reco.extensions import db


class PartCategory(enum.StrEnum):
    """What kind of part it is."""

    RAM = "ram"
    STORAGE = "storage"
    BATTERY = "battery"
    CHARGER = "charger"
    SCREEN = "screen"
    KEYBOARD = "keyboard"
    OTHER = "other"


class Condition(enum.StrEnum):
    """How much a part in stock can be trusted."""

    TESTED_OK = "tested_ok"
    UNTESTED = "untested"
    FAULTY = "faulty"


class MoveKind(enum.StrEnum):
    """Why a quantity entered or left a workshop's stock."""

    RECEIVED = "received"  #: received with a donation
    HARVESTED = "harvested"  #: taken out of a device of the workshop
    USED = "used"  #: used in a repair of a device
    TRANSFER_OUT = "transfer_out"  #: shipped to another workshop
    TRANSFER_IN = "transfer_in"  #: received from another workshop
    DISCARDED = "discarded"
    CORRECTION = "correction"  #: inventory count
    MOVED = "moved"  #: from one place of the workshop to another (two entries: out of one, into the other)


#: The attributes that matter for compatibility, per category, in the order forms show them.
ATTRIBUTES = {
    PartCategory.RAM: ("generation", "form_factor", "capacity_gb"),
    PartCategory.STORAGE: ("interface", "form_factor", "capacity_gb"),
    PartCategory.BATTERY: ("voltage", "capacity_wh"),
    PartCategory.CHARGER: ("wattage", "connector"),
    PartCategory.SCREEN: ("size_inches", "resolution", "connector"),
    PartCategory.KEYBOARD: ("layout",),
    PartCategory.OTHER: (),
}


class PartType(db.Model):
    """A kind of spare part of the network's shared catalogue, e.g. 4 GB DDR3L SO-DIMM."""

    __tablename__ = "part_types"
    audit_type = "part_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[PartCategory] = mapped_column(enum_column(PartCategory, "part_category"), index=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    #: {attribute: value} for the attributes of the category, values as typed (lower case).
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: "attribute=value;..." sorted, so that one attribute can be searched in SQL on every database.
    attributes_key: Mapped[str] = mapped_column(String(400), default="", index=True)
    #: Models known to take this part, free text.
    compatible_models: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def __str__(self) -> str:
        return self.name


class StockLevel(db.Model):
    """The balance of one part type, in one condition, at one place of a workshop: the sum of its moves."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        UniqueConstraint("workshop_id", "part_type_id", "condition", "location_key"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("reserved >= 0 AND reserved <= quantity", name="reserved_within_quantity"),
        Index("ix_stock_levels_part_type", "part_type_id", "workshop_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), index=True)
    part_type_id: Mapped[int] = mapped_column(ForeignKey("part_types.id"))
    condition: Mapped[Condition] = mapped_column(enum_column(Condition, "part_condition"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    #: The location id, or 0 without location: unique constraints do not compare empty values.
    location_key: Mapped[int] = mapped_column(Integer, default=0)
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    #: Units promised to another workshop's accepted request, not shipped yet.
    reserved: Mapped[int] = mapped_column(Integer, default=0)

    part_type: Mapped[PartType] = relationship(lazy="joined")
    location = relationship("Location", lazy="joined")

    @property
    def available(self) -> int:
        """Return the units free to use or to give."""
        return self.quantity - self.reserved

    @hybrid_property
    def structure_id(self) -> int:
        """Return the owning workshop (for permission checks)."""
        return self.workshop_id


class StockMove(db.Model):
    """One entry of a workshop's stock ledger; never changed, never deleted."""

    __tablename__ = "stock_moves"
    __table_args__ = (Index("ix_stock_moves_level", "stock_level_id", "id"),)
    audit_type = "stock_move"
    append_only = True

    id: Mapped[int] = mapped_column(primary_key=True)
    stock_level_id: Mapped[int] = mapped_column(ForeignKey("stock_levels.id"))
    workshop_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), index=True)
    part_type_id: Mapped[int] = mapped_column(ForeignKey("part_types.id"), index=True)
    kind: Mapped[MoveKind] = mapped_column(enum_column(MoveKind, "stock_move_kind"))
    #: Units in (positive) or out (negative).
    quantity: Mapped[int] = mapped_column(Integer)
    #: The device the parts were harvested from or used in.
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    repair_id: Mapped[int | None] = mapped_column(ForeignKey("repairs.id"), index=True)
    donation_id: Mapped[int | None] = mapped_column(ForeignKey("donations.id"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("part_requests.id"), index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    level: Mapped[StockLevel] = relationship(lazy="joined")
    part_type: Mapped[PartType] = relationship(lazy="joined")
    device = relationship("Device")
    by = relationship("User")

    @hybrid_property
    def structure_id(self) -> int:
        """Return the owning workshop (for permission checks)."""
        return self.workshop_id


class RequestStatus(enum.StrEnum):
    """Where a request of parts between workshops stands."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    SHIPPED = "shipped"
    RECEIVED = "received"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class PartRequest(db.Model):
    """A workshop asking another for some units of a part type."""

    __tablename__ = "part_requests"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)
    audit_type = "part_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    part_type_id: Mapped[int] = mapped_column(ForeignKey("part_types.id"))
    condition: Mapped[Condition] = mapped_column(enum_column(Condition, "part_condition"))
    quantity: Mapped[int] = mapped_column(Integer)
    #: The workshop that asks.
    asker_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), index=True)
    #: The workshop that has the parts.
    owner_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), index=True)
    status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus, "part_request_status"),
                                                 default=RequestStatus.REQUESTED)
    #: The owner's stock the accepted units are reserved in.
    stock_level_id: Mapped[int | None] = mapped_column(ForeignKey("stock_levels.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    #: Why the request was declined or cancelled.
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    part_type: Mapped[PartType] = relationship(lazy="joined")
    asker = relationship("Structure", foreign_keys=[asker_id])
    owner = relationship("Structure", foreign_keys=[owner_id])

    @hybrid_property
    def structure_id(self) -> int:
        """Return the asking workshop (for permission checks)."""
        return self.asker_id

    @hybrid_property
    def addressed_to_id(self) -> int:
        """Return the workshop asked (for permission checks)."""
        return self.owner_id
