"""The commune people mean: by its INSEE code, or by the postcode and/or name they type, one of several chosen."""
from __future__ import annotations

from reco.communes.models import Commune
from reco.communes.registry import (
    CommuneAmbiguous,
    CommuneNotFound,
    by_name,
    postcodes_of,
    resolve,
    territory_names,
)


def commune_meant(*, insee_code: str = "", postcode: str = "", name: str = "", chosen: str = "") -> Commune:
    """Return the commune of a checked INSEE code, else of the postcode and/or name, or one ``chosen`` among several."""
    if (insee_code or "").strip():
        try:
            return resolve(insee_code=insee_code, postcode=postcode, name=name)
        except CommuneNotFound as refusal:
            refusal.choices = []
            raise
    try:
        return resolve(postcode=postcode, name=name)
    except CommuneNotFound as refusal:
        refusal.choices = choosable(refusal, name)
        picked = next((c for c in refusal.choices if chosen and c.code == chosen.strip().upper()), None)
        if picked is None:
            raise
        return picked


def choosable(refusal: CommuneNotFound, name: str) -> list[Commune]:
    """Return the communes one may choose after a refusal: any of several, or the postcode's when the name is a typo."""
    if isinstance(refusal, CommuneAmbiguous) or not (name or "").strip() or not by_name(name):
        return refusal.candidates
    return []


def sole_postcode(commune: Commune) -> str:
    """Return the commune's postcode when it has only one, else ""."""
    postcodes = postcodes_of(commune.code)
    return postcodes[0] if len(postcodes) == 1 else ""


def refused_field(refusal: CommuneNotFound, *, insee_code: str = "", postcode: str = "", name: str = "") -> str:
    """Return the field a refusal is shown on: the code (or the choice among candidates), else what was typed."""
    if (insee_code or "").strip() or getattr(refusal, "choices", refusal.candidates):
        return "insee_code"
    return "postcode" if (postcode or "").strip() and not (name or "").strip() else "commune"


def refusal_with(refusal: CommuneNotFound, message: str, fields: dict[str, list[str]]) -> CommuneNotFound:
    """Return the refusal, with its candidates, about a whole form whose ``fields`` are wrong."""
    error = type(refusal)(refusal.message if len(fields) == 1 else message, refusal.candidates)
    error.fields, error.choices = fields, getattr(refusal, "choices", refusal.candidates)
    return error


def choice_labels(communes: list[Commune]) -> list[tuple[str, str]]:
    """Return (code, label) of communes to choose among: « Rennes (35238) — Ille-et-Vilaine (35), 35000, 35200 »."""
    departements = territory_names("departement", {c.departement_code for c in communes})
    labels = []
    for commune in communes:
        postcodes = postcodes_of(commune.code)
        shown = ", ".join(postcodes[:4]) + (", …" if len(postcodes) > 4 else "")
        where = f"{departements.get(commune.departement_code, '')} ({commune.departement_code})".strip()
        labels.append((commune.code, " — ".join(p for p in (commune.label, ", ".join(filter(None, (where, shown))))
                                                if p)))
    return labels
