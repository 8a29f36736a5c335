"""The communes registry as stored: communes (current and former), their postcodes, and the territories above them."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reco.core.time import UTCDateTime, utcnow
from reco.extensions import db


class CommuneKind(enum.StrEnum):
    """Whether a code is a commune today, a commune merged into another, or a district of Paris, Lyon or Marseille."""

    CURRENT = "current"
    DELEGATED = "delegated"
    ASSOCIATED = "associated"
    DISTRICT = "district"


class Commune(db.Model):
    """One entry of the registry: a current commune, or a former one that maps to the current commune (``current_code``)."""

    __tablename__ = "communes"
    __table_args__ = (UniqueConstraint("code", "kind", name="uq_communes_code_kind"),
                      Index("ix_communes_search_name", "search_name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    #: INSEE code (5 characters, 2A/2B for Corsica); a former commune may share its code with the current one.
    code: Mapped[str] = mapped_column(String(5), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(120))
    #: The name lowercased, without accents, hyphens or apostrophes, to match what people type.
    search_name: Mapped[str] = mapped_column(String(120))
    #: The code of the commune it belongs to today (its own code for a current commune).
    current_code: Mapped[str] = mapped_column(String(5), index=True)
    departement_code: Mapped[str] = mapped_column(String(3), default="")
    region_code: Mapped[str] = mapped_column(String(3), default="")
    #: SIREN of the EPCI (intercommunality) the commune belongs to, if any.
    epci_code: Mapped[str | None] = mapped_column(String(9), index=True)
    population: Mapped[int | None] = mapped_column(Integer)

    @property
    def label(self) -> str:
        """Return the name with its INSEE code, e.g. « Rennes (35238) »."""
        return f"{self.name} ({self.code})"


class CommunePostcode(db.Model):
    """A postcode served by a commune (a district's postcode counts for its commune)."""

    __tablename__ = "commune_postcodes"

    postcode: Mapped[str] = mapped_column(String(5), primary_key=True)
    #: The current commune's INSEE code.
    code: Mapped[str] = mapped_column(String(5), primary_key=True)


class Territory(db.Model):
    """A département, a région or an EPCI, by its code, with its name."""

    __tablename__ = "territories"

    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class CommuneSource(db.Model):
    """One load of the registry by ``reco update-communes``: the package's release stored, and when."""

    __tablename__ = "commune_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The release of @etalab/decoupage-administratif, e.g. "6.0.0".
    version: Mapped[str] = mapped_column(String(40))
    #: The tarball's integrity (sha512) as checked before loading.
    integrity: Mapped[str] = mapped_column(String(100))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Current communes stored.
    communes: Mapped[int] = mapped_column(Integer)
