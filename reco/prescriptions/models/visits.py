"""Installation visits at a household's home (or handovers at the workshop) and their reports."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, case
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reco.core.columns import enum_column
from reco.core.time import UTCDateTime, local_date, utcnow
from reco.extensions import db
from reco.prescriptions.models.prescriptions import DigitalLevel


class VisitStatus(enum.StrEnum):
    """Where a visit stands."""

    REQUESTED = "requested"
    SCHEDULED = "scheduled"
    MISSED = "missed"
    DONE = "done"
    CANCELLED = "cancelled"


#: Visits still to be made: the installer needs the household's address and phone for them.
OPEN_VISITS = frozenset({VisitStatus.REQUESTED, VisitStatus.SCHEDULED, VisitStatus.MISSED})


class Slot(enum.StrEnum):
    """Part of the day a visit is planned for."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


class Account(enum.StrEnum):
    """Accounts set up with the household during the visit."""

    EMAIL = "email"
    SCHOOL = "school"
    ADMINISTRATION = "administration"


class FirstStep(enum.StrEnum):
    """First steps covered with the household."""

    TURN_ON = "turn_on"
    SAFE_BROWSING = "safe_browsing"
    EMAIL = "email"
    SCHOOL_PORTAL = "school_portal"


class FollowUp(enum.StrEnum):
    """What the household needs after the visit."""

    ANOTHER_VISIT = "another_visit"
    WORKSHOP_SESSION = "workshop_session"
    DIGITAL_ADVISOR = "digital_advisor"


class Visit(db.Model):
    """An installer's visit to a household for its reserved device, or the handover at the workshop."""

    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits_installer_status", "installer_id", "status"),)
    audit_type = "visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    prescription_id: Mapped[int] = mapped_column(ForeignKey("prescriptions.id"), index=True)
    reservation_id: Mapped[int] = mapped_column(ForeignKey("reservations.id"), index=True)
    #: The workshop that owns the device (and asked for the visit).
    workshop_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), index=True)
    #: The structure that goes to the household; the workshop itself for a handover at the workshop.
    installer_id: Mapped[int] = mapped_column(ForeignKey("structures.id"))
    #: A handover at the workshop, recorded by its supervisor, rather than a visit at home.
    at_workshop: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[VisitStatus] = mapped_column(enum_column(VisitStatus, "visit_status"),
                                                default=VisitStatus.REQUESTED)
    #: What the workshop tells the installer (access, timing); no personal details.
    note: Mapped[str] = mapped_column(String(500), default="")
    scheduled_on: Mapped[date | None] = mapped_column(Date)
    slot: Mapped[Slot | None] = mapped_column(enum_column(Slot, "visit_slot"))
    missed_count: Mapped[int] = mapped_column(Integer, default=0)
    #: The kind of reason the visit was cancelled for (a ReleaseKind).
    cancel_kind: Mapped[str] = mapped_column(String(30), default="", server_default="")
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    prescription = relationship("Prescription", lazy="joined")
    reservation = relationship("Reservation")
    workshop = relationship("Structure", foreign_keys=[workshop_id])
    installer = relationship("Structure", foreign_keys=[installer_id])
    report: Mapped[VisitReport | None] = relationship(back_populates="visit")
    misses: Mapped[list[VisitMiss]] = relationship(back_populates="visit", order_by="VisitMiss.id")

    @hybrid_property
    def structure_id(self) -> int:
        """Return the workshop that owns the visit (for permission checks)."""
        return self.workshop_id

    @hybrid_property
    def addressed_to_id(self) -> int:
        """Return the installer structure the visit is assigned to (for permission checks)."""
        return self.installer_id

    @hybrid_property
    def handling_structure_id(self) -> int | None:
        """Return the structure that needs the household's address and phone now: the installer, until closed."""
        return self.installer_id if self.status in OPEN_VISITS else None

    @handling_structure_id.inplace.expression
    @classmethod
    def _handling_structure_id_expression(cls):
        """Say the same in SQL (for lists)."""
        return case((cls.status.in_(OPEN_VISITS), cls.installer_id), else_=None)

    @property
    def is_open(self) -> bool:
        """Tell whether the visit is still to be made."""
        return self.status in OPEN_VISITS

    @property
    def done_on(self) -> date | None:
        """Return the day the visit was done (reported), in the network's time zone; None if it was not."""
        if self.status is not VisitStatus.DONE or self.closed_at is None:
            return None
        return local_date(self.closed_at)

    @property
    def shown_on(self) -> date | None:
        """Return the day a visit is shown on: the day it was done, else the day it is planned for."""
        return self.done_on or self.scheduled_on


class VisitMiss(db.Model):
    """One time the household was not met on the day planned: the kind of reason, and what was written."""

    __tablename__ = "visit_misses"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    #: The day the visit was planned for.
    planned_on: Mapped[date] = mapped_column(Date)
    #: A MissedKind value.
    kind: Mapped[str] = mapped_column(String(30))
    #: What the installer wrote (erased with the household's personal data).
    detail: Mapped[str] = mapped_column(String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    visit: Mapped[Visit] = relationship(back_populates="misses")


class VisitReport(db.Model):
    """What the mediator reports after the visit; one per visit."""

    __tablename__ = "visit_reports"
    audit_type = "visit_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), unique=True)
    installed_working: Mapped[bool] = mapped_column(Boolean)
    internet_connected: Mapped[bool] = mapped_column(Boolean)
    #: Why the device could not be connected, when it was not.
    internet_problem: Mapped[str] = mapped_column(String(500), default="")
    #: Account values set up, e.g. ["email", "school"].
    accounts: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: FirstStep values covered.
    first_steps: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The household's digital level as the mediator saw it.
    digital_level: Mapped[DigitalLevel | None] = mapped_column(enum_column(DigitalLevel, "digital_level"))
    #: FollowUp values needed.
    follow_ups: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The family signed the handover receipt on the screen (``signature_png`` is kept).
    receipt_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    comments: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Who made the report, and so collected the family's signature.
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The family's signature as drawn on the screen (PNG), until its personal data are erased.
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    #: The family member who signed.
    signer_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Why the family did not sign on the screen, when it did not.
    no_signature_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    #: The handover receipt handed over: its number and fingerprint (SHA-256), as printed on it.
    receipt_number: Mapped[str | None] = mapped_column(String(40))
    receipt_sha256: Mapped[str | None] = mapped_column(String(64))

    visit: Mapped[Visit] = relationship(back_populates="report")
    reported_by = relationship("User")
