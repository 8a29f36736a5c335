"""Data protection: who reads a household's contact (checked and logged), and erasing its personal data on request or
after the retention period."""
from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update

from reco.accounts.models import Structure, User
from reco.api.idempotency import ApiReply
from reco.core.audit import Event, record_event
from reco.core.documents import Document, DocumentMeta, signed_pdf
from reco.core.errors import DomainError, ValidationFailed
from reco.core.pdf import build_pdf, paragraph
from reco.core.permissions import can
from reco.core.time import local_day_start, local_today, utcnow
from reco.extensions import db
from reco.prescriptions.models import CLOSED, ErasureGround, Prescription, ReturnKind, Visit, VisitMiss
from reco.prescriptions.lifecycle import lock_prescription
from reco.prescriptions.vocabulary import PRESCRIPTION_STATUS_LABELS

#: Free-text and contact fields of a prescription that name or locate the household.
PERSONAL_FIELDS = ("contact_name", "contact_phone", "address", "urgency_reason", "comment", "withdraw_reason",
                   "decline_reason", "cancel_reason")
#: Free-text fields of visits and visit reports, which may say who lives where, and the name of who signed.
VISIT_TEXTS = ("note", "cancel_reason")
REPORT_TEXTS = ("comments", "internet_problem", "signer_name", "no_signature_reason")
#: Events that show personal data leaving the prescribing structure, or being erased.
ACCESS_ACTIONS = ("personal_data_viewed", "personal_data_erased")
#: The reason the purge gave its erasures before grounds were a closed list, followed by the number of months.
RETENTION_REASON = "retention:"
#: Details that events once carried as typed words about a household; an erasure takes them out of its events.
TYPED_DETAILS = ("reason", "note")
#: The household's contact: whom to call and where it lives.
CONTACT_FIELDS = ("contact_name", "contact_phone", "address", "postcode")


def note_personal_data_access(user: User, prescription: Prescription, what: str) -> None:
    """Log that someone outside the prescribing structure saw the household's personal data: once a day per
    person, household and kind of page, however often they load it."""
    if user.structure_id == prescription.structure_id:
        return
    seen_today = db.session.scalars(select(Event.details).where(
        Event.object_type == prescription.audit_type, Event.object_id == str(prescription.id),
        Event.action == "personal_data_viewed", Event.actor_id == user.id,
        Event.at >= local_day_start(local_today())))
    if not any(details.get("what") == what for details in seen_today):
        record_event(user, prescription, "personal_data_viewed", what=what)


def read_contact(user: User, about: Prescription | Visit, what: str) -> dict[str, str] | None:
    """Return the household's contact if ``user`` may read it (on the prescription, or through the visit they make)
    and log the read under ``what``, the kind of page; return None, and log nothing, to whom may not read it."""
    prescription = about.prescription if isinstance(about, Visit) else about
    action = "visit.contact" if isinstance(about, Visit) else "prescription.contact"
    if not can(user, action, about):
        return None
    note_personal_data_access(user, prescription, what)
    return {name: getattr(prescription, name) for name in CONTACT_FIELDS}


def months_before(moment: datetime, months: int) -> datetime:
    """Return the same day and time ``months`` calendar months earlier (the last day when shorter)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month + 1, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month + 1, day=min(moment.day, 28))


def erase_personal_data(prescription: Prescription, *, by: User | None,
                        ground: ErasureGround | str = ErasureGround.HOUSEHOLD_REQUEST,
                        requested_on: date | None = None, months: int | None = None) -> None:
    """Blank every copy of what identifies the household or was written about it, keep its code and the figures,
    and log the erasure with its ground (a closed list) and the day it was asked for."""
    try:
        ground = ErasureGround(ground)
    except ValueError:
        raise ValidationFailed(str(_l("Choose the ground of the erasure in the list.")),
                               {"ground": [str(_l("choose one of the answers offered"))]}) from None
    if requested_on is not None and (not isinstance(requested_on, date) or requested_on > local_today()):
        raise ValidationFailed(str(_l("The day the household asked is today or before.")),
                               {"requested_on": [str(_l("today or before"))]})
    lock_prescription(prescription)
    if not prescription.closed:
        raise DomainError(str(_l(
            "The personal data of a prescription « %(status)s » cannot be erased yet: withdraw or cancel it first.",
            status=PRESCRIPTION_STATUS_LABELS[prescription.status])))
    if prescription.personal_data_erased_at is not None:
        raise DomainError(str(_l("The personal data of this household were already erased.")))
    for name in PERSONAL_FIELDS:
        setattr(prescription, name, "")
    for reservation in prescription.reservations:
        reservation.release_reason = ""
    visits = list(db.session.scalars(select(Visit).where(Visit.prescription_id == prescription.id)))
    for visit in visits:
        for name in VISIT_TEXTS:
            setattr(visit, name, "")
        for miss in db.session.scalars(select(VisitMiss).where(VisitMiss.visit_id == visit.id)):
            miss.detail = ""
        if visit.report is not None:
            for name in REPORT_TEXTS:
                setattr(visit.report, name, "")
            visit.report.signature_png = None
    objects = [(prescription.audit_type, str(prescription.id))] + [(v.audit_type, str(v.id)) for v in visits] + [
        (r.audit_type, str(r.id)) for r in prescription.reservations]
    about = or_(*((Document.object_type == kind) & (Document.object_id == ident) for kind, ident in objects))
    for document in db.session.scalars(select(Document).where(about)):
        _erase_document(document)
    db.session.flush()
    _erase_typed_details(objects, {r.device_id for r in prescription.reservations})
    _forget_api_replies(prescription)
    prescription.personal_data_erased_at = utcnow()
    details = {"ground": ground.value}
    if requested_on is not None:
        details["requested_on"] = requested_on.isoformat()
    if months is not None:
        details["months"] = months
    record_event(by, prescription, "personal_data_erased", **details)


def _erase_typed_details(objects: list[tuple[str, str]], device_ids: set[int]) -> None:
    """Take the words once typed about the household out of its events (the one change an event may undergo:
    the right to erasure prevails over the trail's being append-only); the kind of reason, if any, stays."""
    about = or_(*((Event.object_type == kind) & (Event.object_id == ident) for kind, ident in objects))
    for event_id, details in db.session.execute(select(Event.id, Event.details).where(about)).all():
        if details and any(key in details for key in TYPED_DETAILS):
            kept = {key: value for key, value in details.items() if key not in TYPED_DETAILS}
            db.session.execute(update(Event).where(Event.id == event_id).values(details=kept)
                               .execution_options(synchronize_session=False))
    _erase_typed_returns(device_ids)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Event):
            db.session.expire(obj)


def _erase_typed_returns(device_ids: set[int]) -> None:
    """Take out of the devices' histories the words once typed when a family brought one back (their returns now
    keep the kind of reason only)."""
    if not device_ids:
        return
    rows = db.session.execute(select(Event.id, Event.details).where(
        Event.object_type == "device", Event.object_id.in_([str(i) for i in device_ids]),
        Event.action == "transition")).all()
    kinds = {kind.value for kind in ReturnKind}
    for event_id, details in rows:
        if details.get("from") == "delivered" and details.get("to") == "received" \
                and details.get("reason") and details["reason"] not in kinds:
            kept = {key: value for key, value in details.items() if key != "reason"}
            db.session.execute(update(Event).where(Event.id == event_id).values(details=kept)
                               .execution_options(synchronize_session=False))


def _forget_api_replies(prescription: Prescription) -> None:
    """Forget the API's kept answers about the household: they may quote its contact or what was written."""
    db.session.execute(delete(ApiReply).where(ApiReply.body.contains(prescription.code))
                       .execution_options(synchronize_session=False))


def _erase_document(document: Document) -> None:
    """Replace a kept PDF by a page that says it was erased; its number and fingerprint stay verifiable."""
    base = current_app.config["RECO_BASE_URL"].rstrip("/")
    meta = DocumentMeta(document.structure.name, str(_l("Document erased")), document.number, document.issued_at,
                        document.fingerprint, f"{base}/verify/{document.fingerprint}")
    document.pdf = signed_pdf(meta, build_pdf(meta, [paragraph(str(_l(
        "This document named a household. Its content was erased under the data-protection rules; its number "
        "and fingerprint remain verifiable.")))]))


def purge_candidates(months: int, now: datetime | None = None):
    """Return the query of prescriptions closed more than ``months`` months ago and not yet erased."""
    cutoff = months_before(now or utcnow(), months)
    return (select(Prescription)
            .where(Prescription.status.in_(CLOSED), Prescription.closed_at < cutoff,
                   Prescription.personal_data_erased_at.is_(None))
            .order_by(Prescription.id))


def purge_personal_data(months: int | None = None, now: datetime | None = None) -> int:
    """Erase the personal data of every prescription closed longer than the retention period; return how many."""
    months = current_app.config["RECO_RETENTION_MONTHS"] if months is None else months
    erased = 0
    for prescription in db.session.scalars(purge_candidates(months, now)).all():
        erase_personal_data(prescription, by=None, ground=ErasureGround.RETENTION, months=months)
        erased += 1
    return erased


def prescribing_structures() -> list[Structure]:
    """Return the prescribing structures, by name, for filtering the log."""
    return db.session.scalars(select(Structure).where(Structure.is_prescriber).order_by(Structure.name)).all()


def personal_data_accesses(structure_id: int | None = None):
    """Return the query of accesses to and erasures of personal data, newest first, with each household."""
    query = (select(Event, Prescription)
             .join(Prescription, Event.object_id == db.func.cast(Prescription.id, db.String))
             .where(Event.object_type == Prescription.audit_type, Event.action.in_(ACCESS_ACTIONS))
             .order_by(Event.id.desc()))
    if structure_id is not None:
        query = query.where(Prescription.structure_id == structure_id)
    return query

