"""Intake that records what is true: one device per machine, the right donor's line, refusals that say why."""
import html
import re

import pytest
from sqlalchemy import func, select

from reco.core.audit import events_for
from reco.core.errors import ValidationFailed
from reco.donations.inventory_import import parse_inventory
from reco.donations.services import import_declared_items
from reco.extensions import db
from reco.inventory.corrections import merge_devices
from reco.inventory.intake import AlreadyReceived, find_devices, match_declared_item, receive_device
from reco.inventory.models import Device
from tests.conftest import login_as
from tests.factories import make_device, make_donation, make_donor, make_token, make_user

#: Two lines share the donor's tag INV-9 (a donor's copy-paste); only their serials tell them apart.
LIST = (b"Serial;Type;Brand;Model;Asset tag\n"
        b"SN1;laptop;Dell;E5530;INV-1\n"
        b"SN2;laptop;Dell;E5530;INV-9\n"
        b"SN3;desktop;HP;8100;INV-9\n"
        b";screen;Iiyama;X2;INV-4\n")


@pytest.fixture
def bench(client, ctx):
    """A technician logged in at the intake of a collection whose donor declared ``LIST``."""
    technician = make_user("technician")
    login_as(client, technician)
    donation = make_donation(make_donor(technician.structure))
    import_declared_items(donation, parse_inventory(LIST), by=None)
    db.session.commit()
    return technician, donation


def _text(response) -> str:
    """Return a page as the person reads it (entities such as &#39; decoded)."""
    return html.unescape(response.get_data(as_text=True))


def _devices() -> list[Device]:
    return db.session.scalars(select(Device).order_by(Device.id)).all()


def _intake_key(page: str) -> str:
    return re.search(r'name="intake_key" type="hidden" value="([0-9a-f]{32})"', page).group(1)


def test_an_empty_intake_form_is_refused_with_a_message(client, bench):
    _technician, donation = bench
    response = client.post(f"/donations/{donation.id}/intake", data={"type": "laptop", "notes": "  "})
    assert response.status_code == 422
    assert "Rien n'identifie cet appareil" in _text(response)
    assert _devices() == []
    token = make_token(make_user("technician", structure=donation.workshop))
    answer = client.post("/api/v1/devices", json={"donation_id": donation.id, "type": "laptop", "brand": " "},
                         headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 422 and "serial" in answer.get_json()["fields"]
    assert _devices() == []


def test_the_same_form_sent_twice_makes_one_device_and_says_already_received(client, bench):
    _technician, donation = bench
    page = client.get(f"/donations/{donation.id}/intake", query_string={"code": "SN1"}).get_data(as_text=True)
    form = {"type": "laptop", "brand": "Dell", "model": "E5530", "serial": "SN1", "donor_tag": "INV-1",
            "intake_key": _intake_key(page)}
    first = client.post(f"/donations/{donation.id}/intake", data=form)
    second = client.post(f"/donations/{donation.id}/intake", data=form | {"serial": "", "donor_tag": "", "brand": "X"})
    (device,) = _devices()
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"].endswith(f"last={device.tag}")
    shown = client.get(second.headers["Location"]).get_data(as_text=True)
    assert f"Déjà reçu\u00a0: {device.tag} (ligne 1 de la liste du donateur)" in shown
    assert _intake_key(shown) != form["intake_key"]  # the next machine gets a new form


def test_each_display_of_the_form_has_its_own_key(client, bench):
    _technician, donation = bench
    keys = {_intake_key(client.get(f"/donations/{donation.id}/intake").get_data(as_text=True)) for _ in range(3)}
    assert len(keys) == 3


@pytest.mark.parametrize("scanned", ["sn1", "INV-1", "tag"])
def test_rescanning_a_machine_already_received_opens_it(client, bench, scanned):
    _technician, donation = bench
    device = receive_device(donation, by=None, type="laptop", serial="SN1").device
    db.session.commit()
    code = device.tag if scanned == "tag" else scanned
    page = client.get(f"/donations/{donation.id}/intake", query_string={"code": code}).get_data(as_text=True)
    assert "Déjà reçu dans cette collecte" in page and f'href="/devices/{device.tag}"' in page
    assert "pas sur la liste du donateur" not in page and 'class="intake-form"' not in page
    assert "le recevoir aussi" in page  # another machine with the same code is an explicit choice


def test_our_tag_of_another_collection_is_said_not_received_again(client, bench):
    _technician, donation = bench
    other = make_device(make_donation(donation.donor), serial="ELSEWHERE")
    page = client.get(f"/donations/{donation.id}/intake", query_string={"code": other.tag.lower()})
    text = _text(page)
    assert f"«\u00a0{other.tag}\u00a0» est notre étiquette d'un appareil déjà reçu" in text
    assert "pas sur la liste du donateur" not in text


def test_a_lookup_keeps_the_focus_in_the_scan_field(client, bench):
    _technician, donation = bench
    page = client.get(f"/donations/{donation.id}/intake", query_string={"code": "INV-1"}).get_data(as_text=True)
    scan_field = page.split('id="intake-code"')[1].split(">")[0]
    assert "data-autofocus" in scan_field
    assert page.count("data-autofocus") == 1 and page.count(" autofocus") == 1
    assert 'class="intake-form" data-ctrl-enter data-submit-once' in page  # a scanner's Enter in the form's fields never sends it


def test_lines_sharing_a_donor_tag_are_told_apart_by_the_serial(ctx):
    donation = make_donation()
    import_declared_items(donation, parse_inventory(LIST), by=None)
    desktop = receive_device(donation, by=None, type="desktop", serial="SN3", donor_tag="INV-9").device
    laptop = receive_device(donation, by=None, type="laptop", serial="SN2", donor_tag="INV-9").device
    assert (desktop.declared_item.line_number, laptop.declared_item.line_number) == (3, 2)
    # A third machine with that tag and another serial is neither line, both being used.
    stranger = receive_device(donation, by=None, type="laptop", serial="SN77", donor_tag="INV-9").device
    assert stranger.declared_item is None
    assert match_declared_item(donation, serial="SN2") is None  # a used line is never matched again


def test_a_donor_tag_never_links_a_machine_whose_serial_is_another_lines(ctx):
    donation = make_donation()
    import_declared_items(donation, parse_inventory(LIST), by=None)
    device = receive_device(donation, by=None, type="laptop", serial="OTHER-SERIAL", donor_tag="INV-1").device
    assert device.declared_item is None
    screen = receive_device(donation, by=None, type="screen", serial="SCR-1", donor_tag="INV-4").device
    assert screen.declared_item.line_number == 4  # a line with no serial is matched by its tag


def test_a_page_lookup_of_a_shared_donor_tag_warns_to_check_the_serial(client, bench):
    _technician, donation = bench
    page = _text(client.get(f"/donations/{donation.id}/intake", query_string={"code": "inv-9"}))
    assert "ligne 2" in page and "D'autres lignes ont aussi ce numéro d'inventaire (3)" in page


def test_a_machine_received_once_is_refused_a_second_time_unless_said_to_be_another(ctx):
    donation = make_donation()
    first = receive_device(donation, by=None, type="laptop", donor_tag="INV-X").device
    with pytest.raises(AlreadyReceived) as refusal:
        receive_device(donation, by=None, type="laptop", donor_tag="inv-x ")
    assert refusal.value.device == first and refusal.value.code == "already_received"
    twin = receive_device(donation, by=None, type="laptop", donor_tag="INV-X", again=True).device
    assert events_for(twin)[0].details["another_machine_with_same_code"] is True
    # Same donor's tag, two different serials: two machines.
    a = receive_device(donation, by=None, type="laptop", serial="S-A", donor_tag="LOT-1").device
    b = receive_device(donation, by=None, type="laptop", serial="S-B", donor_tag="LOT-1").device
    assert a.id != b.id


def test_scan_to_receive_receives_each_scan_once_and_confirms_it(client, bench):
    technician, donation = bench
    page = client.get(f"/donations/{donation.id}/intake", query_string={"auto": 1}).get_data(as_text=True)
    assert f'action="/donations/{donation.id}/intake/scan"' in page
    key = _intake_key(page)
    response = client.post(f"/donations/{donation.id}/intake/scan", data={"code": "inv-1", "intake_key": key})
    (device,) = _devices()
    assert device.declared_item.line_number == 1 and device.received_by_id == technician.id
    assert response.headers["Location"].endswith(f"auto=1&last={device.tag}")
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Réceptionné\u00a0: {device.tag}, ligne 1 de la liste du donateur (Ordinateur portable Dell E5530)" in shown
    # The second Enter of a CR+LF scanner sends the same form again; a re-scan later finds the machine.
    again = client.post(f"/donations/{donation.id}/intake/scan", data={"code": "inv-1", "intake_key": key})
    later = client.post(f"/donations/{donation.id}/intake/scan", data={"code": "SN1", "intake_key": "k2"})
    assert "Déjà reçu" in client.get(later.headers["Location"]).get_data(as_text=True)
    assert again.status_code == later.status_code == 302 and len(_devices()) == 1


def test_scan_to_receive_sends_an_unknown_code_to_the_manual_form(client, bench):
    _technician, donation = bench
    response = client.post(f"/donations/{donation.id}/intake/scan", data={"code": "zz-404"})
    assert response.headers["Location"].endswith("intake?code=zz-404")
    page = _text(client.get(response.headers["Location"]))
    assert "«\u00a0ZZ-404\u00a0» n'est pas sur la liste du donateur\u00a0: vérifiez-le et recevez-le à la main." in page
    assert 'value="ZZ-404"' in page and _devices() == []


def test_scan_to_receive_refuses_a_donor_tag_shared_by_two_lines(client, bench):
    _technician, donation = bench
    response = client.post(f"/donations/{donation.id}/intake/scan", data={"code": "INV-9"}, follow_redirects=True)
    assert "Les lignes 2, 3 de la liste du donateur ont le numéro d'inventaire «\u00a0INV-9\u00a0»" in _text(response)
    assert _devices() == []
    client.post(f"/donations/{donation.id}/intake/scan", data={"code": "SN3"})
    assert [d.declared_item.line_number for d in _devices()] == [3]


@pytest.mark.parametrize("data", [{"code": ""}, {"code": "x" * 200}, {"code": "SN1", "intake_key": "k" * 65}])
def test_scan_to_receive_bad_input_is_explained_and_writes_nothing(client, bench, data):
    _technician, donation = bench
    response = client.post(f"/donations/{donation.id}/intake/scan", data=data, follow_redirects=True)
    assert response.status_code == 200 and 'class="flash flash-error"' in response.get_data(as_text=True)
    assert _devices() == []


def test_someone_elses_collection_is_refused(client, bench):
    _technician, _donation = bench
    other = make_donation()
    assert client.post(f"/donations/{other.id}/intake/scan", data={"code": "SN1"}).status_code == 404
    assert client.get(f"/donations/{other.id}/intake", query_string={"code": "SN1"}).status_code == 404
    assert db.session.scalar(select(func.count(Device.id))) == 0


def test_the_api_answers_already_received_with_the_tag(client, bench):
    _technician, donation = bench
    token = make_token(make_user("technician", structure=donation.workshop))
    headers = {"Authorization": f"Bearer {token}"}
    body = {"donation_id": donation.id, "type": "laptop", "serial": "SN1", "intake_key": "scan-1"}
    created = client.post("/api/v1/devices", json=body, headers=headers)
    repeated = client.post("/api/v1/devices", json=body | {"serial": "NEW"}, headers=headers)
    rescanned = client.post("/api/v1/devices", json=body | {"intake_key": "scan-2"}, headers=headers)
    tag = created.get_json()["tag"]
    assert created.status_code == 201 and created.get_json()["declared_line"] == 1
    for answer in (repeated, rescanned):
        assert answer.status_code == 409 and answer.get_json()["error"] == "already_received"
        assert answer.get_json()["tag"] == tag
    for bad in ({"intake_key": 12}, {"intake_key": "k" * 65}, {"again": "yes"}):
        assert client.post("/api/v1/devices", json=body | bad, headers=headers).status_code == 422
    assert len(_devices()) == 1


def test_a_refused_intake_spends_no_tag(ctx):
    donation = make_donation()
    with pytest.raises(ValidationFailed):
        receive_device(donation, by=None, type="laptop")
    assert make_device(donation).tag.endswith("-000001")


def test_a_merged_machine_is_found_by_its_serial_as_the_kept_device(client, bench):
    technician, donation = bench
    kept = receive_device(donation, by=None, type="laptop", serial="SN1").device
    duplicate = receive_device(donation, by=None, type="laptop", serial="SN1", again=True).device
    merge_devices(kept, duplicate, by=make_user("supervisor", structure=donation.workshop))
    db.session.commit()
    assert find_devices("sn1", select(Device).where(Device.workshop_id == donation.workshop_id)) == [kept]
    assert client.get("/scan", query_string={"code": "SN1"}).headers["Location"] == f"/devices/{kept.tag}"
    listed = client.get("/devices").get_data(as_text=True)
    assert kept.tag in listed and duplicate.tag not in listed
    assert duplicate.tag in client.get("/devices", query_string={"state": "voided"}).get_data(as_text=True)
    assert duplicate.tag in client.get("/devices", query_string={"q": duplicate.tag}).get_data(as_text=True)


def test_an_intake_key_used_by_another_workshop_neither_blocks_nor_names_its_device(ctx):
    ours, theirs = make_donation(), make_donation()
    their_device = receive_device(theirs, by=None, type="laptop", brand="HP", intake_key="bench-1").device
    ours_device = receive_device(ours, by=None, type="laptop", brand="HP", intake_key="bench-1").device
    assert ours_device.id != their_device.id and ours_device.workshop_id != their_device.workshop_id
    with pytest.raises(AlreadyReceived) as refusal:
        receive_device(ours, by=None, type="laptop", brand="Dell", intake_key="bench-1")
    assert refusal.value.device == ours_device and their_device.tag not in refusal.value.message
