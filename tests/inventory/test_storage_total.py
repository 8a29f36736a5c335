"""The storage total a device keeps for the waiting list: recounted by every flush that changes its drives."""
import threading

import pytest
from sqlalchemy import select

from reco.extensions import db
from reco.generator import Sizes, generate
from reco.inventory.models import Device, DeviceState, Drive
from reco.inventory.sanitization import remove_drive
from tests.factories import make_device

GB = 10 ** 9


def stored(device: Device) -> int:
    """Return the storage total as the database holds it."""
    return db.session.scalar(select(Device.storage_total).where(Device.id == device.id))


def counted(device: Device) -> int:
    """Return the storage total as the drives in the device add up."""
    return sum(d.capacity_bytes or 0 for d in db.session.scalars(select(Drive).where(Drive.device_id == device.id)))


def test_intake_counts_the_drives_received_with_the_device(ctx):
    device = make_device(drives=[{"serial": "A1", "capacity_gb": "256"}, {"serial": "A2", "capacity_gb": "1000"},
                                 {"serial": "A3"}])
    assert stored(device) == counted(device) == 1256 * GB
    assert stored(make_device()) == 0


def test_a_drive_taken_out_moved_resized_or_deleted_is_recounted(ctx):
    first = make_device(drives=[{"serial": "B1", "capacity_gb": "500"}, {"serial": "B2", "capacity_gb": "128"}])
    second = make_device(drives=[{"serial": "B3", "capacity_gb": "64"}])
    taken, moved = first.drives
    remove_drive(taken, by=None)
    db.session.commit()
    assert (stored(first), counted(first)) == (128 * GB, 128 * GB)
    moved.device = second  # as a hardware report finds it in another machine
    db.session.commit()
    assert (stored(first), stored(second)) == (0, 192 * GB)
    moved.capacity_bytes = 256 * GB
    db.session.commit()
    assert stored(second) == counted(second) == 320 * GB
    moved.smart_passed, moved.serial = False, "B2-AGAIN"  # neither moves nor resizes it
    db.session.commit()
    assert stored(second) == 320 * GB
    db.session.delete(moved)
    db.session.commit()
    assert stored(second) == counted(second) == 64 * GB


def test_a_drive_moved_without_being_read_first_leaves_its_old_device_recounted(ctx):
    first = make_device(drives=[{"serial": "D1", "capacity_gb": "500"}])
    second = make_device()
    drive = first.drives[0]
    db.session.expire_all()  # as in a new request: the drive's old device is not in memory
    second.drives.append(drive)
    db.session.commit()
    assert (stored(first), stored(second)) == (0, 500 * GB)


def test_a_rolled_back_change_leaves_the_total_as_it_was(ctx):
    device = make_device(drives=[{"serial": "C1", "capacity_gb": "500"}])
    device.drives[0].capacity_bytes = 1
    db.session.flush()
    assert stored(device) == 1
    db.session.rollback()
    assert stored(device) == 500 * GB


def test_the_generated_network_keeps_the_totals(ctx):
    generate(Sizes(60))
    db.session.commit()
    devices = db.session.scalars(select(Device).where(Device.state != DeviceState.VOIDED)).all()
    assert any(stored(d) for d in devices)
    assert all(stored(d) == counted(d) for d in devices)


@pytest.mark.committed
def test_two_people_adding_drives_to_one_device_at_once_both_count(app):
    with app.app_context():
        device_id = make_device(drives=[{"serial": "E0", "capacity_gb": "100"}]).id
    first_flushed, first_may_commit = threading.Event(), threading.Event()

    def add_drive(serial: str, gb: int, first: bool) -> None:
        with app.app_context():
            if not first:
                first_flushed.wait(timeout=30)
                threading.Timer(0.3, first_may_commit.set).start()  # the first commits while this one waits
            device = db.session.get(Device, device_id)
            device.drives.append(Drive(serial=serial, capacity_bytes=gb * GB, workshop_id=device.workshop_id))
            db.session.flush()
            if first:
                first_flushed.set()
                first_may_commit.wait(timeout=30)
            db.session.commit()

    threads = [threading.Thread(target=add_drive, args=("E1", 200, True)),
               threading.Thread(target=add_drive, args=("E2", 400, False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        device = db.session.get(Device, device_id)
        assert stored(device) == counted(device) == 700 * GB
