"""Idempotency-Key: a bench agent's spooled report sent twice (or at once from two threads) is recorded once."""
import json
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from reco.api.idempotency import KEPT_DAYS, ApiReply
from reco.core.audit import Event
from reco.core.time import utcnow
from reco.extensions import db
from reco.inventory.models import Device, Sanitization
from tests.factories import make_device, make_donation, make_donor, make_structure, make_token, make_user
from tests.inventory.workbench_helpers import drive_of, fixture, nwipe_log_for, wiped_in
from tests.parallel import at_once

LSHW = fixture("hardware/lshw/laptop-dell-latitude-e5530.json")


@pytest.fixture
def bench(ctx):
    technician = make_user("technician", locale="fr")
    donation = make_donation(make_donor(technician.structure))
    device = make_device(donation, type="laptop", drives=[drive_of("erased")])
    wiped_in(device.drives[0])
    db.session.commit()
    return {"user": technician, "donation": donation, "device": device,
            "headers": {"Authorization": f"Bearer {make_token(technician)}"}}


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_device_received_twice_with_one_key_is_received_once(client, bench):
    headers = bench["headers"] | {"Idempotency-Key": "spool-0001"}
    body = {"donation_id": bench["donation"].id, "type": "desktop", "serial": "SN-SPOOL"}
    first = client.post("/api/v1/devices", json=body, headers=headers)
    again = client.post("/api/v1/devices", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replay"] == "true" and "Idempotent-Replay" not in first.headers
    assert again.headers["Location"] == first.headers["Location"] == f"/api/v1/devices/{first.get_json()['tag']}"
    assert _count(Device, Device.serial == "SN-SPOOL") == 1
    other = client.post("/api/v1/devices", json=body | {"serial": "SN-OTHER"}, headers=headers)
    assert other.status_code == 422 and other.get_json()["error"] == "idempotency_key_reused"
    assert "Idempotency-Key a déjà servi" in other.get_json()["message"]
    assert _count(Device, Device.serial == "SN-OTHER") == 0
    # Another person's key is theirs: the same key does not replay someone else's answer.
    colleague = {"Authorization": f"Bearer {make_token(make_user('technician', structure=bench['user'].structure))}"}
    theirs = client.post("/api/v1/devices", json=body | {"serial": "SN-THEIRS"},
                         headers=colleague | {"Idempotency-Key": "spool-0001"})
    assert theirs.status_code == 201 and "Idempotent-Replay" not in theirs.headers


def test_answers_are_kept_ninety_days_then_dropped(client, bench):
    user_id = bench["user"].id
    db.session.add_all([ApiReply(user_id=user_id, key=key, endpoint="api.post_device", request_sha256="0" * 64,
                                 status=201, body="{}", created_at=utcnow() - timedelta(days=days))
                        for key, days in (("old", KEPT_DAYS + 1), ("recent", KEPT_DAYS - 1))])
    db.session.commit()
    body = {"donation_id": bench["donation"].id, "type": "desktop", "serial": "SN-NEW"}
    assert client.post("/api/v1/devices", json=body, headers=bench["headers"] | {"Idempotency-Key": "new"}) \
        .status_code == 201
    assert sorted(db.session.scalars(select(ApiReply.key).where(ApiReply.user_id == user_id))) == ["new", "recent"]


def test_a_refusal_is_not_kept_and_the_key_works_once_fixed(client, bench):
    headers = bench["headers"] | {"Idempotency-Key": "spool-0002"}
    refused = client.post("/api/v1/devices", json={"donation_id": bench["donation"].id, "type": "toaster"},
                          headers=headers)
    assert refused.status_code == 422 and refused.get_json()["error"] == "validation_failed"
    assert _count(ApiReply) == 0
    fixed = client.post("/api/v1/devices", json={"donation_id": bench["donation"].id, "type": "laptop",
                                                 "serial": "SN-FIXED"}, headers=headers)
    assert fixed.status_code == 201 and "Idempotent-Replay" not in fixed.headers


@pytest.mark.parametrize("key", ["", "x" * 101, "clé-é", "tab\there"])
def test_a_bad_key_is_refused_with_422(client, bench, key):
    response = client.post("/api/v1/devices", json={"donation_id": bench["donation"].id, "type": "laptop",
                                                    "serial": "SN-KEY"}, headers=bench["headers"] | {
        "Idempotency-Key": key})
    assert response.status_code == 422 and "Idempotency-Key" in response.get_json()["message"]
    assert _count(Device, Device.serial == "SN-KEY") == 0


def test_a_hardware_report_sent_twice_with_one_key_is_imported_once(client, bench):
    url = f"/api/v1/devices/{bench['device'].tag}/hardware-reports?confirm_serial=1"
    headers = bench["headers"] | {"Idempotency-Key": "lshw-1", "Content-Type": "application/json"}
    first = client.post(url, data=LSHW, headers=headers)
    again = client.post(url, data=LSHW, headers=headers)
    assert first.status_code == again.status_code == 201 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replay"] == "true"
    assert _count(Event, Event.action == "hardware_report") == 1
    smartctl = client.post(url, data=fixture("hardware/smartctl/sata-ssd-kingston-a400-240gb.json"), headers=headers)
    assert smartctl.status_code == 422 and smartctl.get_json()["error"] == "idempotency_key_reused"
    elsewhere = client.post(f"/api/v1/devices/{make_device(bench['donation']).tag}/hardware-reports?confirm_serial=1",
                            data=LSHW, headers=headers)
    assert elsewhere.status_code == 422  # the same key for another device is another request


def test_an_erasure_log_sent_again_with_its_key_gets_the_first_answer_not_409(client, bench):
    url = f"/api/v1/devices/{bench['device'].tag}/erasure-logs?confirm_anonymised=1"
    log = nwipe_log_for("erased", "/dev/sda")
    first = client.post(url, data=log, content_type="text/plain", headers=bench["headers"] | {
        "Idempotency-Key": "nwipe-1"})
    again = client.post(url, data=log, content_type="text/plain", headers=bench["headers"] | {
        "Idempotency-Key": "nwipe-1"})
    assert first.status_code == 201, first.get_json()
    assert first.status_code == again.status_code == 201 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replay"] == "true"
    assert _count(Sanitization) == 1
    without_key = client.post(url, data=log, content_type="text/plain", headers=bench["headers"])
    assert without_key.status_code == 409 and without_key.get_json()["error"] == "log_already_recorded"


def _post(url: str, body: bytes, headers: dict):
    """Return a call that posts ``body`` and gives (status, replayed, json)."""
    def call():
        request = urllib.request.Request(url, method="POST", data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.headers.get("Idempotent-Replay"), json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, None, json.load(error)
    return call


@pytest.mark.committed
def test_one_key_sent_from_four_threads_at_once_records_once(app, live_server):
    with app.app_context():
        workshop = make_structure("workshop")
        technician = make_user("technician", structure=workshop)
        donation = make_donation(make_donor(workshop))
        donation_id = donation.id
        device = make_device(donation, drives=[drive_of("erased")])
        wiped_in(device.drives[0])
        db.session.commit()
        tag = device.tag
        token = make_token(technician)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "same-moment"}
    receive = json.dumps({"donation_id": donation_id, "type": "laptop", "serial": "SN-RACE"}).encode()
    results = at_once([_post(f"{live_server}/api/v1/devices", receive, headers | {
        "Content-Type": "application/json"})] * 4)
    assert sorted((status, replay or "") for status, replay, _ in results) == [(201, "")] + [(201, "true")] * 3
    assert len({json.dumps(body, sort_keys=True) for _, _, body in results}) == 1
    log = nwipe_log_for("erased", "/dev/sda")
    results = at_once([_post(f"{live_server}/api/v1/devices/{tag}/erasure-logs?confirm_anonymised=1", log,
                             headers | {"Idempotency-Key": "same-log", "Content-Type": "text/plain"})] * 4)
    assert sorted((status, replay or "") for status, replay, _ in results) == [(201, "")] + [(201, "true")] * 3
    with app.app_context():
        assert _count(Device, Device.serial == "SN-RACE") == 1
        assert _count(Sanitization) == 1
        assert _count(ApiReply) == 2
