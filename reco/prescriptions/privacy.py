"""Data protection: erasing a household's personal data on request or after the retention period."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from reco.accounts.models import Structure, User
from reco.core.audit import Event, record_event
from reco.core.documents import Document, DocumentMeta, signed_pdf
from reco.core.errors import DomainError
from reco.core.pdf import build_pdf, paragraph
from reco.core.time import utcnow
from reco.extensions import db
from reco.prescriptions.models import CLOSED, Prescription, Visit
from reco.prescriptions.services import lock_prescription
from reco.prescriptions.vocabulary import PRESCRIPTION_STATUS_LABELS

#: Free-text and contact fields of a prescription that name or locate the household.
PERSONAL_FIELDS = ("contact_name", "contact_phone", "address", "urgency_reason", "comment", "decline_reason",
                   "cancel_reason")
#: Free-text fields of visits and visit reports, which may say who lives where, and the name of who signed.
VISIT_TEXTS = ("note", "cancel_reason")
REPORT_TEXTS = ("comments", "internet_problem", "signer_name", "no_signature_reason")
#: Events that show personal data leaving the prescribing structure, or being erased.
ACCESS_ACTIONS = ("personal_data_viewed", "personal_data_erased")
#: The reason the purge gives its erasures, followed by the number of months.
RETENTION_REASON = "retention:"


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


def erase_personal_data(prescription: Prescription, *, by: User | None, reason: str) -> None:
    """Blank what identifies the household, keep its code and the figures, and log the erasure."""
    lock_prescription(prescription)
    if prescription.status not in CLOSED:
        raise DomainError(str(_l(
            "The personal data of a prescription « %(status)s » cannot be erased yet: withdraw or cancel it first.",
            status=PRESCRIPTION_STATUS_LABELS[prescription.status])))
    if prescription.personal_data_erased_at is not None:
        raise DomainError(str(_l("The personal data of this household were already erased.")))
    for name in PERSONAL_FIELDS:
        setattr(prescription, name, "")
    for reservation in prescription.reservations:
        reservation.release_reason = ""
    visits = db.session.scalars(select(Visit).where(Visit.prescription_id == prescription.id))
    for visit in visits:
        for name in VISIT_TEXTS:
            setattr(visit, name, "")
        if visit.report is not None:
            for name in REPORT_TEXTS:
                setattr(visit.report, name, "")
            visit.report.signature_png = None
    for document in db.session.scalars(select(Document).where(
            Document.object_type == prescription.audit_type, Document.object_id == str(prescription.id))):
        _erase_document(document)
    prescription.personal_data_erased_at = utcnow()
    record_event(by, prescription, "personal_data_erased", reason=reason)


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
        erase_personal_data(prescription, by=None, reason=f"{RETENTION_REASON}{months}")
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

