"""Writing, submitting and deciding prescriptions; every change is an event and a notice to the other side."""
from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from reco.accounts.models import Structure, User
from reco.communes.entry import commune_meant, refused_field, refusal_with, sole_postcode
from reco.communes.registry import CommuneNotFound
from reco.core.audit import Event, events_for, record_event
from reco.core.errors import DomainError, ValidationFailed
from reco.core.notices import describes
from reco.core.time import local_today, utcnow
from reco.extensions import db
from reco.prescriptions.access import household_record, record_json
from reco.prescriptions.handover import signatures_export
from reco.prescriptions.lifecycle import PRESCRIPTION, lock_prescription, move_prescription, reason_of
from reco.prescriptions.models import (
    CHILDREN_FIELDS,
    TEXT_LIMITS,
    DeclineKind,
    DigitalLevel,
    EndKind,
    EquipmentWanted,
    InternetAtHome,
    Need,
    Prescription,
    PrescriptionStatus,
    Urgency,
)
from reco.prescriptions.reservations import release_device
from reco.prescriptions.visits import equipping_report, report_summary, visits_of
from reco.prescriptions.vocabulary import (
    DECLINE_KIND_LABELS,
    END_KIND_LABELS,
    PRESCRIPTION_REASON_LABELS,
    PRESCRIPTION_STATUS_LABELS,
)

P = PrescriptionStatus

COUNT_FIELDS = ("adults", *CHILDREN_FIELDS)
ENUM_FIELDS = {"digital_level": DigitalLevel, "equipment": EquipmentWanted, "internet": InternetAtHome,
               "urgency": Urgency}
FIELDS = (*TEXT_LIMITS, *COUNT_FIELDS, *ENUM_FIELDS, "qpv", "needs", "visit_wanted", "consent_on")
#: Fields a draft may leave empty but a submitted prescription must fill (the commune's INSEE code is found from
#: its postcode and name, and a commune the registry cannot settle is refused).
REQUIRED_TO_SUBMIT = ("contact_phone", "address", "postcode", "commune", "digital_level", "equipment", "internet")
MAX_PER_COUNT = 20
MAX_HOUSEHOLD = 30
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PHONE_RE = re.compile(r"^(0[1-9]\d{8}|\+\d{8,15})$")
POSTCODE_RE = re.compile(r"^\d{5}$")


def new_household_code() -> str:
    """Return an unused pseudonymous household code such as FOY-7K3M9Q."""
    while True:
        code = "FOY-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if db.session.scalar(select(Prescription.id).where(Prescription.code == code)) is None:
            return code


def workshops_for(structure: Structure) -> list[Structure]:
    """Return the active workshops a prescriber may address, its usual workshop first."""
    workshops = list(db.session.scalars(select(Structure).where(Structure.is_workshop.is_(True),
                                                                 Structure.active.is_(True))
                                        .order_by(Structure.name)))
    return sorted(workshops, key=lambda w: w.id != structure.usual_workshop_id)


def _text(value, name: str, errors: dict) -> str:
    """Return a text field trimmed, noting a wrong type."""
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[name] = [str(_l("text expected"))]
        return ""
    return value.strip()


def _count(value, name: str, errors: dict) -> int:
    """Return a head count between 0 and ``MAX_PER_COUNT``."""
    if value in (None, ""):
        return 1 if name == "adults" else 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PER_COUNT:
        errors[name] = [str(_l("a number between 0 and %(n)d", n=MAX_PER_COUNT))]
        return 0
    return value


def _phone(value: str) -> str:
    """Return a phone number without the spaces, dots and dashes people type."""
    return re.sub(r"[\s.\-()]", "", value)


def _clean(data: dict, *, complete: bool) -> dict:
    """Return the prescription fields checked; ``complete`` also requires what submission needs."""
    errors: dict[str, list[str]] = {}
    clean: dict = {name: _text(data.get(name), name, errors) for name in TEXT_LIMITS}
    for name, top in TEXT_LIMITS.items():
        if len(clean[name]) > top:
            errors[name] = [str(_l("at most %(n)d characters", n=top))]
    clean["contact_phone"] = _phone(clean["contact_phone"])
    clean["insee_code"] = clean["insee_code"].upper()
    if not clean["contact_name"]:
        errors["contact_name"] = [str(_l("Give the name of the person to contact."))]
    if clean["contact_phone"] and not PHONE_RE.match(clean["contact_phone"]):
        errors["contact_phone"] = [str(_l("A French number has 10 digits (06 12 34 56 78), or starts with +."))]
    if clean["postcode"] and not POSTCODE_RE.match(clean["postcode"]):
        errors["postcode"] = [str(_l("A postcode has 5 digits."))]
    refusal = None if errors.keys() & {"postcode", "commune", "insee_code"} else _place(
        clean, data.get("commune_choice") or "", complete, errors)
    for name in COUNT_FIELDS:
        clean[name] = _count(data.get(name), name, errors)
    if not errors.keys() & set(COUNT_FIELDS):
        size = sum(clean[name] for name in COUNT_FIELDS)
        if not 1 <= size <= MAX_HOUSEHOLD:
            errors["adults"] = [str(_l("A household has between 1 and %(n)d people.", n=MAX_HOUSEHOLD))]
    for name, kind in ENUM_FIELDS.items():
        value = data.get(name)
        try:
            clean[name] = kind(value) if value not in (None, "") else None
        except (ValueError, TypeError):
            errors[name] = [str(_l("choose one of the answers offered"))]
            clean[name] = None
    clean["urgency"] = clean["urgency"] or Urgency.NORMAL
    needs = data.get("needs") or []
    try:
        clean["needs"] = sorted({Need(n).value for n in needs}) if isinstance(needs, (list, tuple)) else None
    except (ValueError, TypeError):
        clean["needs"] = None
    if clean["needs"] is None:
        errors["needs"] = [str(_l("choose among the needs offered"))]
    for name in ("qpv", "visit_wanted"):
        value = data.get(name, name == "visit_wanted")
        if not isinstance(value, bool):
            errors[name] = [str(_l("yes or no expected"))]
        clean[name] = bool(value)
    consent_on = data.get("consent_on")
    if not isinstance(consent_on, date):
        errors["consent_on"] = [str(_l("Give the day the household agreed."))]
    elif consent_on > local_today() or consent_on < local_today() - timedelta(days=366):
        errors["consent_on"] = [str(_l("The consent is dated today or within the past year."))]
    clean["consent_on"] = consent_on
    if complete:
        for name in REQUIRED_TO_SUBMIT:
            if not clean.get(name) and name not in errors and not (refusal and name in ("postcode", "commune")):
                errors[name] = [str(_l("required to send the prescription"))]
        if not clean["needs"] and "needs" not in errors:
            errors["needs"] = [str(_l("tick at least one need"))]
        if clean["urgency"] is not Urgency.NORMAL and not clean["urgency_reason"]:
            errors["urgency_reason"] = [str(_l("say why it is urgent"))]
    if errors:
        message = str(_l("Some answers need a correction: see the fields marked."))
        raise refusal_with(refusal, message, errors) if refusal else ValidationFailed(message, errors)
    return clean


def _place(clean: dict, chosen: str, complete: bool, errors: dict) -> CommuneNotFound | None:
    """Set the registry's code and name of the commune typed; note its refusal, unless a draft keeps what was typed."""
    typed = clean["insee_code"]
    if not (typed or clean["postcode"] or clean["commune"]):
        return None
    try:
        commune = commune_meant(insee_code=typed, postcode=clean["postcode"], name=clean["commune"], chosen=chosen)
    except CommuneNotFound as refusal:
        if typed or complete:
            errors[refused_field(refusal, insee_code=typed, postcode=clean["postcode"], name=clean["commune"])] = [
                refusal.message]
            return refusal
        return None
    clean["insee_code"], clean["commune"] = commune.code, commune.name
    clean["postcode"] = clean["postcode"] or sole_postcode(commune)
    return None


def _check_consent(consent) -> None:
    """Refuse to record anything about a household that did not agree."""
    if consent is not True:
        raise ValidationFailed(str(_l("The household's consent is required before anything about it is recorded.")),
                               {"consent": [str(_l("tick once the household has agreed"))]})


def _check_workshop(workshop) -> None:
    """Refuse a receiving structure that is not an active workshop."""
    if workshop is None or not workshop.is_workshop or not workshop.active:
        raise ValidationFailed(str(_l("Choose the workshop that will provide the device.")),
                               {"workshop": [str(_l("choose a workshop"))]})


def create_prescription(*, by: User, workshop: Structure | None, consent, submit: bool = False,
                        **data) -> Prescription:
    """Write a prescription for a household of the prescriber's structure, as a draft or submitted."""
    _check_consent(consent)
    _check_workshop(workshop)
    clean = _clean(data, complete=submit)
    prescription = Prescription(code=new_household_code(), structure_id=by.structure_id, workshop_id=workshop.id,
                                created_by_id=by.id, consent_recorded_by_id=by.id, consent_recorded_at=utcnow(),
                                status=P.DRAFT, **clean)
    db.session.add(prescription)
    db.session.flush()
    record_event(by, prescription, "created", workshop=workshop.name)
    if submit:
        move_prescription(prescription, "submit", by=by)
    return prescription


def update_prescription(prescription: Prescription, *, by: User, workshop: Structure | None, consent,
                        submit: bool = False, **data) -> Prescription:
    """Change what the prescriber wrote while the workshop has not decided, and submit it if asked."""
    lock_prescription(prescription)
    if not prescription.editable:
        raise DomainError(str(_l("The prescription is « %(status)s »: it can no longer be changed. Write to the "
                                 "workshop if something is wrong.",
                                 status=PRESCRIPTION_STATUS_LABELS[prescription.status])))
    _check_consent(consent)
    _check_workshop(workshop)
    clean = _clean(data, complete=submit or prescription.status is P.SUBMITTED)
    if workshop.id != prescription.workshop_id and prescription.status is not P.DRAFT:
        raise DomainError(str(_l("A submitted prescription stays with its workshop: withdraw it and write a new "
                                 "one to ask another workshop.")))
    changed = sorted(name for name, value in clean.items() if getattr(prescription, name) != value)
    for name in changed:
        setattr(prescription, name, clean[name])
    prescription.workshop_id = workshop.id
    if changed:
        record_event(by, prescription, "updated", fields=changed)
    if submit and prescription.status is P.DRAFT:
        move_prescription(prescription, "submit", by=by)
    return prescription


def withdraw_prescription(prescription: Prescription, *, by: User, reason: str = "",
                          reason_kind: str | None = None) -> Prescription:
    """Withdraw a prescription the workshop has not accepted yet; what is written about it stays on it only."""
    kind, detail = reason_of(EndKind, reason_kind, reason)
    lock_prescription(prescription)
    move_prescription(prescription, "withdraw", by=by, reason_kind=kind)
    prescription.reason_kind, prescription.withdraw_reason = kind, detail
    return prescription


def decide_prescription(prescription: Prescription, *, by: User, accept, reason: str = "",
                        reason_kind: str | None = None) -> Prescription:
    """Accept a submitted prescription onto the waiting list, or decline it with a reason for the prescriber."""
    if not isinstance(accept, bool):
        raise ValidationFailed(str(_l("Say whether the prescription is accepted (true) or declined (false).")),
                               {"accept": [str(_l("yes or no expected"))]})
    if accept:
        kind, detail = "", ""
    else:
        kind, detail = reason_of(DeclineKind, reason_kind, reason, field="reason", limit=1000,
                                 missing=_l("Give the reason for declining: the social worker will read it."))
    lock_prescription(prescription)
    move_prescription(prescription, "accept" if accept else "decline", by=by, reason_kind=kind)
    prescription.decided_at = utcnow()
    if not accept:
        prescription.reason_kind, prescription.decline_reason = kind, detail
    return prescription


def cancel_prescription(prescription: Prescription, *, by: User, reason: str = "",
                        reason_kind: str | None = None) -> Prescription:
    """Cancel an accepted prescription (the family no longer needs it); a reserved device goes back to the shelf."""
    kind, detail = reason_of(EndKind, reason_kind, reason, field="reason", limit=1000,
                             missing=_l("Give the reason for cancelling."))
    lock_prescription(prescription)
    PRESCRIPTION.check(prescription, "cancel")
    if prescription.awaiting_handover:
        release_device(prescription, by=by, reason="")
    prescription.reason_kind, prescription.cancel_reason = kind, detail
    move_prescription(prescription, "cancel", by=by, reason_kind=kind)
    return prescription


def reason_shown(prescription: Prescription) -> str:
    """Return why the prescription was withdrawn, declined or cancelled, as its reader sees it: kind and detail."""
    detail = {P.WITHDRAWN: prescription.withdraw_reason, P.DECLINED: prescription.decline_reason,
              P.CANCELLED: prescription.cancel_reason}.get(prescription.status, "")
    labels = DECLINE_KIND_LABELS if prescription.status is P.DECLINED else END_KIND_LABELS
    kind = str(labels.get(prescription.reason_kind, "")) if prescription.reason_kind else ""
    return " — ".join(part for part in (kind, detail) if part)


def ending_notice(prescription: Prescription) -> dict | None:
    """Return what the prescription's page says first of one withdrawn, declined or cancelled: level and text."""
    reason = reason_shown(prescription)
    if prescription.status is P.DECLINED:
        return {"level": "error", "text": _("Declined by the workshop: %(reason)s", reason=reason or "—")}
    if prescription.status is P.CANCELLED:
        return {"level": "error", "text": _("Cancelled: %(reason)s", reason=reason or "—")}
    if prescription.status is P.WITHDRAWN and reason:
        return {"level": "warning", "text": _("Withdrawn: %(reason)s", reason=reason)}
    return None


@describes("prescription")
def describe_prescription_event(event: Event) -> str:
    """Tell a prescription's change of status in a sentence: kinds of reasons only, never what was typed."""
    kind = event.details.get("reason_kind")
    kind_label = str(PRESCRIPTION_REASON_LABELS.get(kind, kind)) if kind else ""
    if event.action == "device_returned":
        text = str(_l("device %(tag)s brought back", tag=event.details.get("device", "")))
        return f"{text}: {kind_label}" if kind_label else text
    to = PRESCRIPTION_STATUS_LABELS.get(event.details.get("to"), event.details.get("to"))
    text = str(_l("now « %(status)s »", status=to))
    if event.details.get("device"):
        text += " — " + str(_l("device %(tag)s", tag=event.details["device"]))
        if event.details.get("to") == P.EQUIPPED.value:
            report = equipping_report(int(event.object_id), event.details["device"])
            if report is not None:
                text += " — " + report_summary(report)
    if kind_label:
        text += " — " + kind_label
    return text


def household_export(prescription: Prescription) -> dict:
    """Return everything Reco holds about one household, for its right of access: the fields by their names for
    software, and in ``fiche`` the same record in French words, section by section, as the PDF gives it."""
    def plain(value):
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value.value if hasattr(value, "value") else value

    fields = {name: plain(getattr(prescription, name)) for name in FIELDS}
    visits = list(reversed(visits_of(prescription)))
    report_fields = ("installed_working", "internet_connected", "internet_problem", "accounts", "first_steps",
                     "digital_level", "follow_ups", "comments", "receipt_signed", "signer_name", "signed_at",
                     "no_signature_reason", "receipt_number", "reported_at")
    return {
        "household_code": prescription.code,
        "prescribing_structure": prescription.structure.name,
        "workshop": prescription.workshop.name,
        "status": prescription.status.value,
        "consent": {"given_on": prescription.consent_on.isoformat(),
                    "recorded_by": prescription.consent_recorded_by.name if prescription.consent_recorded_by else None,
                    "recorded_at": prescription.consent_recorded_at.isoformat()},
        "details": fields,
        "reason_kind": prescription.reason_kind or None,
        "withdraw_reason": prescription.withdraw_reason or None,
        "decline_reason": prescription.decline_reason or None,
        "cancel_reason": prescription.cancel_reason or None,
        "personal_data_erased_at": plain(prescription.personal_data_erased_at),
        "reservations": [{"device": r.device.tag, "reserved_at": r.reserved_at.isoformat(),
                          "released_at": r.released_at.isoformat() if r.released_at else None,
                          "release_kind": r.release_kind or None, "release_reason": r.release_reason or None}
                         for r in prescription.reservations],
        "visits": [{"installer": None if v.at_workshop else v.installer.name, "at_workshop": v.at_workshop,
                    "status": v.status.value, "requested_at": v.requested_at.isoformat(),
                    "scheduled_on": plain(v.scheduled_on), "slot": plain(v.slot), "note": v.note or None,
                    "missed": [{"planned_on": m.planned_on.isoformat(), "kind": m.kind, "detail": m.detail or None}
                               for m in v.misses],
                    "cancel_kind": v.cancel_kind or None, "cancel_reason": v.cancel_reason or None,
                    "closed_at": plain(v.closed_at),
                    "report": None if v.report is None else {name: plain(getattr(v.report, name))
                                                             for name in report_fields}}
                   for v in visits],
        "handover_signatures": signatures_export(prescription),
        "history": [{"at": e.at.isoformat(), "action": e.action, "by": e.actor.name if e.actor else None,
                     "details": e.details} for e in reversed(events_for(prescription))],
        "fiche": record_json(household_record(prescription)),
        "exported_at": utcnow().isoformat(),
    }

