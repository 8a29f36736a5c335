"""Scan batches: the codes a technician scanned one after the other, kept until an action is applied."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reco.core.time import UTCDateTime, utcnow
from reco.extensions import db


class ScanBatch(db.Model):
    """One person's list of scanned codes; saved at each scan so that nothing is lost."""

    __tablename__ = "scan_batches"
    __table_args__ = (UniqueConstraint("user_id", "session_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The login session the batch belongs to: the same person at two workbenches has two batches.
    session_key: Mapped[str] = mapped_column(String(32), default="", server_default="")
    #: Codes in the order they were scanned, as typed by the scanner.
    codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Where the devices of the list go: the location whose code was scanned among them.
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    location = relationship("Location")
