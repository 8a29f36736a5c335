"""Changing the impact factors, with the change recorded."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from reco.accounts.models import User
from reco.core.audit import record_event
from reco.core.errors import ValidationFailed
from reco.core.time import utcnow
from reco.reports.models import ImpactFactor

LIMITS = {"weight_kg": 1000, "manufacture_co2e_kg": 100_000, "avoided_co2e_kg_per_year": 10_000, "years_of_use": 20}


def update_factor(factor: ImpactFactor | None, *, by: User, source: str = "", **values) -> ImpactFactor:
    """Change the factors of one device type; each must be a number between 0 and its limit."""
    if factor is None:
        raise ValidationFailed(str(_l("Choose a type of device.")), {"device_type": [str(_l("unknown type"))]})
    before = {}
    for name, value in values.items():
        try:
            number = Decimal(str(value).replace(",", "."))
        except (InvalidOperation, ValueError):
            number = None
        if number is None or not number.is_finite() or not 0 <= number <= LIMITS[name]:
            raise ValidationFailed(str(_l("Give a number between 0 and %(top)d.", top=LIMITS[name])),
                                   {name: [str(_l("number out of range"))]})
        before[name] = str(getattr(factor, name))
        setattr(factor, name, number)
    factor.source = str(source or "").strip()[:300]
    factor.updated_at, factor.updated_by_id = utcnow(), by.id
    record_event(by, factor, "updated", before=before, after={k: str(v) for k, v in values.items()})
    return factor
