"""Quantities typed at the workbench, as French people type them ("2,3")."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from reco.core.errors import ValidationFailed


def parse_weight(value) -> Decimal | None:
    """Return a weight in kilograms from text such as "2,3", None when empty."""
    if value is None or value == "":
        return None
    weight = decimal_of(value)
    weight = weight.quantize(Decimal("0.01")) if weight is not None and abs(weight) <= 10 ** 6 else None
    if weight is None or weight <= 0 or weight > 500:
        message = str(_l("Give the weight in kilograms, e.g. 2,3."))
        raise ValidationFailed(message, {"weight_kg": [message]})
    return weight


def decimal_of(value) -> Decimal | None:
    """Return a finite decimal from a number or text such as "2,3", or None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except ArithmeticError:
        return None
    return number if number.is_finite() and abs(number) < 10 ** 18 else None
