"""The moves of prescriptions and of their installation visits, the reasons given with them and who hears of them.

Services make a move through ``move_prescription`` or ``move_visit``; pages show what the lifecycles'
``offered_by_name`` returns.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from reco.accounts.models import Role, User
from reco.core.audit import Event
from reco.core.errors import ValidationFailed
from reco.core.lifecycle import Lifecycle, Move
from reco.core.notices import notify, path_for
from reco.core.time import utcnow
from reco.extensions import db
from reco.prescriptions.models import (
    CLOSED,
    OPEN_VISITS,
    Prescription,
    PrescriptionStatus,
    Visit,
    VisitStatus,
)
from reco.prescriptions.vocabulary import PRESCRIPTION_STATUS_LABELS, VISIT_STATUS_LABELS

P = PrescriptionStatus
V = VisitStatus


def _notify_other_side(prescription: Prescription, event: Event, by: User) -> None:
    """Tell the sides that did not act: the prescribers of the household, the workshop's supervisors."""
    recipients = []
    if getattr(by, "structure_id", None) != prescription.structure_id:
        recipients.append((prescription.structure_id, Role.PRESCRIBER))
    draft_withdrawn = event.details.get("from") == P.DRAFT.value and event.details.get("to") == P.WITHDRAWN.value
    if getattr(by, "structure_id", None) != prescription.workshop_id and not draft_withdrawn:
        recipients.append((prescription.workshop_id, Role.SUPERVISOR))
    for structure_id, role in recipients:
        users = db.session.scalars(select(User).where(User.structure_id == structure_id, User.role == role))
        notify(users, event, subject=prescription.code,
               url=path_for("prescriptions.prescription", prescription_id=prescription.id))


def _reservation_of_the_visit(prescription: Prescription, given) -> list[str]:
    """Refuse to equip the household with a device other than the one its visit or handover was for."""
    reservation = prescription.reservation
    if given is not None and (reservation is None or reservation.id != given.get("reservation_id")):
        return [str(NO_LONGER_RESERVED)]
    return []


NO_LONGER_RESERVED = _l("The device of this visit is no longer reserved for the household.")
EQUIPPED_BY_VISIT = _l("A household is equipped by the report of its visit or of its handover at the workshop.")
WAITS_AGAIN_BY_RETURN = _l("A household waits for another device when the workshop takes back the one it had.")

#: What a move asked from a status it does not leave says, when it says more than the table's refusal.
OUT_OF_TURN = {
    "accept": _l("Only a submitted prescription can be accepted or declined; this one is « %(status)s »."),
    "decline": _l("Only a submitted prescription can be accepted or declined; this one is « %(status)s »."),
    "reserve": _l("Only an accepted prescription waiting for a device can get one; this one is « %(status)s »."),
    "release": _l("This prescription has no device reserved."),
    "equip": NO_LONGER_RESERVED,
    "cancel": _l("A prescription « %(status)s » cannot be cancelled."),
}

#: Every allowed change of a prescription's status; anything else is refused.
PRESCRIPTION = Lifecycle(
    attribute="status",
    moves=(
        Move("submit", frozenset({P.DRAFT}), P.SUBMITTED, permission="prescription.edit"),
        Move("withdraw", frozenset({P.DRAFT, P.SUBMITTED}), P.WITHDRAWN, permission="prescription.edit"),
        Move("accept", frozenset({P.SUBMITTED}), P.ACCEPTED, permission="prescription.decide"),
        Move("decline", frozenset({P.SUBMITTED}), P.DECLINED, permission="prescription.decide"),
        Move("reserve", frozenset({P.ACCEPTED}), P.RESERVED, permission="prescription.allocate"),
        Move("release", frozenset({P.RESERVED}), P.ACCEPTED, permission="prescription.allocate"),
        Move("equip", frozenset({P.RESERVED}), P.EQUIPPED, guards=(_reservation_of_the_visit,),
             made_elsewhere=EQUIPPED_BY_VISIT),
        Move("wait_again", frozenset({P.EQUIPPED}), P.ACCEPTED, made_elsewhere=WAITS_AGAIN_BY_RETURN),
        Move("cancel", frozenset({P.ACCEPTED, P.RESERVED}), P.CANCELLED, permission="prescription.cancel"),
    ),
    status_labels=PRESCRIPTION_STATUS_LABELS,
    refusal=_l("A prescription cannot go from « %(from)s » to « %(to)s »."),
    final=_l("The prescription is « %(status)s »: nothing can change it any more."),
    out_of_turn=OUT_OF_TURN,
    event_action="status",
    after=_notify_other_side,
)



def move_prescription(prescription: Prescription, name: str, *, by: User, given=None, by_service: bool = False,
                      **details) -> Event:
    """Make a move of the prescription, stamp when it was sent, equipped or closed, and tell the other side."""
    event = PRESCRIPTION.apply(prescription, name, by=by, given=given, by_service=by_service, **details)
    now = utcnow()
    if prescription.status is P.SUBMITTED:
        prescription.submitted_at = now
    prescription.equipped_at = now if prescription.status is P.EQUIPPED else None
    prescription.closed_at = now if prescription.status in CLOSED else None
    return event


def lock_prescription(prescription: Prescription) -> None:
    """Lock the prescription's row until the end of the transaction and read it afresh."""
    db.session.flush()
    db.session.execute(select(Prescription.id).where(Prescription.id == prescription.id).with_for_update())
    db.session.refresh(prescription)


#: Every allowed change of a visit's status; a move is named as the event it records.
#: What a move asked of a visit already closed says.
VISIT_CLOSED = {V.DONE: _l("This visit is already reported."), V.CANCELLED: _l("This visit was cancelled.")}

VISIT = Lifecycle(
    attribute="status",
    moves=(
        Move("scheduled", frozenset({V.REQUESTED}), V.SCHEDULED, permission="visit.schedule"),
        Move("rescheduled", frozenset({V.SCHEDULED, V.MISSED}), V.SCHEDULED, permission="visit.schedule"),
        Move("missed", frozenset({V.SCHEDULED}), V.MISSED, permission="visit.schedule"),
        Move("cancelled", OPEN_VISITS, V.CANCELLED, permission="visit.cancel"),
        Move("reported", OPEN_VISITS, V.DONE, permission="visit.report"),
    ),
    status_labels=VISIT_STATUS_LABELS,
    refusal=_l("A visit cannot go from « %(from)s » to « %(to)s »."),
    final=VISIT_CLOSED,
    out_of_turn={"missed": _l("Only a planned visit can be missed.")},
)

def move_visit(visit: Visit, name: str, *, by: User, **details) -> Event:
    """Make a move of the visit and record it; a visit done or cancelled is closed from then on."""
    event = VISIT.apply(visit, name, by=by, **details)
    if not visit.is_open:
        visit.closed_at = utcnow()
    return event


def lock_visit(visit: Visit) -> None:
    """Lock the visit's row until the end of the transaction and read it afresh."""
    db.session.flush()
    db.session.execute(select(Visit.id).where(Visit.id == visit.id).with_for_update())
    db.session.refresh(visit)


def open_visit_of(prescription: Prescription) -> Visit | None:
    """Return the visit of the prescription still to be made, if any."""
    return db.session.scalar(select(Visit).where(Visit.prescription_id == prescription.id,
                                                 Visit.status.in_(list(OPEN_VISITS))))


def notify_installers(visit: Visit, event: Event) -> None:
    """Tell the mediators of the installer structure that a visit was asked for or cancelled."""
    if visit.at_workshop:
        return
    users = db.session.scalars(select(User).where(User.structure_id == visit.installer_id,
                                                  User.role == Role.INSTALLER))
    notify(users, event, subject=visit.prescription.code, url=path_for("prescriptions.visit", visit_id=visit.id))


def close_open_visits(prescription: Prescription, *, by: User, reason: str, kind: str = "") -> None:
    """Cancel the visit still to be made for a household whose device goes back on the shelf; tell the installer."""
    visit = open_visit_of(prescription)
    if visit is None:
        return
    lock_visit(visit)
    visit.cancel_kind, visit.cancel_reason = kind, reason[:500]
    notify_installers(visit, move_visit(visit, "cancelled", by=by, reason_kind=kind))


def reason_of(kinds, kind, detail, *, missing=None, field: str = "reason_kind", limit: int = 500) -> tuple[str, str]:
    """Return a reason as its kind (a value of the closed list ``kinds``) and the words written about it.

    ``missing``: the message when no reason is given (on ``field``); without it the reason is optional. A detail
    without a kind is an « other » reason; an « other » reason needs its detail when a reason is required.
    """
    if detail is not None and not isinstance(detail, str):
        raise ValidationFailed(str(_l("The reason is text.")), {"reason": [str(_l("text expected"))]})
    detail = (detail or "").strip()
    if len(detail) > limit:
        raise ValidationFailed(str(_l("The reason is too long (%(n)d characters at most).", n=limit)),
                               {"reason": [str(_l("too long"))]})
    if kind in (None, ""):
        if not detail:
            if missing:
                raise ValidationFailed(str(missing), {field: [str(_l("required"))]})
            return "", ""
        kind = "other"
    try:
        kind = kinds(kind).value
    except (ValueError, TypeError):
        raise ValidationFailed(str(_l("Choose the reason in the list.")),
                               {"reason_kind": [str(_l("choose one of the answers offered"))]}) from None
    if kind == "other" and not detail and missing:
        raise ValidationFailed(str(_l("Say in a few words what the other reason is.")),
                               {"reason": [str(_l("required for another reason"))]})
    return kind, detail
