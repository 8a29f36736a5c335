"""Corrections through the API: a device's identity corrected, a device voided, a duplicate intake merged."""
import json
import threading
import urllib.error
import urllib.request

import pytest
from sqlalchemy import func, select

from reco.accounts.models import Role
from reco.core.audit import Event, events_for
from reco.core.time import utcnow
from reco.extensions import db
from reco.inventory.intake import receive_device
from reco.inventory.models import Device, DeviceState
from tests.factories import make_device, make_donation, make_donor, make_structure, make_token, make_user
from tests.inventory.test_corrections import YESTERDAY


@pytest.fixture
def bench(ctx):
    """A workshop's supervisor and technician with their tokens, and a collection."""
    workshop = make_structure("workshop")
    supervisor, technician = make_user(Role.SUPERVISOR, structure=workshop), make_user(Role.TECHNICIAN,
                                                                                        structure=workshop)
    return {"workshop": workshop, "donation": make_donation(make_donor(workshop)), "technician": technician,
            "supervisor": supervisor, "as_supervisor": {"Authorization": f"Bearer {make_token(supervisor)}"},
            "as_technician": {"Authorization": f"Bearer {make_token(technician)}"}}


def _receive(bench, by=None, **fields):
    fields.setdefault("type", "laptop")
    device = receive_device(bench["donation"], by=by or bench["technician"], **fields).device
    db.session.commit()
    return device


def _events() -> int:
    return db.session.scalar(select(func.count(Event.id)))


def test_a_correction_answers_the_device_and_what_changed(client, bench):
    device = _receive(bench, brand="HP", serial="SN-1")
    answer = client.post(f"/api/v1/devices/{device.tag}/corrections", headers=bench["as_technician"],
                         json={"type": "desktop", "serial": " sn-2 ", "brand": None})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert (body["type"], body["serial"], body["brand"]) == ("desktop", "SN-2", "HP")
    assert body["changes"] == {"type": {"before": "laptop", "after": "desktop"},
                               "serial": {"before": "SN-1", "after": "SN-2"}}
    [event] = [e for e in events_for(device) if e.action == "corrected"]
    assert event.actor_id == bench["technician"].id and event.details["fields"] == body["changes"]


@pytest.mark.parametrize("body, field", [
    ({"type": "spaceship"}, "type"), ({"type": 7}, "type"), ({"serial": "S" * 81}, "serial"),
    ({"brand": "B" * 6000}, "brand"), ({"model": ["T480"]}, "model"), ({}, None), ({"brand": "HP"}, None),
    ({"colour": "red"}, None), ("not an object", "body"),
])
def test_bad_corrections_get_422_and_change_nothing(client, bench, body, field):
    device = _receive(bench, brand="HP", serial="SN-1")
    before = _events()
    answer = client.post(f"/api/v1/devices/{device.tag}/corrections", headers=bench["as_technician"], json=body)
    assert answer.status_code == 422 and answer.get_json()["error"] == "validation_failed"
    assert field is None or field in answer.get_json()["fields"]
    db.session.expire_all()
    assert (device.brand, device.serial, device.type.value) == ("HP", "SN-1", "laptop") and _events() == before


def test_who_may_correct_void_and_merge_through_the_api(client, bench):
    today = _receive(bench, brand="HP")
    yesterday = _receive(bench, brand="Dell")
    yesterday.received_at = utcnow() - YESTERDAY
    colleagues = _receive(bench, by=bench["supervisor"], brand="Acer")
    elsewhere = make_device(make_donation(make_donor(make_structure("workshop"))), brand="HP")
    db.session.commit()
    technician, supervisor = bench["as_technician"], bench["as_supervisor"]
    for device in (yesterday, colleagues):
        for path, body in (("corrections", {"brand": "X"}), ("void", {"reason": "Erreur"})):
            assert client.post(f"/api/v1/devices/{device.tag}/{path}", headers=technician,
                               json=body).status_code == 403
    for path, body in (("corrections", {"brand": "X"}), ("void", {"reason": "Erreur"}),
                       ("merge", {"other": today.tag})):
        assert client.post(f"/api/v1/devices/{elsewhere.tag}/{path}", headers=supervisor, json=body).status_code == 404
    assert client.post(f"/api/v1/devices/{today.tag}/merge", headers=technician,
                       json={"other": yesterday.tag}).status_code == 403
    merged_elsewhere = client.post(f"/api/v1/devices/{today.tag}/merge", headers=supervisor,
                                   json={"other": elsewhere.tag})
    assert merged_elsewhere.status_code == 422 and "other" in merged_elsewhere.get_json()["fields"]
    assert client.post(f"/api/v1/devices/{today.tag}/corrections", headers=technician,
                       json={"brand": "HP Inc."}).status_code == 200
    assert client.post(f"/api/v1/devices/{yesterday.tag}/corrections", headers=supervisor,
                       json={"brand": "Dell Inc."}).status_code == 200
    voided = client.post(f"/api/v1/devices/{today.tag}/void", headers=technician, json={"reason": "Doublon"})
    assert voided.status_code == 200 and voided.get_json()["state"] == "voided"
    again = client.post(f"/api/v1/devices/{today.tag}/void", headers=technician, json={"reason": "Doublon"})
    assert again.status_code == 409


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": 3}, {"reason": "r" * 501}])
def test_voiding_without_a_reason_gets_422(client, bench, body):
    device = _receive(bench, brand="HP")
    answer = client.post(f"/api/v1/devices/{device.tag}/void", headers=bench["as_supervisor"], json=body)
    assert answer.status_code == 422
    db.session.expire_all()
    assert device.state is DeviceState.RECEIVED


def test_a_merge_answers_the_kept_device_and_what_moved(client, bench):
    kept = _receive(bench, brand="Lenovo", serial="SN-1")
    other = _receive(bench, brand="Lenovo", model="T480", drives=[{"serial": "DRV-1", "capacity_gb": "256"}])
    answer = client.post(f"/api/v1/devices/{kept.tag}/merge", headers=bench["as_supervisor"],
                         json={"other": other.tag.lower()})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["tag"] == kept.tag and body["model"] == "T480" and [d["serial"] for d in body["drives"]] == ["DRV-1"]
    assert body["merged"]["device"] == other.tag and body["merged"]["drives"] == ["DRV-1"]
    again = client.post(f"/api/v1/devices/{kept.tag}/merge", headers=bench["as_supervisor"], json={"other": other.tag})
    assert again.status_code == 409
    seen = client.get(f"/api/v1/devices/{other.tag}", headers=bench["as_supervisor"]).get_json()
    assert seen["state"] == "voided" and seen["drives"] == []


@pytest.mark.parametrize("case", ["itself", "two serials", "unknown", "empty"])
def test_merges_that_make_no_sense_are_refused_through_the_api(client, bench, case):
    kept = _receive(bench, brand="HP", serial="SN-1")
    other = {"itself": kept.tag, "unknown": "NOPE-000001", "empty": "  ",
             "two serials": _receive(bench, brand="HP", serial="SN-2").tag}[case]
    before = _events()
    answer = client.post(f"/api/v1/devices/{kept.tag}/merge", headers=bench["as_supervisor"], json={"other": other})
    assert answer.status_code == (409 if case in ("itself", "two serials") else 422)
    assert answer.get_json()["message"] and _events() == before


def _post_at_once(urls: list[str], bodies: list[bytes], tokens: list[str]) -> list[tuple[int, dict]]:
    """Send each body to its address at the same moment, one thread and one person each; return (status, json)."""
    results, barrier = [], threading.Barrier(len(urls))

    def post(url, body, token):
        request = urllib.request.Request(url, method="POST", data=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        barrier.wait(timeout=30)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                results.append((response.status, json.load(response)))
        except urllib.error.HTTPError as error:
            results.append((error.code, json.load(error)))

    threads = [threading.Thread(target=post, args=args) for args in zip(urls, bodies, tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.committed
def test_two_merges_of_the_same_pair_at_once_end_with_one_merge(app, live_server):
    with app.app_context():
        workshop = make_structure("workshop", tag_prefix="MRG")
        donation = make_donation(make_donor(workshop))
        first = receive_device(donation, by=None, type="laptop", serial="SN-1").device
        second = receive_device(donation, by=None, type="laptop", brand="Lenovo",
                                drives=[{"serial": "DRV-1", "capacity_gb": "128"}]).device
        db.session.commit()
        tags = (first.tag, second.tag)
        tokens = [make_token(make_user(Role.SUPERVISOR, structure=workshop)) for _ in range(4)]
    # Two people keep the first and two the second, all at the same moment: one merge wins, the others are refused.
    urls = [f"{live_server}/api/v1/devices/{tags[n % 2]}/merge" for n in range(4)]
    bodies = [json.dumps({"other": tags[1 - n % 2]}).encode() for n in range(4)]
    results = _post_at_once(urls, bodies, tokens)
    assert sorted(status for status, _ in results) == [200, 409, 409, 409], results
    with app.app_context():
        devices = db.session.scalars(select(Device).where(Device.tag.in_(tags)).order_by(Device.id)).all()
        voided = [d for d in devices if d.state is DeviceState.VOIDED]
        assert len(voided) == 1 and voided[0].merged_into_id in {d.id for d in devices} - {voided[0].id}
        kept = next(d for d in devices if d is not voided[0])
        assert [d.serial for d in kept.drives] == ["DRV-1"]
        assert len([e for e in events_for(kept) if e.action == "merged"]) == 1
        assert len([e for e in events_for(voided[0]) if e.action == "merged_into"]) == 1
