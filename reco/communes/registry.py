"""Look communes up in the registry: by INSEE code, postcode or name, and the names of codes for display."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from reco.communes.models import Commune, CommuneKind, CommunePostcode, Territory
from reco.core.errors import ValidationFailed
from reco.extensions import db

#: How many candidates a refusal lists at most.
MAX_CANDIDATES = 20
#: The longest code, postcode and name the registry holds: anything longer matches nothing and is not looked up.
CODE_SIZE, NAME_SIZE = 5, 120


def _shown(text: str) -> str:
    """Return typed text as a message repeats it: cut after a name's length."""
    return text if len(text) <= NAME_SIZE else text[:NAME_SIZE] + "…"


class CommuneNotFound(ValidationFailed):
    """No commune of the registry matches what was typed; ``candidates`` lists near ones (e.g. of the postcode)."""

    code = "unknown_commune"
    shown_details = ("candidates",)

    def __init__(self, message: str, candidates: list[Commune] | None = None):
        super().__init__(message, {"insee_code": [message]})
        self.candidates = candidates or []
        self.details = {"candidates": [candidate_json(c) for c in self.candidates]}


class CommuneAmbiguous(CommuneNotFound):
    """Several communes match what was typed; one must be chosen among ``candidates``."""

    code = "ambiguous_commune"


def search_name(name: str) -> str:
    """Return a name as compared: lowercase, no accents, hyphens and apostrophes as spaces, St as Saint."""
    text = "".join(c for c in unicodedata.normalize("NFKD", name or "") if not unicodedata.combining(c)).lower()
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join({"st": "saint", "ste": "sainte"}.get(word, word) for word in words)


def candidate_json(commune: Commune) -> dict:
    """Return a commune as the API lists it among candidates."""
    return {"insee_code": commune.code, "name": commune.name, "departement": commune.departement_code,
            "postcodes": postcodes_of(commune.code)}


def postcodes_of(code: str) -> list[str]:
    """Return the postcodes of a current commune."""
    return list(db.session.scalars(select(CommunePostcode.postcode).where(CommunePostcode.code == code)
                                   .order_by(CommunePostcode.postcode)))


def current_commune(code: str) -> Commune | None:
    """Return the current commune a code stands for (itself, or the commune a former one merged into), or None."""
    code = (code or "").strip().upper()
    if not code or len(code) > CODE_SIZE:
        return None
    entry = db.session.scalars(select(Commune).where(Commune.code == code)
                               .order_by(Commune.kind != CommuneKind.CURRENT.value)).first()
    if entry is None:
        return None
    if entry.kind == CommuneKind.CURRENT:
        return entry
    return db.session.scalars(select(Commune).where(Commune.code == entry.current_code,
                                                    Commune.kind == CommuneKind.CURRENT.value)).first()


def by_postcode(postcode: str) -> list[Commune]:
    """Return the current communes a postcode serves, by name."""
    postcode = postcode.strip()
    if len(postcode) > CODE_SIZE:
        return []
    return list(db.session.scalars(
        select(Commune).join(CommunePostcode, CommunePostcode.code == Commune.code)
        .where(CommunePostcode.postcode == postcode, Commune.kind == CommuneKind.CURRENT.value)
        .order_by(Commune.search_name)))


def by_name(name: str) -> list[Commune]:
    """Return the current communes whose name, today or before a merger, is ``name`` (else starts with it)."""
    wanted = search_name(name)
    if not wanted or len(wanted) > NAME_SIZE:
        return []
    for condition in (Commune.search_name == wanted, Commune.search_name.startswith(wanted + " ")):
        codes = set(db.session.scalars(select(Commune.current_code).where(condition)))
        if codes:
            return _current(codes)
    return []


def _current(codes: Iterable[str]) -> list[Commune]:
    """Return the current communes of ``codes``, by name."""
    return list(db.session.scalars(select(Commune).where(Commune.code.in_(set(codes)),
                                                         Commune.kind == CommuneKind.CURRENT.value)
                                   .order_by(Commune.search_name, Commune.code)))


def candidates(postcode: str = "", name: str = "") -> list[Commune]:
    """Return the current communes matching a postcode and/or a name (a former name counts for its commune)."""
    postcode, name = (postcode or "").strip(), (name or "").strip()
    if postcode and name:
        served = by_postcode(postcode)
        named = {c.code for c in by_name(name)}
        return [c for c in served if c.code in named]
    if postcode:
        return by_postcode(postcode)
    return by_name(name)


def resolve(insee_code: str = "", postcode: str = "", name: str = "") -> Commune:
    """Return the one current commune meant by an INSEE code, or by a postcode and/or name; refuse otherwise."""
    insee_code = (insee_code or "").strip().upper()
    if insee_code:
        commune = current_commune(insee_code)
        if commune is not None:
            _check_matches(commune, postcode, name)
            return commune
        served = by_postcode(insee_code) if insee_code.isdigit() else []
        if served:
            raise CommuneNotFound(str(_l("%(code)s is a postcode, not an INSEE code: choose the commune.",
                                         code=_shown(insee_code))), served[:MAX_CANDIDATES])
        raise CommuneNotFound(str(_l("%(code)s is not the INSEE code of a French commune.", code=_shown(insee_code))))
    if not (postcode or "").strip() and not (name or "").strip():
        raise CommuneNotFound(str(_l("Give the commune's postcode or name.")))
    found = candidates(postcode, name)
    if len(found) == 1:
        return found[0]
    if found:
        raise CommuneAmbiguous(str(_l("Several communes match: choose one.")), found[:MAX_CANDIDATES])
    near = by_postcode(postcode) if (postcode or "").strip() else []
    raise CommuneNotFound(str(_l("No commune matches this postcode and name.")), near[:MAX_CANDIDATES])


def _check_matches(commune: Commune, postcode: str, name: str) -> None:
    """Refuse a code whose commune is not the one named, or does not serve the postcode given with it."""
    postcode, name = (postcode or "").strip(), (name or "").strip()
    if name and commune.code not in {c.code for c in by_name(name)}:
        raise CommuneNotFound(str(_l("%(code)s is the INSEE code of %(commune)s, not of %(name)s.",
                                     code=commune.code, commune=commune.name, name=_shown(name))),
                              candidates(postcode, name)[:MAX_CANDIDATES] or by_name(name)[:MAX_CANDIDATES])
    if postcode and commune.code not in {c.code for c in by_postcode(postcode)}:
        raise CommuneNotFound(str(_l("%(commune)s does not have the postcode %(postcode)s.",
                                     commune=commune.name, postcode=_shown(postcode))),
                              by_postcode(postcode)[:MAX_CANDIDATES])


def current_communes(codes: Iterable[str]) -> dict[str, Commune]:
    """Return the current commune of each code found in the registry (a former code or a district: its commune)."""
    codes = {code for code in codes if code}
    if not codes:
        return {}
    entry = aliased(Commune)
    rows = db.session.execute(
        select(entry.code, Commune).join(Commune, and_(Commune.code == entry.current_code,
                                                       Commune.kind == CommuneKind.CURRENT.value))
        .where(entry.code.in_(codes)).order_by(entry.kind != CommuneKind.CURRENT.value)).all()
    found: dict[str, Commune] = {}
    for code, commune in rows:
        found.setdefault(code, commune)
    return found


def commune_names(codes: Iterable[str]) -> dict[str, str]:
    """Return the current name of each code found in the registry (former codes get their commune's name)."""
    return {code: commune.name for code, commune in current_communes(codes).items()}


def commune_label(code: str) -> str:
    """Return « Name (code) » for a code in the registry, else the bare code."""
    name = commune_names([code]).get(code)
    return f"{name} ({code})" if name else (code or "")


def territory_names(kind: str, codes: Iterable[str] | None = None) -> dict[str, str]:
    """Return the names of the départements, régions or EPCI (``kind``), all of them or of ``codes``."""
    query = select(Territory.code, Territory.name).where(Territory.kind == kind)
    if codes is not None:
        query = query.where(Territory.code.in_(set(codes)))
    return dict(db.session.execute(query).all())
