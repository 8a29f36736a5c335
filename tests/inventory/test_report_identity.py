"""A hardware report is applied only to the machine it describes; a drive's records never leave a closed device."""
import html

import pytest
from sqlalchemy import select

from reco.core.audit import events_for
from reco.core.errors import DomainError
from reco.extensions import db
from reco.inventory.diagnosis import ReportMismatch, apply_hardware_report, record_diagnosis
from reco.inventory.lifecycle import guard_problems, transition_device
from reco.inventory.models import DeviceState, Drive
from reco.inventory.sanitization import import_erasure_log, record_destruction, remove_drive
from tests.conftest import login_as
from tests.factories import make_device, make_donation, make_donor, make_token
from tests.inventory.workbench_helpers import fixture, nwipe_log_for, wiped_in

E5530 = "hardware/lshw/laptop-dell-latitude-e5530.json"  # serial D8FTRY1, drive TF755AWHKL0LHM at /dev/sda
SEAGATE = "hardware/smartctl/ata-hdd-seagate-st500dm002.json"


def _device(technician, **fields):
    return make_device(make_donation(make_donor(technician.structure)), **fields)


def _ready_e5530(technician):
    """A Dell E5530 taken to ready with its real drive wiped and verified."""
    device = _device(technician, serial="D8FTRY1")
    apply_hardware_report(device, fixture(E5530), by=technician)
    record_diagnosis(device, by=technician, grade="A")
    wiped_in(device.drives[0])
    import_erasure_log(device, nwipe_log_for("erased", "/dev/sda"), by=technician, confirm_anonymised=True)
    transition_device(device, "wiped", by=technician)
    transition_device(device, "ready", by=technician)
    return device


def test_a_report_of_another_machine_is_refused_and_changes_nothing(technician):
    device = _device(technician, serial="5CG7123", brand="HP")
    with pytest.raises(ReportMismatch) as refusal:
        apply_hardware_report(device, fixture(E5530), by=technician)
    assert "D8FTRY1" in refusal.value.message and "5CG7123" in refusal.value.message
    assert refusal.value.details == {"confirm": "confirm_serial", "device": device.tag}
    db.session.rollback()
    assert device.drives == [] and device.serial == "5CG7123" and device.cpu == ""


def test_a_confirmed_report_corrects_the_serial_with_its_history(technician):
    device = _device(technician, serial="5CG7123")
    apply_hardware_report(device, fixture(E5530), by=technician, confirm_serial=True)
    assert device.serial == "D8FTRY1" and [d.serial for d in device.drives] == ["TF755AWHKL0LHM"]
    event = events_for(device)[0]
    assert event.action == "hardware_report" and event.actor_id == technician.id
    assert event.details["serial"] == {"from": "5CG7123", "to": "D8FTRY1"}


def test_a_report_whose_machine_is_recorded_as_another_device_is_refused(technician):
    recorded = _device(technician, serial="D8FTRY1")
    blank = _device(technician)
    with pytest.raises(ReportMismatch, match=recorded.tag):
        apply_hardware_report(blank, fixture(E5530), by=technician)


def test_a_drive_of_a_ready_device_never_moves(technician):
    ready = _ready_e5530(technician)
    (drive,) = ready.drives
    other = _device(technician, brand="Dell")
    with pytest.raises(ReportMismatch) as refusal:
        apply_hardware_report(other, fixture(E5530), by=technician, confirm_serial=True)
    assert ready.tag in refusal.value.message and "Prêt" in refusal.value.message
    db.session.rollback()
    assert drive.device_id == ready.id and ready.state is DeviceState.READY and other.drives == []


def test_another_physical_drive_with_the_same_serial_starts_with_no_sanitization(technician):
    ready = _ready_e5530(technician)
    (drive,) = ready.drives
    other = _device(technician, brand="Dell")
    apply_hardware_report(other, fixture(E5530), by=technician, confirm_serial=True, distinct_drives=True)
    (twin,) = other.drives
    assert twin.id != drive.id and twin.serial == drive.serial and twin.sanitizations == []
    assert not twin.is_sanitized and drive.is_sanitized and ready.drives == [drive]
    record_diagnosis(other, by=technician, grade="A")
    assert any("TF755AWHKL0LHM" in p for p in guard_problems(other, DeviceState.WIPED))


def test_a_drive_moving_between_open_devices_keeps_its_records_and_credits_the_person(technician):
    first = _device(technician, serial="D8FTRY1")
    apply_hardware_report(first, fixture(E5530), by=technician)
    (drive,) = first.drives
    wiped_in(drive)
    import_erasure_log(first, nwipe_log_for("erased", "/dev/sda"), by=technician, confirm_anonymised=True)
    second = _device(technician, brand="Dell")
    apply_hardware_report(second, fixture(E5530), by=technician, confirm_serial=True)
    assert second.drives == [drive] and first.drives == [] and len(drive.sanitizations) == 1
    removed, added = events_for(first)[0], events_for(second)[1]
    assert (removed.action, removed.actor_id, removed.details["to"]) == ("drive_removed", technician.id, second.tag)
    assert (added.action, added.actor_id, added.details["from"]) == ("drive_added", technician.id, first.tag)


def test_a_smartctl_report_of_a_drive_in_a_closed_device_is_refused(technician):
    ready = _ready_e5530(technician)
    other = _device(technician, brand="Seagate box")
    apply_hardware_report(other, fixture(SEAGATE), by=technician)  # a drive seen nowhere yet: recorded here
    db.session.flush()
    stray = db.session.scalar(select(Drive).where(Drive.device_id == other.id))
    stray.device_id = ready.id  # as if it had been recorded in the ready device
    db.session.flush()
    db.session.expire_all()
    with pytest.raises(ReportMismatch):
        apply_hardware_report(other, fixture(SEAGATE), by=technician)


def test_the_api_refuses_a_mismatched_report_and_applies_it_once_confirmed(client, technician):
    device = _device(technician, serial="5CG7123")
    headers = {"Authorization": f"Bearer {make_token(technician)}"}
    url = f"/api/v1/devices/{device.tag}/hardware-reports"
    refused = client.post(url, data=fixture(E5530), headers=headers)
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "report_mismatch" and refused.get_json()["confirm"] == "confirm_serial"
    assert client.post(url + "?confirm_serial=maybe", data=fixture(E5530), headers=headers).status_code == 422
    applied = client.post(url + "?confirm_serial=1", data=fixture(E5530), headers=headers)
    assert applied.status_code == 201 and applied.get_json()["device"]["serial"] == "D8FTRY1"


def test_the_page_explains_a_mismatch_and_offers_the_confirmation(client, technician):
    login_as(client, technician)
    device = _device(technician, serial="5CG7123")
    db.session.commit()
    response = client.post(f"/devices/{device.tag}/hardware-report",
                           data={"file": (__import__("io").BytesIO(fixture(E5530)), "lshw.json")})
    assert response.headers["Location"].endswith(f"/devices/{device.tag}?confirm=confirm_serial#reports")
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Ce rapport décrit la machine de numéro de série D8FTRY1" in page
    assert 'name="confirm_serial"' in page
    db.session.expire_all()
    assert device.drives == [] and device.serial == "5CG7123"


def test_a_device_with_no_drive_recorded_needs_an_explicit_no_storage(technician, english):
    device = _device(technician, brand="Raspberry")
    record_diagnosis(device, by=technician, grade="A")
    assert any("No drive is recorded" in p for p in guard_problems(device, DeviceState.WIPED))
    with pytest.raises(DomainError):
        transition_device(device, "wiped", by=technician)
    record_diagnosis(device, by=technician, grade="A", no_storage=True)
    transition_device(device, "wiped", by=technician)
    transition_device(device, "ready", by=technician)
    assert device.state is DeviceState.READY


def test_no_storage_is_refused_when_drives_are_recorded(technician):
    device = _device(technician, serial="D8FTRY1")
    apply_hardware_report(device, fixture(E5530), by=technician)
    with pytest.raises(DomainError, match="no_storage|stockage"):
        record_diagnosis(device, by=technician, grade="A", no_storage=True)
    with pytest.raises(DomainError):
        record_diagnosis(device, by=technician, grade="A", no_storage="yes")


def test_a_screen_has_no_storage_to_declare(technician):
    screen = _device(technician, type="screen", brand="Iiyama")
    record_diagnosis(screen, by=technician, grade="B")
    transition_device(screen, "wiped", by=technician)
    transition_device(screen, "ready", by=technician)


def test_the_diagnosis_page_offers_no_storage_only_without_drives(client, technician):
    login_as(client, technician)
    device = _device(technician, brand="Raspberry")
    db.session.commit()
    page = client.get(f"/devices/{device.tag}/diagnosis").get_data(as_text=True)
    assert 'name="no_storage"' in page
    client.post(f"/devices/{device.tag}/diagnosis", data={"grade": "A", "no_storage": "y"})
    db.session.expire_all()
    assert device.diagnosis.no_storage is True


def test_no_drive_is_taken_out_of_a_ready_device(technician):
    ready = _ready_e5530(technician)
    (drive,) = ready.drives
    for take_out in (lambda: remove_drive(drive, by=technician),
                     lambda: record_destruction(drive, by=technician, method="drill", witness="W")):
        with pytest.raises(DomainError, match=ready.tag):
            take_out()
    assert ready.drives == [drive] and drive.sanitizations[-1].technique.value != "destruction"
    transition_device(ready, "in_repair", by=technician)
    remove_drive(drive, by=technician)
    assert ready.drives == [] and drive.removed_from_id == ready.id


def test_a_report_never_brings_back_a_destroyed_drive_with_its_destruction(technician):
    first = _device(technician, serial="D8FTRY1")
    apply_hardware_report(first, fixture(E5530), by=technician)
    (drive,) = first.drives
    record_destruction(drive, by=technician, method="shred", witness="W")
    other = _device(technician, brand="Dell")
    with pytest.raises(ReportMismatch, match="détruit|destroyed"):
        apply_hardware_report(other, fixture(E5530), by=technician, confirm_serial=True)
    assert other.drives == [] and drive.device_id is None
    apply_hardware_report(other, fixture(E5530), by=technician, confirm_serial=True, distinct_drives=True)
    (twin,) = other.drives
    assert twin.id != drive.id and not twin.is_sanitized
