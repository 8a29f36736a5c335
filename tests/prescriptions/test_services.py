"""Writing, submitting and deciding prescriptions: the rules, the refusals, the events and the notices."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from reco.accounts.models import Role
from reco.core.audit import events_for
from reco.core.errors import DomainError, ValidationFailed
from reco.core.notices import Notice
from reco.core import time as time_module
from reco.core.time import local_today
from reco.extensions import db
from reco.prescriptions.models import Prescription, PrescriptionStatus
from reco.prescriptions.services import (
    cancel_prescription,
    create_prescription,
    decide_prescription,
    update_prescription,
    withdraw_prescription,
)
from tests.factories import HOUSEHOLD, make_prescription, make_structure, make_user

P = PrescriptionStatus


@pytest.fixture
def people(ctx):
    workshop = make_structure("workshop")
    prescriber = make_user(Role.PRESCRIBER)
    colleague = make_user(Role.PRESCRIBER, structure=prescriber.structure)
    supervisor = make_user(Role.SUPERVISOR, structure=workshop)
    return workshop, prescriber, colleague, supervisor


def _count() -> int:
    return db.session.scalar(select(func.count(Prescription.id)))


def _write(people, submit=True, **changes):
    workshop, prescriber, _colleague, _supervisor = people
    values = HOUSEHOLD | {"consent_on": local_today()} | changes
    return create_prescription(by=prescriber, workshop=workshop, consent=values.pop("consent", True), submit=submit,
                               **values)


def test_a_submitted_prescription_gets_a_code_and_the_consent_is_recorded(people):
    prescription = _write(people)
    _workshop, prescriber, _colleague, _supervisor = people
    assert re.fullmatch(r"FOY-[A-HJ-NP-Z2-9]{6}", prescription.code)
    assert prescription.status is P.SUBMITTED and prescription.submitted_at is not None
    assert prescription.consent_recorded_by_id == prescriber.id and prescription.consent_on == local_today()
    assert prescription.contact_phone == "0612345678"
    assert [e.details.get("to") for e in reversed(events_for(prescription))] == [None, "submitted"]


def test_codes_are_unique(people):
    codes = {_write(people).code for _ in range(20)}
    assert len(codes) == 20


def test_nothing_is_recorded_without_the_households_consent(people):
    with pytest.raises(ValidationFailed) as error:
        _write(people, consent=False)
    assert "consent" in error.value.fields
    assert _count() == 0


@pytest.mark.parametrize("changes, field", [
    ({"insee_code": "3523"}, "insee_code"),
    ({"insee_code": "35000"}, "insee_code"),
    ({"insee_code": "99123"}, "insee_code"),
    ({"insee_code": "ABCDE"}, "insee_code"),
    ({"postcode": "35 00"}, "postcode"),
    ({"contact_phone": "12345"}, "contact_phone"),
    ({"contact_name": "  "}, "contact_name"),
    ({"adults": -1}, "adults"),
    ({"children_primary": 500}, "children_primary"),
    ({"students": "two"}, "students"),
    ({"adults": True}, "adults"),
    ({"adults": 0, "children_primary": 0}, "adults"),
    ({"adults": 20, "children_primary": 20}, "adults"),
    ({"needs": ["pony"]}, "needs"),
    ({"needs": "school"}, "needs"),
    ({"needs": []}, "needs"),
    ({"digital_level": "expert"}, "digital_level"),
    ({"equipment": None}, "equipment"),
    ({"internet": 3}, "internet"),
    ({"qpv": "yes"}, "qpv"),
    ({"urgency": "urgent", "urgency_reason": ""}, "urgency_reason"),
    ({"comment": "x" * 2001}, "comment"),
    ({"contact_name": ["a"]}, "contact_name"),
    ({"consent_on": local_today() + timedelta(days=1)}, "consent_on"),
    ({"consent_on": "2026-01-01"}, "consent_on"),
])
def test_bad_answers_are_refused_field_by_field_and_nothing_is_written(people, changes, field):
    with pytest.raises(ValidationFailed) as error:
        _write(people, **changes)
    assert field in error.value.fields
    assert _count() == 0


def test_the_consent_day_is_the_networks_day_not_the_servers(people, monkeypatch):
    # 23:30 in UTC on 5 December is already 6 December in Paris: the household agreed « today », on the 6th
    monkeypatch.setattr(time_module, "utcnow", lambda: datetime(2026, 12, 5, 23, 30, tzinfo=timezone.utc))
    assert _write(people, consent_on=date(2026, 12, 6)).consent_on == date(2026, 12, 6)
    with pytest.raises(ValidationFailed) as refused:
        _write(people, consent_on=date(2026, 12, 7))
    assert "consent_on" in refused.value.fields


def test_a_draft_may_be_incomplete_but_not_wrong(people):
    draft = make_prescription(people[1], people[0], status="draft", contact_phone="", address="", equipment=None,
                              needs=[])
    assert draft.status is P.DRAFT and draft.submitted_at is None
    with pytest.raises(ValidationFailed):
        _write(people, submit=False, insee_code="123")
    _workshop, prescriber, _colleague, _supervisor = people
    with pytest.raises(ValidationFailed) as error:
        update_prescription(draft, by=prescriber, workshop=draft.workshop, consent=True, submit=True,
                            **(HOUSEHOLD | {"contact_phone": "", "consent_on": local_today()}))
    assert "contact_phone" in error.value.fields
    db.session.rollback()
    update_prescription(draft, by=prescriber, workshop=draft.workshop, consent=True, submit=True,
                        **(HOUSEHOLD | {"consent_on": local_today()}))
    assert draft.status is P.SUBMITTED


def test_the_workshop_must_be_an_active_workshop(people):
    with pytest.raises(ValidationFailed) as error:
        create_prescription(by=people[1], workshop=make_structure("prescriber"), consent=True,
                            **(HOUSEHOLD | {"consent_on": local_today()}))
    assert "workshop" in error.value.fields


def test_accepting_and_declining(people):
    _workshop, _prescriber, _colleague, supervisor = people
    accepted, declined = _write(people), _write(people)
    decide_prescription(accepted, by=supervisor, accept=True)
    assert accepted.status is P.ACCEPTED and accepted.decided_at is not None and accepted.closed_at is None
    with pytest.raises(ValidationFailed):
        decide_prescription(declined, by=supervisor, accept=False, reason=" ")
    with pytest.raises(ValidationFailed):
        decide_prescription(declined, by=supervisor, accept="yes")
    decide_prescription(declined, by=supervisor, accept=False, reason="Pas d'ordinateur portable avant mars.")
    assert declined.status is P.DECLINED and declined.closed_at is not None
    assert declined.decline_reason == "Pas d'ordinateur portable avant mars."


@pytest.mark.parametrize("status", ["draft", "accepted"])
def test_only_a_submitted_prescription_is_decided(people, status):
    _workshop, _prescriber, _colleague, supervisor = people
    prescription = make_prescription(people[1], people[0], status=status)
    with pytest.raises(DomainError, match="submitted|envoyée"):
        decide_prescription(prescription, by=supervisor, accept=True)
    assert prescription.status is P(status)


def _submitted(people):
    return _write(people)


def _accepted(people):
    prescription = _write(people)
    decide_prescription(prescription, by=people[3], accept=True)
    return prescription


#: Each change that tells the other side: who acts (index in ``people``), the prescription it starts from, the change
#: (which returns the prescription) and what the notice says.
CHANGES = {
    "submitted": (1, lambda people: None, lambda people, p: _write(people), "maintenant «\xa0envoyée\xa0»"),
    "accepted": (3, _submitted, lambda people, p: decide_prescription(p, by=people[3], accept=True),
                 "maintenant «\xa0acceptée, en attente d'un appareil\xa0»"),
    "declined": (3, _submitted,
                 lambda people, p: decide_prescription(p, by=people[3], accept=False, reason_kind="not_eligible"),
                 "maintenant «\xa0refusée\xa0» — ne répond pas aux critères de l'atelier"),
    "withdrawn": (1, _submitted, lambda people, p: withdraw_prescription(p, by=people[1], reason_kind="moved"),
                  "maintenant «\xa0retirée\xa0» — le foyer a déménagé"),
    "cancelled_by_the_prescriber": (1, _accepted,
                                    lambda people, p: cancel_prescription(p, by=people[1], reason_kind="moved"),
                                    "maintenant «\xa0annulée\xa0» — le foyer a déménagé"),
    "cancelled_by_the_workshop": (3, _accepted,
                                  lambda people, p: cancel_prescription(p, by=people[3], reason_kind="moved"),
                                  "maintenant «\xa0annulée\xa0» — le foyer a déménagé"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_change_notifies_the_other_side_only(people, change):
    _workshop, prescriber, colleague, supervisor = people
    actor, before, act, text = CHANGES[change]
    prescription = before(people)
    db.session.flush()
    start = db.session.scalar(select(func.max(Notice.id))) or 0
    prescription = act(people, prescription)
    db.session.flush()
    notices = db.session.scalars(select(Notice).where(Notice.id > start).order_by(Notice.id)).all()
    told = [supervisor.id] if people[actor] is prescriber else [prescriber.id, colleague.id]
    assert sorted(n.user_id for n in notices) == sorted(told)
    assert {(n.subject, n.url, n.text) for n in notices} == {
        (prescription.code, f"/prescriptions/{prescription.id}", text)}


def test_withdrawing_a_draft_notifies_nobody(people):
    draft = _write(people, submit=False)
    withdraw_prescription(draft, by=people[1])
    db.session.flush()
    assert db.session.scalar(select(func.count(Notice.id))) == 0


def test_withdrawing_before_acceptance_only(people):
    _workshop, prescriber, _colleague, supervisor = people
    draft, submitted, accepted = (make_prescription(prescriber, people[0], status=s)
                                  for s in ("draft", "submitted", "accepted"))
    withdraw_prescription(draft, by=prescriber)
    withdraw_prescription(submitted, by=prescriber, reason="La famille a déménagé")
    assert draft.status is submitted.status is P.WITHDRAWN
    with pytest.raises(DomainError):
        withdraw_prescription(accepted, by=prescriber)
    assert accepted.status is P.ACCEPTED


def test_a_decided_prescription_can_no_longer_be_edited(people):
    _workshop, prescriber, _colleague, _supervisor = people
    accepted = make_prescription(prescriber, people[0], status="accepted")
    with pytest.raises(DomainError):
        update_prescription(accepted, by=prescriber, workshop=accepted.workshop, consent=True,
                            **(HOUSEHOLD | {"contact_name": "Autre", "consent_on": local_today()}))
    db.session.rollback()
    assert db.session.get(Prescription, accepted.id).contact_name == HOUSEHOLD["contact_name"]


def test_a_submitted_prescription_stays_with_its_workshop(people):
    _workshop, prescriber, _colleague, _supervisor = people
    prescription = make_prescription(prescriber, people[0])
    with pytest.raises(DomainError):
        update_prescription(prescription, by=prescriber, workshop=make_structure("workshop"), consent=True,
                            **(HOUSEHOLD | {"consent_on": local_today()}))


def test_cancelling_needs_a_reason_and_an_open_prescription(people):
    _workshop, prescriber, _colleague, _supervisor = people
    accepted = make_prescription(prescriber, people[0], status="accepted")
    with pytest.raises(ValidationFailed):
        cancel_prescription(accepted, by=prescriber, reason="")
    cancel_prescription(accepted, by=prescriber, reason="La famille a trouvé un ordinateur")
    assert accepted.status is P.CANCELLED and accepted.closed_at is not None
    with pytest.raises(DomainError):
        cancel_prescription(accepted, by=prescriber, reason="encore")
