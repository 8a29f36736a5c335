"""Erasure logs through the API: 409 with the figures, a confirmation for logs without serial, one log once."""
from datetime import date

import pytest

from reco.inventory.sanitization import record_destruction
from tests.factories import make_device, make_donation, make_donor, make_token, make_user
from tests.inventory.workbench_helpers import LOOP_MODEL, drive_of, nwipe_log_for


def _bench(drives):
    """A technician's token and a device of their workshop, its drives at /dev/sda, /dev/sdb..."""
    technician = make_user("technician")
    device = make_device(make_donation(make_donor(technician.structure)), drives=drives)
    for drive, letter in zip(device.drives, "ab"):
        drive.device_path = f"/dev/sd{letter}"
    return device, {"Authorization": f"Bearer {make_token(technician)}", "Accept-Language": "fr"}


def _post_log(client, tag, headers, data, query=""):
    return client.post(f"/api/v1/devices/{tag}/erasure-logs{query}", data=data,
                       headers=headers | {"Content-Type": "text/plain"})


def test_a_log_of_another_size_gets_409_with_both_figures(client, ctx):
    device, headers = _bench([{"serial": "WD-1", "model": LOOP_MODEL, "capacity_gb": "500"}])
    response = _post_log(client, device.tag, headers, nwipe_log_for("erased", "/dev/sda", serial="WD-1"))
    body = response.get_json()
    assert response.status_code == 409 and body["error"] == "erasure_mismatch"
    (mismatch,) = body["mismatches"]
    assert mismatch["log"] | {"size_bytes": 67108864, "serial": "WD-1"} == mismatch["log"]
    assert mismatch["drive"]["capacity_bytes"] == 500 * 10 ** 9 and mismatch["differs"] == ["size"]
    assert "rien n'a été enregistré" in body["message"]
    assert client.get(f"/api/v1/devices/{device.tag}", headers=headers).get_json()["drives"][0]["sanitizations"] == []


def test_a_log_without_serial_needs_the_confirmation_parameter(client, ctx):
    device, headers = _bench([drive_of(serial="A-64")])
    log = nwipe_log_for("quiet", "/dev/sda")
    proposed = _post_log(client, device.tag, headers, log)
    body = proposed.get_json()
    assert proposed.status_code == 409 and body["error"] == "confirm_anonymised"
    assert body["confirm"] == "confirm_anonymised" and body["proposed"][0]["drive"]["serial"] == "A-64"
    assert _post_log(client, device.tag, headers, log, "?confirm_anonymised=maybe").status_code == 422
    recorded = _post_log(client, device.tag, headers, log, "?confirm_anonymised=1")
    assert recorded.status_code == 201 and recorded.get_json()["drives"][0]["serial"] == "A-64"


def test_a_log_sent_again_answers_where_it_is_recorded(client, ctx):
    device, headers = _bench([drive_of(serial="LOOP-64")])
    log = nwipe_log_for("erased", "/dev/sda", serial="LOOP-64")
    assert _post_log(client, device.tag, headers, log).status_code == 201
    again = _post_log(client, device.tag, headers, log)
    body = again.get_json()
    assert again.status_code == 409 and body["error"] == "log_already_recorded"
    assert body["recorded"]["tag"] == device.tag and body["recorded"]["drives"] == ["LOOP-64"]
    assert body["recorded"]["uploaded_at"]
    elsewhere, other_headers = _bench([drive_of(serial="LOOP-64")])
    leaked = _post_log(client, elsewhere.tag, other_headers, log).get_json()
    assert leaked["error"] == "log_already_recorded" and leaked["recorded"] is None
    assert device.tag not in leaked["message"]
    drive = client.get(f"/api/v1/devices/{device.tag}", headers=headers).get_json()["drives"][0]
    assert len(drive["sanitizations"]) == 1 and drive["sanitizations"][0]["log_sha256"]


@pytest.mark.parametrize("data", [b"", b"\x00\xff", b"[2026/01/01 00:00:00]  notice: Found /dev/sda, , , ,"])
def test_bad_logs_are_4xx_json(client, ctx, data):
    device, headers = _bench([drive_of(serial="LOOP-64")])
    response = _post_log(client, device.tag, headers, data, "?confirm_anonymised=1")
    assert 400 <= response.status_code < 500 and {"error", "message"} <= set(response.get_json())


def test_a_destruction_shows_its_method_witness_and_date(client, ctx):
    device, headers = _bench([{"serial": "HDD-DEAD", "model": "HGST HTS725050A7"}])
    drive = device.drives[0]
    record_destruction(drive, by=None, method="drill", witness="Sam Encadrant", on=date(2026, 3, 2))
    body = client.get(f"/api/v1/devices/{device.tag}", headers=headers).get_json()
    assert body["drives"] == []
    (record,) = body["removed_drives"][0]["sanitizations"]
    assert (record["destruction_method"], record["witness"], record["ended_at"][:10], record["passing"]) == (
        "drill", "Sam Encadrant", "2026-03-02", True)
    assert client.get(f"/api/v1/drives/{drive.id}", headers=headers).get_json()["sanitizations"][0]["witness"] == \
        "Sam Encadrant"
