"""Prescriptions through the API: a prescriber's software sends one, the workshop decides and reserves."""
from datetime import timedelta

import jsonschema
import pytest

from reco.accounts.models import Role
from reco.api.openapi import SCHEMAS
from reco.core.time import local_today
from reco.extensions import db
from reco.inventory.models import DeviceState
from reco.prescriptions.models import Prescription, PrescriptionStatus
from reco.prescriptions.reservations import reserve_device
from reco.prescriptions.visits import request_visit
from tests.factories import (
    HOUSEHOLD,
    make_device,
    make_donation,
    make_donor,
    make_prescription,
    make_ready_device,
    make_structure,
    make_token,
    make_user,
)
from tests.scenarios import prescriber_network


@pytest.fixture
def sides(ctx):
    sides = prescriber_network()
    return sides | {"p": {"Authorization": f"Bearer {make_token(sides['prescriber'])}"},
                    "s": {"Authorization": f"Bearer {make_token(sides['supervisor'])}"}}


def _valid(body: dict) -> dict:
    jsonschema.validate(body, SCHEMAS["Prescription"])
    return body


def test_the_whole_chain_through_the_api(client, sides):
    created = client.post("/api/v1/prescriptions", headers=sides["p"], json=HOUSEHOLD | {"consent": True})
    assert created.status_code == 201
    body = _valid(created.get_json())
    assert body["status"] == "submitted" and body["workshop_id"] == sides["workshop"].id
    assert body["contact"]["contact_name"] == "Mme Awa Diop" and body["household"]["children_primary"] == 2
    url = created.headers["Location"]
    seen = _valid(client.get(url, headers=sides["s"]).get_json())
    assert seen["contact"] is None and seen["code"] == body["code"] and seen["commune"] == "Rennes"
    decided = client.post(f"{url}/decision", headers=sides["s"], json={"accept": True})
    assert decided.status_code == 200 and decided.get_json()["status"] == "accepted"
    device = make_ready_device(sides["workshop"])
    reserved = client.post(f"{url}/reservation", headers=sides["s"], json={"tag": device.tag})
    assert reserved.status_code == 200 and _valid(reserved.get_json())["device"] == device.tag
    db.session.refresh(device)
    assert device.state is DeviceState.RESERVED
    followed = client.get(url, headers=sides["p"]).get_json()
    assert followed["status"] == "reserved" and followed["device"] == device.tag


def test_a_draft_through_the_api(client, sides):
    created = client.post("/api/v1/prescriptions", headers=sides["p"],
                          json={"contact_name": "M. Morel", "consent": True, "submit": False})
    assert created.status_code == 201 and created.get_json()["status"] == "draft"


@pytest.mark.parametrize("body, field", [
    ({"consent": False}, "consent"),
    ({"consent": "yes"}, "consent"),
    ({"insee_code": "75000"}, "insee_code"),
    ({"adults": -3}, "adults"),
    ({"children_high": 1e9}, "children_high"),
    ({"needs": "school"}, "needs"),
    ({"contact_name": 12}, "contact_name"),
    ({"consent_on": "yesterday"}, "consent_on"),
    ({"submit": "no"}, "submit"),
    ({"workshop_id": "1"}, "workshop_id"),
    ({"visit_wanted": None, "qpv": 1}, "qpv"),
])
def test_bad_prescriptions_are_refused_with_422_and_nothing_is_written(client, sides, body, field):
    response = client.post("/api/v1/prescriptions", headers=sides["p"], json=HOUSEHOLD | {"consent": True} | body)
    assert response.status_code == 422
    assert field in response.get_json()["fields"]
    assert db.session.query(Prescription).count() == 0


def test_not_json_and_no_workshop(client, sides):
    assert client.post("/api/v1/prescriptions", headers=sides["p"], data="x").status_code == 422
    sides["prescriber"].structure.usual_workshop = None
    make_structure("workshop")
    db.session.commit()
    response = client.post("/api/v1/prescriptions", headers=sides["p"], json=HOUSEHOLD | {"consent": True})
    assert response.status_code == 422 and "workshop" in response.get_json()["fields"]
    other = make_structure("prescriber")
    response = client.post("/api/v1/prescriptions", headers=sides["p"],
                           json=HOUSEHOLD | {"consent": True, "workshop_id": other.id})
    assert response.status_code == 422


def test_decisions_need_a_submitted_prescription_and_a_reason_to_decline(client, sides):
    draft = make_prescription(sides["prescriber"], sides["workshop"], status="draft")
    hidden = client.post(f"/api/v1/prescriptions/{draft.id}/decision", headers=sides["s"], json={"accept": True})
    assert hidden.status_code == 404  # a draft is the prescriber's until sent: the workshop does not see it
    accepted = make_prescription(sides["prescriber"], sides["workshop"], status="accepted")
    refused = client.post(f"/api/v1/prescriptions/{accepted.id}/decision", headers=sides["s"], json={"accept": True})
    assert refused.status_code == 409 and refused.get_json()["error"] == "conflict"
    submitted = make_prescription(sides["prescriber"], sides["workshop"])
    url = f"/api/v1/prescriptions/{submitted.id}/decision"
    assert client.post(url, headers=sides["s"], json={"accept": False}).status_code == 422
    assert client.post(url, headers=sides["s"], json={"accept": "no", "reason": "x"}).status_code == 422
    assert client.post(url, headers=sides["s"], json={}).status_code == 422
    declined = client.post(url, headers=sides["s"], json={"accept": False, "reason": "Hors de notre territoire"})
    assert declined.status_code == 200 and declined.get_json()["decline_reason"] == "Hors de notre territoire"
    assert client.post(url, headers=sides["p"], json={"accept": True}).status_code == 403


def test_reservations_refused_with_409_or_404(client, sides):
    workshop = sides["workshop"]
    submitted = make_prescription(sides["prescriber"], workshop)
    accepted = make_prescription(sides["prescriber"], workshop, status="accepted")
    ready = make_ready_device(workshop)
    received = make_device(make_donation(make_donor(workshop)))
    elsewhere = make_ready_device(make_structure("workshop"))

    def reserve(prescription, tag):
        return client.post(f"/api/v1/prescriptions/{prescription.id}/reservation", headers=sides["s"],
                           json={"tag": tag})

    assert reserve(submitted, ready.tag).status_code == 409
    assert reserve(accepted, received.tag).status_code == 409
    assert reserve(accepted, elsewhere.tag).status_code == 404
    assert reserve(accepted, "").status_code == 404
    assert client.post(f"/api/v1/prescriptions/{accepted.id}/reservation", headers=sides["s"],
                       json={"tag": 5}).status_code == 422
    assert reserve(accepted, ready.tag).status_code == 200
    again = reserve(make_prescription(sides["prescriber"], workshop, status="accepted"), ready.tag)
    assert again.status_code == 409 and again.get_json()["error"] == "device_taken"
    assert again.get_json()["tag"] == ready.tag and "autre foyer" in again.get_json()["message"]
    db.session.refresh(accepted)
    assert accepted.status is PrescriptionStatus.RESERVED and accepted.reservation.device_id == ready.id


def test_prescriber_a_never_reads_or_changes_prescriber_bs_households(client, sides):
    theirs = make_prescription(make_user(Role.PRESCRIBER), sides["workshop"])
    assert client.get(f"/api/v1/prescriptions/{theirs.id}", headers=sides["p"]).status_code == 404
    other_workshop_supervisor = make_user(Role.SUPERVISOR)
    headers = {"Authorization": f"Bearer {make_token(other_workshop_supervisor)}"}
    assert client.get(f"/api/v1/prescriptions/{theirs.id}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/prescriptions/{theirs.id}/decision", headers=headers,
                       json={"accept": True}).status_code == 404
    db.session.refresh(theirs)
    assert theirs.status is PrescriptionStatus.SUBMITTED and theirs.consent_on == local_today()


def test_null_stands_for_an_absent_field_in_prescriptions_visits_and_partner_reports(client, sides):
    created = client.post("/api/v1/prescriptions", headers=sides["p"],
                          json=HOUSEHOLD | {"consent": True, "submit": None, "comment": None, "adults": None})
    assert created.status_code == 201 and created.get_json()["status"] == "submitted"
    installer_org = make_structure("installer")
    mediator = make_user(Role.INSTALLER, structure=installer_org)
    prescription = make_prescription(sides["prescriber"], sides["workshop"], status="accepted")
    reserve_device(prescription, make_ready_device(sides["workshop"]), by=sides["supervisor"])
    visit = request_visit(prescription, by=sides["supervisor"], installer=installer_org)
    db.session.commit()
    report = {"installed_working": True, "internet_connected": True, "signature": None, "accounts": None,
              "comments": None, "no_signature_reason": "Attestation papier signée"}
    reported = client.post(f"/api/v1/visits/{visit.id}/report", json=report,
                           headers={"Authorization": f"Bearer {make_token(mediator)}"})
    assert reported.status_code == 200 and reported.get_json()["status"] == "done"
    partner = make_user(Role.PARTNER)
    line = {"insee_code": "35238", "device_type": "laptop", "families": 3, "accompanied": None, "commune": None}
    last_month = (local_today().replace(day=1) - timedelta(days=1)).isoformat()[:7]
    sent = client.post("/api/v1/partner-reports", headers={"Authorization": f"Bearer {make_token(partner)}"},
                       json={"month": last_month, "lines": [line], "note": None})
    assert sent.status_code == 201 and sent.get_json()["families"] == 3
