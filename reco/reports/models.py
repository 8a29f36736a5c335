"""Impact factors per type of device: the weight it keeps out of waste and the CO2e its reuse avoids."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, select
from sqlalchemy.orm import Mapped, mapped_column

from reco.core.columns import enum_column
from reco.core.time import UTCDateTime, utcnow
from reco.extensions import db
from reco.inventory.models import DeviceType


class ImpactFactor(db.Model):
    """The figures used to turn reused devices into kilograms kept out of waste and of CO2e avoided."""

    __tablename__ = "impact_factors"
    audit_type = "impact_factor"

    device_type: Mapped[DeviceType] = mapped_column(enum_column(DeviceType, "device_type"), primary_key=True)
    #: Weight counted for a device of this type whose weight was not recorded.
    weight_kg: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=0)
    #: Greenhouse gases emitted to manufacture a new one (shown for context).
    manufacture_co2e_kg: Mapped[Decimal] = mapped_column(Numeric(8, 1), default=0)
    #: CO2e a reused device avoids per year of use, against buying a new one.
    avoided_co2e_kg_per_year: Mapped[Decimal] = mapped_column(Numeric(8, 1), default=0)
    #: Years of use a reused device is counted for.
    years_of_use: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=3)
    #: Where the figures come from, shown on the dashboard.
    source: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def co2e_avoided_kg(self) -> Decimal:
        """Return the CO2e one reused device avoids."""
        return self.avoided_co2e_kg_per_year * self.years_of_use

    @property
    def id(self) -> str:
        """Return the device type, which identifies the factor (for the audit trail)."""
        return self.device_type.value


#: device type -> (weight kg, manufacture kg CO2e, avoided kg CO2e per year, years, source); the first migration
#: wrote the same figures. Laptops: ADEME; other types count no CO2e until the coordinator enters a cited figure.
DEFAULT_FACTORS = {
    DeviceType.LAPTOP: ("2.0", "183", "27", "3", "Fabrication : ADEME, Impact CO2 (ordinateur portable, ~183 kg "
                                                 "CO2e). Évité : ADEME, étude 2022 sur les produits reconditionnés "
                                                 "(~27 kg CO2e par an d'usage)."),
    DeviceType.DESKTOP: ("7.5", "0", "0", "3", ""), DeviceType.ALL_IN_ONE: ("8.0", "0", "0", "3", ""),
    DeviceType.TABLET: ("0.5", "0", "0", "3", ""), DeviceType.SMARTPHONE: ("0.2", "0", "0", "3", ""),
    DeviceType.SCREEN: ("4.5", "0", "0", "3", ""), DeviceType.PRINTER: ("7.0", "0", "0", "3", ""),
    DeviceType.OTHER: ("1.0", "0", "0", "3", ""),
}


def ensure_default_factors() -> int:
    """Add the default factor of every device type that has none; return how many were added."""
    present = set(db.session.scalars(select(ImpactFactor.device_type)))
    missing = [kind for kind in DeviceType if kind not in present]
    for kind in missing:
        weight, made, avoided, years, source = DEFAULT_FACTORS[kind]
        db.session.add(ImpactFactor(device_type=kind, weight_kg=Decimal(weight), manufacture_co2e_kg=Decimal(made),
                                    avoided_co2e_kg_per_year=Decimal(avoided), years_of_use=Decimal(years),
                                    source=source))
    db.session.flush()
    return len(missing)


def factors_by_type() -> dict[DeviceType, ImpactFactor]:
    """Return the impact factors by device type."""
    return {f.device_type: f for f in db.session.scalars(select(ImpactFactor))}
