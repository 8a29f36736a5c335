"""The workbench pages: diagnosis, uploads, drives, repairs, exits, locations, scan batches, ORDS export."""
import csv
import html
import io
import re

from sqlalchemy import select

from reco.extensions import db
from reco.inventory.locations import create_location
from reco.inventory.models import Device, DeviceState, Sanitization
from tests.conftest import login_as
from tests.factories import make_device, make_donation, make_donor, make_user
from tests.inventory.workbench_helpers import drive_of, fixture, nwipe_log_for, wiped_in


def _bench(client, role="technician"):
    user = make_user(role)
    login_as(client, user)
    return user, make_device(make_donation(make_donor(user.structure)), type="laptop")


def _reload(device) -> Device:
    db.session.expire_all()
    return db.session.get(Device, device.id)


def _upload(client, url, data, name):
    return client.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data",
                       follow_redirects=True)


def _confirm(client, page: str):
    """Send the confirmation form of a log without serial, as the page shows it."""
    fields = dict(re.findall(r'name="(\w+)" type="hidden" value="([^"]*)"', page))
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)">', page)[1])
    return client.post(action, data=fields, follow_redirects=True)


def test_diagnose_import_wipe_and_make_ready_through_the_pages(client, ctx):
    _user, device = _bench(client)
    page = _upload(client, f"/devices/{device.tag}/hardware-report",
                   fixture("hardware/lshw/laptop-dell-latitude-e5530.json"), "lshw.json").get_data(as_text=True)
    assert "TF755AWHKL0LHM" in page and "i5-3340M" in page
    form = {f"check_{c}": "ok" for c in ("power_on", "screen", "keyboard", "pointing_device", "ports", "wifi",
                                         "webcam", "audio", "battery", "charger")}
    response = client.post(f"/devices/{device.tag}/diagnosis", data=form | {"grade": "A", "screen_inches": "15,6"})
    assert response.status_code == 302 and _reload(device).state is DeviceState.DIAGNOSED
    refused = client.post(f"/devices/{device.tag}/transition", data={"to": "wiped"}, follow_redirects=True)
    assert "TF755AWHKL0LHM" in refused.get_data(as_text=True) and _reload(device).state is DeviceState.DIAGNOSED
    wiped_in(_reload(device).drives[0])
    db.session.commit()
    page = _upload(client, f"/devices/{device.tag}/erasure-log", nwipe_log_for("erased", "/dev/sda"),
                   "sda.log").get_data(as_text=True)
    assert "Oui, enregistrer cet effacement pour ce disque" in page and "TF755AWHKL0LHM" in page  # no serial: confirm first
    assert _reload(device).drives[0].sanitizations == []
    page = _confirm(client, page).get_data(as_text=True)
    assert "Fill With Zeros" in page
    for state in ("wiped", "ready"):
        assert client.post(f"/devices/{device.tag}/transition", data={"to": state}).status_code == 302
    assert _reload(device).state is DeviceState.READY


def test_a_wrong_file_is_explained_and_changes_nothing(client, ctx):
    _user, device = _bench(client)
    page = _upload(client, f"/devices/{device.tag}/hardware-report", b"%PDF-1.7 not a report", "scan.pdf")
    assert page.status_code == 200 and 'flash flash-error' in page.get_data(as_text=True)
    assert _reload(device).drives == []


def test_the_device_page_says_what_blocks_each_move(client, ctx):
    _user, device = _bench(client)
    page = client.get(f"/devices/{device.tag}").get_data(as_text=True)
    assert 'id="why-diagnosed"' in page


def test_the_device_page_offers_exactly_the_moves_the_table_allows_by_hand(client, ctx):
    _user, device = _bench(client)
    page = client.get(f"/devices/{device.tag}").get_data(as_text=True)
    assert re.findall(r'name="to" value="(\w+)"', page) == ["diagnosed"]
    assert f'/devices/{device.tag}/exit/recycled"' in page and f'{device.tag}/harvest"' in page
    device.state = DeviceState.READY  # reserving and voiding are made elsewhere: never offered here
    db.session.commit()
    page = client.get(f"/devices/{device.tag}").get_data(as_text=True)
    assert re.findall(r'name="to" value="(\w+)"', page) == ["in_repair"]
    device.state = DeviceState.DELIVERED
    db.session.commit()
    page = client.get(f"/devices/{device.tag}").get_data(as_text=True)
    assert 'id="moves"' not in page and f"/devices/{device.tag}/return" in page


def test_a_move_made_elsewhere_is_refused_when_posted_and_changes_nothing(client, ctx):
    _user, device = _bench(client)
    page = client.post(f"/devices/{device.tag}/transition", data={"to": "voided"}, follow_redirects=True)
    assert "s'annule depuis sa page" in html.unescape(page.get_data(as_text=True))
    assert _reload(device).state is DeviceState.RECEIVED


def test_destruction_form_requires_a_witness(client, ctx):
    _user, device = _bench(client)
    device = make_device(device.donation, drives=[{"serial": "HDD-1"}])
    drive = device.drives[0]
    url = f"/devices/{device.tag}/drives/{drive.id}/destruction"
    assert client.post(url, data={"method": "drill", "witness": ""}).status_code == 422
    assert client.post(url, data={"method": "drill", "witness": "Sam"}).status_code == 302
    assert _reload(device).drives == []


def test_secure_erase_form(client, ctx):
    _user, device = _bench(client)
    device = make_device(device.donation, drives=[{"serial": "NVME-1", "interface": "nvme"}])
    drive = device.drives[0]
    response = client.post(f"/devices/{device.tag}/drives/{drive.id}/secure-erase", data={
        "tool": "nvme_cli", "technique": "crypto_erase", "method": "nvme format --ses=2",
        "verification": "last_pass", "result": "success"})
    assert response.status_code == 302
    record = db.session.scalar(select(Sanitization))
    assert (record.level.value, record.technique.value, record.is_passing) == ("purge", "crypto_erase", True)


def test_supervisor_validation(client, ctx):
    supervisor, device = _bench(client, "supervisor")
    device.workshop.sanitization_needs_validation = True
    device = make_device(device.donation, drives=[drive_of(serial="HDD-2")])
    _upload(client, f"/devices/{device.tag}/erasure-log", nwipe_log_for("erased", "/dev/sda", serial="HDD-2"), "x.log")
    record = db.session.scalar(select(Sanitization))
    assert not record.is_passing and record.operator_id == supervisor.id
    refused = client.post(f"/devices/{device.tag}/sanitizations/{record.id}/validate", follow_redirects=True)
    assert "un autre encadrant doit le valider" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(Sanitization, record.id).is_passing
    login_as(client, make_user("supervisor", structure=supervisor.structure))
    client.post(f"/devices/{device.tag}/sanitizations/{record.id}/validate")
    db.session.expire_all()
    assert db.session.get(Sanitization, record.id).is_passing


def test_repairs_open_close_and_export_in_ords(client, ctx):
    supervisor, device = _bench(client, "supervisor")
    client.post(f"/devices/{device.tag}/diagnosis", data={"grade": "B"})
    assert client.post(f"/devices/{device.tag}/repairs", data={"problem": "Charnière", "fault_type": "case_chassis",
                                                                "status": ""}).status_code == 302
    device = _reload(device)
    assert device.state is DeviceState.IN_REPAIR and len(device.open_repairs) == 1
    repair = device.repairs[0]
    assert client.post(f"/devices/{device.tag}/repairs/{repair.id}", data={"status": "end_of_life"}).status_code == 422
    assert client.post(f"/devices/{device.tag}/repairs/{repair.id}", data={
        "status": "end_of_life", "barrier": "spare_parts_not_available", "minutes_spent": "30"}).status_code == 302
    export = client.get("/repairs.csv")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["id", "data_provider", "country"]
    assert rows[1][4] == "Laptop" and rows[1][8] == "End of life" and rows[1][12] == "Charnière"


def test_exits(client, ctx):
    _user, device = _bench(client)
    assert client.post(f"/devices/{device.tag}/exit/recycled", data={"weight_kg": "2,5"}).status_code == 422
    assert client.post(f"/devices/{device.tag}/exit/recycled", data={"weight_kg": "2,5",
                                                                     "slip_number": "DEEE-7"}).status_code == 302
    device = _reload(device)
    assert device.state is DeviceState.RECYCLED and device.exit.slip_number == "DEEE-7"


def test_locations_and_moving_by_scan(client, ctx):
    supervisor, device = _bench(client, "supervisor")
    assert client.post("/locations", data={"name": "Étagère A", "kind": "shelf"}).status_code == 302
    page = client.get("/locations").get_data(as_text=True)
    code = f"{supervisor.structure.tag_prefix}-L0001"
    assert code in page
    client.post(f"/devices/{device.tag}/move", data={"location": code.lower()})
    assert _reload(device).location.code == code
    assert client.get("/scan", query_string={"code": code}).headers["Location"].startswith("/devices?location=")
    assert "Aucun emplacement" in client.post(f"/devices/{device.tag}/move", data={"location": "NOPE"},
                                              follow_redirects=True).get_data(as_text=True)


def test_scan_batch_flags_unknown_and_duplicates_then_applies_an_action(client, ctx):
    technician, device = _bench(client)
    other = make_device(device.donation, serial="SER-2")
    location = create_location(technician.structure, by=None, name="Bac 1", kind="bin")
    db.session.commit()
    for code in (device.tag, "ser-2", "UNKNOWN-1", device.tag):
        assert client.post("/batch", data={"code": code}).status_code == 302
    page = client.get("/batch").get_data(as_text=True)
    assert page.count('class="batch-ok"') == 2 and 'class="batch-unknown"' in page and 'class="batch-duplicate"' in page
    assert "Code inconnu" in page and "déjà dans la liste" in page
    # The list's state change offers the moves made by hand; exits have their own forms, the rest is made elsewhere.
    assert re.findall(r'<option value="(\w+)">', page) == ["diagnosed", "in_repair", "wiped", "ready"]
    moved = client.post("/batch/apply", data={"action": "move", "location": location.code}).get_data(as_text=True)
    assert _reload(device).location_id == location.id and _reload(other).location_id == location.id
    assert 'class="batch-ok"' not in moved and 'class="batch-duplicate"' not in moved and "UNKNOWN-1" in moved
    for code in (device.tag, "ser-2"):
        client.post("/batch", data={"code": code})
    result = client.post("/batch/apply", data={"action": "transition", "to": "ready"})
    assert "0\xa0sur\xa02" in result.get_data(as_text=True).replace(" ", "\xa0")
    assert _reload(device).state is DeviceState.RECEIVED
    client.post("/batch/clear")
    assert 'class="batch-ok"' not in client.get("/batch").get_data(as_text=True)


def test_logging_out_and_in_again_starts_a_new_batch(client, ctx):
    technician, device = _bench(client)
    client.post("/batch", data={"code": device.tag})
    client.post("/logout")
    login_as(client, technician)
    assert device.tag not in client.get("/batch").get_data(as_text=True)


def test_the_first_scanned_code_can_be_removed(client, ctx):
    _user, device = _bench(client)
    client.post("/batch", data={"code": device.tag})
    client.post("/batch", data={"code": "OTHER-1"})
    assert client.post("/batch/remove/0").status_code == 302
    page = client.get("/batch").get_data(as_text=True)
    assert 'class="batch-ok"' not in page and "OTHER-1" in page


def test_rename_and_retire_a_location_keeps_its_code(client, ctx):
    supervisor, device = _bench(client, "supervisor")
    location = create_location(supervisor.structure, by=None, name="Étagère A", kind="shelf")
    db.session.commit()
    code = location.code
    assert client.post(f"/locations/{location.id}", data={"name": "", "kind": "shelf"}).status_code == 422
    response = client.post(f"/locations/{location.id}", data={"name": "Étagère A (haut)", "kind": "bin"})
    assert response.status_code == 302
    db.session.expire_all()
    location = db.session.get(type(location), location.id)
    assert (location.name, location.kind.value, location.code, location.active) == ("Étagère A (haut)", "bin", code,
                                                                                    False)
    page = client.post(f"/devices/{device.tag}/move", data={"location": code}, follow_redirects=True)
    assert "Aucun emplacement" in page.get_data(as_text=True)


def test_the_device_page_shows_a_destruction_and_explains_a_refused_log(client, ctx):
    _user, device = _bench(client)
    device = make_device(device.donation, drives=[{"serial": "HDD-3", "model": "Loopback device",
                                                   "capacity_gb": "500"}, {"serial": "HDD-4"}])
    page = _upload(client, f"/devices/{device.tag}/erasure-log", nwipe_log_for("erased", "/dev/sda", serial="HDD-3"),
                   "sda.log").get_data(as_text=True)
    assert "rien n&#39;a été enregistré" in page and "67\u202f108\u202f864 octets" in page
    drive = _reload(device).drives[1]
    client.post(f"/devices/{device.tag}/drives/{drive.id}/destruction",
                data={"method": "degauss", "witness": "Sam Témoin", "on": "2026-03-02"})
    page = client.get(f"/devices/{device.tag}").get_data(as_text=True)
    assert "Disques retirés de cet appareil" in page and "Sam Témoin" in page and "Démagnétisé" in page
    assert _reload(device).drives[0].sanitizations == []
