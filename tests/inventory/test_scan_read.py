"""The scan's read model shows a device exactly as the models do: the same JSON, the same rules, the same scope."""
from datetime import timedelta

from sqlalchemy import select

from reco.accounts.models import Role
from reco.api.devices import device_json
from reco.core.permissions import scoped
from reco.core.time import utcnow
from reco.extensions import db
from reco.inventory.corrections import void_device
from reco.inventory.diagnosis import record_diagnosis
from reco.inventory.intake import find_devices
from reco.inventory.lifecycle import transition_device
from reco.inventory.models import Device, Drive
from reco.inventory.repairs import close_repair, record_repair
from reco.inventory.sanitization import record_destruction, record_secure_erase, remove_drive, validate_sanitization
from reco.inventory.scan import scanned_devices
from tests.factories import make_device, make_ready_device, make_structure, make_user


def _both(code, user) -> tuple[list, list]:
    """Return the JSON of the devices found by ``code``, through the models and through the read model."""
    db.session.expire_all()
    models = [device_json(d) for d in find_devices(code, scoped(select(Device), "device.view", user))]
    return models, [device_json(d) for d in scanned_devices(code, user)]


def test_a_device_with_drives_records_repairs_and_a_return_reads_the_same(app):
    with app.app_context():
        workshop = make_structure("workshop")
        supervisor, checker = (make_user(Role.SUPERVISOR, structure=workshop) for _ in range(2))
        donation = make_ready_device(workshop).donation
        workshop.sanitization_needs_validation = True
        device = make_device(donation, serial="PF-1", drives=[
            {"serial": "D-1", "capacity_gb": "256", "interface": "sata_ssd"},
            {"serial": "D-2", "capacity_gb": "500", "interface": "ata_hdd"},
            {"serial": "D-3", "capacity_gb": "128", "interface": "sata_ssd"}])
        first, second, third = device.drives
        validate_sanitization(record_secure_erase(first, by=supervisor, tool="hdparm", technique="block_erase",
                                                  verification="last_pass"), by=checker)
        record_secure_erase(second, by=supervisor, tool="hdparm", technique="block_erase", verification="last_pass")
        record_secure_erase(second, by=supervisor, tool="hdparm", technique="block_erase", verification="none")
        record_destruction(third, by=supervisor, method="shred", witness="M. Témoin")
        other = make_device(device.donation, serial="PF-2")
        moved = remove_drive(first, by=supervisor)
        moved.device = other
        other.returned_at = utcnow() + timedelta(days=1)  # the drive's records predate the device it went in
        record_diagnosis(device, by=supervisor, grade="B", checks={"power_on": "ok"})
        done = record_repair(device, by=supervisor, problem="Charnière", fault_type="boot")
        close_repair(done, by=supervisor, status="fixed")
        record_repair(device, by=supervisor, problem="Clavier", fault_type="boot")
        db.session.commit()
        models, read = _both(device.tag, supervisor)
        assert read == models
        shown = read[0]
        assert [d["serial"] for d in shown["drives"]] == ["D-2"]
        assert {d["serial"] for d in shown["removed_drives"]} == {"D-1", "D-3"}
        assert shown["open_repairs"] == 1 and shown["ready_missing"]
        assert next(d for d in shown["removed_drives"] if d["serial"] == "D-1")["sanitized"] is False


def test_a_code_shared_by_devices_reads_them_all_newest_first_within_the_scope(app):
    with app.app_context():
        workshop, elsewhere = make_structure("workshop"), make_structure("workshop")
        supervisor, checker = (make_user(Role.SUPERVISOR, structure=workshop) for _ in range(2))
        donation = make_ready_device(workshop).donation
        older, newer = make_device(donation, serial="SAME-1"), make_device(donation, serial="SAME-1", again=True)
        theirs = make_device(make_ready_device(elsewhere).donation, serial="SAME-1", again=True)
        db.session.commit()
        models, read = _both("same-1 ", supervisor)
        assert read == models and [d["tag"] for d in read] == [newer.tag, older.tag]
        void_device(older, by=supervisor, reason="Reçu par erreur")
        db.session.commit()
        models, read = _both("SAME-1", supervisor)
        assert read == models and [d["tag"] for d in read] == [newer.tag]
        assert _both(older.tag, supervisor)[1][0]["state"] == "voided"
        technician_elsewhere = make_user(Role.TECHNICIAN, structure=elsewhere)
        assert _both(newer.tag, technician_elsewhere) == ([], [])
        # The statement is built once for everyone: each scan binds its own user's workshop.
        models, read = _both("SAME-1", technician_elsewhere)
        assert read == models and [d["tag"] for d in read] == [theirs.tag]
        assert _both("SAME-1", make_user(Role.PRESCRIBER, structure=make_structure("prescriber"))) == ([], [])
        assert _both("", supervisor) == ([], [])


def test_a_drive_taken_out_into_the_bank_still_shows_wiped_under_the_device_it_left(app):
    with app.app_context():
        workshop = make_structure("workshop")
        supervisor = make_user(Role.SUPERVISOR, structure=workshop)
        device = make_ready_device(workshop)
        transition_device(device, "in_repair", by=supervisor)
        banked = remove_drive(device.drives[0], by=supervisor)
        db.session.commit()
        assert db.session.get(Drive, banked.id).device_id is None
        models, read = _both(device.tag, supervisor)
        assert read == models and read[0]["removed_drives"][0]["sanitized"] is True
