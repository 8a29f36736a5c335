"""Receiving devices: asset tags, matching the donor's list, drives, warnings and refusals."""
import threading

import pytest
from sqlalchemy import func, select

from reco.core.audit import events_for
from reco.core.errors import DomainError, ValidationFailed
from reco.core.sequences import next_value
from reco.donations.inventory_import import parse_inventory
from reco.donations.models import Donation, DonationStatus
from reco.donations.services import import_declared_items
from reco.extensions import db
from reco.inventory.intake import find_devices, receive_device
from reco.inventory.models import Device, DeviceType, DriveInterface
from tests.factories import make_device, make_donation, make_donor, make_structure


def test_tags_are_the_workshop_prefix_and_a_sequence(ctx):
    workshop = make_structure("workshop", tag_prefix="INF")
    donation = make_donation(make_donor(workshop))
    tags = [make_device(donation).tag for _ in range(3)]
    assert tags == ["INF-000001", "INF-000002", "INF-000003"]


def test_each_workshop_has_its_own_sequence(ctx):
    a = make_donation(make_donor(make_structure("workshop", tag_prefix="AAB")))
    b = make_donation(make_donor(make_structure("workshop", tag_prefix="BBA")))
    assert [make_device(a).tag, make_device(b).tag, make_device(a).tag] == ["AAB-000001", "BBA-000001",
                                                                           "AAB-000002"]


def test_a_scanned_donor_tag_matches_the_declared_line(ctx):
    donation = make_donation()
    import_declared_items(donation, parse_inventory(
        b"Serial;Type;Brand;Model;Asset tag\nSN1;laptop;Dell;E5530;INV-1\nSN2;desktop;HP;8100;INV-2\n"), by=None)
    device = receive_device(donation, by=None, type="desktop", donor_tag=" inv-2 ").device
    assert device.declared_item.line_number == 2
    assert (device.brand, device.model, device.serial, device.donor_tag) == ("HP", "8100", "SN2", "INV-2")
    by_serial = receive_device(donation, by=None, type="laptop", serial="sn1").device
    assert by_serial.declared_item.line_number == 1 and by_serial.donor_tag == "INV-1"


def test_an_undeclared_device_is_received_too(ctx):
    donation = make_donation()
    import_declared_items(donation, parse_inventory(b"Serial;Type\nSN1;laptop\n"), by=None)
    device = receive_device(donation, by=None, type="tablet", serial="OTHER").device
    assert device.declared_item is None and device.type is DeviceType.TABLET


def test_a_declared_line_is_matched_once(ctx):
    donation = make_donation()
    import_declared_items(donation, parse_inventory(b"Serial;Type\nSN1;laptop\n"), by=None)
    first = receive_device(donation, by=None, type="laptop", serial="SN1")
    second = receive_device(donation, by=None, type="laptop", serial="SN1", again=True)
    assert first.device.declared_item is not None and second.device.declared_item is None
    assert any(first.device.tag in w for w in second.warnings)


def test_drives_seen_at_intake_are_recorded_with_their_donation(ctx):
    donation = make_donation()
    device = make_device(donation, drives=[{"serial": "wd-1", "model": "WD5000", "capacity_gb": "500",
                                            "interface": "ata_hdd"}, {"serial": "", "model": ""}])
    (drive,) = device.drives
    assert (drive.serial, drive.capacity_bytes, drive.interface) == ("WD-1", 500 * 10 ** 9, DriveInterface.ATA_HDD)
    assert drive.donation_id == donation.id and drive.workshop_id == donation.workshop_id


@pytest.mark.parametrize("fields,field", [
    ({"type": "spaceship"}, "type"), ({"weight_kg": "heavy"}, "weight_kg"), ({"weight_kg": "-2"}, "weight_kg"),
    ({"accessories": ["jetpack"]}, "accessories"), ({"serial": "x" * 81}, "serial"),
    ({"drives": [{"capacity_gb": "lots"}]}, "drives"), ({"drives": [{"interface": "floppy"}]}, "drives"),
    ({"drives": ["not a dict"]}, "drives"), ({"drives": [{"serial": f"D{n}"} for n in range(9)]}, "drives"),
])
def test_bad_intake_is_refused_and_writes_nothing(ctx, fields, field):
    donation = make_donation()
    with pytest.raises(ValidationFailed) as excinfo:
        receive_device(donation, by=None, **({"type": "laptop"} | fields))
    assert set(excinfo.value.fields) == {field}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Device)) == 0


def test_the_first_device_marks_the_donation_received(ctx):
    donation = make_donation()
    device = make_device(donation)
    assert donation.status is DonationStatus.RECEIVED
    assert events_for(device)[0].action == "received"


def test_a_closed_donation_receives_nothing(ctx):
    donation = make_donation(status=DonationStatus.CLOSED)
    with pytest.raises(DomainError):
        receive_device(donation, by=None, type="laptop")


def test_find_by_any_code_within_a_workshop(ctx):
    device = make_device(serial="SER-1", donor_tag="DT-1")
    for code in (device.tag, device.tag.lower(), " ser-1 ", "DT-1"):
        assert find_devices(code, select(Device).where(Device.workshop_id == device.workshop_id)) == [device]
    elsewhere = make_structure("workshop")
    assert find_devices("SER-1", select(Device).where(Device.workshop_id == elsewhere.id)) == []
    assert find_devices("", select(Device)) == []


@pytest.mark.committed
def test_parallel_intake_never_hands_out_the_same_tag(app):
    """Many people receive at once in the same workshop: every tag is distinct and consecutive."""
    with app.app_context():
        donation_id = make_donation(make_donor(make_structure("workshop", tag_prefix="PAR"))).id
    errors, threads_count, per_thread = [], 8, 5

    def work():
        try:
            with app.app_context():
                for _ in range(per_thread):
                    donation = db.session.get(Donation, donation_id)
                    receive_device(donation, by=None, type="laptop", brand="Dell")
                    db.session.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        tags = sorted(db.session.scalars(select(Device.tag)))
    assert tags == [f"PAR-{n:06d}" for n in range(1, threads_count * per_thread + 1)]


@pytest.mark.committed
def test_parallel_sequence_values_are_unique(app):
    values, errors = [], []

    def work():
        try:
            with app.app_context():
                for _ in range(20):
                    values.append(next_value("test:parallel"))
                    db.session.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(values) == list(range(1, 121))
