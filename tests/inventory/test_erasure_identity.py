"""A wipe log counts only for the physical drive it describes, and only once: real nwipe logs of loop devices."""
from datetime import date

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from reco.core.errors import DomainError, ValidationFailed
from reco.extensions import db
from reco.inventory.models import ErasureLog, Sanitization
from reco.inventory.nwipe import parse_nwipe_log
from reco.inventory.sanitization import (
    AnonymisedMatch,
    ErasureMismatch,
    LogAlreadyRecorded,
    import_erasure_log,
    record_destruction,
    same_model,
    validate_sanitization,
)
from tests.factories import make_device, make_donation, make_donor, make_user
from tests.inventory.workbench_helpers import LOOP_MODEL, drive_of, fixture, nwipe_log_for
from tests.scratch import app_on

MIB_64, MIB_128 = 67108864, 134217728


def _device(user, drives, **fields):
    """A device of the user's workshop with these drives (each at /dev/sda, /dev/sdb... in order)."""
    device = make_device(make_donation(make_donor(user.structure)), drives=drives, **fields)
    for drive, letter in zip(device.drives, "abcd"):
        drive.device_path = f"/dev/sd{letter}"
    db.session.commit()
    return device


def _counts() -> tuple[int, int]:
    """Return how many sanitizations and erasure logs the database holds."""
    db.session.flush()
    return (db.session.scalar(select(func.count()).select_from(Sanitization)),
            db.session.scalar(select(func.count()).select_from(ErasureLog)))


# --- serial, model and size ------------------------------------------------------------------------

def test_a_small_devices_log_with_the_drives_serial_edited_in_is_refused_with_the_figures(technician, english):
    device = _device(technician, [{"serial": "WD-WCAV1", "model": LOOP_MODEL, "capacity_gb": "500"}])
    log = nwipe_log_for("erased", "/dev/sda", serial="WD-WCAV1")  # a 64 MiB device's log naming the 500 GB drive
    with pytest.raises(ErasureMismatch) as refusal:
        import_erasure_log(device, log, by=technician)
    (mismatch,) = refusal.value.details["mismatches"]
    assert mismatch["differs"] == ["size"]
    assert mismatch["log"]["size_bytes"] == MIB_64 and mismatch["drive"]["capacity_bytes"] == 500 * 10 ** 9
    assert mismatch["log"]["size_gb"] == 0.07 and mismatch["drive"]["capacity_gb"] == 500
    message = refusal.value.message
    assert "67,108,864 bytes (0.07 GB)" in message and "500,000,000,000 bytes (500 GB)" in message
    assert "WD-WCAV1" in message and "nothing was recorded" in message
    db.session.rollback()
    assert _counts() == (0, 0)


def test_the_refusal_is_in_french_first(app, technician):
    device = _device(technician, [{"serial": "WD-WCAV1", "model": LOOP_MODEL, "capacity_gb": "500"}])
    with app.test_request_context(), pytest.raises(ErasureMismatch) as refusal:
        import_erasure_log(device, nwipe_log_for("erased", "/dev/sda", serial="WD-WCAV1"), by=technician)
    assert "rien n'a été enregistré" in refusal.value.message and "octets" in refusal.value.message


def test_a_log_of_another_model_is_refused(technician):
    device = _device(technician, [{"serial": "S2AJ3XHB", "model": "ST500DM002-1BD142", "capacity_bytes": MIB_64}])
    with pytest.raises(ErasureMismatch) as refusal:
        import_erasure_log(device, nwipe_log_for("erased", "/dev/sda", serial="S2AJ3XHB"), by=technician)
    assert refusal.value.details["mismatches"][0]["differs"] == ["model"]


def test_a_drive_without_recorded_model_or_size_takes_no_wipe(technician):
    device = _device(technician, [{"serial": "HDD-9"}])
    with pytest.raises(ErasureMismatch) as refusal:
        import_erasure_log(device, nwipe_log_for("erased", "/dev/sda", serial="HDD-9"), by=technician)
    assert refusal.value.details["mismatches"][0]["differs"] == ["model", "size"]


def test_a_true_match_by_serial_is_recorded_without_confirmation(technician):
    device = _device(technician, [drive_of("erased_128", serial="LOOP-128")])
    result = import_erasure_log(device, nwipe_log_for("erased_128", "/dev/sda", serial="LOOP-128"), by=technician)
    (record,) = result.records
    assert record.drive is device.drives[0] and record.is_passing and record.blanking


@pytest.mark.parametrize("capacity,counts", [
    (MIB_128, True),                         # the size the system saw
    (int(MIB_128 / 0.96), True),             # an HPA or DCO hides 4 % of the drive
    (int(MIB_128 / 0.99), True),             # capacity rounded up
    (int(MIB_128 / 0.90), False),            # 10 % hidden: another drive, or not wiped
    (int(MIB_128 / 1.02), False),            # the log saw more than the drive holds
    (MIB_64, False),                         # the drive of the next size down
])
def test_the_size_may_differ_by_what_an_hpa_or_dco_hides(technician, capacity, counts):
    device = _device(technician, [drive_of(serial="LOOP-128", capacity_bytes=capacity)])
    log = nwipe_log_for("erased_128", "/dev/sda", serial="LOOP-128")
    if counts:
        assert import_erasure_log(device, log, by=technician).records[0].is_passing
    else:
        with pytest.raises(ErasureMismatch):
            import_erasure_log(device, log, by=technician)


def test_a_wipe_that_wrote_less_than_the_drive_holds_is_refused(technician):
    device = _device(technician, [drive_of(serial="LOOP-64")])
    log = nwipe_log_for("noblank", "/dev/sda", serial="LOOP-64").replace(
        b"67108864 bytes written", b"33554432 bytes written")  # derived: the pass stopped half way
    with pytest.raises(ErasureMismatch) as refusal:
        import_erasure_log(device, log, by=technician)
    assert refusal.value.details["mismatches"][0]["differs"] == ["written"]


def test_models_cut_to_sixteen_characters_are_the_same_model():
    assert same_model("ST500DM002-1BD14", "ST500DM002-1BD142") and same_model("Loopback  device", "loopback device")
    assert not same_model("ST500DM002", "ST500DM002-1BD142") and not same_model("", "")


# --- logs without serial ----------------------------------------------------------------------------

def test_garbled_and_anonymised_serials_are_no_serial():
    for name in ("nwipe-zero-64mib-noblank-garbled-serial.log", "nwipe-quiet-64mib-anonymised.log",
                 "nwipe-two-loops-64-128mib-garbled-serial.log"):
        drives = parse_nwipe_log(fixture(f"erasure/nwipe/{name}")).drives
        assert drives and all(d.serial is None and d.model == LOOP_MODEL for d in drives)
        assert all(d.size_bytes == d.bytes_written in (MIB_64, MIB_128) for d in drives)


def test_an_anonymised_log_is_proposed_then_recorded_once_confirmed(technician):
    device = _device(technician, [drive_of(serial="A-64"), drive_of(serial="B-64")])  # /dev/sda and /dev/sdb
    log = nwipe_log_for("quiet", "/dev/sdb")
    with pytest.raises(AnonymisedMatch) as proposal:
        import_erasure_log(device, log, by=technician)
    (proposed,) = proposal.value.details["proposed"]
    assert proposed["drive"]["serial"] == "B-64" and proposed["log"]["serial"] is None
    assert proposed["log"]["size_bytes"] == MIB_64 and proposed["log"]["verification"] == "last_pass"
    db.session.rollback()
    assert _counts() == (0, 0)
    (record,) = import_erasure_log(device, log, by=technician, confirm_anonymised=True).records
    first, second = device.drives
    assert record.drive is second and second.is_sanitized and not first.is_sanitized


def test_an_anonymised_log_at_the_same_path_but_of_another_size_is_refused(technician):
    device = _device(technician, [drive_of("erased_128", serial="A-128")])
    with pytest.raises(ErasureMismatch):
        import_erasure_log(device, nwipe_log_for("quiet", "/dev/sda"), by=technician, confirm_anonymised=True)


def test_an_anonymised_log_matches_no_drive_without_its_path(technician, english):
    device = make_device(make_donation(make_donor(technician.structure)), drives=[drive_of(serial="NO-PATH")])
    with pytest.raises(ValidationFailed, match="/dev/sda"):
        import_erasure_log(device, nwipe_log_for("quiet", "/dev/sda"), by=technician, confirm_anonymised=True)


def test_a_real_log_of_two_drives_records_each_on_its_own_drive(technician):
    log = fixture("erasure/nwipe/nwipe-two-loops-64-128mib-garbled-serial.log").replace(
        b"/dev/loop0", b"/dev/sda").replace(b"/dev/loop1", b"/dev/sdb").replace(b" loop0 ", b" sda ").replace(
        b" loop1 ", b" sdb ")
    swapped = _device(technician, [drive_of("erased_128", serial="C-128"), drive_of(serial="D-64")])
    with pytest.raises(ErasureMismatch) as refusal:
        import_erasure_log(swapped, log, by=technician, confirm_anonymised=True)
    assert [m["differs"] for m in refusal.value.details["mismatches"]] == [["size"], ["size"]]
    db.session.rollback()
    device = _device(technician, [drive_of(serial="A-64"), drive_of("erased_128", serial="B-128")])
    records = import_erasure_log(device, log, by=technician, confirm_anonymised=True).records
    assert sorted((r.drive.serial, r.drive.capacity_bytes) for r in records) == [("A-64", MIB_64), ("B-128", MIB_128)]


# --- one log, one erasure ---------------------------------------------------------------------------

def test_one_anonymised_log_is_accepted_for_one_drive_only(technician, english):
    log = nwipe_log_for("quiet", "/dev/sda")
    first = _device(technician, [drive_of(serial="FIRST")])
    import_erasure_log(first, log, by=technician, confirm_anonymised=True)
    db.session.commit()
    before = _counts()
    same_workshop = _device(technician, [drive_of(serial="SECOND")])
    with pytest.raises(LogAlreadyRecorded) as refusal:
        import_erasure_log(same_workshop, log, by=technician, confirm_anonymised=True)
    assert first.tag in refusal.value.message and "FIRST" in refusal.value.message
    assert refusal.value.details["recorded"]["tag"] == first.tag
    assert refusal.value.details["recorded"]["drives"] == ["FIRST"]
    other = make_user("technician")
    elsewhere = _device(other, [drive_of(serial="THIRD")])
    with pytest.raises(LogAlreadyRecorded) as refusal:
        import_erasure_log(elsewhere, log, by=other, confirm_anonymised=True)
    assert first.tag not in refusal.value.message and refusal.value.details["recorded"] is None
    assert "another workshop" in refusal.value.message
    db.session.rollback()
    assert _counts() == before


def test_the_same_log_twice_on_one_device_makes_one_erasure(technician):
    device = _device(technician, [drive_of(serial="LOOP-64")])
    log = nwipe_log_for("erased", "/dev/sda", serial="LOOP-64")
    import_erasure_log(device, log, by=technician)
    with pytest.raises(LogAlreadyRecorded):
        import_erasure_log(device, log, by=technician)
    assert len(device.drives[0].sanitizations) == 1


def test_the_database_holds_one_row_per_log(technician):
    device = _device(technician, [])
    db.session.add(ErasureLog(device_id=device.id, content="x", sha256="a" * 64))
    db.session.commit()
    db.session.add(ErasureLog(device_id=device.id, content="x", sha256="a" * 64))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_migration_keeps_the_first_of_logs_recorded_twice(tmp_path):
    with app_on(f"sqlite:///{tmp_path / 'duplicates.sqlite3'}"):
        upgrade(revision="0012")
        db.session.execute(text(
            "INSERT INTO structures (id, name, is_workshop, is_prescriber, is_installer, is_partner, commune, "
            "insee_code, active, created_at, tag_prefix, sanitization_needs_validation) VALUES (1, 'Atelier', true, "
            "false, false, false, 'Rennes', '35238', true, CURRENT_TIMESTAMP, 'ATL', false)"))
        for device_id in (1, 2):
            db.session.execute(text(
                "INSERT INTO devices (id, tag, workshop_id, type, brand, model, state, accessories, received_at, "
                "notes) VALUES (:id, :tag, 1, 'laptop', '', '', 'diagnosed', '[]', CURRENT_TIMESTAMP, '')"),
                {"id": device_id, "tag": f"ATL-00000{device_id}"})
            db.session.execute(text(
                "INSERT INTO drives (id, device_id, workshop_id, model, created_at) VALUES (:id, :id, 1, '', "
                "CURRENT_TIMESTAMP)"), {"id": device_id})
            db.session.execute(text(
                "INSERT INTO erasure_logs (id, device_id, filename, content, sha256, uploaded_at) VALUES "
                "(:id, :id, 'sda.log', 'same', :sha, CURRENT_TIMESTAMP)"), {"id": device_id, "sha": "b" * 64})
            db.session.execute(text(
                "INSERT INTO sanitizations (id, drive_id, device_id, level, technique, tool, tool_version, method, "
                "verification, result, witness, log_id, notes, created_at) VALUES (:id, :id, :id, 'clear', "
                "'overwrite', 'nwipe', '0.33', 'Fill With Zeros', 'last_pass', 'success', '', :id, '', "
                "CURRENT_TIMESTAMP)"), {"id": device_id})
        db.session.commit()
        upgrade(revision="0013")
        assert db.session.execute(text("SELECT id FROM erasure_logs")).scalars().all() == [1]
        assert db.session.execute(text("SELECT log_id FROM sanitizations ORDER BY id")).scalars().all() == [1, 1]


# --- destruction and validation ---------------------------------------------------------------------

def test_the_operator_cannot_validate_their_own_wipe(technician, english):
    supervisor = make_user("supervisor", structure=technician.structure)
    supervisor.structure.sanitization_needs_validation = True
    device = _device(supervisor, [drive_of(serial="LOOP-64")])
    (record,) = import_erasure_log(device, nwipe_log_for("erased", "/dev/sda", serial="LOOP-64"),
                                   by=supervisor).records
    with pytest.raises(DomainError, match="another supervisor must validate it"):
        validate_sanitization(record, by=supervisor)
    assert record.validated_at is None and not record.is_passing
    validate_sanitization(record, by=make_user("supervisor", structure=technician.structure))
    assert record.is_passing and record.validated_by_id != supervisor.id


def test_a_destruction_record_keeps_its_method_witness_and_date(technician):
    device = _device(technician, [{"serial": "HDD-DEAD", "model": "HGST HTS725050A7"}])
    record = record_destruction(device.drives[0], by=technician, method="crush", witness="Sam Encadrant",
                                on=date(2026, 3, 2))
    assert (record.destruction_method.value, record.witness, record.ended_at.date().isoformat()) == (
        "crush", "Sam Encadrant", "2026-03-02")

