"""The workbench through the API: a bench script takes a device to ready, and cannot with a bad wipe."""
import pytest
from sqlalchemy import select

from reco.extensions import db
from reco.inventory.models import Device
from tests.factories import make_device, make_donation, make_donor, make_ready_device, make_token, make_user
from tests.inventory.workbench_helpers import fixture, nwipe_log_for, unverified, wiped_in


@pytest.fixture
def bench(ctx):
    technician = make_user("technician")
    device = make_device(make_donation(make_donor(technician.structure)), type="laptop")
    return device.tag, {"Authorization": f"Bearer {make_token(technician)}"}


def _as_in_the_log(tag: str, name: str = "erased") -> None:
    """Give the device's drive the model and size of the loop device the real log ``name`` wiped."""
    wiped_in(db.session.scalar(select(Device).where(Device.tag == tag)).drives[0], name)
    db.session.commit()


def _post(client, url, headers, data=None, json=None, content_type=None):
    extra = {"Content-Type": content_type} if content_type else {}
    return client.post(url, data=data, json=json, headers=headers | extra)


def test_a_bench_script_takes_a_device_to_ready(client, bench):
    tag, headers = bench
    report = _post(client, f"/api/v1/devices/{tag}/hardware-reports", headers,
                   data=fixture("hardware/lshw/laptop-dell-latitude-e5530.json"), content_type="application/json")
    assert report.status_code == 201
    body = report.get_json()
    assert body["kind"] == "lshw" and [d["serial"] for d in body["drives"]] == ["TF755AWHKL0LHM"]
    assert body["ignored_usb_drives"] == ["0B8E680065E9"]
    diagnosis = _post(client, f"/api/v1/devices/{tag}/diagnosis", headers,
                      json={"grade": "B", "checks": {"power_on": "ok", "keyboard": "faulty"},
                            "faults": ["integrated_keyboard"], "specs": {"screen_inches": "15,6", "os_name": "Debian"}})
    assert diagnosis.status_code == 201 and diagnosis.get_json()["state"] == "diagnosed"
    refused = _post(client, f"/api/v1/devices/{tag}/transitions", headers, json={"to": "wiped"})
    assert refused.status_code == 409 and "TF755AWHKL0LHM" in refused.get_json()["message"]
    _as_in_the_log(tag)
    log = nwipe_log_for("erased", "/dev/sda")
    proposed = _post(client, f"/api/v1/devices/{tag}/erasure-logs", headers, data=log, content_type="text/plain")
    assert proposed.status_code == 409 and proposed.get_json()["error"] == "confirm_anonymised"
    assert proposed.get_json()["proposed"][0]["drive"]["serial"] == "TF755AWHKL0LHM"
    erased = _post(client, f"/api/v1/devices/{tag}/erasure-logs?confirm_anonymised=1", headers, data=log,
                   content_type="text/plain")
    assert erased.status_code == 201
    assert erased.get_json()["drives"] == [{"serial": "TF755AWHKL0LHM", "device_path": "/dev/sda",
                                            "result": "success", "verified": True, "verification": "last_pass",
                                            "method": "Fill With Zeros", "passing": True}]
    for state in ("wiped", "ready"):
        moved = _post(client, f"/api/v1/devices/{tag}/transitions", headers, json={"to": state})
        assert moved.status_code == 200 and moved.get_json()["state"] == state
    device = client.get(f"/api/v1/devices/{tag}", headers=headers).get_json()
    assert device["grade"] == "B" and device["specs"]["screen_inches"] == 15.6
    assert device["drives"][0]["sanitized"] and device["drives"][0]["sanitizations"][0]["passing"]


@pytest.mark.parametrize("log", [lambda: nwipe_log_for("failed", "/dev/sda"),
                                 lambda: unverified(nwipe_log_for("erased", "/dev/sda"))])
def test_a_failed_or_unverified_wipe_is_recorded_but_never_reaches_ready(client, bench, log):
    tag, headers = bench
    _post(client, f"/api/v1/devices/{tag}/hardware-reports", headers,
          data=fixture("hardware/lshw/laptop-dell-latitude-e5530.json"))
    _post(client, f"/api/v1/devices/{tag}/diagnosis", headers, json={"grade": "A"})
    data = log()
    _as_in_the_log(tag, "failed" if b"PRNG" in data else "erased")
    response = _post(client, f"/api/v1/devices/{tag}/erasure-logs?confirm_anonymised=1", headers, data=data)
    assert response.status_code == 201 and not response.get_json()["drives"][0]["passing"]
    refused = _post(client, f"/api/v1/devices/{tag}/transitions", headers, json={"to": "wiped"})
    assert refused.status_code == 409
    assert client.get(f"/api/v1/devices/{tag}", headers=headers).get_json()["state"] == "diagnosed"


@pytest.mark.parametrize("data", [b"", b'{"class": "system", "children": [', b"just text", b"\x89PNG\r\n",
                                  b'{"json_format_version": [1, 0]}'])
def test_reports_that_are_not_lshw_or_smartctl_get_422(client, bench, data):
    tag, headers = bench
    response = _post(client, f"/api/v1/devices/{tag}/hardware-reports", headers, data=data)
    assert response.status_code == 422 and response.get_json()["message"]
    assert client.get(f"/api/v1/devices/{tag}", headers=headers).get_json()["drives"] == []


def test_a_log_about_other_drives_gets_422_and_records_nothing(client, bench):
    tag, headers = bench
    _post(client, f"/api/v1/devices/{tag}/hardware-reports", headers,
          data=fixture("hardware/lshw/laptop-dell-latitude-e5530.json"))
    response = _post(client, f"/api/v1/devices/{tag}/erasure-logs", headers,
                     data=fixture("erasure/nwipe/nwipe-zero-verified-erased.log"))
    assert response.status_code == 422 and "/dev/loop0" in response.get_json()["message"]
    drive = client.get(f"/api/v1/devices/{tag}", headers=headers).get_json()["drives"][0]
    assert drive["sanitizations"] == []


@pytest.mark.parametrize("payload,status", [
    ({"to": "flying"}, 422), ({}, 422), ({"to": 3}, 422), ({"to": "ready"}, 409), ({"to": "reserved"}, 409),
    ({"to": "harvested"}, 409), ({"to": "recycled", "weight_kg": "abc", "slip_number": "X"}, 422),
    ({"to": "recycled", "weight_kg": 3}, 409), ({"to": "harvested", "parts": "RAM"}, 422),
])
def test_bad_transitions(client, bench, payload, status):
    tag, headers = bench
    response = _post(client, f"/api/v1/devices/{tag}/transitions", headers, json=payload)
    assert response.status_code == status and response.get_json()["message"]
    assert client.get(f"/api/v1/devices/{tag}", headers=headers).get_json()["state"] == "received"


@pytest.mark.parametrize("payload,field", [
    ({"to": "diagnosed", "stock": [{"part_type_id": 1, "quantity": 0, "condition": "tested_ok"}]}, "quantity"),
    ({"to": "diagnosed", "stock": [{"part_type_id": 1, "condition": "tested_ok"}]}, "quantity"),  # never taken as 1
    ({"to": "diagnosed", "stock": [{"part_type_id": 1, "quantity": 1, "condition": "broken"}]}, "condition"),
    ({"to": "diagnosed", "parts": ["RAM", 4]}, "parts"), ({"to": "diagnosed", "weight_kg": True}, "weight_kg"),
    ({"to": "diagnosed", "drives_to_bank": "no"}, "drives_to_bank"), ({"to": "recycled", "notes": 5}, "notes"),
])
def test_fields_meant_for_another_state_are_checked_too(client, bench, payload, field):
    tag, headers = bench
    response = _post(client, f"/api/v1/devices/{tag}/transitions", headers, json=payload)
    assert response.status_code == 422 and field in response.get_json()["fields"]
    assert client.get(f"/api/v1/devices/{tag}", headers=headers).get_json()["state"] == "received"


def test_a_hardware_report_on_a_ready_device_gets_the_documented_409(client, ctx):
    technician = make_user("technician")
    tag = make_ready_device(technician.structure).tag
    headers = {"Authorization": f"Bearer {make_token(technician)}"}
    response = _post(client, f"/api/v1/devices/{tag}/hardware-reports", headers,
                     data=fixture("hardware/lshw/laptop-dell-latitude-e5530.json"), content_type="application/json")
    assert response.status_code == 409 and tag in response.get_json()["message"]
    documented = client.get("/api/v1/openapi.json").get_json()["paths"]["/devices/{tag}/hardware-reports"]["post"]
    assert "409" in documented["responses"]


def test_a_terminal_state_is_final(client, bench):
    tag, headers = bench
    assert _post(client, f"/api/v1/devices/{tag}/transitions", headers,
                 json={"to": "harvested", "parts": ["RAM 4 Go"]}).status_code == 200
    refused = _post(client, f"/api/v1/devices/{tag}/transitions", headers, json={"to": "received"})
    assert refused.status_code == 409


@pytest.mark.parametrize("payload,field", [
    ({"fault_type": "boot"}, "problem"), ({"problem": "x", "fault_type": "gremlins"}, "fault_type"),
    ({"problem": "x", "fault_type": "boot", "status": "end_of_life"}, "barrier"),
    ({"problem": "x", "fault_type": "boot", "minutes_spent": "many"}, "minutes_spent"),
    ({"problem": "x", "fault_type": "boot", "minutes_spent": True}, "minutes_spent"),
])
def test_bad_repairs_get_422(client, bench, payload, field):
    tag, headers = bench
    response = _post(client, f"/api/v1/devices/{tag}/repairs", headers, json=payload)
    assert response.status_code == 422 and field in response.get_json()["fields"]


@pytest.mark.parametrize("payload,field", [
    ({"grade": "Z"}, "grade"), ({"checks": {"screen": "meh"}}, "checks"), ({"checks": ["screen"]}, "checks"),
    ({"faults": ["gremlins"]}, "faults"), ({"specs": {"ram_gb": "lots"}}, "ram_gb"),
    ({"specs": {"battery_health_pct": 140}}, "battery_health_pct"),
    ({"specs": {"screen_inches": "NaN"}}, "screen_inches"), ({"specs": {"cpu": ["i5"]}}, "cpu"),
    ({"specs": {"os_name": 11}}, "os_name"), ({"specs": {"battery_health_pct": True}}, "battery_health_pct"),
    ({"specs": {"battery_health_pct": 87.5}}, "battery_health_pct"),
])
def test_bad_diagnoses_get_422_and_change_nothing(client, bench, payload, field):
    tag, headers = bench
    response = _post(client, f"/api/v1/devices/{tag}/diagnosis", headers, json=payload)
    assert response.status_code == 422 and field in response.get_json()["fields"]
    assert client.get(f"/api/v1/devices/{tag}", headers=headers).get_json()["state"] == "received"


def test_null_stands_for_an_absent_field_as_documented(client, bench):
    tag, headers = bench
    diagnosis = _post(client, f"/api/v1/devices/{tag}/diagnosis", headers,
                      json={"grade": "B", "checks": None, "faults": None, "notes": None,
                            "specs": {"cpu": None, "screen_inches": None, "battery_health_pct": "87"}})
    assert diagnosis.status_code == 201
    assert diagnosis.get_json()["specs"]["battery_health_pct"] == 87 and diagnosis.get_json()["specs"]["cpu"] == ""
    harvest = _post(client, f"/api/v1/devices/{tag}/transitions", headers,
                    json={"to": "harvested", "parts": ["Écran"], "stock": None, "drives_to_bank": None})
    assert harvest.status_code == 200 and harvest.get_json()["state"] == "harvested"
    documented = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["DiagnosisIn"]
    assert "null" in documented["properties"]["checks"]["type"]
    assert "null" in documented["properties"]["specs"]["properties"]["screen_inches"]["type"]


def test_another_workshops_device_is_unknown(client, ctx, bench):
    _tag, headers = bench
    other = make_device()
    for path in ("diagnosis", "repairs", "transitions"):
        assert _post(client, f"/api/v1/devices/{other.tag}/{path}", headers, json={}).status_code == 404
    assert _post(client, f"/api/v1/devices/{other.tag}/erasure-logs", headers, data=b"x").status_code == 404
    assert _post(client, f"/api/v1/devices/{other.tag}/hardware-reports", headers, data=b"{}").status_code == 404
    other_with_drive = make_device(drives=[{"serial": "THEIR-DRIVE"}])
    response = client.get(f"/api/v1/drives/{other_with_drive.drives[0].id}", headers=headers)
    assert response.status_code == 404
