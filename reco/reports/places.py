"""Where households live, as the figures filter and group them: communes by their current name, EPCI, départements."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, union
from sqlalchemy.orm import aliased

from reco.communes.models import Commune, CommuneKind
from reco.communes.registry import CommuneNotFound, current_commune, current_communes, resolve, territory_names
from reco.core.errors import ValidationFailed
from reco.extensions import db
from reco.prescriptions.models import PartnerReportLine, Prescription

#: The form of an EPCI's SIREN and of a département's code, checked before the registry is asked.
SIREN = re.compile(r"[0-9]{9}")
DEPARTEMENT = re.compile(r"[0-9]{2,3}|2[AB]")


@dataclass(frozen=True)
class PlaceFilter:
    """The communes the figures are limited to: one commune (its current code), an EPCI (SIREN), a département."""

    commune: str | None = None
    epci: str | None = None
    departement: str | None = None

    def __bool__(self) -> bool:
        """Tell whether the figures are limited to some communes."""
        return bool(self.commune or self.epci or self.departement)


def _refused(field: str, message: str) -> ValidationFailed:
    """Return the refusal of one filter, with its message for the person and for the field."""
    return ValidationFailed(message, {field: [message]})


def parse_places(commune: str | None = "", epci: str | None = "", departement: str | None = "") -> PlaceFilter:
    """Return the place filter of three texts checked against the registry, or refuse the first unknown one."""
    commune, epci, departement = ((text or "").strip().upper() for text in (commune, epci, departement))
    current = None
    if commune:
        try:
            current = resolve(insee_code=commune).code
        except CommuneNotFound as refused:
            message = refused.message if not refused.candidates else _l(
                "%(code)s is a postcode: give the INSEE code of the commune (%(communes)s).",
                code=commune, communes=", ".join(c.label for c in refused.candidates[:5]))
            raise _refused("commune", str(message)) from None
    if epci and not (SIREN.fullmatch(epci) and territory_names("epci", [epci])):
        raise _refused("epci", str(_l("%(code)s is not the SIREN of an EPCI.", code=epci)))
    if departement and not (DEPARTEMENT.fullmatch(departement) and territory_names("departement", [departement])):
        raise _refused("departement", str(_l("%(code)s is not the code of a French département.", code=departement)))
    return PlaceFilter(current, epci or None, departement or None)


def codes_within(places: PlaceFilter):
    """Return the query of every INSEE code (current, former, district) whose commune today is within ``places``."""
    current = select(Commune.code).where(Commune.kind == CommuneKind.CURRENT.value)
    if places.commune:
        current = current.where(Commune.code == places.commune)
    if places.epci:
        current = current.where(Commune.epci_code == places.epci)
    if places.departement:
        current = current.where(Commune.departement_code == places.departement)
    return select(Commune.code).where(Commune.current_code.in_(current))


def group_by_place(counts: dict[str, tuple[int, int]], level: str) -> list[tuple[str, int, int]]:
    """Return (label, pipeline, declared) per commune today, EPCI or département (``level``) of counts per INSEE
    code, largest first; a code the registry does not know stays a row of its own, under the bare code."""
    communes = current_communes(counts)
    names = territory_names(level, {getattr(c, f"{level}_code") or "" for c in communes.values()}) \
        if level != "commune" else {}
    groups: dict[str, list] = {}
    for code, (pipeline, declared) in counts.items():
        commune = communes.get(code)
        if commune is None:
            key, label = f"?{code}", code
        elif level == "commune":
            key, label = commune.code, commune.label
        elif level == "epci":
            key = commune.epci_code or ""
            label = names.get(key, key) if key else str(_l("No EPCI"))
        else:
            key = commune.departement_code
            label = f"{names[key]} ({key})" if key in names else key
        group = groups.setdefault(key, [label, 0, 0])
        group[1] += pipeline
        group[2] += declared
    return sorted((tuple(group) for group in groups.values()), key=lambda g: (-g[1], -g[2], g[0]))


def place_label(places: PlaceFilter) -> str:
    """Return what the figures are limited to, named, e.g. « Rennes (35238), Rennes Métropole »."""
    parts = []
    if places.commune:
        commune = current_commune(places.commune)
        parts.append(commune.label if commune else places.commune)
    if places.epci:
        parts.append(territory_names("epci", [places.epci]).get(places.epci, places.epci))
    if places.departement:
        name = territory_names("departement", [places.departement]).get(places.departement)
        parts.append(f"{name} ({places.departement})" if name else places.departement)
    return ", ".join(parts)


def territory_choices(kind: str, chosen: str | None = None) -> list[tuple[str, str]]:
    """Return (code, name) of the EPCI or départements where the network has equipped or declared families (and
    the one chosen), by name, for a filter's list."""
    codes = union(select(Prescription.insee_code), select(PartnerReportLine.insee_code))
    column = Commune.epci_code if kind == "epci" else Commune.departement_code
    entry = aliased(Commune)
    found = set(db.session.scalars(
        select(column).join(entry, entry.current_code == Commune.code)
        .where(Commune.kind == CommuneKind.CURRENT.value, entry.code.in_(codes), column.is_not(None))))
    names = territory_names(kind, found | ({chosen} if chosen else set()))
    if kind == "departement":
        names = {code: f"{code} – {name}" for code, name in names.items()}
    return sorted(names.items(), key=lambda item: item[1])
