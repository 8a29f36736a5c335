"""Families a partner structure equipped outside the pipeline, reported per month; corrections keep history."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reco.core.columns import enum_column
from reco.core.time import UTCDateTime, utcnow
from reco.extensions import db
from reco.inventory.models import DeviceType


class PartnerReport(db.Model):
    """One version of a partner's report for one month; a correction is a new version, the old one stays."""

    __tablename__ = "partner_reports"
    __table_args__ = (UniqueConstraint("structure_id", "month", "version"),)
    audit_type = "partner_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"))
    #: The first day of the month reported.
    month: Mapped[date] = mapped_column(Date)
    #: 1 for the first report of the month, then 2, 3... for each correction.
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: Whether this is the version in force (the latest) for its month.
    current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    structure = relationship("Structure")
    submitted_by = relationship("User")
    lines: Mapped[list[PartnerReportLine]] = relationship(back_populates="report", order_by="PartnerReportLine.id",
                                                          lazy="selectin")

    @property
    def families(self) -> int:
        """Return the families equipped in this version."""
        return sum(line.families for line in self.lines)


class PartnerReportLine(db.Model):
    """Families equipped in one commune with one type of device."""

    __tablename__ = "partner_report_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("partner_reports.id"), index=True)
    insee_code: Mapped[str] = mapped_column(String(5))
    commune: Mapped[str] = mapped_column(String(120), default="")
    device_type: Mapped[DeviceType] = mapped_column(enum_column(DeviceType, "device_type"))
    families: Mapped[int] = mapped_column(Integer)
    #: How many of these families were accompanied (training, help at home).
    accompanied: Mapped[int] = mapped_column(Integer, default=0)

    report: Mapped[PartnerReport] = relationship(back_populates="lines")
