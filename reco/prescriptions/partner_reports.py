"""Partners' monthly reports of families equipped outside the pipeline, and the network's totals of families."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from reco.accounts.models import Structure, User
from reco.communes.entry import commune_meant, refused_field
from reco.communes.registry import CommuneAmbiguous, CommuneNotFound
from reco.core.audit import record_event
from reco.core.errors import ValidationFailed
from reco.core.time import local_today
from reco.extensions import db
from reco.inventory.models import DeviceType
from reco.prescriptions.models import PartnerReport, PartnerReportLine

MAX_FAMILIES = 100_000
MAX_LINES = 200
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value) -> date:
    """Return the first day of the month given as a date or as "YYYY-MM"; refuse the future and the absurd."""
    if isinstance(value, date):
        month = value.replace(day=1)
    else:
        match = MONTH_RE.match(value.strip()) if isinstance(value, str) else None
        if match is None or not 1 <= int(match.group(2)) <= 12:
            raise ValidationFailed(str(_l("Give the month as YYYY-MM, e.g. 2026-10.")),
                                   {"month": [str(_l("month expected"))]})
        if int(match.group(1)) < 2000:
            raise ValidationFailed(str(_l("Give a month since 2000.")), {"month": [str(_l("since 2000"))]})
        month = date(int(match.group(1)), int(match.group(2)), 1)
    if month > local_today().replace(day=1):
        raise ValidationFailed(str(_l("A month still to come cannot be reported.")),
                               {"month": [str(_l("this month or earlier"))]})
    if month.year < 2000:
        raise ValidationFailed(str(_l("Give a month since 2000.")), {"month": [str(_l("since 2000"))]})
    return month


def _count(value, name: str, line: int, errors: dict) -> int:
    """Return a number of families, noting a refusal for the line."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_FAMILIES:
        errors.setdefault(f"lines[{line}].{name}", []).append(
            str(_l("line %(n)d: a whole number between 0 and %(top)d", n=line + 1, top=MAX_FAMILIES)))
        return 0
    return value


class LineCommunesRefused(ValidationFailed):
    """Lines whose commune the registry cannot settle; ``refusals`` maps each line's index to its refusal."""

    shown_details = ("line_candidates",)

    def __init__(self, message: str, fields: dict[str, list[str]], refusals: dict[int, CommuneNotFound]):
        super().__init__(message, fields)
        self.refusals = refusals
        self.code = ("ambiguous_commune" if all(isinstance(r, CommuneAmbiguous) for r in refusals.values())
                     else "unknown_commune")
        self.details = {"line_candidates": {f"lines[{index}]": refusal.details["candidates"]
                                            for index, refusal in refusals.items()}}


def _line_commune(item: dict, index: int, chosen: str, errors: dict,
                  refusals: dict[int, CommuneNotFound]) -> tuple[str, str]:
    """Return the INSEE code and the registry's name of a line's commune, noting the registry's refusal."""
    code, postcode, name = (str(item.get(key) or "").strip() for key in ("insee_code", "postcode", "commune"))
    try:
        commune = commune_meant(insee_code=code, postcode=postcode, name=name, chosen=chosen)
    except CommuneNotFound as refusal:
        field = refused_field(refusal, insee_code=code, postcode=postcode, name=name)
        errors[f"lines[{index}].{field}"] = [str(_l("line %(n)d: %(reason)s", n=index + 1, reason=refusal.message))]
        refusals[index] = refusal
        return code.upper(), name
    return commune.code, commune.name


def _lines(raw, choices: list[str] | None = None) -> list[PartnerReportLine]:
    """Return the report's lines checked: commune, device type, counts, each pair once."""
    if not isinstance(raw, list) or len(raw) > MAX_LINES:
        raise ValidationFailed(str(_l("Send the lines as a list (%(n)d at most).", n=MAX_LINES)),
                               {"lines": [str(_l("list expected"))]})
    errors: dict[str, list[str]] = {}
    refusals: dict[int, CommuneNotFound] = {}
    lines, seen = [], set()
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            errors[f"lines[{index}]"] = [str(_l("line %(n)d: an object expected", n=index + 1))]
            continue
        chosen = choices[index] if choices and index < len(choices) else ""
        insee, commune = _line_commune(item, index, chosen, errors, refusals)
        try:
            kind = DeviceType(item.get("device_type"))
        except ValueError:
            errors[f"lines[{index}].device_type"] = [str(_l("line %(n)d: unknown type of device", n=index + 1))]
            kind = None
        families = _count(item.get("families"), "families", index, errors)
        accompanied = _count(item.get("accompanied", 0), "accompanied", index, errors)
        if accompanied > families:
            errors.setdefault(f"lines[{index}].accompanied", []).append(
                str(_l("line %(n)d: more families accompanied than equipped", n=index + 1)))
        if (insee, kind) in seen:
            errors[f"lines[{index}]"] = [str(_l("line %(n)d: this commune and device are already on another line",
                                                n=index + 1))]
        seen.add((insee, kind))
        lines.append(PartnerReportLine(insee_code=insee[:5], commune=commune[:120], device_type=kind,
                                       families=families, accompanied=accompanied))
    if refusals:
        raise LineCommunesRefused(str(_l("Some lines need a correction: nothing was recorded.")), errors, refusals)
    if errors:
        raise ValidationFailed(str(_l("Some lines need a correction: nothing was recorded.")), errors)
    return lines


def submit_partner_report(structure: Structure, *, by: User, month, lines, note: str = "",
                          choices: list[str] | None = None) -> PartnerReport:
    """Record a month's report (a correction, new version, if already reported); ``choices`` settle lines' communes."""
    month = parse_month(month)
    checked = _lines(lines, choices)
    if not isinstance(note, str) or len(note) > 500:
        raise ValidationFailed(str(_l("The note is too long (500 characters at most).")),
                               {"note": [str(_l("too long"))]})
    db.session.execute(select(Structure.id).where(Structure.id == structure.id).with_for_update())
    latest = db.session.scalar(select(func.max(PartnerReport.version)).where(
        PartnerReport.structure_id == structure.id, PartnerReport.month == month)) or 0
    db.session.execute(update(PartnerReport).where(PartnerReport.structure_id == structure.id,
                                                   PartnerReport.month == month).values(current=False))
    report = PartnerReport(structure_id=structure.id, month=month, version=latest + 1, current=True,
                           note=note.strip(), submitted_by_id=by.id, lines=checked)
    db.session.add(report)
    db.session.flush()
    record_event(by, report, "corrected" if latest else "created", month=month.isoformat()[:7],
                 families=report.families, version=report.version)
    return report
