"""One report or missed visit sent several times at the same moment (double tap, two tabs, a replay): recorded once."""
import json
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from reco.core.audit import Event
from reco.core.submissions import Submission
from reco.core.time import local_today
from reco.extensions import db
from reco.inventory.models import Device, DeviceState
from reco.prescriptions.models import Visit, VisitReport
from reco.prescriptions.visits import schedule_visit
from tests.factories import make_token
from tests.parallel import at_once, form_post, logged_in
from tests.scenarios import reserved_household

pytestmark = pytest.mark.committed

REPORT = {"installed_working": "y", "internet_connected": "y", "accounts": "email",
          "no_signature_reason": "Reçu papier signé", "comments": "Tout va bien."}


@pytest.fixture
def visit(app):
    """A planned visit, its mediator and the mediator's API token."""
    with app.app_context():
        chain = reserved_household(visit=True)
        planned, mediator, device = chain["visit"], chain["mediator"], chain["device"]
        schedule_visit(planned, by=mediator, on=local_today() + timedelta(days=1), slot="morning")
        token = make_token(mediator)
        db.session.commit()
        return {"id": planned.id, "email": mediator.email, "token": token, "device": device.id, "on": planned.scheduled_on}


def _counts(app, visit_id: int) -> dict:
    with app.app_context():
        actions = db.session.scalars(select(Event.action).where(Event.object_type == "visit",
                                                                Event.object_id == str(visit_id))).all()
        return {"reports": db.session.scalar(select(func.count(VisitReport.id))),
                "submissions": db.session.scalar(select(func.count(Submission.id))),
                "reported": actions.count("reported"), "missed": actions.count("missed"),
                "rescheduled": actions.count("rescheduled"),
                "missed_count": db.session.get(Visit, visit_id).missed_count}


def test_a_report_tapped_four_times_at_once_is_recorded_once(app, live_server, visit):
    opener = logged_in(live_server, visit["email"])
    url = f"{live_server}/visits/{visit['id']}/report"
    answers = at_once([form_post(opener, url, REPORT | {"submission_key": "d" * 32})] * 4)
    assert [(status, final) for status, final, _body in answers] == [(200, f"{live_server}/visits")] * 4
    # One session for the four (one phone): which page shows which message is a matter of timing, but none
    # is a refusal.
    assert not any("flash-error" in body for _status, _final, body in answers)
    assert _counts(app, visit["id"]) | {"missed_count": 0} == {
        "reports": 1, "submissions": 1, "reported": 1, "missed": 0, "rescheduled": 0, "missed_count": 0}
    with app.app_context():
        assert db.session.get(Device, visit["device"]).state is DeviceState.DELIVERED


def test_a_draft_replayed_from_two_tabs_at_once_is_recorded_once(app, live_server, visit):
    tabs = [logged_in(live_server, visit["email"]) for _ in range(2)]
    url = f"{live_server}/visits/{visit['id']}/report"
    answers = at_once([form_post(tab, url, REPORT | {"submission_key": "e" * 32}, {"X-Reco-Draft": "1"})
                        for tab in tabs])
    bodies = [json.loads(body) for status, _final, body in answers if status == 200]
    assert sorted(body["already"] for body in bodies) == [False, True]
    assert all(body["recorded"] for body in bodies)
    assert _counts(app, visit["id"])["reports"] == 1 and _counts(app, visit["id"])["reported"] == 1


def test_a_missed_visit_sent_four_times_at_once_is_recorded_and_planned_again_once(app, live_server, visit):
    opener = logged_in(live_server, visit["email"])
    form = {"reason": "Personne", "new_date": (visit["on"] + timedelta(days=2)).isoformat(), "new_slot": "evening",
            "submission_key": "f" * 32}
    answers = at_once([form_post(opener, f"{live_server}/visits/{visit['id']}/missed", form)] * 4)
    assert [final for _status, final, _body in answers] == [f"{live_server}/visits/{visit['id']}"] * 4
    assert _counts(app, visit["id"]) == {"reports": 0, "submissions": 1, "reported": 0, "missed": 1,
                                         "rescheduled": 1, "missed_count": 1}


def test_the_api_report_sent_four_times_at_once_with_one_key_is_recorded_once(app, live_server, visit):
    body = json.dumps({"installed_working": True, "internet_connected": True,
                       "no_signature_reason": "Reçu papier signé"}).encode()

    def call():
        request = urllib.request.Request(f"{live_server}/api/v1/visits/{visit['id']}/report", data=body, headers={
            "Authorization": f"Bearer {visit['token']}", "Content-Type": "application/json",
            "Idempotency-Key": "g" * 32})
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)["already_recorded"]
    answers = at_once([call] * 4)
    assert sorted(answers) == [(200, False)] + [(200, True)] * 3
    assert _counts(app, visit["id"])["reports"] == 1 and _counts(app, visit["id"])["reported"] == 1
