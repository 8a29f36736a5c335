"""The INSEE codes stored on prescriptions, partner report lines and structures, checked against the registry."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from reco.accounts.models import Structure
from reco.communes.models import Commune, CommuneKind
from reco.communes.registry import CommuneAmbiguous, CommuneNotFound, by_name, current_commune, resolve
from reco.core.audit import record_event
from reco.extensions import db
from reco.prescriptions.models import PartnerReport, PartnerReportLine, Prescription

#: Kinds of records that store a commune: (model, whether it has a postcode).
RECORD_KINDS = {"prescription": (Prescription, True), "partner_report_line": (PartnerReportLine, False),
                "structure": (Structure, True)}


@dataclass(frozen=True)
class Verdict:
    """What to do with a stored (code, postcode, name): keep it, change it, or have someone correct it."""

    #: "ok", "former" (a merged commune's code, mapped to today's), "resolved" (found from the postcode and name),
    #: "unknown" (no commune has this code, nor this postcode and name) or "ambiguous" (several could be meant),
    #: "mismatch" (the code is another commune's than the one named).
    reason: str
    code: str | None = None
    name: str | None = None
    candidates: tuple[str, ...] = ()

    @property
    def needs_correction(self) -> bool:
        """Tell whether nobody but a person can set the right code."""
        return self.code is None and self.reason != "ok"


@dataclass
class ToCorrect:
    """A record whose commune the registry could not settle."""

    kind: str
    record: object
    code: str
    name: str
    postcode: str
    verdict: Verdict


@dataclass
class Migration:
    """What checking the stored codes did: changes counted by reason, and the records left to correct."""

    changed: Counter = field(default_factory=Counter)
    to_correct: list[ToCorrect] = field(default_factory=list)


def check(code: str, postcode: str, name: str) -> Verdict:
    """Tell whether a stored code stands for the commune named, and which code to store otherwise."""
    postcode, name = (postcode or "").strip(), (name or "").strip()
    commune = current_commune(code)
    if commune is not None and (not name or commune.code in {c.code for c in by_name(name)}):
        kind = db.session.scalar(select(Commune.kind).where(Commune.code == code.strip().upper())
                                 .order_by(Commune.kind != CommuneKind.CURRENT.value).limit(1))
        if commune.code == code or kind == CommuneKind.DISTRICT:
            return Verdict("ok")
        return Verdict("former", commune.code)
    try:
        found = resolve(postcode=postcode, name=name)
    except CommuneAmbiguous as error:
        return Verdict("ambiguous", candidates=tuple(c.label for c in error.candidates))
    except CommuneNotFound as error:
        return Verdict("unknown" if commune is None else "mismatch",
                       candidates=tuple(c.label for c in error.candidates))
    return Verdict("resolved", found.code, found.name)


def _stored(kind: str) -> list[tuple[str, str, str]]:
    """Return each distinct (code, postcode, name) stored on records of ``kind``."""
    model, with_postcode = RECORD_KINDS[kind]
    columns = (model.insee_code, model.postcode, model.commune) if with_postcode else (model.insee_code, model.commune)
    rows = db.session.execute(select(*columns).where(model.insee_code != "").group_by(*columns)).all()
    return [tuple(row) if with_postcode else (row[0], "", row[1]) for row in rows]


def _records(kind: str, code: str, postcode: str, name: str) -> list:
    """Return the records of ``kind`` that store this code, postcode and name."""
    model, with_postcode = RECORD_KINDS[kind]
    query = select(model).where(model.insee_code == code, model.commune == name).order_by(model.id)
    if with_postcode:
        query = query.where(model.postcode == postcode)
    return list(db.session.scalars(query))


def _verdicts():
    """Yield (kind, code, postcode, name, verdict) for each distinct commune stored that is not right."""
    seen: dict[tuple[str, str, str], Verdict] = {}
    for kind in RECORD_KINDS:
        for code, postcode, name in _stored(kind):
            key = (code, postcode or "", name or "")
            if key not in seen:
                seen[key] = check(*key)
            if seen[key].reason != "ok":
                yield kind, *key, seen[key]


def to_correct() -> list[ToCorrect]:
    """Return the records whose stored commune the registry cannot settle, by kind then code."""
    found = [ToCorrect(kind, record, code, name, postcode, verdict)
             for kind, code, postcode, name, verdict in _verdicts() if verdict.needs_correction
             for record in _records(kind, code, postcode, name)]
    order = list(RECORD_KINDS)
    return sorted(found, key=lambda item: (order.index(item.kind), item.code, item.record.id))


def migrate_stored(version: str) -> Migration:
    """Map former codes to today's, settle codes the postcode and name make certain, list the rest; flush."""
    result = Migration()
    for kind, code, postcode, name, verdict in list(_verdicts()):
        records = _records(kind, code, postcode, name)
        if verdict.needs_correction:
            result.to_correct.extend(ToCorrect(kind, record, code, name, postcode, verdict) for record in records)
            continue
        for record in records:
            changes = {"insee_code": [code, verdict.code]}
            record.insee_code = verdict.code
            if verdict.name is not None and verdict.name != name:
                changes["commune"] = [name, verdict.name]
                record.commune = verdict.name
            audited = record.report if kind == "partner_report_line" else record
            record_event(None, audited, "commune_corrected", changes=changes, registry=version)
            result.changed[verdict.reason] += 1
    db.session.flush()
    return result


def correction_link(item: ToCorrect) -> tuple[str, dict]:
    """Return the endpoint and arguments of the page where the record's commune is seen or corrected."""
    if item.kind == "structure":
        return "accounts.edit_structure", {"structure_id": item.record.id}
    if item.kind == "partner_report_line":
        return "prescriptions.partner_report", {"report_id": item.record.report_id}
    return "accounts.structure", {"structure_id": item.record.structure_id}


def record_label(item: ToCorrect) -> str:
    """Return how a record is named in the list: a household by its code only."""
    if item.kind == "structure":
        return item.record.name
    if item.kind == "partner_report_line":
        report: PartnerReport = item.record.report
        return f"{report.structure.name} {report.month:%m/%Y} v{report.version}"
    return item.record.code


#: What each kind of record is called in the list.
KIND_LABELS = {"prescription": _l("Household"), "partner_report_line": _l("Line of a partner's report"),
               "structure": _l("Structure")}
#: Why a record is listed.
REASON_LABELS = {"unknown": _l("No commune has this INSEE code, nor this postcode and name."),
                 "mismatch": _l("This INSEE code is another commune's than the one named."),
                 "ambiguous": _l("Several communes have this postcode and name.")}
#: Who corrects each kind of record, where the link leads.
WHERE_LABELS = {"prescription": _l("The prescribing structure, on the prescription"),
                "partner_report_line": _l("The partner, by correcting the month's report"),
                "structure": _l("The coordinator, on the structure's form")}
