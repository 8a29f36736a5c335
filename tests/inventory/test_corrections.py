"""Corrections with history: a device's identity corrected, a device voided, two intakes of one machine merged."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from reco.accounts.models import Role
from reco.core.audit import Event, events_for
from reco.core.errors import DomainError, ValidationFailed
from reco.core.time import local_today, utcnow
from reco.donations.inventory_import import parse_inventory
from reco.donations.pdf import attestation_content
from reco.donations.services import declared_vs_received, import_declared_items
from reco.extensions import db
from reco.inventory.corrections import correct_device, merge_devices, plan_merge, void_device
from reco.inventory.diagnosis import record_diagnosis
from reco.inventory.intake import receive_device
from reco.inventory.locations import create_location, move_device
from reco.inventory.models import Device, DeviceState, Diagnosis, Drive, HardwareReport, Repair, Sanitization
from reco.inventory.repairs import record_repair
from reco.inventory.sanitization import record_secure_erase
from reco.prescriptions.reservations import ready_count
from reco.reports.donor_report import report_content
from reco.reports.exports import device_list
from reco.reports.figures import Audience, Period, devices_by_donor, devices_by_type, summary
from tests.conftest import login_as
from tests.factories import make_device, make_donation, make_donor, make_ready_device, make_structure, make_user

TODAY = local_today()
#: Long enough before now to be another day in Paris, even on the day clocks go back.
YESTERDAY = timedelta(days=1, hours=2)


@pytest.fixture
def bench(ctx):
    """A workshop with its supervisor and technician, and a collection with a donor's list of three lines."""
    workshop = make_structure("workshop")
    donation = make_donation(make_donor(workshop))
    lines = b"Serial;Type;Asset tag\nSN-1;laptop;INV-1\nSN-2;desktop;INV-2\n;desktop;INV-3\n"
    import_declared_items(donation, parse_inventory(lines), by=None)
    db.session.commit()
    return {"workshop": workshop, "donation": donation, "supervisor": make_user(Role.SUPERVISOR, structure=workshop),
            "technician": make_user(Role.TECHNICIAN, structure=workshop)}


def _receive(bench, by=None, **fields):
    """Receive a device in the bench's collection, by ``by`` (the technician by default)."""
    fields.setdefault("type", "laptop")
    device = receive_device(bench["donation"], by=by or bench["technician"], **fields).device
    db.session.commit()
    return device


def _reload(device) -> Device:
    db.session.expire_all()
    return db.session.get(Device, device.id)


def _events(device, action: str) -> list[Event]:
    return [e for e in events_for(device) if e.action == action]


def _event_count() -> int:
    return db.session.scalar(select(func.count(Event.id)))


# Correcting a device's identity.

def test_a_correction_records_who_when_and_each_field_before_and_after(bench):
    device = _receive(bench, type="desktop", brand="Dell", serial="SN-9")
    corrected = correct_device(device, {"type": "laptop", "brand": "Dell", "serial": "  sn-10 ",
                                        "donor_tag": "inv-7"}, by=bench["supervisor"])
    db.session.commit()
    device = _reload(device)
    assert (device.type.value, device.serial, device.donor_tag) == ("laptop", "SN-10", "INV-7")
    assert corrected.changes == {"type": {"before": "desktop", "after": "laptop"},
                                 "serial": {"before": "SN-9", "after": "SN-10"},
                                 "donor_tag": {"before": None, "after": "INV-7"}}
    [event] = _events(device, "corrected")
    assert event.actor_id == bench["supervisor"].id and event.details == {"fields": corrected.changes}
    assert utcnow() - event.at < timedelta(minutes=1)


def test_a_code_can_be_cleared(bench):
    device = _receive(bench, brand="HP", serial="SN-9")
    correct_device(device, {"serial": "  "}, by=bench["technician"])
    assert device.serial is None
    assert _events(device, "corrected")[0].details["fields"]["serial"] == {"before": "SN-9", "after": None}


def test_a_correction_that_changes_nothing_is_refused(bench):
    device = _receive(bench, brand="HP", serial="SN-9")
    before = _event_count()
    with pytest.raises(ValidationFailed, match="Rien à corriger"):
        correct_device(device, {"brand": " HP ", "serial": "sn-9", "type": "laptop"}, by=bench["technician"])
    with pytest.raises(ValidationFailed):
        correct_device(device, {}, by=bench["technician"])
    assert _event_count() == before


@pytest.mark.parametrize("changes, field", [
    ({"type": "spaceship"}, "type"), ({"type": 3}, "type"), ({"serial": "X" * 81}, "serial"),
    ({"donor_tag": "Y" * 100_000}, "donor_tag"), ({"brand": "B" * 81}, "brand"), ({"model": "M" * 121}, "model"),
    ({"serial": 123}, "serial"), ({"brand": ["HP"]}, "brand"), ({"grade": "A"}, "grade"),
    ({"brand": "Lenovo", "serial": "Z" * 200}, "serial"),
])
def test_bad_corrections_are_refused_and_write_nothing(bench, changes, field):
    device = _receive(bench, brand="HP", serial="SN-9")
    before = _event_count()
    with pytest.raises(ValidationFailed) as refused:
        correct_device(device, changes, by=bench["technician"])
    db.session.rollback()
    assert field in refused.value.fields
    device = _reload(device)
    assert (device.brand, device.serial, device.type.value) == ("HP", "SN-9", "laptop")
    assert _event_count() == before


def test_a_serial_already_on_another_device_warns(bench):
    first = _receive(bench, serial="SN-5")
    second = _receive(bench, brand="HP")
    corrected = correct_device(second, {"serial": "SN-5"}, by=bench["technician"])
    assert first.tag in corrected.warnings[0] and second.serial == "SN-5"


# Voiding a device received by mistake.

def test_voiding_keeps_the_tag_and_history_frees_the_line_and_takes_the_drives_out(bench):
    device = _receive(bench, serial="SN-1", drives=[{"serial": "DRV-1", "capacity_gb": "250"}])
    drive = device.drives[0]
    record_secure_erase(drive, by=bench["technician"], tool="hdparm", technique="block_erase",
                        verification="last_pass")
    location = create_location(bench["workshop"], by=None, name="Étagère A")
    move_device(device, location, by=None)
    line = device.declared_item
    assert line.line_number == 1
    void_device(device, by=bench["supervisor"], reason="  Reçu par erreur : machine du voisin  ")
    db.session.commit()
    device = _reload(device)
    assert device.state is DeviceState.VOIDED and device.tag and device.declared_item_id is None
    assert device.drives == [] and device.location_id is None
    drive = db.session.get(Drive, drive.id)
    assert drive.removed_from_id == device.id and drive.is_sanitized and len(drive.sanitizations) == 1
    [transition] = _events(device, "transition")
    assert transition.details == {"from": "received", "to": "voided", "reason": "Reçu par erreur : machine du voisin"}
    assert transition.actor_id == bench["supervisor"].id
    [voided] = _events(device, "voided")
    assert voided.details == {"reason": "Reçu par erreur : machine du voisin", "declared_line": 1, "drives": ["DRV-1"]}
    assert _events(device, "moved")[0].details == {"from": location.code, "to": None}
    assert _events(device, "drive_removed") and _events(device, "received")  # the history stays
    # The real machine is received against the freed line.
    real = _receive(bench, serial="SN-1")
    assert real.declared_item_id == line.id


def test_a_voided_tag_is_never_given_again(bench):
    device = _receive(bench, brand="HP")
    void_device(device, by=bench["supervisor"], reason="Doublon de saisie")
    db.session.commit()
    number = int(device.tag.rsplit("-", 1)[1])
    following = _receive(bench, brand="Dell")
    assert int(following.tag.rsplit("-", 1)[1]) == number + 1
    assert db.session.scalar(select(func.count(Device.id)).where(Device.tag == device.tag)) == 1


@pytest.mark.parametrize("reason", ["", "   ", None, 42, "x" * 501])
def test_voiding_needs_a_reason(bench, reason):
    device = _receive(bench, brand="HP")
    with pytest.raises(ValidationFailed) as refused:
        void_device(device, by=bench["supervisor"], reason=reason)
    assert "reason" in refused.value.fields and _reload(device).state is DeviceState.RECEIVED


def test_a_device_that_left_the_workbench_or_is_voided_is_not_voided_again(bench):
    device = _receive(bench, brand="HP")
    void_device(device, by=bench["supervisor"], reason="Erreur")
    delivered = _receive(bench, brand="Dell")
    delivered.state = DeviceState.DELIVERED
    db.session.commit()
    before = _event_count()
    with pytest.raises(DomainError, match="définitif"):
        void_device(device, by=bench["supervisor"], reason="Encore")
    with pytest.raises(DomainError, match="ne se corrige plus"):
        correct_device(device, {"brand": "Dell"}, by=bench["supervisor"])
    with pytest.raises(DomainError):
        void_device(delivered, by=bench["supervisor"], reason="Erreur")
    db.session.rollback()
    assert _event_count() == before and _reload(delivered).state is DeviceState.DELIVERED


# Merging two intakes of one machine.

def _duplicate(bench):
    """Return two intakes of one machine: the first scanned, the second typed by hand, each with records."""
    kept = _receive(bench, brand="Lenovo", serial="SN-1", accessories=["charger"])
    other = _receive(bench, brand="Lenovo", model="ThinkPad T480", weight_kg="1,6",
                     accessories=["charger", "mouse"], drives=[{"serial": "DRV-9", "capacity_gb": "256"}])
    record_diagnosis(other, by=bench["technician"], grade="B", checks={"power_on": "ok"})
    record_secure_erase(other.drives[0], by=bench["technician"], tool="hdparm", technique="block_erase",
                        verification="last_pass")
    record_repair(other, by=bench["technician"], problem="Clavier", fault_type="integrated_keyboard")
    db.session.add(HardwareReport(device_id=other.id, kind="lshw", content="{}", sha256="0" * 64))
    db.session.commit()
    return kept, other


def test_merging_moves_the_records_and_missing_fields_and_voids_the_other(bench):
    kept, other = _duplicate(bench)
    drive_id = other.drives[0].id
    plan = merge_devices(kept, other, by=bench["supervisor"])
    db.session.commit()
    kept, other = _reload(kept), db.session.get(Device, other.id)
    assert [d.id for d in kept.drives] == [drive_id] and kept.drives[0].is_sanitized
    assert db.session.scalar(select(Sanitization.device_id).where(Sanitization.drive_id == drive_id)) == kept.id
    for model in (Diagnosis, Repair, HardwareReport):
        assert db.session.scalar(select(func.count(model.id)).where(model.device_id == kept.id)) == 1
        assert db.session.scalar(select(func.count(model.id)).where(model.device_id == other.id)) == 0
    assert (kept.model, str(kept.weight_kg), kept.grade.value) == ("ThinkPad T480", "1.60", "B")
    assert kept.accessories == ["charger", "mouse"] and kept.serial == "SN-1"
    assert other.state is DeviceState.VOIDED and other.merged_into_id == kept.id and other.drives == []
    storage = select(Device.storage_total).where(Device.id.in_([kept.id, other.id])).order_by(Device.id)
    assert db.session.scalars(storage).all() == [256 * 10 ** 9, 0]  # the waiting list ranks on it
    [merged] = _events(kept, "merged")
    assert merged.actor_id == bench["supervisor"].id and merged.details == plan.details()
    assert merged.details["drives"] == ["DRV-9"] and merged.details["device"] == other.tag
    assert merged.details["changes"] == {"diagnoses": 1, "repairs": 1, "hardware_reports": 1,
                                         "accessories": ["mouse"]}
    assert merged.details["fields"]["model"] == {"before": None, "after": "ThinkPad T480"}
    assert _events(other, "merged_into")[0].details["kept"] == kept.tag
    assert _events(other, "transition")[0].details == {"from": "in_repair", "to": "voided", "reason": kept.tag}


def test_the_declared_line_follows_the_machine(bench):
    unmatched = _receive(bench, brand="Dell")
    matched = _receive(bench, serial="SN-2", type="desktop")
    plan = merge_devices(unmatched, matched, by=bench["supervisor"])
    db.session.commit()
    assert plan.declared_line == 2 and _reload(unmatched).declared_item.line_number == 2
    assert _events(unmatched, "merged")[0].details["declared_line"] == 2


def test_a_line_is_freed_when_the_kept_device_has_one(bench):
    kept = _receive(bench, serial="SN-1")
    other = _receive(bench, donor_tag="INV-3", type="desktop")
    assert other.declared_item.line_number == 3
    plan = plan_merge(kept, other)
    assert (plan.declared_line, plan.released_line) == (None, 3)
    merge_devices(kept, other, by=bench["supervisor"])
    db.session.commit()
    assert _reload(kept).declared_item.line_number == 1
    assert db.session.get(Device, other.id).declared_item_id is None
    assert [i.line_number for i in declared_vs_received(bench["donation"])["outstanding_items"]] == [2, 3]


def _refusal(bench, case):
    """Return the pair of devices of a refused merge."""
    kept = _receive(bench, brand="HP", serial="SN-A")
    if case == "itself":
        return kept, kept
    if case == "other workshop":
        return kept, make_device(make_donation(make_donor(make_structure("workshop"))), brand="HP")
    if case == "two serials":
        return kept, _receive(bench, brand="HP", serial="SN-B")
    other = _receive(bench, brand="HP")
    other.state = DeviceState(case)
    db.session.commit()
    return (kept, other) if case != "delivered" else (other, kept)


@pytest.mark.parametrize("case, message", [
    ("itself", "lui-même"), ("other workshop", "ateliers différents"), ("two serials", "deux machines"),
    ("reserved", "encore à l'atelier"), ("delivered", "encore à l'atelier"), ("harvested", "encore à l'atelier"),
    ("recycled", "encore à l'atelier"), ("voided", "encore à l'atelier"),
])
def test_merges_that_make_no_sense_are_refused_and_change_nothing(bench, case, message):
    kept, other = _refusal(bench, case)
    states = (kept.state, other.state)
    before = _event_count()
    with pytest.raises(DomainError, match=message):
        merge_devices(kept, other, by=bench["supervisor"])
    db.session.rollback()
    assert (_reload(kept).state, db.session.get(Device, other.id).state) == states
    assert db.session.get(Device, other.id).merged_into_id is None and _event_count() == before


def test_a_ready_device_takes_no_drive_whose_data_is_not_proven_gone(bench):
    ready = make_ready_device(bench["workshop"], serial="SN-R")
    other = make_device(make_donation(make_donor(bench["workshop"])), brand="HP",
                        drives=[{"serial": "DRV-DIRTY", "capacity_gb": "500"}])
    plan = plan_merge(ready, other)
    assert "DRV-DIRTY" in plan.problems[0] and other.tag in plan.problems[0]
    assert plan_merge(other, ready).problems == []  # keeping the other one is the way
    with pytest.raises(DomainError):
        merge_devices(ready, other, by=bench["supervisor"])


# A voided device counts nowhere.

def test_a_voided_device_leaves_every_count(bench):
    workshop, donation = bench["workshop"], bench["donation"]
    kept = _receive(bench, serial="SN-1", weight_kg="2")
    mistaken = _receive(bench, serial="SN-2", type="desktop", weight_kg="9")
    ready = make_ready_device(workshop, serial="SN-READY")
    audience, period = Audience(workshop.id, None, False), Period(TODAY - timedelta(days=1), TODAY)

    def counts():
        db.session.expire_all()
        figures = summary(audience, period)
        tags = [row[0] for row in device_list(bench["supervisor"]).rows]
        checked = declared_vs_received(donation)
        return {
            "received": figures["devices_received"], "ready": figures["devices_ready"],
            "types": dict(devices_by_type(audience, period)), "donors": sum(c for *_, c in
                                                                            devices_by_donor(audience, period)),
            "export": len(tags), "collection": checked["received"], "undeclared": checked["undeclared_count"],
            "outstanding": checked["outstanding_count"], "attestation": len(attestation_content(donation)["items"]),
            "donor_report": len(report_content(donation)["devices"]), "shelf": ready_count(workshop.id),
        }

    before = counts()
    assert before["received"] == 3 and before["collection"] == 2 and before["shelf"] == 1
    void_device(mistaken, by=bench["supervisor"], reason="Machine d'un autre donateur")
    void_device(ready, by=bench["supervisor"], reason="Saisie de test")
    after = counts()
    assert after == before | {
        "received": 1, "ready": 0, "types": {kept.type: 1}, "donors": 1, "export": 1, "collection": 1,
        "outstanding": before["outstanding"] + 1, "attestation": 1, "donor_report": 1, "shelf": 0}
    assert kept.tag in [row[0] for row in device_list(bench["supervisor"]).rows]


def test_the_dashboard_and_the_location_page_leave_voided_devices_out(client, bench):
    login_as(client, bench["supervisor"])
    location = create_location(bench["workshop"], by=None, name="Étagère B")
    device = _receive(bench, brand="HP")
    move_device(device, location, by=None)
    db.session.commit()
    page = client.get("/locations").get_data(as_text=True)
    assert f'location={location.id}">1</a>' in page
    void_device(device, by=bench["supervisor"], reason="Erreur")
    db.session.commit()
    page = client.get("/locations").get_data(as_text=True)
    assert f'location={location.id}">0</a>' in page
    answer = client.get(f"/reports?from={TODAY - timedelta(days=1)}&to={TODAY}")
    assert answer.status_code == 200


# The « Correct » page, and who may use it.

def test_a_supervisor_corrects_voids_and_merges_through_the_pages(client, bench):
    login_as(client, bench["supervisor"])
    kept, other = _duplicate(bench)
    device_page = client.get(f"/devices/{kept.tag}").get_data(as_text=True)
    assert f'href="/devices/{kept.tag}/correct"' in device_page
    page = client.get(f"/devices/{kept.tag}/correct")
    assert page.status_code == 200 and 'name="serial"' in page.get_data(as_text=True)
    form = {"type": "laptop", "brand": "Lenovo", "model": "T480", "serial": "SN-1", "donor_tag": ""}
    assert client.post(f"/devices/{kept.tag}/correct", data=form).status_code == 302
    assert _reload(kept).model == "T480"
    refused = client.post(f"/devices/{kept.tag}/correct", data=form)
    assert refused.status_code == 422 and "Rien à corriger" in refused.get_data(as_text=True)
    preview = client.post(f"/devices/{kept.tag}/merge", data={"merge-other": other.tag.lower(), "merge-keep": "this"})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "DRV-9" in text and "merge-confirm" in text
    assert _reload(other).state is DeviceState.IN_REPAIR  # nothing done before the confirmation
    done = client.post(f"/devices/{kept.tag}/merge", data={"merge-other": other.tag, "merge-keep": "this",
                                                           "merge-confirm": "y"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/devices/{kept.tag}")
    banner = client.get(f"/devices/{other.tag}").get_data(as_text=True)
    assert "Annulé" in banner and "fusionné dans" in banner and f'href="/devices/{kept.tag}"' in banner
    scanned = client.get(f"/scan?code={other.tag}", follow_redirects=True).get_data(as_text=True)
    assert f'href="/devices/{kept.tag}"' in scanned
    mistaken = _receive(bench, brand="Acer")
    assert client.post(f"/devices/{mistaken.tag}/void", data={"void-reason": ""}).status_code == 422
    assert client.post(f"/devices/{mistaken.tag}/void", data={"void-reason": "Erreur", "void-confirm": "y"}
                       ).status_code == 302
    assert _reload(mistaken).state is DeviceState.VOIDED
    assert "reçu par erreur" in client.get(f"/devices/{mistaken.tag}").get_data(as_text=True)


def test_the_merge_page_says_why_it_refuses(client, bench):
    login_as(client, bench["supervisor"])
    first, second = _receive(bench, serial="SN-1"), _receive(bench, serial="SN-2", type="desktop")
    answer = client.post(f"/devices/{first.tag}/merge", data={"merge-other": second.tag, "merge-keep": "other",
                                                              "merge-confirm": "y"})
    assert answer.status_code == 422 and "deux machines" in answer.get_data(as_text=True)
    unknown = client.post(f"/devices/{first.tag}/merge", data={"merge-other": "NOPE-1", "merge-keep": "this"})
    assert unknown.status_code == 422
    elsewhere = make_device(make_donation(make_donor(make_structure("workshop"))), brand="HP")
    answer = client.post(f"/devices/{first.tag}/merge", data={"merge-other": elsewhere.tag, "merge-keep": "this",
                                                              "merge-confirm": "y"})
    assert answer.status_code == 422 and _reload(elsewhere).state is DeviceState.RECEIVED


def _as(client, user):
    login_as(client, user)
    return client


def test_technicians_correct_and_void_what_they_received_today_supervisors_anything(client, bench):
    technician, supervisor = bench["technician"], bench["supervisor"]
    colleague = make_user(Role.TECHNICIAN, structure=bench["workshop"])
    today = _receive(bench, brand="HP")
    yesterday = _receive(bench, brand="Dell")
    yesterday.received_at = utcnow() - YESTERDAY
    colleagues = _receive(bench, by=colleague, brand="Acer")
    elsewhere = make_device(make_donation(make_donor(make_structure("workshop"))), brand="HP")
    db.session.commit()
    _as(client, technician)
    assert client.get(f"/devices/{today.tag}/correct").status_code == 200
    assert "/correct" in client.get(f"/devices/{today.tag}").get_data(as_text=True)
    for device in (yesterday, colleagues):
        assert client.get(f"/devices/{device.tag}/correct").status_code == 403
        assert client.post(f"/devices/{device.tag}/void", data={"void-reason": "Erreur", "void-confirm": "y"}
                           ).status_code == 403
        assert "/correct" not in client.get(f"/devices/{device.tag}").get_data(as_text=True)
    assert client.get(f"/devices/{elsewhere.tag}/correct").status_code == 404
    assert client.post(f"/devices/{today.tag}/merge", data={"merge-other": yesterday.tag}).status_code == 403
    assert client.post(f"/devices/{today.tag}/correct", data={"type": "desktop", "brand": "HP"}).status_code == 302
    assert client.post(f"/devices/{today.tag}/void", data={"void-reason": "Erreur", "void-confirm": "y"}
                       ).status_code == 302
    _as(client, supervisor)
    for device in (yesterday, colleagues):
        assert client.get(f"/devices/{device.tag}/correct").status_code == 200
    assert client.post(f"/devices/{yesterday.tag}/correct", data={"type": "tablet"}).status_code == 302
    assert client.get(f"/devices/{elsewhere.tag}/correct").status_code == 404
    assert client.post(f"/devices/{elsewhere.tag}/void", data={"void-reason": "Erreur", "void-confirm": "y"}
                       ).status_code == 404
    assert (_reload(today).state, _reload(yesterday).type.value) == (DeviceState.VOIDED, "tablet")
    assert _reload(elsewhere).state is DeviceState.RECEIVED


def test_a_refused_page_form_writes_nothing(client, bench):
    login_as(client, bench["supervisor"])
    device = _receive(bench, brand="HP", serial="SN-9")
    before = _event_count()
    for data in ({"type": "spaceship", "brand": "HP"}, {"type": "laptop", "serial": "S" * 81},
                 {"type": "laptop", "brand": "B" * 81}):
        assert client.post(f"/devices/{device.tag}/correct", data=data).status_code == 422
    assert client.post(f"/devices/{device.tag}/void", data={"void-reason": "R" * 501, "void-confirm": "y"}
                       ).status_code == 422
    assert client.post(f"/devices/{device.tag}/merge", data={"merge-other": ""}).status_code == 422
    device = _reload(device)
    assert (device.brand, device.serial, device.state) == ("HP", "SN-9", DeviceState.RECEIVED)
    assert _event_count() == before
