"""Kinds of reasons about a household: closed lists that events and statistics may keep for good.

The words typed about a household (a detail) live only on the objects its erasure blanks; events, notices and
emails carry the kind only.
"""
from __future__ import annotations

import enum


class EndKind(enum.StrEnum):
    """Why a prescription is withdrawn or cancelled."""

    NO_LONGER_NEEDED = "no_longer_needed"
    EQUIPPED_ELSEWHERE = "equipped_elsewhere"
    MOVED = "moved"
    UNREACHABLE = "unreachable"
    MISTAKE = "mistake"
    OTHER = "other"


class DeclineKind(enum.StrEnum):
    """Why a workshop declines a prescription."""

    OUT_OF_AREA = "out_of_area"
    NOT_ELIGIBLE = "not_eligible"
    NO_SUITABLE_DEVICE = "no_suitable_device"
    DUPLICATE = "duplicate"
    INCOMPLETE = "incomplete"
    OTHER = "other"


class MissedKind(enum.StrEnum):
    """Why a planned visit could not be made."""

    NOBODY_HOME = "nobody_home"
    NO_ANSWER = "no_answer"
    WRONG_ADDRESS = "wrong_address"
    POSTPONED = "postponed"
    INSTALLER_UNAVAILABLE = "installer_unavailable"
    OTHER = "other"


class ReleaseKind(enum.StrEnum):
    """Why a visit is cancelled or a reserved device goes back on the shelf."""

    DEVICE_FAULT = "device_fault"
    BETTER_DEVICE = "better_device"
    HOUSEHOLD_POSTPONED = "household_postponed"
    UNREACHABLE = "unreachable"
    INSTALLER_UNAVAILABLE = "installer_unavailable"
    OTHER = "other"


class ReturnKind(enum.StrEnum):
    """Why a family brings a device back."""

    FAULT = "fault"
    DAMAGED = "damaged"
    NOT_SUITED = "not_suited"
    NO_LONGER_NEEDED = "no_longer_needed"
    OTHER = "other"


class ErasureGround(enum.StrEnum):
    """On what ground a household's personal data are erased."""

    HOUSEHOLD_REQUEST = "household_request"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    OBJECTION = "objection"
    #: Set by the purge only, never offered in the form.
    RETENTION = "retention"


#: The grounds a prescriber may choose in the erasure form.
REQUEST_GROUNDS = (ErasureGround.HOUSEHOLD_REQUEST, ErasureGround.CONSENT_WITHDRAWN, ErasureGround.OBJECTION)
