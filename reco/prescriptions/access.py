"""The right of access: everything Reco holds about one household, in French words, as a PDF and as JSON."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from reco.core.audit import events_for
from reco.core.documents import DocumentMeta, documents_about, fingerprint_of
from reco.core.i18n import format_day, format_moment
from reco.core.pdf import build_pdf, paragraph, table
from reco.core.time import utcnow
from reco.core.vocabulary import DETAIL_LABELS, EVENT_LABELS, detail_value
from reco.extensions import db
from reco.inventory.vocabulary import TYPE_LABELS
from reco.prescriptions.models import CHILDREN_FIELDS, Prescription, Visit, VisitReport
from reco.prescriptions.vocabulary import (
    ACCOUNT_LABELS,
    CHILDREN_LABELS,
    DECLINE_KIND_LABELS,
    DIGITAL_LEVEL_LABELS,
    END_KIND_LABELS,
    EQUIPMENT_LABELS,
    FIRST_STEP_LABELS,
    FOLLOW_UP_LABELS,
    INTERNET_LABELS,
    MISSED_KIND_LABELS,
    NEED_LABELS,
    PRESCRIPTION_STATUS_LABELS,
    RELEASE_KIND_LABELS,
    RETURN_KIND_LABELS,
    SLOT_LABELS,
    URGENCY_LABELS,
    VISIT_STATUS_LABELS,
)

#: The language of the document handed to the family.
LANGUAGE = "fr"


@dataclass
class Section:
    """A part of the record: a title and its lines (field name for software, label and value for people)."""

    key: str
    title: str
    lines: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, key: str, label: str, value) -> None:
        """Add a line, its value told in words."""
        self.lines.append((key, str(label), _shown(value)))


def _shown(value) -> str:
    """Return a value as people read it."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return format_moment(value, "short")
    if isinstance(value, date):
        return format_day(value, "d MMMM y")
    return str(value)


def _named(labels: dict, value) -> str:
    """Return the name of a vocabulary value, or the value itself."""
    if value in (None, ""):
        return "—"
    return str(labels.get(value, value))


def _names(labels: dict, values) -> str:
    """Return the names of a list of vocabulary values."""
    return ", ".join(_named(labels, v) for v in values or []) or "—"


def _household(p: Prescription) -> list[Section]:
    """Return the sections about the prescription itself."""
    general = Section("household", _("The household"))
    general.add("code", _("Household code"), p.code)
    general.add("prescribing_structure", _("Prescribed by"), p.structure.name)
    general.add("workshop", _("Workshop"), p.workshop.name)
    general.add("status", _("Status"), _named(PRESCRIPTION_STATUS_LABELS, p.status))
    general.add("created_at", _("Written on"), p.created_at)
    general.add("submitted_at", _("Sent on"), p.submitted_at)
    general.add("decided_at", _("Decided on"), p.decided_at)
    general.add("equipped_at", _("Equipped on"), p.equipped_at)
    general.add("closed_at", _("Closed on"), p.closed_at)
    general.add("personal_data_erased_at", _("Personal data erased on"), p.personal_data_erased_at)

    contact = Section("contact", _("Contact and address"))
    contact.add("contact_name", _("Person to contact"), p.contact_name)
    contact.add("contact_phone", _("Phone"), p.contact_phone)
    contact.add("address", _("Address"), p.address)
    contact.add("postcode", _("Postcode"), p.postcode)
    contact.add("commune", _("Commune"), p.commune)
    contact.add("insee_code", _("INSEE code of the commune"), p.insee_code)
    contact.add("qpv", _("priority neighbourhood (QPV)"), p.qpv)

    needs = Section("details", _("Household and needs"))
    needs.add("adults", _("Adults"), p.adults)
    for name in CHILDREN_FIELDS:
        needs.add(name, CHILDREN_LABELS[name], getattr(p, name))
    needs.add("needs", _("What the computer is for"), _names(NEED_LABELS, p.needs))
    needs.add("digital_level", _("Ease with computers"), _named(DIGITAL_LEVEL_LABELS, p.digital_level))
    needs.add("equipment", _("Equipment wanted"), _named(EQUIPMENT_LABELS, p.equipment))
    needs.add("internet", _("Internet at home"), _named(INTERNET_LABELS, p.internet))
    needs.add("visit_wanted", _("Installation"),
              _("visit at home by an installer") if p.visit_wanted else _("handed over at the workshop"))
    needs.add("urgency", _("Urgency"), _named(URGENCY_LABELS, p.urgency))
    needs.add("urgency_reason", _("Why is it urgent?"), p.urgency_reason)
    needs.add("comment", _("Comment"), p.comment)

    consent = Section("consent", _("Consent"))
    consent.add("consent_on", _("Day the household agreed"), p.consent_on)
    consent.add("consent_recorded_by", _("Recorded by"),
                p.consent_recorded_by.name if p.consent_recorded_by else None)
    consent.add("consent_recorded_at", _("Recorded on"), p.consent_recorded_at)

    ending = Section("ending", _("Withdrawal, decline or cancellation"))
    labels = DECLINE_KIND_LABELS if p.decline_reason or p.status.value == "declined" else END_KIND_LABELS
    ending.add("reason_kind", _("Reason"), _named(labels, p.reason_kind))
    ending.add("withdraw_reason", _("What the prescriber wrote when withdrawing"), p.withdraw_reason)
    ending.add("decline_reason", _("What the workshop wrote when declining"), p.decline_reason)
    ending.add("cancel_reason", _("What was written when cancelling"), p.cancel_reason)
    return [general, contact, needs, consent, ending]


def _reservations(p: Prescription) -> list[Section]:
    """Return one section per device reserved for the household."""
    sections = []
    for number, r in enumerate(p.reservations, 1):
        section = Section(f"reservation_{number}", _("Device reserved no. %(n)d", n=number))
        section.add("device", _("Device"), f"{r.device.tag} — {TYPE_LABELS[r.device.type]} {r.device.brand} "
                                          f"{r.device.model}".strip())
        section.add("reserved_at", _("Reserved on"), r.reserved_at)
        section.add("released_at", _("Released on"), r.released_at)
        section.add("release_kind", _("Why it went back"),
                    _named({**RELEASE_KIND_LABELS, **RETURN_KIND_LABELS}, r.release_kind))
        section.add("release_reason", _("What was written about it"), r.release_reason)
        sections.append(section)
    return sections


def _report(section: Section, report: VisitReport) -> None:
    """Add the lines of a visit's report."""
    section.add("installed_working", _("The device is installed and works"), report.installed_working)
    section.add("internet_connected", _("The device is connected to the internet"), report.internet_connected)
    section.add("internet_problem", _("If not connected, why?"), report.internet_problem)
    section.add("accounts", _("Accounts set up"), _names(ACCOUNT_LABELS, report.accounts))
    section.add("first_steps", _("First steps covered"), _names(FIRST_STEP_LABELS, report.first_steps))
    section.add("report_digital_level", _("The household's ease with computers, as you saw it"),
                _named(DIGITAL_LEVEL_LABELS, report.digital_level))
    section.add("follow_ups", _("Follow-up needed"), _names(FOLLOW_UP_LABELS, report.follow_ups))
    section.add("comments", _("Comments"), report.comments)
    section.add("receipt_signed", _("Receipt signed"), report.receipt_signed)
    section.add("signer_name", _("Name of the person who signs"), report.signer_name)
    section.add("signed_at", _("Signed on"), report.signed_at)
    section.add("no_signature_reason", _("If the family does not sign, why?"), report.no_signature_reason)
    section.add("receipt_number", _("Handover receipt"), report.receipt_number)
    section.add("reported_at", _("Reported on"), report.reported_at)
    section.add("reported_by", _("Reported by"), report.reported_by.name if report.reported_by else None)


def _visits(p: Prescription) -> list[Section]:
    """Return one section per visit or handover, with its missed visits and its report."""
    sections = []
    visits = db.session.scalars(select(Visit).where(Visit.prescription_id == p.id).order_by(Visit.id))
    for number, v in enumerate(visits, 1):
        section = Section(f"visit_{number}", _("Handover no. %(n)d", n=number) if v.at_workshop
                          else _("Installation visit no. %(n)d", n=number))
        section.add("installer", _("Installer"), _("the workshop itself") if v.at_workshop else v.installer.name)
        section.add("visit_status", _("Status"), _named(VISIT_STATUS_LABELS, v.status))
        section.add("requested_at", _("Asked on"), v.requested_at)
        section.add("scheduled_on", _("Date of the visit"), v.scheduled_on)
        section.add("slot", _("Time of day"), _named(SLOT_LABELS, v.slot))
        section.add("note", _("Note from the workshop"), v.note)
        section.add("missed_count", _("Missed"), v.missed_count)
        for miss_number, miss in enumerate(v.misses, 1):
            section.add(f"missed_{miss_number}", _("Visit missed on %(date)s", date=_shown(miss.planned_on)),
                        " — ".join(part for part in (_named(MISSED_KIND_LABELS, miss.kind), miss.detail) if part))
        section.add("cancel_kind", _("Why it was cancelled"), _named(RELEASE_KIND_LABELS, v.cancel_kind))
        section.add("cancel_reason", _("What was written when cancelling"), v.cancel_reason)
        section.add("closed_at", _("Closed on"), v.closed_at)
        if v.report is not None:
            _report(section, v.report)
        sections.append(section)
    return sections


def _history(p: Prescription) -> Section:
    """Return what happened to the household, oldest first, as the history pages tell it."""
    section = Section("history", _("History"))
    events = list(events_for(p))
    for v in db.session.scalars(select(Visit).where(Visit.prescription_id == p.id)):
        events.extend(events_for(v))
    for number, e in enumerate(sorted(events, key=lambda e: (e.at, e.id)), 1):
        said = [_("%(key)s: %(value)s", key=DETAIL_LABELS.get(k, k), value=detail_value(e.object_type, k, value))
                for k, value in sorted(e.details.items())]
        who = e.actor.name if e.actor else _("Reco (command line or scheduled job)")
        text = " · ".join([str(EVENT_LABELS.get(e.action, e.action)), who, *said])
        section.add(f"event_{number}", format_moment(e.at, "short"), text)
    return section


def household_record(prescription: Prescription) -> list[Section]:
    """Return everything held about the household, section by section, in French."""
    with force_locale(LANGUAGE):
        documents = Section("documents", _("Documents issued"))
        for d in documents_about(prescription):
            documents.add(d.number, d.number, d.issued_at)
        return [*_household(prescription), *_reservations(prescription), *_visits(prescription), documents,
                _history(prescription)]


def record_json(sections: list[Section]) -> list[dict]:
    """Return the sections as JSON: for each line the field's name, its French label and its value."""
    return [{"section": s.key, "titre": s.title,
             "lignes": [{"champ": key, "libellé": label, "valeur": value} for key, label, value in s.lines]}
            for s in sections]


def household_pdf(prescription: Prescription) -> bytes:
    """Return the readable PDF of everything held about the household, to hand to the family."""
    sections = household_record(prescription)
    with force_locale(LANGUAGE):
        issued_at = utcnow()
        meta = DocumentMeta(prescription.structure.name, _("Your data held by Reco — household %(code)s",
                                                            code=prescription.code),
                            prescription.code, issued_at, fingerprint_of(record_json(sections)), "")
        story = [paragraph(_("This document lists everything the network's application holds about your household, "
                             "as of %(date)s. Ask %(structure)s to correct or erase it.",
                             date=format_moment(issued_at, "short"), structure=prescription.structure.name))]
        for section in sections:
            story.append(paragraph(section.title, "h2"))
            story.append(table([[label, value] for _key, label, value in section.lines], [62 * MM, 112 * MM],
                               header=False) if section.lines else paragraph("—"))
        return build_pdf(meta, story)


MM = 72 / 25.4
