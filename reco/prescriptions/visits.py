"""Installation visits: asked for a reserved device, scheduled, missed, cancelled or reported; handovers; returns."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from reco.accounts.models import Role, Structure, User
from reco.core.audit import Event, record_event
from reco.core.errors import DomainError, ValidationFailed
from reco.core.i18n import format_day
from reco.core.notices import describes, notify, path_for
from reco.core.submissions import claim_submission
from reco.core.time import local_today, utcnow
from reco.extensions import db
from reco.inventory.lifecycle import transition_device
from reco.inventory.models import Device, DeviceState
from reco.prescriptions.models import (
    Account,
    DigitalLevel,
    FirstStep,
    FollowUp,
    MissedKind,
    Prescription,
    ReleaseKind,
    Reservation,
    ReturnKind,
    Slot,
    Visit,
    VisitMiss,
    VisitReport,
    VisitStatus,
)
from reco.prescriptions.handover import keep_receipt, signature_answers
from reco.prescriptions.lifecycle import (
    PRESCRIPTION,
    VISIT,
    close_open_visits,
    lock_prescription,
    lock_visit,
    move_prescription,
    move_visit,
    notify_installers,
    open_visit_of,
    reason_of,
)
from reco.prescriptions.reservations import end_reservation, release_reservation, reservation_of
from reco.prescriptions.vocabulary import ACCOUNT_LABELS, FOLLOW_UP_LABELS, SLOT_LABELS, VISIT_REASON_LABELS

V = VisitStatus


def installers_for(workshop: Structure) -> list[Structure]:
    """Return the active installer structures, the workshop's usual one first."""
    installers = db.session.scalars(select(Structure).where(Structure.is_installer.is_(True),
                                                            Structure.active.is_(True)).order_by(Structure.name))
    return sorted(installers, key=lambda s: s.id != workshop.usual_installer_id)


def visits_of(prescription: Prescription) -> list[Visit]:
    """Return the visits of a prescription, the latest first."""
    return list(db.session.scalars(select(Visit).where(Visit.prescription_id == prescription.id)
                                   .order_by(Visit.id.desc())))


def request_visit(prescription: Prescription, *, by: User, installer: Structure | None, note: str = "") -> Visit:
    """Ask an installer structure to install the household's reserved device at home."""
    lock_prescription(prescription)
    workshop = prescription.workshop
    if by.role is Role.PRESCRIBER and not workshop.prescribers_request_visits:
        raise DomainError(str(_l("%(workshop)s asks for the installation visits itself.", workshop=workshop.name)))
    if not prescription.awaiting_handover:
        raise DomainError(str(_l("A visit is asked for once a device is reserved for the household.")))
    if installer is None or not installer.is_installer or not installer.active:
        raise ValidationFailed(str(_l("Choose the installer structure that will visit the household.")),
                               {"installer": [str(_l("choose an installer structure"))]})
    if open_visit_of(prescription) is not None:
        raise DomainError(str(_l("A visit is already asked for this household.")))
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationFailed(str(_l("The note is too long (500 characters at most).")),
                               {"note": [str(_l("too long"))]})
    visit = Visit(prescription_id=prescription.id, reservation_id=prescription.reservation.id,
                  workshop_id=workshop.id, installer_id=installer.id, note=note, requested_by_id=by.id)
    db.session.add(visit)
    db.session.flush()
    event = record_event(by, visit, "requested", installer=installer.name)
    _notify_prescribers(prescription, event, by)
    notify_installers(visit, event)
    return visit


def prescribers_to_call(visit: Visit) -> list[User]:
    """Return whom the mediator calls at the prescribing structure while the visit is open: the social worker who
    wrote the prescription, else the structure's active prescribers."""
    if not visit.is_open:
        return []
    author = visit.prescription.created_by
    if author is not None and author.active and author.structure_id == visit.prescription.structure_id:
        return [author]
    return list(db.session.scalars(select(User).where(User.structure_id == visit.prescription.structure_id,
                                                      User.role == Role.PRESCRIBER, User.active.is_(True))
                                   .order_by(User.name)))


def _check_date(on, field: str = "scheduled_on") -> date:
    """Return a visit date that is today or later, or refuse."""
    if not isinstance(on, date):
        raise ValidationFailed(str(_l("Give the date of the visit.")), {field: [str(_l("date expected"))]})
    if on < local_today():
        raise ValidationFailed(str(_l("The date of the visit cannot be in the past.")),
                               {field: [str(_l("today or later"))]})
    if (on - local_today()).days > 366:
        raise ValidationFailed(str(_l("The visit is more than a year away: check the date.")),
                               {field: [str(_l("within a year"))]})
    return on


def _slot(value) -> Slot:
    """Return the time slot named ``value``, or refuse."""
    try:
        return Slot(value)
    except ValueError:
        raise ValidationFailed(str(_l("Choose the time of day of the visit.")),
                               {"slot": [str(_l("morning, afternoon or evening"))]}) from None


def schedule_visit(visit: Visit, *, by: User, on, slot) -> Visit:
    """Give the visit a date and a time slot (again, to reschedule it)."""
    on, slot = _check_date(on), _slot(slot)
    lock_visit(visit)
    _move(visit, by, "scheduled" if visit.status is V.REQUESTED else "rescheduled", on=on.isoformat(),
          slot=slot.value)
    visit.scheduled_on, visit.slot = on, slot
    return visit


def mark_missed(visit: Visit, *, by: User, reason: str = "", reason_kind: str | None = None, new_date=None,
                slot=None, submission_key: str | None = None) -> Visit:
    """Record that the household was not there; with a new date the visit is planned again.

    The event keeps the kind of reason; what was written stays on the visit's miss, erased with the household.
    A form sent again with its ``submission_key`` (a retry, a draft sent once the network is back) raises
    AlreadySubmitted and records nothing more.
    """
    lock_visit(visit)
    claim_submission(submission_key, by=by, action="visit.missed", obj=visit)
    kind, detail = reason_of(MissedKind, reason_kind, reason,
                             missing=_l("Say what happened (family absent, wrong address...)."))
    new_date = _check_date(new_date, "new_date") if new_date else None
    slot = _slot(slot) if new_date else None
    VISIT.check(visit, "missed")
    visit.missed_count += 1
    miss = VisitMiss(visit_id=visit.id, planned_on=visit.scheduled_on, kind=kind, detail=detail,
                     recorded_by_id=by.id)
    db.session.add(miss)
    again = {"on": new_date.isoformat(), "slot": slot.value} if new_date else {}
    _move(visit, by, "missed", reason_kind=kind, planned=visit.scheduled_on.isoformat(), **again)
    if new_date:
        _move(visit, by, "rescheduled", tell=False, **again)
        visit.scheduled_on, visit.slot = new_date, slot
    return visit


def cancel_visit(visit: Visit, *, by: User, reason: str = "", reason_kind: str | None = None) -> Visit:
    """Cancel the visit: the device goes back on the shelf and the household back on the waiting list."""
    kind, detail = reason_of(ReleaseKind, reason_kind, reason, missing=_l("Give the reason for cancelling."))
    lock_visit(visit)
    VISIT.check(visit, "cancelled")
    if visit.prescription.awaiting_handover:
        release_reservation(visit.prescription, by=by, reason=detail, reason_kind=kind)
    else:
        close_open_visits(visit.prescription, by=by, reason=detail, kind=kind)
    return visit


#: The report's lists of checkboxes, with their names for messages.
CHECKLISTS = {"accounts": (Account, _l("Accounts set up")), "first_steps": (FirstStep, _l("First steps covered")),
              "follow_ups": (FollowUp, _l("Follow-up needed"))}


def _choices(values, name: str) -> list[str]:
    """Return the checked values of one of the report's checklists, or refuse unknown ones."""
    kind, label = CHECKLISTS[name]
    if values is None:
        return []
    try:
        if not isinstance(values, (list, tuple)):
            raise ValueError
        return sorted({kind(v).value for v in values})
    except (ValueError, TypeError):
        raise ValidationFailed(str(_l("Unknown answer in « %(name)s ».", name=label)),
                               {name: [str(_l("choose among the answers offered"))]}) from None


def _report(fields: dict) -> dict:
    """Return the report's answers, checked."""
    errors: dict[str, list[str]] = {}
    clean = {}
    for name in ("installed_working", "internet_connected"):
        value = fields.get(name, False)
        if not isinstance(value, bool):
            errors[name] = [str(_l("yes or no expected"))]
        clean[name] = value is True
    for name in ("internet_problem", "comments"):
        value = fields.get(name) or ""
        if not isinstance(value, str) or len(value) > (500 if name == "internet_problem" else 5000):
            errors[name] = [str(_l("text too long or of the wrong type"))]
            value = ""
        clean[name] = value.strip()
    if not errors and not clean["installed_working"]:
        errors["installed_working"] = [str(_l("The device must be installed and working to close the visit. If it "
                                              "does not work, call the workshop: it will cancel the visit and "
                                              "reserve another device."))]
    if not clean["internet_connected"] and not clean["internet_problem"] and "internet_connected" not in errors:
        errors["internet_problem"] = [str(_l("say why the device could not be connected"))]
    level = fields.get("digital_level")
    try:
        clean["digital_level"] = DigitalLevel(level) if level not in (None, "") else None
    except (ValueError, TypeError):
        errors["digital_level"] = [str(_l("choose one of the answers offered"))]
    clean.update(signature_answers(fields, errors))
    if errors:
        raise ValidationFailed(str(_l("Some answers need a correction: see the fields marked.")), errors)
    for name in CHECKLISTS:
        clean[name] = _choices(fields.get(name), name)
    return clean


def report_visit(visit: Visit, *, by: User, submission_key: str | None = None, **fields) -> VisitReport:
    """Record the mediator's report: the device is delivered and the household equipped.

    A report sent again with its ``submission_key`` raises AlreadySubmitted and records nothing more.
    """
    lock_visit(visit)
    claim_submission(submission_key, by=by, action="visit.report", obj=visit)
    VISIT.check(visit, "reported")
    answers = _report(fields)
    report = VisitReport(visit_id=visit.id, reported_by_id=by.id, **answers)
    db.session.add(report)
    keep_receipt(report, visit, by=by)
    db.session.flush()
    _move(visit, by, "reported", tell=False, receipt_signed=report.receipt_signed)
    _deliver(visit.prescription, by=by, reservation_id=visit.reservation_id)
    return report


def record_handover(prescription: Prescription, *, by: User, submission_key: str | None = None,
                    **fields) -> VisitReport:
    """Record that the household took its device at the workshop: delivered and equipped, without a visit."""
    lock_prescription(prescription)
    claim_submission(submission_key, by=by, action="visit.handover", obj=prescription)
    answers = _report(fields | {"installed_working": True})
    if not prescription.awaiting_handover:
        raise DomainError(str(_l("A handover needs a device reserved for the household.")))
    if open_visit_of(prescription) is not None:
        raise DomainError(str(_l("An installation visit is planned: cancel it first, or let the installer report.")))
    visit = Visit(prescription_id=prescription.id, reservation_id=prescription.reservation.id,
                  workshop_id=prescription.workshop_id, installer_id=prescription.workshop_id, at_workshop=True,
                  status=V.DONE, requested_by_id=by.id, closed_at=utcnow(), scheduled_on=local_today())
    db.session.add(visit)
    db.session.flush()
    report = VisitReport(visit_id=visit.id, reported_by_id=by.id, **answers)
    db.session.add(report)
    keep_receipt(report, visit, by=by)
    record_event(by, visit, "handed_over", receipt_signed=report.receipt_signed)
    _deliver(prescription, by=by, reservation_id=visit.reservation_id)
    return report


def _deliver(prescription: Prescription, *, by: User, reservation_id: int) -> None:
    """Move the device reserved for this visit to delivered and the prescription to equipped."""
    lock_prescription(prescription)
    given = {"reservation_id": reservation_id}
    PRESCRIPTION.check(prescription, "equip", given=given, by_service=True)
    device = prescription.reservation.device
    transition_device(device, DeviceState.DELIVERED, by=by, by_service=True, reason=prescription.code)
    move_prescription(prescription, "equip", by=by, given=given, by_service=True, device=device.tag)


def return_device(device: Device, *, by: User, reason: str = "", replacement,
                  reason_kind: str | None = None) -> Device:
    """Take back a delivered device: it goes back to the workbench; the household may wait for another.

    The device's history and the household's events keep the kind of reason; what was written stays on the
    reservation, erased with the household's personal data.
    """
    kind, detail = reason_of(ReturnKind, reason_kind, reason, missing=_l("Say why the device comes back."))
    if not isinstance(replacement, bool):
        raise ValidationFailed(str(_l("Say whether the household waits for another device.")),
                               {"replacement": [str(_l("yes or no expected"))]})
    reservation = reservation_of(device)
    if replacement and reservation is not None and reservation.prescription.personal_data_erased_at is not None:
        raise DomainError(str(_l("The personal data of this household were erased: it cannot wait for another "
                                 "device; the prescriber writes a new prescription if it asks again.")))
    transition_device(device, DeviceState.RECEIVED, by=by, by_service=True, reason=kind)
    if reservation is not None:
        end_reservation(reservation, by=by, reason=detail, kind=kind)
        prescription = reservation.prescription
        lock_prescription(prescription)
        event = record_event(by, prescription, "device_returned", device=device.tag, reason_kind=kind)
        if replacement and not PRESCRIPTION.problems(prescription, "wait_again", by_service=True):
            move_prescription(prescription, "wait_again", by=by, by_service=True, device=device.tag,
                              reason_kind=kind)
        else:
            _notify_prescribers(prescription, event, by)
    return device


def _move(visit: Visit, by: User, name: str, tell: bool = True, **details) -> Event:
    """Make the visit's move ``name`` and, unless a change of status tells them already, tell the prescribers."""
    event = move_visit(visit, name, by=by, **details)
    if tell:
        _notify_prescribers(visit.prescription, event, by)
    return event


def _notify_prescribers(prescription: Prescription, event: Event, by: User) -> None:
    """Tell the prescribers of the household's structure about an event."""
    users = db.session.scalars(select(User).where(User.structure_id == prescription.structure_id,
                                                  User.role == Role.PRESCRIBER, User.id != by.id))
    notify(users, event, subject=prescription.code,
           url=path_for("prescriptions.prescription", prescription_id=prescription.id))


VISIT_EVENT_LABELS = {
    "requested": _l("installation visit asked for (%(installer)s)"),
    "scheduled": _l("visit planned on %(on)s, %(slot)s"),
    "rescheduled": _l("visit planned again on %(on)s, %(slot)s"),
    "missed": _l("visit missed: %(reason)s"),
    "cancelled": _l("visit cancelled: %(reason)s"),
    "reported": _l("visit done, device installed"),
    "handed_over": _l("device handed over at the workshop"),
}
#: A missed visit told with the day it was planned for, and the new date when one was agreed.
MISSED_LABELS = {
    False: _l("visit missed on %(planned)s: %(reason)s"),
    True: _l("visit missed on %(planned)s: %(reason)s; new date: %(on)s, %(slot)s"),
}


@describes("visit")
def describe_visit_event(event: Event) -> str:
    """Tell an event of a visit in a sentence."""
    details = {key: str(value) for key, value in event.details.items()}
    # the kind of reason only: what was typed about the household never leaves the visit's page
    kind = event.details.get("reason_kind")
    details["reason"] = str(VISIT_REASON_LABELS.get(kind, kind)) if kind else "—"
    if "slot" in details:
        details["slot"] = str(SLOT_LABELS.get(details["slot"], details["slot"]))
    for key in ("on", "planned"):
        if key in details:
            details[key] = format_day(date.fromisoformat(details[key]), "EEEE d MMMM")
    template = VISIT_EVENT_LABELS.get(event.action)
    if event.action == "cancelled" and not kind:  # the household's prescription was cancelled: said there
        template = _l("visit cancelled")
    if event.action == "missed" and "planned" in details:
        template = MISSED_LABELS["on" in details]
    return str(template) % details if template is not None else event.action


def equipping_report(prescription_id: int, device_tag: str) -> VisitReport | None:
    """Return the report of the visit or handover that gave the household device ``device_tag``."""
    return db.session.scalar(
        select(VisitReport).join(Visit, Visit.id == VisitReport.visit_id)
        .join(Reservation, Reservation.id == Visit.reservation_id).join(Device, Device.id == Reservation.device_id)
        .where(Visit.prescription_id == prescription_id, Device.tag == device_tag)
        .order_by(VisitReport.id.desc()).limit(1))


def report_summary(report: VisitReport) -> str:
    """Tell the prescriber what the report says: installed, internet, accounts set up, follow-up needed."""
    if report.internet_connected:
        internet = str(_l("connected"))
    else:
        internet = str(_l("not connected"))
    accounts = ", ".join(str(ACCOUNT_LABELS.get(a, a)) for a in report.accounts) or str(_l("none"))
    follow_ups = ", ".join(str(FOLLOW_UP_LABELS.get(f, f)) for f in report.follow_ups) or str(_l("none"))
    return str(_l("%(installed)s; internet: %(internet)s; accounts set up: %(accounts)s; follow-up: %(follow_ups)s",
                  installed=_l("handed over at the workshop") if report.visit.at_workshop
                  else _l("installed and working"), internet=internet, accounts=accounts, follow_ups=follow_ups))
