"""Read the registry from the data files of ``@etalab/decoupage-administratif`` and store it."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, insert

from reco.communes.models import Commune, CommuneKind, CommunePostcode, Territory
from reco.communes.registry import search_name
from reco.extensions import db

#: The package's commune types, as Reco names them.
KINDS = {"commune-actuelle": CommuneKind.CURRENT, "commune-deleguee": CommuneKind.DELEGATED,
         "commune-associee": CommuneKind.ASSOCIATED, "arrondissement-municipal": CommuneKind.DISTRICT}


def _epci_of(epci: Iterable[dict]) -> dict[str, str]:
    """Return the EPCI's SIREN of each member commune's code."""
    return {member["code"]: group["code"] for group in epci for member in group.get("membres", [])}


def store_registry(communes: list[dict], epci: list[dict], departements: list[dict], regions: list[dict]) -> int:
    """Replace the stored registry by the package's records; return the number of communes stored (current ones)."""
    member_of = _epci_of(epci)
    rows, postcodes = [], set()
    for record in communes:
        kind = KINDS.get(record.get("type", ""))
        if kind is None:
            continue
        current = {CommuneKind.CURRENT: record["code"], CommuneKind.DISTRICT: record.get("commune")}.get(
            kind, record.get("chefLieu"))
        rows.append({"code": record["code"], "kind": kind.value, "name": record["nom"],
                     "search_name": search_name(record["nom"]), "current_code": current or record["code"],
                     "departement_code": record.get("departement", ""), "region_code": record.get("region", ""),
                     "epci_code": member_of.get(record["code"]) if kind == CommuneKind.CURRENT else None,
                     "population": record.get("population")})
        if kind in (CommuneKind.CURRENT, CommuneKind.DISTRICT):
            postcodes.update((postcode, current) for postcode in record.get("codesPostaux", []))
    territories = ([{"kind": "departement", "code": d["code"], "name": d["nom"]} for d in departements]
                   + [{"kind": "region", "code": r["code"], "name": r["nom"]} for r in regions]
                   + [{"kind": "epci", "code": e["code"], "name": e["nom"]} for e in epci])
    for model in (CommunePostcode, Commune, Territory):
        db.session.execute(delete(model))
    for model, values in ((Commune, rows), (Territory, territories),
                          (CommunePostcode, [{"postcode": p, "code": c} for p, c in sorted(postcodes)])):
        for start in range(0, len(values), 2000):
            db.session.execute(insert(model), values[start:start + 2000])
    return sum(1 for row in rows if row["kind"] == CommuneKind.CURRENT)
