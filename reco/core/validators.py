"""Checks of French identifiers and codes shared by every feature."""
from __future__ import annotations

import re

#: A département (01-95 without 20, 2A/2B for Corsica, or 971-976 overseas) then a commune number from 001.
INSEE_RE = re.compile(r"^(?:(?:0[1-9]|1\d|2[1-9]|[3-8]\d|9[0-5])\d{3}|2[AB]\d{3}|97[1-6]\d{2})$")
#: SIREN of La Poste, whose establishments' SIRET follow a different key.
LA_POSTE_SIREN = "356000000"


def luhn_valid(digits: str) -> bool:
    """Tell whether a string of digits passes the Luhn check."""
    if not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise_number(value: str) -> str:
    """Drop the spaces, dots and dashes people type inside SIREN and SIRET numbers."""
    return re.sub(r"[\s.\-]", "", value or "")


def siren_valid(value: str) -> bool:
    """Tell whether ``value`` is a SIREN: 9 digits with a valid Luhn key."""
    value = normalise_number(value)
    return len(value) == 9 and luhn_valid(value)


def siret_valid(value: str) -> bool:
    """Tell whether ``value`` is a SIRET: 14 digits, valid SIREN, Luhn key (or La Poste's own rule)."""
    value = normalise_number(value)
    if len(value) != 14 or not value.isdigit():
        return False
    if not luhn_valid(value[:9]):
        return False
    if value.startswith(LA_POSTE_SIREN) and sum(int(c) for c in value) % 5 == 0:
        return True
    return luhn_valid(value)


def insee_valid(value: str) -> bool:
    """Tell whether ``value`` has the form of an INSEE commune code of a real département."""
    value = (value or "").strip().upper()
    return bool(INSEE_RE.match(value)) and not value.endswith("000")
