"""The device lifecycle and its guards, driven with real lshw, smartctl and nwipe outputs."""
import threading

import pytest
from sqlalchemy import func, select

from reco.core.audit import Event, events_for
from reco.core.errors import DomainError, ValidationFailed
from reco.extensions import db
from reco.inventory.diagnosis import apply_hardware_report, record_diagnosis
from reco.inventory.lifecycle import DEVICE_LIFECYCLE, guard_problems, transition_device
from reco.inventory.models import Device, DeviceState, Drive, Sanitization
from reco.inventory.repairs import close_repair, record_repair
from reco.inventory.sanitization import import_erasure_log, record_destruction, validate_sanitization
from tests.factories import make_device, make_donation, make_donor, make_user
from tests.inventory.workbench_helpers import fixture, nwipe_log_for, unverified, wiped_in

E5530 = "hardware/lshw/laptop-dell-latitude-e5530.json"


def _diagnosed_e5530(grade="B"):
    """A received Dell Latitude E5530, its lshw report imported and diagnosed."""
    technician = make_user("technician")
    device = make_device(make_donation(make_donor(technician.structure)), type="laptop")
    summary = apply_hardware_report(device, fixture(E5530), by=technician)
    record_diagnosis(device, by=technician, grade=grade, checks={"power_on": "ok", "screen": "ok"})
    return device, technician, summary


def test_lshw_fills_specs_and_drives_without_the_boot_stick(ctx):
    device, _technician, summary = _diagnosed_e5530()
    assert (device.brand, device.model, device.serial) == ("Dell Inc.", "Latitude E5530 non-vPro", "D8FTRY1")
    assert "i5-3340M" in device.cpu and device.ram_bytes == 8 * 1024 ** 3
    assert [(d.serial, d.device_path) for d in device.drives] == [("TF755AWHKL0LHM", "/dev/sda")]
    assert summary["ignored_usb_drives"] == ["0B8E680065E9"]
    assert device.state is DeviceState.DIAGNOSED


def test_the_full_path_to_ready_with_a_verified_wipe(ctx):
    device, technician, _summary = _diagnosed_e5530()
    assert "TF755AWHKL0LHM" in " ".join(guard_problems(device, DeviceState.WIPED))
    with pytest.raises(DomainError):
        transition_device(device, "wiped", by=technician)
    assert device.state is DeviceState.DIAGNOSED
    wiped_in(device.drives[0])
    result = import_erasure_log(device, nwipe_log_for("erased", "/dev/sda"), by=technician, filename="sda.log",
                                confirm_anonymised=True)
    (record,) = result.records
    assert (record.method, record.verification.value, record.result.value, record.tool_version) == (
        "Fill With Zeros", "last_pass", "success", "0.33")
    assert record.log.sha256 and record.is_passing
    transition_device(device, "wiped", by=technician)
    transition_device(device, "ready", by=technician)
    assert device.state is DeviceState.READY
    moves = [(e.details["from"], e.details["to"]) for e in reversed(events_for(device)) if e.action == "transition"]
    assert moves == [("received", "diagnosed"), ("diagnosed", "wiped"), ("wiped", "ready")]


@pytest.mark.parametrize("log,reason", [
    (lambda: nwipe_log_for("failed", "/dev/sda"), "failed"),
    (lambda: unverified(nwipe_log_for("erased", "/dev/sda")), "not verified"),
])
def test_a_failed_or_unverified_wipe_never_makes_a_device_ready(ctx, english, log, reason):
    device, technician, _summary = _diagnosed_e5530()
    wiped_in(device.drives[0], "failed" if reason == "failed" else "erased")
    (record,) = import_erasure_log(device, log(), by=technician, confirm_anonymised=True).records
    assert not record.is_passing
    problems = guard_problems(device, DeviceState.WIPED)
    assert problems and reason in " ".join(problems)
    with pytest.raises(DomainError):
        transition_device(device, "wiped", by=technician)
    assert device.state is DeviceState.DIAGNOSED


def test_a_log_about_other_drives_records_nothing(ctx, english):
    device, technician, _summary = _diagnosed_e5530()
    with pytest.raises(ValidationFailed) as excinfo:
        import_erasure_log(device, fixture("erasure/nwipe/nwipe-zero-verified-erased.log"), by=technician)
    assert "/dev/loop0" in excinfo.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Sanitization)) == 0


@pytest.mark.parametrize("data", [b"", b"not a log at all", b"\x00\x01\x02", fixture(E5530)])
def test_files_that_are_not_nwipe_logs_are_refused(ctx, data):
    device, technician, _summary = _diagnosed_e5530()
    with pytest.raises(ValidationFailed):
        import_erasure_log(device, data, by=technician)


@pytest.mark.parametrize("data", [b"", b'{"truncated": ', b"[1, 2]", b"\xff\xfe", b"Serial;Type\n",
                                  fixture("erasure/nwipe/nwipe-zero-verified-erased.log")])
def test_files_that_are_not_hardware_reports_are_refused_and_change_nothing(ctx, data):
    device = make_device()
    with pytest.raises(ValidationFailed):
        apply_hardware_report(device, data, by=None)
    assert device.drives == [] and device.cpu == ""


def test_smartctl_flags_a_failing_drive_and_keeps_the_full_model(ctx):
    device = make_device()
    apply_hardware_report(device, fixture("hardware/smartctl/usb-jmicron-hitachi-hds721050dle630-smart-failed.json"),
                          by=None)
    apply_hardware_report(device, fixture("hardware/smartctl/ata-hdd-hitachi-hdt722520dlat80-reallocated-sectors.json"),
                          by=None)
    failing, worn = device.drives
    assert failing.failing and failing.serial == "MSK423Y20S3HBC"
    assert not worn.failing and worn.reallocated_sectors == 126
    assert "failing" in [e.details for e in events_for(device) if e.action == "hardware_report"][-1]


def test_a_report_updates_the_drive_with_the_same_serial(ctx):
    device = make_device(drives=[{"serial": "S35ANX0J401001", "model": "SAMSUNG"}])
    apply_hardware_report(device, fixture("hardware/smartctl/nvme-samsung-pm961-mzvlw1t0hmlh-1tb.json"), by=None)
    (drive,) = device.drives
    assert drive.model.startswith("SAMSUNG MZVLW1T0HMLH") and drive.interface.value == "nvme"
    assert drive.capacity_bytes and drive.smart_passed is True


def test_destruction_satisfies_the_guard_and_the_drive_stays_traceable(ctx):
    device, technician, _summary = _diagnosed_e5530()
    (drive,) = device.drives
    with pytest.raises(ValidationFailed):
        record_destruction(drive, by=technician, method="drill", witness="")
    record_destruction(drive, by=technician, method="drill", witness="Sam Encadrant")
    assert device.drives == [] and drive.removed_from_id == device.id and drive.donation_id == device.donation_id
    assert drive.is_destroyed and drive.is_sanitized
    transition_device(device, "wiped", by=technician)
    transition_device(device, "ready", by=technician)


def test_workshops_that_require_validation_wait_for_the_supervisor(ctx, english):
    device, technician, _summary = _diagnosed_e5530()
    device.workshop.sanitization_needs_validation = True
    wiped_in(device.drives[0])
    (record,) = import_erasure_log(device, nwipe_log_for("erased", "/dev/sda"), by=technician,
                                   confirm_anonymised=True).records
    assert record.proves_erasure and not record.is_passing
    assert "validation" in " ".join(guard_problems(device, DeviceState.WIPED))
    validate_sanitization(record, by=make_user("supervisor", structure=device.workshop))
    assert record.is_passing
    transition_device(device, "wiped", by=technician)


def test_a_failed_wipe_cannot_be_validated(ctx):
    device, technician, _summary = _diagnosed_e5530()
    wiped_in(device.drives[0], "failed")
    (record,) = import_erasure_log(device, nwipe_log_for("failed", "/dev/sda"), by=technician,
                                   confirm_anonymised=True).records
    with pytest.raises(DomainError):
        validate_sanitization(record, by=technician)


def test_ready_needs_a_grade_no_open_repair_and_not_parts_only(ctx, english):
    device, technician, _summary = _diagnosed_e5530(grade=None)
    record_destruction(device.drives[0], by=technician, method="shred", witness="W")
    transition_device(device, "wiped", by=technician)
    assert any("grade" in p for p in guard_problems(device, DeviceState.READY))
    with pytest.raises(DomainError):
        record_diagnosis(device, by=technician, grade="A")  # past diagnosis: back to repair first
    transition_device(device, "in_repair", by=technician)
    record_diagnosis(device, by=technician, grade="parts_only")
    transition_device(device, "wiped", by=technician)
    assert any("parts only" in p for p in guard_problems(device, DeviceState.READY))
    transition_device(device, "in_repair", by=technician)
    record_diagnosis(device, by=technician, grade="A")
    repair = record_repair(device, by=technician, problem="Charnière cassée", fault_type="case_chassis")
    transition_device(device, "wiped", by=technician)
    assert any("open" in p for p in guard_problems(device, DeviceState.READY))
    close_repair(repair, by=technician, status="fixed", minutes_spent=20)
    transition_device(device, "ready", by=technician)


def test_a_drive_put_back_or_moved_is_attached_where_the_report_sees_it(ctx):
    technician = make_user("technician")
    donation = make_donation(make_donor(technician.structure))
    first, second = make_device(donation), make_device(donation)
    apply_hardware_report(first, fixture(E5530), by=technician)
    (drive,) = first.drives
    with pytest.raises(DomainError, match=first.tag):  # the report names the machine recorded as ``first``
        apply_hardware_report(second, fixture(E5530), by=technician)
    apply_hardware_report(second, fixture(E5530), by=technician, confirm_serial=True)
    assert first.drives == [] and second.drives == [drive] and drive.removed_from_id == first.id
    record_diagnosis(second, by=technician, grade="A")
    assert "TF755AWHKL0LHM" in " ".join(guard_problems(second, DeviceState.WIPED))


def test_a_device_past_diagnosis_takes_no_new_drive_or_grade(ctx):
    device, technician, _summary = _diagnosed_e5530()
    record_destruction(device.drives[0], by=technician, method="drill", witness="W")
    transition_device(device, "wiped", by=technician)
    transition_device(device, "ready", by=technician)
    for change in (lambda: apply_hardware_report(device, fixture("hardware/smartctl/ata-hdd-seagate-st500dm002.json"),
                                                 by=technician),
                   lambda: record_diagnosis(device, by=technician, grade="parts_only")):
        with pytest.raises(DomainError):
            change()
    assert device.state is DeviceState.READY and device.drives == [] and device.grade.value == "B"


def test_a_returned_device_needs_a_new_diagnosis_and_a_new_wipe(ctx):
    device, technician, _summary = _diagnosed_e5530()
    wiped_in(device.drives[0])
    import_erasure_log(device, nwipe_log_for("erased", "/dev/sda"), by=technician, confirm_anonymised=True)
    transition_device(device, "wiped", by=technician)
    transition_device(device, "ready", by=technician)
    transition_device(device, "reserved", by=technician, by_service=True)
    transition_device(device, "delivered", by=technician, by_service=True)
    with pytest.raises(DomainError):
        transition_device(device, "received", by=technician)
    transition_device(device, "received", by=technician, by_service=True, reason="returned: screen fault")
    assert guard_problems(device, DeviceState.DIAGNOSED)
    record_diagnosis(device, by=technician, grade="B")
    assert "TF755AWHKL0LHM" in " ".join(guard_problems(device, DeviceState.WIPED))
    # The same log cannot prove the new wipe: another real run of nwipe on a drive of the same size does.
    import_erasure_log(device, nwipe_log_for("noblank", "/dev/sda"), by=technician, confirm_anonymised=True)
    transition_device(device, "wiped", by=technician)


def test_unknown_states_and_terminal_states(ctx):
    device = make_device()
    with pytest.raises(ValidationFailed):
        transition_device(device, "teleported", by=None)
    with pytest.raises(DomainError):
        transition_device(device, "ready", by=None)
    transition_device(device, "recycled", by=None, weight_kg="2,5", slip_number="DEEE-42")
    assert device.exit.slip_number == "DEEE-42"
    with pytest.raises(DomainError) as excinfo:
        transition_device(device, "received", by=None)
    assert excinfo.value.message
    assert DEVICE_LIFECYCLE.is_final(DeviceState.RECYCLED)


def test_reservation_and_delivery_are_made_by_their_own_features(ctx):
    device = make_device()
    device.state = DeviceState.READY
    assert guard_problems(device, DeviceState.RESERVED)


def test_a_move_made_by_another_service_is_refused_directly_and_made_with_by_service(ctx, english):
    device = make_device()
    with pytest.raises(DomainError, match="voided from its « Correct » page"):
        transition_device(device, "voided", by=None, reason="mistake")
    assert device.state is DeviceState.RECEIVED and not [e for e in events_for(device) if e.action == "transition"]
    transition_device(device, "voided", by=None, by_service=True, reason="mistake")
    (event,) = [e for e in events_for(device) if e.action == "transition"]
    assert (event.action, event.details) == ("transition", {"from": "received", "to": "voided", "reason": "mistake"})
    with pytest.raises(DomainError, match="that is final"):
        transition_device(device, "received", by=None, by_service=True)


def test_exits_need_their_details(ctx):
    device = make_device(drives=[{"serial": "D-1"}])
    assert len(guard_problems(device, DeviceState.RECYCLED, {})) == 3
    assert len(guard_problems(device, DeviceState.RECYCLED)) == 1  # a page asks before the form: the drive alone
    with pytest.raises(DomainError):
        transition_device(device, "harvested", by=None, parts=["  "])
    transition_device(device, "harvested", by=None, parts=["RAM 4 Go", "Écran 15,6"])
    assert device.exit.parts == ["RAM 4 Go", "Écran 15,6"]


def test_end_of_life_repairs_need_a_barrier(ctx):
    device, technician, _summary = _diagnosed_e5530()
    with pytest.raises(ValidationFailed) as excinfo:
        record_repair(device, by=technician, problem="Carte mère morte", fault_type="system_board",
                      status="end_of_life")
    assert set(excinfo.value.fields) == {"barrier"}
    repair = record_repair(device, by=technician, problem="Carte mère morte", fault_type="system_board",
                           status="end_of_life", barrier="spare_parts_not_available", minutes_spent=45)
    assert not repair.is_open and device.state is DeviceState.DIAGNOSED


@pytest.mark.committed
def test_two_people_moving_the_same_device_at_once(app):
    """Both ask received -> diagnosed at the same moment: one wins, the other is told why, one event."""
    with app.app_context():
        technician = make_user("technician")
        device = make_device(make_donation(make_donor(technician.structure)))
        record_diagnosis(device, by=technician, grade="B")
        transition_device(device, "in_repair", by=technician)
        db.session.commit()
        device_id, user_id = device.id, technician.id
    outcomes, barrier = [], threading.Barrier(2)

    def move():
        barrier.wait(timeout=30)
        with app.app_context():
            device = db.session.get(Device, device_id)
            try:
                transition_device(device, "diagnosed", by=db.session.get(type(technician), user_id))
                db.session.commit()
                outcomes.append("moved")
            except DomainError:
                db.session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=move) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["moved", "refused"]
    with app.app_context():
        moves = db.session.scalars(select(Event).where(Event.object_type == "device",
                                                       Event.object_id == str(device_id),
                                                       Event.action == "transition").order_by(Event.id)).all()
        assert [(e.details["from"], e.details["to"]) for e in moves] == [
            ("received", "diagnosed"), ("diagnosed", "in_repair"), ("in_repair", "diagnosed")]
        assert db.session.scalar(select(func.count()).select_from(Drive)) == 0
