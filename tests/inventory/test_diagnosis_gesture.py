"""Diagnosis in one gesture: the checklist starts unanswered, « Everything works » sets it to OK (here without
JavaScript), and what the lshw report already answered is filled in from it and says so."""
import html
import io
import re

import pytest

from reco.extensions import db
from reco.inventory.diagnosis import report_answers
from reco.inventory.hardware_reports import parse_hardware_report
from reco.inventory.models import Device, DeviceState
from tests.conftest import login_as
from tests.factories import make_device, make_donation, make_donor, make_user
from tests.inventory.workbench_helpers import fixture

CHECKS = ("power_on", "screen", "keyboard", "pointing_device", "ports", "wifi", "webcam", "audio", "battery",
          "charger")


def _bench(client, kind="laptop"):
    user = make_user("technician")
    login_as(client, user)
    return make_device(make_donation(make_donor(user.structure)), type=kind)


def _report(client, device, name):
    response = client.post(f"/devices/{device.tag}/hardware-report",
                           data={"file": (io.BytesIO(fixture(f"hardware/lshw/{name}")), "lshw.json")},
                           content_type="multipart/form-data")
    assert response.status_code == 302


def _answers(page: str) -> dict[str, str | None]:
    """Return the result ticked for each point of the checklist as the page shows it."""
    found = {}
    for check in CHECKS:
        ticked = re.search(rf'<input checked id="check_{check}-\d" name="check_{check}" type="radio" value="(\w+)"',
                           page)
        found[check] = ticked.group(1) if ticked else None
    return found


def _row(page: str, check: str) -> str:
    return html.unescape(re.search(rf'<tr data-check="{check}"[^>]*>(.*?)</tr>', page, re.S).group(0))


def _reload(device) -> Device:
    db.session.expire_all()
    return db.session.get(Device, device.id)


@pytest.mark.parametrize("name, cameras", [
    ("laptop-dell-latitude-e5530.json", ["Laptop Integrated Webcam E4HD"]),
    ("laptop-dell-latitude-e7240.json", ["Laptop Integrated Webcam HD: In", "HD Pro Webcam C920"]),
    ("laptop-hp-probook-430-g4.json", ["HP HD Camera"]),
    ("desktop-hp-compaq-8100-elite-sff.json", [])])
def test_lshw_reports_name_their_cameras(name, cameras):
    assert parse_hardware_report(fixture(f"hardware/lshw/{name}")).cameras == cameras


def test_the_checklist_starts_unanswered(client, ctx):
    device = _bench(client)
    page = client.get(f"/devices/{device.tag}/diagnosis").get_data(as_text=True)
    assert _answers(page) == dict.fromkeys(CHECKS)
    assert "D'après le rapport matériel" not in page


def test_everything_works_without_javascript_sets_every_point_and_records_nothing(client, ctx):
    device = _bench(client)
    response = client.post(f"/devices/{device.tag}/diagnosis", data={
        "all_ok": "1", "grade": "B", "cpu": "i5-3340M", "check_screen": "faulty"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _answers(page) == dict.fromkeys(CHECKS, "ok")
    assert "Tous les points sont à « OK » : changez ceux qui ne fonctionnent pas" in html.unescape(page).replace(
        "\xa0", " ")
    assert '<option selected value="B">' in page and 'value="i5-3340M"' in page  # what was typed stays
    assert _reload(device).diagnosis is None and _reload(device).state is DeviceState.RECEIVED
    # Then the exception is changed and the diagnosis saved.
    form = dict.fromkeys((f"check_{c}" for c in CHECKS), "ok") | {"check_webcam": "faulty", "grade": "B"}
    assert client.post(f"/devices/{device.tag}/diagnosis", data=form).status_code == 302
    diagnosis = _reload(device).diagnosis
    assert diagnosis.checks == dict.fromkeys(CHECKS, "ok") | {"webcam": "faulty"}


def test_points_left_unanswered_are_not_recorded_and_are_named(client, ctx):
    device = _bench(client)
    response = client.post(f"/devices/{device.tag}/diagnosis", data={"check_power_on": "ok", "grade": "A"},
                           follow_redirects=True)
    assert _reload(device).diagnosis.checks == {"power_on": "ok"}
    text = html.unescape(response.get_data(as_text=True)).replace("\xa0", " ")
    assert "Points de la liste de contrôle sans réponse, donc non enregistrés : Écran" in text


def test_what_the_lshw_report_answered_is_filled_in_and_marked(client, ctx):
    device = _bench(client)
    _report(client, device, "laptop-dell-latitude-e5530.json")
    page = client.get(f"/devices/{device.tag}/diagnosis").get_data(as_text=True)
    answers = _answers(page)
    assert answers["webcam"] == "ok" and answers["battery"] is None  # a laptop's battery: the technician tests it
    assert [c for c, result in answers.items() if result is None] == [c for c in CHECKS if c != "webcam"]
    assert "D'après le rapport matériel : Laptop Integrated Webcam E4HD" in _row(page, "webcam").replace("\xa0", " ")
    assert "rapport matériel" not in _row(page, "screen")
    memory = re.search(r'<label for="ram_gb">.*?</div>', page, re.S).group(0)
    assert 'value="8"' in memory and "D'après le rapport matériel" in html.unescape(memory)
    drives = html.unescape(re.search(r'<p id="report-drives">.*?</p>', page, re.S).group(0))
    assert "Stockage : HGST HTS725050A7 (500" in drives.replace("\xa0", " ") and "D'après le rapport matériel" in drives
    # « Everything works » keeps what the report answered and sets the rest.
    page = client.post(f"/devices/{device.tag}/diagnosis", data={"all_ok": "1", "check_webcam": "ok"}).get_data(
        as_text=True)
    assert _answers(page) == dict.fromkeys(CHECKS, "ok")


def test_a_desktop_without_camera_nor_battery_has_those_points_not_applicable(client, ctx):
    device = _bench(client, "desktop")
    _report(client, device, "desktop-hp-compaq-8100-elite-sff.json")
    answers = report_answers(_reload(device))
    assert answers.checks == {"webcam": "na", "battery": "na"} and answers.cameras == []
    page = client.get(f"/devices/{device.tag}/diagnosis").get_data(as_text=True)
    assert _answers(page)["webcam"] == "na" and _answers(page)["battery"] == "na"
    assert "D'après le rapport matériel" in html.unescape(_row(page, "battery"))
    posted = dict.fromkeys((f"check_{c}" for c in CHECKS), "") | {"check_webcam": "na", "check_battery": "na",
                                                                   "check_screen": "faulty", "all_ok": "1"}
    page = client.post(f"/devices/{device.tag}/diagnosis", data=posted).get_data(as_text=True)
    assert _answers(page) == dict.fromkeys(CHECKS, "ok") | {"webcam": "na", "battery": "na"}


def test_a_previous_diagnosis_is_shown_as_it_was_answered(client, ctx):
    device = _bench(client)
    client.post(f"/devices/{device.tag}/diagnosis", data={"check_screen": "faulty", "check_audio": "na"})
    page = client.get(f"/devices/{device.tag}/diagnosis").get_data(as_text=True)
    assert _answers(page) == dict.fromkeys(CHECKS) | {"screen": "faulty", "audio": "na"}
