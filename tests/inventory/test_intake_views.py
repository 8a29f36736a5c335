"""Receiving devices at the workbench, scan after scan."""
from sqlalchemy import select

from reco.donations.inventory_import import parse_inventory
from reco.donations.services import import_declared_items
from reco.extensions import db
from reco.inventory.models import Device
from tests.conftest import login_as
from tests.factories import make_device, make_donation, make_donor, make_user


def _setup(client):
    technician = make_user("technician")
    login_as(client, technician)
    donation = make_donation(make_donor(technician.structure))
    import_declared_items(donation, parse_inventory(
        b"Serial;Type;Brand;Model;Asset tag\nSN1;laptop;Dell;E5530;INV-1\n"), by=None)
    db.session.commit()
    return technician, donation


def test_scan_a_declared_line_then_receive_it(client, ctx):
    technician, donation = _setup(client)
    page = client.get(f"/donations/{donation.id}/intake", query_string={"code": "inv-1"}).get_data(as_text=True)
    assert "ligne 1" in page and 'value="E5530"' in page and 'value="SN1"' in page
    response = client.post(f"/donations/{donation.id}/intake", data={
        "type": "laptop", "brand": "Dell", "model": "E5530", "serial": "SN1", "donor_tag": "INV-1",
        "weight_kg": "2,1", "accessories": ["charger"], "drives-0-serial": "WD1", "drives-0-capacity_gb": "320",
        "drives-0-interface": "ata_hdd", "drives-1-interface": ""})
    assert response.status_code == 302
    device = db.session.scalar(select(Device))
    assert device.declared_item.line_number == 1 and device.received_by_id == technician.id
    assert [d.serial for d in device.drives] == ["WD1"] and device.accessories == ["charger"]
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert device.tag in after
    assert 'id="intake-code" name="code" type="text" autocomplete="off" spellcheck="false" maxlength="128"' in after
    assert "data-autofocus" in after.split('id="intake-code"')[1].split(">")[0]


def test_an_unknown_code_is_said_and_goes_into_the_serial(client, ctx):
    _technician, donation = _setup(client)
    page = client.get(f"/donations/{donation.id}/intake", query_string={"code": "zz-999"}).get_data(as_text=True)
    assert "ZZ-999" in page and "pas sur la liste du donateur" in page
    assert 'value="ZZ-999"' in page


def test_a_bad_intake_form_explains_and_saves_nothing(client, ctx):
    _technician, donation = _setup(client)
    response = client.post(f"/donations/{donation.id}/intake", data={"type": "laptop", "weight_kg": "lourd"})
    assert response.status_code == 422
    assert "kilogrammes" in response.get_data(as_text=True)
    assert db.session.scalar(select(Device)) is None


def test_a_serial_received_in_another_collection_warns_but_receives(client, ctx):
    technician, donation = _setup(client)
    first = make_device(make_donation(donation.donor), serial="DUP-1")
    response = client.post(f"/donations/{donation.id}/intake", data={"type": "laptop", "serial": "DUP-1"},
                           follow_redirects=True)
    assert first.tag in response.get_data(as_text=True) and "déjà le numéro de série" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Device).where(Device.serial == "DUP-1")).all()) == 2


def test_a_serial_received_in_this_collection_is_another_machine_only_when_said(client, ctx):
    technician, donation = _setup(client)
    first = make_device(donation, serial="DUP-1")
    response = client.post(f"/donations/{donation.id}/intake", data={"type": "laptop", "serial": "DUP-1"},
                           follow_redirects=True)
    assert f"Déjà reçu\u00a0: {first.tag}" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Device).where(Device.serial == "DUP-1")).all()) == 1
    page = client.get(f"/donations/{donation.id}/intake", query_string={"code": "dup-1", "again": 1})
    assert "un autre appareil avec le même code" in page.get_data(as_text=True)
    response = client.post(f"/donations/{donation.id}/intake", data={"type": "laptop", "serial": "DUP-1", "again": "1"},
                           follow_redirects=True)
    assert first.tag in response.get_data(as_text=True) and "déjà le numéro de série" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Device).where(Device.serial == "DUP-1")).all()) == 2


def test_scanning_a_device_opens_its_page(client, ctx):
    technician, donation = _setup(client)
    device = make_device(donation, serial="SCAN-ME", donor_tag="DON-77")
    for code in (device.tag, "scan-me", "DON-77"):
        response = client.get("/scan", query_string={"code": code})
        assert response.headers["Location"] == f"/devices/{device.tag}"
    page = client.get(f"/devices/{device.tag}").get_data(as_text=True)
    assert "SCAN-ME" in page and "received" in page
    assert client.get("/devices/NOPE-1").status_code == 404


def test_two_devices_with_the_same_serial_open_the_filtered_list(client, ctx):
    technician, donation = _setup(client)
    twins = [make_device(donation, serial="TWIN"), make_device(donation, serial="TWIN", again=True)]
    response = client.get("/scan", query_string={"code": "twin"})
    assert response.headers["Location"] == "/devices?q=twin"
    page = client.get("/devices?q=twin").get_data(as_text=True)
    assert all(device.tag in page for device in twins)


def test_device_list_filters(client, ctx):
    technician, donation = _setup(client)
    laptop = make_device(donation, type="laptop")
    screen = make_device(donation, type="screen")
    page = client.get("/devices?type=screen").get_data(as_text=True)
    assert screen.tag in page and laptop.tag not in page
    assert laptop.tag in client.get(f"/devices?donation={donation.id}").get_data(as_text=True)
    assert client.get("/devices?state=nonsense&type=%ff&page=-3&location=99999999999999999999").status_code == 200
    assert client.get("/devices?q=%00").status_code == 400


def test_a_bad_drive_is_explained(client, ctx):
    _technician, donation = _setup(client)
    response = client.post(f"/donations/{donation.id}/intake", data={
        "type": "laptop", "drives-0-serial": "D1", "drives-0-interface": "floppy", "drives-0-capacity_gb": "x"})
    assert response.status_code == 422
    assert "Disque 1" in response.get_data(as_text=True)
    assert db.session.scalar(select(Device)) is None
