"""A visit report or a missed visit sent again with its key (retry, double tap, replay, two tabs) is recorded once."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from reco.accounts.models import Role
from reco.core.audit import Event
from reco.core.errors import DomainError, ValidationFailed
from reco.core.submissions import AlreadySubmitted, Submission
from reco.core.time import local_today
from reco.extensions import db
from reco.inventory.models import DeviceState
from reco.prescriptions.models import PrescriptionStatus, VisitReport, VisitStatus
from reco.prescriptions.reservations import reserve_device
from reco.prescriptions.visits import mark_missed, record_handover, report_visit, schedule_visit
from tests.conftest import login_as
from tests.factories import make_prescription, make_ready_device, make_structure, make_token, make_user
from tests.scenarios import reserved_household

TOMORROW = local_today() + timedelta(days=1)
REPORT = {"installed_working": True, "internet_connected": True, "accounts": ["email"],
          "no_signature_reason": "Reçu papier signé", "comments": "Tout va bien."}
FORM = {"installed_working": "y", "internet_connected": "y", "accounts": ["email"],
        "no_signature_reason": "Reçu papier signé", "comments": "Tout va bien."}
DRAFT = {"X-Reco-Draft": "1"}


@pytest.fixture
def chain(ctx):
    chain = reserved_household(visit=True)
    schedule_visit(chain["visit"], by=chain["mediator"], on=TOMORROW, slot="morning")
    db.session.commit()
    return chain | {"colleague": make_user(Role.INSTALLER, structure=chain["installer"])}


def _count(model_id, **where) -> int:
    query = select(func.count(model_id))
    for column, value in where.items():
        query = query.where(getattr(Event, column) == value)
    return db.session.scalar(query)


def _events(visit, action: str) -> int:
    return _count(Event.id, object_type="visit", object_id=str(visit.id), action=action)


def test_a_report_sent_twice_with_its_key_is_recorded_once(chain):
    visit, mediator = chain["visit"], chain["mediator"]
    report_visit(visit, by=mediator, submission_key="k" * 32, **REPORT)
    with pytest.raises(AlreadySubmitted) as again:
        report_visit(visit, by=mediator, submission_key="k" * 32, **REPORT | {"comments": "Envoyé deux fois"})
    assert again.value.submission.action == "visit.report"
    assert db.session.scalar(select(func.count(VisitReport.id))) == 1
    assert db.session.scalar(select(VisitReport.comments)) == "Tout va bien."
    assert _events(visit, "reported") == 1 and chain["device"].state is DeviceState.DELIVERED
    submission = db.session.scalars(select(Submission)).one()
    assert (submission.user_id, submission.object_type, submission.object_id) == (mediator.id, "visit", str(visit.id))


def test_a_second_report_with_another_key_is_refused_as_already_reported(chain):
    visit = chain["visit"]
    report_visit(visit, by=chain["mediator"], submission_key="a" * 32, **REPORT)
    db.session.commit()
    with pytest.raises(DomainError, match="déjà fait"):
        report_visit(visit, by=chain["colleague"], submission_key="b" * 32, **REPORT)
    db.session.rollback()  # as every refused request does
    with pytest.raises(DomainError, match="déjà fait"):
        report_visit(visit, by=chain["mediator"], **REPORT)
    assert db.session.scalar(select(func.count(VisitReport.id))) == 1
    assert db.session.scalar(select(func.count(Submission.id))) == 1


def test_a_missed_visit_sent_twice_is_recorded_and_planned_again_once(chain):
    visit, mediator = chain["visit"], chain["mediator"]
    later = TOMORROW + timedelta(days=2)
    mark_missed(visit, by=mediator, reason="Absents", new_date=later, slot="evening", submission_key="m" * 32)
    with pytest.raises(AlreadySubmitted):
        mark_missed(visit, by=mediator, reason="Absents", new_date=later, slot="evening", submission_key="m" * 32)
    assert visit.missed_count == 1 and visit.status is VisitStatus.SCHEDULED and visit.scheduled_on == later
    assert _events(visit, "missed") == 1 and _events(visit, "rescheduled") == 1


def test_a_refused_sending_keeps_its_key_free_for_the_corrected_one(chain):
    visit, mediator = chain["visit"], chain["mediator"]
    with pytest.raises(ValidationFailed):
        mark_missed(visit, by=mediator, reason="", submission_key="r" * 32)
    db.session.rollback()
    mark_missed(visit, by=mediator, reason="Personne", submission_key="r" * 32)
    assert visit.missed_count == 1 and _events(visit, "missed") == 1


def test_a_key_recorded_for_something_else_is_refused(chain):
    visit, mediator = chain["visit"], chain["mediator"]
    mark_missed(visit, by=mediator, reason="Absents", new_date=TOMORROW, slot="morning", submission_key="s" * 32)
    with pytest.raises(DomainError, match="pour autre chose"):
        report_visit(visit, by=mediator, submission_key="s" * 32, **REPORT)
    with pytest.raises(DomainError, match="pour autre chose"):
        mark_missed(visit, by=chain["colleague"], reason="Absents", submission_key="s" * 32)
    assert visit.status is VisitStatus.SCHEDULED and visit.missed_count == 1


@pytest.mark.parametrize("key", ["short", "x" * 65, "tab\there" * 2, 12345678])
def test_a_key_that_is_not_a_short_text_is_refused(chain, key):
    with pytest.raises(ValidationFailed):
        report_visit(chain["visit"], by=chain["mediator"], submission_key=key, **REPORT)
    assert chain["visit"].status is VisitStatus.SCHEDULED


def test_a_handover_sent_twice_is_recorded_once(ctx):
    workshop = make_structure("workshop")
    supervisor = make_user(Role.SUPERVISOR, structure=workshop)
    prescription = make_prescription(make_user(Role.PRESCRIBER), workshop, status="accepted")
    reserve_device(prescription, make_ready_device(workshop), by=supervisor)
    record_handover(prescription, by=supervisor, submission_key="h" * 32, **REPORT)
    with pytest.raises(AlreadySubmitted):
        record_handover(prescription, by=supervisor, submission_key="h" * 32, **REPORT)
    assert prescription.status is PrescriptionStatus.EQUIPPED
    assert db.session.scalar(select(func.count(VisitReport.id))) == 1


def test_the_report_page_gives_a_key_and_answers_a_second_sending_as_recorded(client, chain):
    visit = chain["visit"]
    login_as(client, chain["mediator"])
    page = client.get(f"/visits/{visit.id}/report").get_data(as_text=True)
    assert 'name="submission_key"' in page and "data-draft" in page and "drafts.js" in page
    other = client.get(f"/visits/{visit.id}/report").get_data(as_text=True)
    key = page.split('name="submission_key" type="hidden" value="')[1][:32]
    assert len(key) == 32 and key not in other  # a new key for each blank form
    first = client.post(f"/visits/{visit.id}/report", data=FORM | {"submission_key": key})
    assert first.status_code == 302 and first.location == "/visits"
    again = client.post(f"/visits/{visit.id}/report", data=FORM | {"submission_key": key}, follow_redirects=True)
    assert again.status_code == 200 and "déjà enregistré" in again.get_data(as_text=True)
    replay = client.post(f"/visits/{visit.id}/report", data=FORM | {"submission_key": key}, headers=DRAFT)
    assert replay.status_code == 200
    assert replay.get_json() | {"message": ""} == {"recorded": True, "already": True, "message": "",
                                                     "location": "/visits"}
    assert db.session.scalar(select(func.count(VisitReport.id))) == 1 and _events(visit, "reported") == 1


def test_a_draft_refused_is_answered_in_json_with_the_reason(client, chain):
    visit = chain["visit"]
    login_as(client, chain["mediator"])
    wrong = client.post(f"/visits/{visit.id}/report", data={"internet_connected": "y", "submission_key": "w" * 32},
                        headers=DRAFT)
    assert wrong.status_code == 422 and wrong.get_json()["recorded"] is False
    assert "installed_working" in wrong.get_json()["errors"]
    done = client.post(f"/visits/{visit.id}/report", data=FORM | {"submission_key": "w" * 32}, headers=DRAFT)
    assert done.status_code == 200 and done.get_json()["recorded"] is True and done.get_json()["already"] is False
    # The same report typed in another tab (another key) once the visit is closed: refused, with the reason.
    closed = client.post(f"/visits/{visit.id}/report", data=FORM | {"submission_key": "t" * 32}, headers=DRAFT)
    assert closed.status_code == 422 and "déjà fait" in closed.get_json()["message"]
    assert client.get(f"/visits/{visit.id}/report").status_code == 302


def test_the_missed_form_sent_twice_is_recorded_once(client, chain):
    visit = chain["visit"]
    login_as(client, chain["mediator"])
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert 'name="submission_key"' in page and "data-draft-status" in page
    form = {"reason": "Personne", "new_date": (TOMORROW + timedelta(days=3)).isoformat(), "new_slot": "evening",
            "submission_key": "n" * 32}
    assert client.post(f"/visits/{visit.id}/missed", data=form).status_code == 302
    again = client.post(f"/visits/{visit.id}/missed", data=form, follow_redirects=True)
    assert "déjà enregistré" in again.get_data(as_text=True)
    replay = client.post(f"/visits/{visit.id}/missed", data=form, headers=DRAFT)
    assert replay.get_json()["already"] is True and replay.get_json()["location"] == f"/visits/{visit.id}"
    refused = client.post(f"/visits/{visit.id}/missed", data=form | {"reason": "", "submission_key": "o" * 32},
                          headers=DRAFT)
    assert refused.status_code == 422 and refused.get_json()["errors"] == {"reason_kind": ["obligatoire"]}
    db.session.refresh(visit)
    assert visit.missed_count == 1 and _events(visit, "missed") == 1 and _events(visit, "rescheduled") == 1


def test_the_api_takes_the_same_key_as_a_header_or_a_field(client, chain):
    visit = chain["visit"]
    mediator = {"Authorization": f"Bearer {make_token(chain['mediator'])}"}
    url = f"/api/v1/visits/{visit.id}/report"
    first = client.post(url, headers=mediator | {"Idempotency-Key": "i" * 32}, json=REPORT)
    assert first.status_code == 200 and first.get_json()["already_recorded"] is False
    again = client.post(url, headers=mediator, json=REPORT | {"submission_key": "i" * 32})
    assert again.status_code == 200 and again.get_json()["already_recorded"] is True
    assert again.get_json()["status"] == "done"
    assert client.post(url, headers=mediator | {"Idempotency-Key": "j" * 32}, json=REPORT).status_code == 409
    assert db.session.scalar(select(func.count(VisitReport.id))) == 1
