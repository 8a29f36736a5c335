"""Donors, donations (collectes), and what donors declared they would give."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Integer, LargeBinary, Numeric, String, Text, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from reco.core.columns import enum_column
from reco.core.scanning import normalise_code
from reco.core.time import UTCDateTime, utcnow
from reco.extensions import db
from reco.inventory.models import Device, DeviceType


class DonorKind(enum.StrEnum):
    """What kind of donor gives the equipment."""

    COMPANY = "company"
    PUBLIC_BODY = "public_body"
    ASSOCIATION = "association"
    INDIVIDUAL = "individual"


class DonationStatus(enum.StrEnum):
    """Where a collection stands."""

    PLANNED = "planned"
    COLLECTED = "collected"
    RECEIVED = "received"
    CLOSED = "closed"


class Donor(db.Model):
    """A company, public body, association or person giving equipment to a workshop."""

    __tablename__ = "donors"
    audit_type = "donor"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The workshop that knows this donor; nobody outside it sees the donor.
    workshop_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[DonorKind] = mapped_column(enum_column(DonorKind, "donor_kind"))
    siren: Mapped[str | None] = mapped_column(String(9), index=True)
    siret: Mapped[str | None] = mapped_column(String(14))
    address: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: What the columns of this donor's lists hold, as chosen on an import's preview: {simplified header: field}.
    import_columns: Mapped[dict[str, str] | None] = mapped_column(JSON)

    donations: Mapped[list[Donation]] = relationship(back_populates="donor", order_by="Donation.id.desc()")

    @hybrid_property
    def structure_id(self) -> int:
        """Return the owning workshop (for permission checks)."""
        return self.workshop_id

    def __str__(self) -> str:
        return self.name


class Donation(db.Model):
    """A collection (collecte): what one donor gives one workshop at one time."""

    __tablename__ = "donations"
    audit_type = "donation"

    id: Mapped[int] = mapped_column(primary_key=True)
    donor_id: Mapped[int] = mapped_column(ForeignKey("donors.id"), index=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), index=True)
    status: Mapped[DonationStatus] = mapped_column(enum_column(DonationStatus, "donation_status"),
                                                   default=DonationStatus.PLANNED)
    planned_date: Mapped[date | None] = mapped_column(Date)
    pickup_address: Mapped[str] = mapped_column(String(300), default="")
    #: Value the donor declares for the whole donation, in euros, when given.
    declared_value: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    donor: Mapped[Donor] = relationship(back_populates="donations", lazy="joined")
    workshop = relationship("Structure")
    declared_counts: Mapped[list[DeclaredCount]] = relationship(
        back_populates="donation", cascade="all, delete-orphan", order_by="DeclaredCount.device_type")
    declared_items: Mapped[list[DeclaredItem]] = relationship(
        back_populates="donation", order_by="DeclaredItem.line_number")
    devices: Mapped[list[Device]] = relationship(back_populates="donation", order_by="Device.id")

    @hybrid_property
    def structure_id(self) -> int:
        """Return the owning workshop (for permission checks)."""
        return self.workshop_id

    @property
    def is_closed(self) -> bool:
        """Say whether the collection is closed: nothing about it changes any more."""
        return self.status is DonationStatus.CLOSED

    @property
    def reference(self) -> str:
        """Return the number people use to talk about this collection."""
        return f"C-{self.id:05d}"

    def __str__(self) -> str:
        return f"{self.reference} · {self.donor.name}"


class DeclaredCount(db.Model):
    """How many devices of one type the donor announced, without a detailed list."""

    __tablename__ = "declared_counts"
    __table_args__ = (UniqueConstraint("donation_id", "device_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donations.id"))
    device_type: Mapped[DeviceType] = mapped_column(enum_column(DeviceType, "device_type"))
    quantity: Mapped[int] = mapped_column(Integer)

    donation: Mapped[Donation] = relationship(back_populates="declared_counts")


class DeclaredItem(db.Model):
    """One line of the donor's inventory: a device announced before it arrives."""

    __tablename__ = "declared_items"
    __table_args__ = (UniqueConstraint("donation_id", "line_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donations.id"), index=True)
    #: Position in the donation's list of declared items (1, 2, ...), across successive imports.
    line_number: Mapped[int] = mapped_column(Integer)
    device_type: Mapped[DeviceType] = mapped_column(enum_column(DeviceType, "device_type"))
    brand: Mapped[str] = mapped_column(String(80), default="")
    model: Mapped[str] = mapped_column(String(120), default="")
    serial: Mapped[str | None] = mapped_column(String(80), index=True)
    donor_tag: Mapped[str | None] = mapped_column(String(80), index=True)
    purchase_date: Mapped[date | None] = mapped_column(Date)
    #: What the donor's list said about the device in its comments column.
    comment: Mapped[str] = mapped_column(String(500), default="", server_default="")

    donation: Mapped[Donation] = relationship(back_populates="declared_items")
    device: Mapped[Device | None] = relationship(back_populates="declared_item")

    @validates("serial", "donor_tag")
    def _normalise_code(self, key: str, value: str | None) -> str | None:
        """Store codes as the scan box compares them."""
        return normalise_code(value)


class ImportDraft(db.Model):
    """An uploaded inventory waiting for its preview to be confirmed; deleted once used."""

    __tablename__ = "import_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
