"""Sanitization of drives (NIST SP 800-88 Rev.2, IEEE 2883-2022) and the erasure logs that prove it."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reco.core.columns import enum_column
from reco.core.time import UTCDateTime, utcnow
from reco.extensions import db


class SanitizationLevel(enum.StrEnum):
    """How thoroughly the data was made unrecoverable."""

    CLEAR = "clear"
    PURGE = "purge"
    DESTROY = "destroy"


class Technique(enum.StrEnum):
    """How it was done."""

    OVERWRITE = "overwrite"
    BLOCK_ERASE = "block_erase"
    CRYPTO_ERASE = "crypto_erase"
    DESTRUCTION = "destruction"


class DestructionMethod(enum.StrEnum):
    """How a drive was physically destroyed."""

    SHRED = "shred"
    DRILL = "drill"
    CRUSH = "crush"
    DEGAUSS = "degauss"


class SanitizationTool(enum.StrEnum):
    """The program or means used."""

    NWIPE = "nwipe"
    HDPARM = "hdparm"
    NVME_CLI = "nvme_cli"
    OTHER = "other"


class Verification(enum.StrEnum):
    """Whether the result was read back."""

    NONE = "none"
    LAST_PASS = "last_pass"
    ALL_PASSES = "all_passes"


class SanitizationResult(enum.StrEnum):
    """What the tool reported."""

    SUCCESS = "success"
    FAILED = "failed"


class ErasureLog(db.Model):
    """A raw log file of an erasure tool, kept as received with its SHA-256."""

    __tablename__ = "erasure_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[str] = mapped_column(Text, deferred=True)
    #: One log proves one erasure: the same file is never recorded twice.
    sha256: Mapped[str] = mapped_column(String(64), index=True, unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SanitizationRules:
    """What a sanitization record proves: read the same on the model and on the scan's read model."""

    __slots__ = ()

    @property
    def proves_erasure(self) -> bool:
        """Tell whether the record itself proves the data is gone: success, and verified or destroyed."""
        return self.result is SanitizationResult.SUCCESS and (
            self.verification is not Verification.NONE or self.level is SanitizationLevel.DESTROY)

    @property
    def needs_validation(self) -> bool:
        """Tell whether a supervisor must still validate this record."""
        return self.drive.workshop.sanitization_needs_validation and self.validated_at is None

    @property
    def is_passing(self) -> bool:
        """Tell whether this record satisfies the ready guard."""
        return self.proves_erasure and not self.needs_validation


class Sanitization(SanitizationRules, db.Model):
    """One sanitization of one drive: wipe, secure erase or destruction, with its outcome."""

    __tablename__ = "sanitizations"
    # The figures count the records of a period: PostgreSQL answers from the index alone.
    __table_args__ = (Index("ix_sanitizations_created_at", "created_at", postgresql_include=[
        "drive_id", "device_id", "level", "technique", "result", "verification", "validated_at"]),)
    audit_type = "sanitization"

    id: Mapped[int] = mapped_column(primary_key=True)
    drive_id: Mapped[int] = mapped_column(ForeignKey("drives.id"), index=True)
    #: The device the drive was in at the time.
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    level: Mapped[SanitizationLevel] = mapped_column(enum_column(SanitizationLevel, "sanitization_level"))
    technique: Mapped[Technique] = mapped_column(enum_column(Technique, "sanitization_technique"))
    destruction_method: Mapped[DestructionMethod | None] = mapped_column(
        enum_column(DestructionMethod, "destruction_method"))
    tool: Mapped[SanitizationTool] = mapped_column(enum_column(SanitizationTool, "sanitization_tool"))
    tool_version: Mapped[str] = mapped_column(String(40), default="")
    #: The tool's own name of the method, e.g. "Fill With Zeros", "DoD Short", "ATA Secure Erase".
    method: Mapped[str] = mapped_column(String(80), default="")
    rounds: Mapped[int | None] = mapped_column(Integer)
    verification: Mapped[Verification] = mapped_column(enum_column(Verification, "verification"))
    blanking: Mapped[bool | None] = mapped_column(Boolean)
    result: Mapped[SanitizationResult] = mapped_column(enum_column(SanitizationResult, "sanitization_result"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Who saw a physical destruction happen.
    witness: Mapped[str] = mapped_column(String(120), default="")
    log_id: Mapped[int | None] = mapped_column(ForeignKey("erasure_logs.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    #: Set when the workshop requires a supervisor to validate sanitizations.
    validated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    drive = relationship("Drive", back_populates="sanitizations")
    log: Mapped[ErasureLog | None] = relationship()
    operator = relationship("User", foreign_keys=[operator_id])
    validated_by = relationship("User", foreign_keys=[validated_by_id])

    @property
    def structure_id(self) -> int:
        """Return the owning workshop (for permission checks)."""
        return self.drive.workshop_id
