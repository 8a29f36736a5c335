"""The installer's pages and the API of visits: who sees the household's address, and for how long."""
from datetime import timedelta

import jsonschema
import pytest
from sqlalchemy import select

from reco.accounts.models import Role
from reco.api.openapi import SCHEMAS
from reco.core.audit import events_for
from reco.core.time import local_today
from reco.extensions import db
from reco.inventory.models import DeviceState
from reco.prescriptions.models import PrescriptionStatus, Visit, VisitStatus
from tests.conftest import login_as
from tests.factories import make_token, make_user
from tests.scenarios import reserved_household

TOMORROW = local_today() + timedelta(days=1)


@pytest.fixture
def chain(ctx):
    chain = reserved_household(contact_name="Mme Awa Diop")
    return chain | {"technician": make_user(Role.TECHNICIAN, structure=chain["workshop"])}



def _ask(client, chain):
    login_as(client, chain["supervisor"])
    response = client.post(f"/prescriptions/{chain['prescription'].id}/visits",
                           data={"installer_id": chain["installer"].id, "note": "Interphone 12"})
    assert response.status_code == 302
    return db.session.scalars(select(Visit)).one()


def test_the_mediator_plans_and_reports_on_a_phone(client, chain):
    visit = _ask(client, chain)
    login_as(client, chain["mediator"])
    listing = client.get("/visits").get_data(as_text=True)
    assert chain["prescription"].code in listing
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Awa Diop" in page and "0612345678" in page and "Interphone 12" in page
    assert [e.details for e in events_for(chain["prescription"]) if e.action == "personal_data_viewed"] == [
        {"what": "visit"}]
    past = client.post(f"/visits/{visit.id}/schedule", data={"scheduled_on": "2020-01-01", "slot": "morning"})
    assert past.status_code == 302
    db.session.refresh(visit)
    assert visit.status is VisitStatus.REQUESTED
    client.post(f"/visits/{visit.id}/schedule", data={"scheduled_on": TOMORROW.isoformat(), "slot": "evening"})
    db.session.refresh(visit)
    assert visit.status is VisitStatus.SCHEDULED
    week = client.get(f"/visits/week?start={TOMORROW.isoformat()}").get_data(as_text=True)
    assert chain["prescription"].code in week
    refused = client.post(f"/visits/{visit.id}/report", data={"internet_connected": "y"})
    assert refused.status_code == 422
    done = client.post(f"/visits/{visit.id}/report", data={
        "installed_working": "y", "internet_connected": "y", "accounts": ["email", "school"],
        "first_steps": ["turn_on"], "digital_level": "training", "no_signature_reason": "Attestation papier signée"})
    assert done.status_code == 302
    db.session.refresh(chain["prescription"])
    assert chain["prescription"].status is PrescriptionStatus.EQUIPPED
    closed = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Awa Diop" not in closed and "0612345678" not in closed
    assert client.get(f"/visits/{visit.id}/report").status_code == 302


def test_other_installers_and_technicians_never_see_the_visit(client, chain):
    visit = _ask(client, chain)
    login_as(client, make_user(Role.INSTALLER))
    assert client.get(f"/visits/{visit.id}").status_code == 404
    assert client.post(f"/visits/{visit.id}/report", data={"installed_working": "y"}).status_code == 404
    assert chain["prescription"].code not in client.get("/visits").get_data(as_text=True)
    login_as(client, chain["technician"])
    assert client.get(f"/visits/{visit.id}").status_code == 403
    login_as(client, chain["mediator"])
    assert client.post(f"/visits/{visit.id}/cancel", data={"reason": "x"}).status_code == 403
    assert client.get(f"/prescriptions/{chain['prescription'].id}").status_code == 403


def test_the_supervisor_cancels_and_the_household_goes_back_to_the_waiting_list(client, chain):
    visit = _ask(client, chain)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Awa Diop" not in page  # the workshop does not hand over: no contact details
    client.post(f"/visits/{visit.id}/cancel", data={"reason": "Écran cassé au transport", "confirm": "y"})
    db.session.refresh(visit)
    db.session.refresh(chain["device"])
    assert visit.status is VisitStatus.CANCELLED and chain["device"].state is DeviceState.READY
    login_as(client, chain["mediator"])
    assert "Awa Diop" not in client.get(f"/visits/{visit.id}").get_data(as_text=True)


def test_handover_at_the_workshop_and_the_device_brought_back(client, chain):
    login_as(client, chain["supervisor"])
    page = client.get(f"/prescriptions/{chain['prescription'].id}/handover")
    assert page.status_code == 200
    response = client.post(f"/prescriptions/{chain['prescription'].id}/handover",
                           data={"internet_connected": "y", "no_signature_reason": "Attestation papier signée"})
    assert response.status_code == 302
    db.session.refresh(chain["device"])
    assert chain["device"].state is DeviceState.DELIVERED
    login_as(client, chain["technician"])
    device_page = client.get(f"/devices/{chain['device'].tag}").get_data(as_text=True)
    assert f"/devices/{chain['device'].tag}/return" in device_page
    assert client.post(f"/devices/{chain['device'].tag}/return", data={"reason": ""}).status_code == 422
    back = client.post(f"/devices/{chain['device'].tag}/return", data={"reason": "Clavier HS", "replacement": "y"})
    assert back.status_code == 302
    db.session.refresh(chain["prescription"])
    assert chain["prescription"].status is PrescriptionStatus.ACCEPTED


def test_the_api_asks_for_and_reports_visits(client, chain):
    supervisor = {"Authorization": f"Bearer {make_token(chain['supervisor'])}"}
    mediator = {"Authorization": f"Bearer {make_token(chain['mediator'])}"}
    url = f"/api/v1/prescriptions/{chain['prescription'].id}/visits"
    asked = client.post(url, headers=supervisor, json={})
    assert asked.status_code == 201
    body = asked.get_json()
    jsonschema.validate(body, SCHEMAS["Visit"])
    assert body["installer_id"] == chain["installer"].id and "Awa" not in str(body)
    assert client.post(url, headers=supervisor, json={}).status_code == 409
    report_url = f"/api/v1/visits/{body['id']}/report"
    stranger = {"Authorization": f"Bearer {make_token(make_user(Role.INSTALLER))}"}
    assert client.post(report_url, headers=stranger, json={"installed_working": True}).status_code == 404
    assert client.post(report_url, headers=mediator, json={"installed_working": "y"}).status_code == 422
    unsigned = {"installed_working": True, "internet_connected": True}
    assert client.post(report_url, headers=mediator, json=unsigned).status_code == 422
    done = client.post(report_url, headers=mediator,
                       json=unsigned | {"no_signature_reason": "Attestation papier signée"})
    assert done.status_code == 200 and done.get_json()["status"] == "done"
    assert client.post(report_url, headers=mediator, json={"installed_working": True}).status_code == 409


def test_a_report_on_a_cancelled_visit_is_refused(client, chain):
    mediator = {"Authorization": f"Bearer {make_token(chain['mediator'])}"}
    visit = _ask(client, chain)
    client.post(f"/visits/{visit.id}/cancel", data={"reason": "Famille partie", "confirm": "y"})
    refused = client.post(f"/api/v1/visits/{visit.id}/report", headers=mediator, json={"installed_working": True})
    assert refused.status_code == 409 and refused.get_json()["message"]


@pytest.mark.parametrize("start", ["0001-01-01", "9999-12-31", "2026-02-30"])
def test_any_week_asked_for_gives_a_page(client, chain, start):
    login_as(client, chain["mediator"])
    assert client.get(f"/visits/week?start={start}").status_code == 200
