"""Prescriptions of a device for a household, and the reservations that answer them."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, and_, case, text
from sqlalchemy.ext.hybrid import Comparator, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reco.core.columns import MAX_LENGTH, enum_column, text_limits
from reco.core.time import UTCDateTime, utcnow
from reco.extensions import db


class PrescriptionStatus(enum.StrEnum):
    """Where a prescription stands."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    RESERVED = "reserved"
    EQUIPPED = "equipped"
    CANCELLED = "cancelled"


#: Statuses after which nothing more happens to a prescription; its personal data is purged later.
CLOSED = frozenset({PrescriptionStatus.DECLINED, PrescriptionStatus.WITHDRAWN, PrescriptionStatus.EQUIPPED,
                    PrescriptionStatus.CANCELLED})
#: Statuses in which the prescriber may still change what they wrote.
EDITABLE = frozenset({PrescriptionStatus.DRAFT, PrescriptionStatus.SUBMITTED})


class Need(enum.StrEnum):
    """What the household needs the computer for."""

    SCHOOL = "school"
    JOB_SEARCH = "job_search"
    ADMINISTRATION = "administration"
    HEALTH = "health"
    KEEPING_IN_TOUCH = "keeping_in_touch"


class DigitalLevel(enum.StrEnum):
    """How much help the household needs with a computer."""

    ASSISTANCE = "assistance"
    TRAINING = "training"
    OCCASIONAL_HELP = "occasional_help"


class EquipmentWanted(enum.StrEnum):
    """The kind of device the prescriber asks for."""

    LAPTOP = "laptop"
    DESKTOP = "desktop"
    TABLET = "tablet"
    ANY = "any"


class InternetAtHome(enum.StrEnum):
    """Whether the household has an internet connection."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Urgency(enum.StrEnum):
    """How soon the household needs the device; the waiting list puts the most urgent first."""

    NORMAL = "normal"
    PRIORITY = "priority"
    URGENT = "urgent"


#: The statuses in which the workshop hands the device over itself when no visit is wanted.
HANDING_OVER = (PrescriptionStatus.ACCEPTED, PrescriptionStatus.RESERVED)

#: Household members counted by school level, in the order forms show them.
CHILDREN_FIELDS = ("children_preschool", "children_primary", "children_middle", "children_high", "students")


class _SentTo(Comparator):
    """Compare a prescription's addressee in SQL as ``workshop_id = x AND status <> 'draft'``, which the index on
    (workshop_id, status) serves (a CASE expression would make every list read the whole table)."""

    def __init__(self, model):
        super().__init__(model.workshop_id)
        self.model = model

    def __eq__(self, other):
        return and_(self.model.workshop_id == other, self.model.status != PrescriptionStatus.DRAFT)


class Prescription(db.Model):
    """A social worker's request of a device for a household, known outside its structure by a code."""

    __tablename__ = "prescriptions"
    __table_args__ = (
        Index("ix_prescriptions_structure_status", "structure_id", "status"),
        Index("ix_prescriptions_workshop_status", "workshop_id", "status"),
        Index("ix_prescriptions_status_equipped_at", "status", "equipped_at"),
    )
    audit_type = "prescription"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Pseudonymous code of the household, used by statistics and device histories, e.g. FOY-7K3M9Q.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    #: The prescribing structure, which owns the household's data.
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"))
    #: The workshop asked for a device.
    workshop_id: Mapped[int] = mapped_column(ForeignKey("structures.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[PrescriptionStatus] = mapped_column(enum_column(PrescriptionStatus, "prescription_status"),
                                                       default=PrescriptionStatus.DRAFT)
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(250), default="")
    postcode: Mapped[str] = mapped_column(String(5), default="")
    commune: Mapped[str] = mapped_column(String(120), default="")
    #: INSEE code of the commune (kept after the personal data is purged, for statistics).
    insee_code: Mapped[str] = mapped_column(String(5), default="")
    #: The address lies in a priority neighbourhood of the city policy (QPV), as ticked by the prescriber.
    qpv: Mapped[bool] = mapped_column(Boolean, default=False)
    adults: Mapped[int] = mapped_column(Integer, default=1)
    children_preschool: Mapped[int] = mapped_column(Integer, default=0)
    children_primary: Mapped[int] = mapped_column(Integer, default=0)
    children_middle: Mapped[int] = mapped_column(Integer, default=0)
    children_high: Mapped[int] = mapped_column(Integer, default=0)
    students: Mapped[int] = mapped_column(Integer, default=0)
    #: Need values, e.g. ["school", "job_search"].
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    digital_level: Mapped[DigitalLevel | None] = mapped_column(enum_column(DigitalLevel, "digital_level"))
    equipment: Mapped[EquipmentWanted | None] = mapped_column(enum_column(EquipmentWanted, "equipment_wanted"))
    internet: Mapped[InternetAtHome | None] = mapped_column(enum_column(InternetAtHome, "internet_at_home"))
    #: An installer visits the home; otherwise the workshop hands the device over itself.
    visit_wanted: Mapped[bool] = mapped_column(Boolean, default=True)
    urgency: Mapped[Urgency] = mapped_column(enum_column(Urgency, "urgency"), default=Urgency.NORMAL)
    urgency_reason: Mapped[str] = mapped_column(String(500), default="")
    comment: Mapped[str] = mapped_column(Text, default="", info={MAX_LENGTH: 2000})
    #: The day the household agreed to its data being recorded and shared for the equipment.
    consent_on: Mapped[date] = mapped_column(Date)
    consent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    consent_recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The kind of reason the prescription was withdrawn, declined or cancelled for (a closed list, see reasons.py).
    reason_kind: Mapped[str] = mapped_column(String(30), default="", server_default="")
    #: What the prescriber wrote when withdrawing (erased with the personal data).
    withdraw_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    #: The workshop's reason for declining, shown to the prescriber.
    decline_reason: Mapped[str] = mapped_column(String(1000), default="")
    cancel_reason: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    equipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the prescription reached a closed status; personal data is purged a set time after.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the household's contact, address and free texts were erased (on request or after retention).
    personal_data_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    structure = relationship("Structure", foreign_keys=[structure_id])
    workshop = relationship("Structure", foreign_keys=[workshop_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    consent_recorded_by = relationship("User", foreign_keys=[consent_recorded_by_id])
    reservations: Mapped[list[Reservation]] = relationship(back_populates="prescription", order_by="Reservation.id")

    @hybrid_property
    def addressed_to_id(self) -> int | None:
        """Return the workshop the prescription is addressed to once sent (for permission checks)."""
        return None if self.status is PrescriptionStatus.DRAFT else self.workshop_id

    @addressed_to_id.inplace.comparator
    @classmethod
    def _addressed_to_id_comparator(cls) -> _SentTo:
        """Say the same in SQL (for lists): workshops never see drafts."""
        return _SentTo(cls)

    @hybrid_property
    def handling_structure_id(self) -> int | None:
        """Return the structure that needs the household's contact details now besides its owner, if any."""
        return self.workshop_id if self.status in HANDING_OVER and not self.visit_wanted else None

    @handling_structure_id.inplace.expression
    @classmethod
    def _handling_structure_id_expression(cls):
        """Say the same in SQL (for lists)."""
        return case((and_(cls.status.in_(HANDING_OVER), cls.visit_wanted.is_(False)), cls.workshop_id), else_=None)

    @property
    def editable(self) -> bool:
        """Tell whether the prescriber may still change what they wrote."""
        return self.status in EDITABLE

    @property
    def closed(self) -> bool:
        """Tell whether nothing more happens to the prescription (its personal data may then be erased)."""
        return self.status in CLOSED

    @property
    def awaiting_handover(self) -> bool:
        """Tell whether a device is reserved for the household and not handed over yet."""
        return self.status is PrescriptionStatus.RESERVED

    @property
    def reservation(self) -> Reservation | None:
        """Return the reservation in force, if any."""
        return next((r for r in reversed(self.reservations) if r.released_at is None), None)

    @property
    def household_size(self) -> int:
        """Return the number of people in the household."""
        return self.adults + sum(getattr(self, name) for name in CHILDREN_FIELDS)

    def __str__(self) -> str:
        return self.code


#: The text a prescriber writes about a household, and the longest each holds: its column's, the one description
#: that the form, the service and the API's schema follow.
TEXT_LIMITS = text_limits(Prescription, ("contact_name", "contact_phone", "address", "postcode", "commune",
                                         "insee_code", "urgency_reason", "comment"))


class Reservation(db.Model):
    """One device set aside for one prescription; released when the device goes back to the shelf."""

    __tablename__ = "reservations"
    __table_args__ = (
        Index("uq_reservations_device_in_force", "device_id", unique=True,
              sqlite_where=text("released_at IS NULL"), postgresql_where=text("released_at IS NULL")),
        Index("uq_reservations_prescription_in_force", "prescription_id", unique=True,
              sqlite_where=text("released_at IS NULL"), postgresql_where=text("released_at IS NULL")),
    )
    audit_type = "reservation"

    id: Mapped[int] = mapped_column(primary_key=True)
    prescription_id: Mapped[int] = mapped_column(ForeignKey("prescriptions.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    reserved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reserved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The kind of reason the device went back (a ReleaseKind, or a ReturnKind when the family brought it back).
    release_kind: Mapped[str] = mapped_column(String(30), default="", server_default="")
    #: What was written about it (erased with the household's personal data).
    release_reason: Mapped[str] = mapped_column(String(500), default="")

    prescription: Mapped[Prescription] = relationship(back_populates="reservations")
    device = relationship("Device", lazy="joined")
    reserved_by = relationship("User", foreign_keys=[reserved_by_id])
