"""The scan batch: one per login session, emptied of the devices an action was applied to, its count in view."""
import re
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from reco.core.audit import Event
from reco.core.time import utcnow
from reco.extensions import db
from reco.inventory.batch import batch_of
from reco.inventory.diagnosis import record_diagnosis
from reco.inventory.locations import create_location
from reco.inventory.models import Device, DeviceExit, DeviceState, ScanBatch
from tests.conftest import login_as
from tests.factories import PASSWORD, make_device, make_donation, make_donor, make_user


def _bench(client):
    technician = make_user("technician")
    login_as(client, technician)
    return technician, make_donation(make_donor(technician.structure))


def _scan(client, *codes):
    for code in codes:
        assert client.post("/batch", data={"code": code}).status_code == 302


def _codes(user) -> list[list[str]]:
    db.session.expire_all()
    return [b.codes for b in db.session.scalars(select(ScanBatch).where(ScanBatch.user_id == user.id))]


def _reload(device) -> Device:
    db.session.expire_all()
    return db.session.get(Device, device.id)


def _menu_entry(page: str) -> str:
    return re.search(r'<a href="/batch"[^>]*>.*?</a>', page, re.S).group(0)


def test_the_devices_done_leave_the_batch_and_the_refused_stay_with_their_reason(client, ctx):
    technician, donation = _bench(client)
    diagnosed, received = make_device(donation, serial="SER-A"), make_device(donation, serial="SER-B")
    record_diagnosis(diagnosed, by=technician, grade="A", checks={"power_on": "ok"})
    db.session.commit()
    _scan(client, diagnosed.tag, received.tag, "UNKNOWN-9", "ser-a")
    response = client.post("/batch/apply", data={"action": "transition", "to": "in_repair"})
    page = response.get_data(as_text=True).replace("\xa0", " ")
    assert response.status_code == 200
    assert "Appareils traités : 1 sur 2." in page
    assert diagnosed.tag not in page and 'class="batch-ok"' in page and received.tag in page
    assert re.search(rf"{received.tag}.*?Refusé : Un appareil ne peut pas passer de « Réceptionné »", page, re.S)
    assert _codes(technician) == [[received.tag, "UNKNOWN-9"]]
    assert _reload(diagnosed).state is DeviceState.IN_REPAIR and _reload(received).state is DeviceState.RECEIVED
    later = client.get("/batch").get_data(as_text=True)
    assert received.tag in later and "UNKNOWN-9" in later and "2 codes dans la liste" in later


def test_a_move_empties_the_batch_of_the_devices_moved_and_credits_the_technician(client, ctx):
    technician, donation = _bench(client)
    first, second = make_device(donation), make_device(donation)
    location = create_location(technician.structure, by=technician, name="Bac 1", kind="bin")
    db.session.commit()
    _scan(client, first.tag, second.tag)
    page = client.post("/batch/apply", data={"action": "move", "location": location.code}).get_data(as_text=True)
    assert "Appareils traités : 2 sur 2." in page.replace("\xa0", " ") and "0 code dans la liste" in page
    assert _codes(technician) == [[]]
    assert _reload(first).location_id == location.id == _reload(second).location_id
    events = db.session.scalars(select(Event).where(Event.action == "moved", Event.object_type == "device"))
    assert [e.actor_id for e in events] == [technician.id, technician.id]


def test_a_refused_action_changes_nothing_and_keeps_the_batch(client, ctx):
    technician, donation = _bench(client)
    device = make_device(donation)
    _scan(client, device.tag)
    response = client.post("/batch/apply", data={"action": "move", "location": "NOWHERE"}, follow_redirects=True)
    assert "Aucun emplacement" in response.get_data(as_text=True)
    assert _codes(technician) == [[device.tag]]


def test_two_login_sessions_of_one_person_have_two_batches(app, ctx):
    technician = make_user("technician")
    device = make_device(make_donation(make_donor(technician.structure)))
    bench, office = app.test_client(), app.test_client()
    login_as(bench, technician)
    login_as(office, technician)
    _scan(bench, device.tag)
    assert device.tag not in office.get("/batch").get_data(as_text=True)
    _scan(office, "OTHER-1")
    bench_page = bench.get("/batch").get_data(as_text=True)
    assert device.tag in bench_page and "OTHER-1" not in bench_page
    assert sorted(_codes(technician)) == sorted([["OTHER-1"], [device.tag]])
    office.post("/batch/clear")
    assert device.tag in bench.get("/batch").get_data(as_text=True)


def test_logging_in_again_starts_a_new_batch(client, ctx):
    technician = make_user("technician")
    device = make_device(make_donation(make_donor(technician.structure)))
    credentials = {"email": technician.email, "password": PASSWORD}
    assert client.post("/login", data=credentials).status_code == 302
    _scan(client, device.tag)
    technician.session_version += 1  # the session ended elsewhere (password changed): the person logs in again
    db.session.commit()
    assert client.post("/login", data=credentials).status_code == 302
    assert device.tag not in client.get("/batch").get_data(as_text=True)
    _scan(client, "OTHER-2")
    client.post("/logout")
    login_as(client, technician)
    page = client.get("/batch").get_data(as_text=True)
    assert "OTHER-2" not in page and device.tag not in page
    assert sorted(_codes(technician)) == sorted([[], ["OTHER-2"], [device.tag]])


def test_the_count_of_codes_shows_on_the_page_and_in_the_menu(client, ctx):
    _technician, donation = _bench(client)
    device = make_device(donation)
    assert "<span class=\"badge" not in _menu_entry(client.get("/devices").get_data(as_text=True))
    _scan(client, device.tag)
    assert "1 code dans la liste" in client.get("/batch").get_data(as_text=True)
    _scan(client, "UNKNOWN-1", "UNKNOWN-2")
    assert "3 codes dans la liste" in client.get("/batch").get_data(as_text=True)
    entry = _menu_entry(client.get("/devices").get_data(as_text=True))
    assert '<span aria-hidden="true">3</span>' in entry and "3 codes dans la liste" in entry
    client.post("/batch/clear")
    assert "badge" not in _menu_entry(client.get("/devices").get_data(as_text=True))


def test_batches_left_untouched_for_days_are_removed_when_a_new_session_starts(ctx):
    technician = make_user("technician")
    db.session.add_all([ScanBatch(user_id=technician.id, session_key="ended", codes=["A"],
                                  updated_at=utcnow() - timedelta(days=30)),
                        ScanBatch(user_id=technician.id, session_key="open", codes=["B"])])
    db.session.flush()
    assert batch_of(technician, "open").codes == ["B"]
    new = batch_of(technician, "new")
    assert new.codes == [] and batch_of(technician, "new") is new
    assert sorted(db.session.scalars(select(ScanBatch.session_key).where(ScanBatch.user_id == technician.id))) \
        == ["new", "open"]


def test_a_scanned_location_is_where_the_list_goes_and_its_field_comes_before_the_list(client, ctx):
    technician, donation = _bench(client)
    device = make_device(donation)
    location = create_location(technician.structure, by=technician, name="Étagère B", kind="shelf")
    db.session.commit()
    _scan(client, device.tag, location.code.lower())
    assert _codes(technician) == [[device.tag]]  # the location is not a device of the list
    page = client.get("/batch").get_data(as_text=True)
    assert "Unknown code" not in page and "Code inconnu" not in page
    destination = re.search(r'<input id="batch-location"[^>]*>', page).group(0)
    assert f'value="{location.code}"' in destination and "Étagère B" in page
    assert page.index('id="batch-location"') < page.index("<table")
    response = client.post("/batch/apply", data={"action": "move", "location": location.code})
    assert "Appareils traités : 1 sur 1." in response.get_data(as_text=True).replace("\xa0", " ")
    assert _reload(device).location_id == location.id
    client.post("/batch/clear")  # an emptied list forgets where it went
    assert 'id="batch-location"' not in client.get("/batch").get_data(as_text=True)


def test_recycling_the_list_asks_the_weight_and_slip_once_and_shares_the_weight(client, ctx):
    technician, donation = _bench(client)
    devices = [make_device(donation, weight_kg=w) for w in ("2", "6")]
    _scan(client, *(d.tag for d in devices))
    page = client.get("/batch").get_data(as_text=True)
    states = re.search(r'<select id="batch-state".*?</select>', page, re.S).group(0)
    assert "recycled" not in states and "harvested" not in states  # the exits have their own forms
    missing = client.post("/batch/apply", data={"action": "recycle", "recycle-weight_kg": "", "recycle-slip_number": ""})
    text = missing.get_data(as_text=True).replace("\xa0", " ")
    assert missing.status_code == 422 and "Donnez le poids de toute la liste" in text
    assert "bordereau" in text
    assert all(_reload(d).state is DeviceState.RECEIVED for d in devices)

    done = client.post("/batch/apply", data={"action": "recycle", "recycle-weight_kg": "10,4",
                                             "recycle-slip_number": "BSD-2026-118"})
    assert "Appareils traités : 2 sur 2." in done.get_data(as_text=True).replace("\xa0", " ")
    exits = db.session.scalars(select(DeviceExit).order_by(DeviceExit.device_id)).all()
    assert [e.weight_kg for e in exits] == [Decimal("2.60"), Decimal("7.80")]
    assert {e.slip_number for e in exits} == {"BSD-2026-118"} and {e.kind for e in exits} == {"recycled"}
    assert all(_reload(d).state is DeviceState.RECYCLED for d in devices) and _codes(technician) == [[]]


def test_one_device_that_cannot_be_recycled_keeps_the_whole_list(client, ctx):
    technician, donation = _bench(client)
    ok = make_device(donation)
    unwiped = make_device(donation, drives=[{"serial": "HDD-9", "capacity_gb": "500", "interface": "ata_hdd"}])
    _scan(client, ok.tag, unwiped.tag)
    response = client.post("/batch/apply", data={"action": "recycle", "recycle-weight_kg": "5",
                                                 "recycle-slip_number": "BSD-1"})
    page = response.get_data(as_text=True).replace("\xa0", " ")
    assert response.status_code == 422 and "Rien n'a été recyclé" in page.replace("&#39;", "'")
    assert re.search(rf"{unwiped.tag}.*?Refusé :", page, re.S)
    assert _reload(ok).state is DeviceState.RECEIVED and db.session.scalars(select(DeviceExit)).all() == []
    assert _codes(technician) == [[ok.tag, unwiped.tag]]
    refused = client.post("/batch/apply", data={"action": "transition", "to": "recycled"}, follow_redirects=True)
    assert "Les recycler (filière DEEE)" in refused.get_data(as_text=True)


def test_dismantling_the_list_opens_each_device_in_turn(client, ctx):
    technician, donation = _bench(client)
    first, second = make_device(donation, serial="SER-1"), make_device(donation, serial="SER-2")
    _scan(client, "ser-1", second.tag)
    response = client.post("/batch/apply", data={"action": "harvest"})
    assert response.status_code == 302 and response.headers["Location"] == f"/devices/{first.tag}/harvest?batch=1"
    page = client.get(response.headers["Location"]).get_data(as_text=True).replace("\xa0", " ")
    assert "Liste scannée : 2 appareils à démonter, celui-ci compris." in page
    after = client.post(f"/devices/{first.tag}/harvest?batch=1", data={"parts": "Carte mère"})
    assert after.headers["Location"] == f"/devices/{second.tag}/harvest?batch=1"
    assert _reload(first).state is DeviceState.HARVESTED and _codes(technician) == [[second.tag]]
    last = client.post(f"/devices/{second.tag}/harvest?batch=1", data={"parts": "Écran"})
    assert last.headers["Location"] == "/batch" and _codes(technician) == [[]]
