"""The generated network: repeatable, consistent with the rules, and usable right after."""
from sqlalchemy import func, select

from reco.accounts.models import Structure, User
from reco.extensions import db
from reco.generator import Sizes, generate
from reco.inventory.intake import allocate_tag
from reco.inventory.models import Device, DeviceState
from reco.parts.models import StockLevel, StockMove
from reco.prescriptions.models import Prescription, PrescriptionStatus, Reservation, Visit

SIZES = Sizes(devices=400, workshops=3, prescriptions=80, seed=7)


def _digest() -> list:
    return [db.session.execute(select(Device.tag, Device.state, Device.type, Device.received_at)
                               .order_by(Device.id)).all(),
            db.session.execute(select(Prescription.code, Prescription.status).order_by(Prescription.id)).all()]


def test_the_same_seed_gives_the_same_network(ctx):
    with db.session.begin_nested() as first:
        counts = generate(SIZES)
        digest = _digest()
        first.rollback()
    with db.session.begin_nested():
        assert generate(SIZES) == counts
        assert _digest() == digest
    assert counts["devices"] == 400 and counts["prescriptions"] == 80 and counts["events"] > 1000


def test_the_generated_network_follows_the_rules(ctx):
    generate(SIZES)
    status_of = dict(db.session.execute(select(Reservation.device_id, Prescription.status)
                                        .join(Prescription, Reservation.prescription_id == Prescription.id)).all())
    states = dict(db.session.execute(select(Device.id, Device.state)).all())
    for device_id, status in status_of.items():
        expected = DeviceState.RESERVED if status is PrescriptionStatus.RESERVED else DeviceState.DELIVERED
        assert states[device_id] is expected
    reserved = [d for d, s in states.items() if s is DeviceState.RESERVED]
    assert len(reserved) == len([s for s in status_of.values() if s is PrescriptionStatus.RESERVED])
    visits = db.session.scalar(select(func.count(Visit.id)))
    assert 0 < visits <= len(status_of)
    levels = db.session.execute(select(StockLevel.id, StockLevel.quantity)).all()
    for level_id, quantity in levels:
        moved = db.session.scalar(select(func.sum(StockMove.quantity)).where(StockMove.stock_level_id == level_id))
        assert moved == quantity
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "supervisor1@generated.reco")) == 1


def test_a_device_received_after_generation_gets_the_next_tag(ctx):
    generate(SIZES)
    workshop = db.session.scalar(select(Structure).where(Structure.tag_prefix == "GNA"))
    last = db.session.scalar(select(func.max(Device.tag)).where(Device.workshop_id == workshop.id))
    assert allocate_tag(workshop) == f"GNA-{int(last.split('-')[1]) + 1:06d}"


def test_the_command_refuses_to_generate_twice(app, ctx):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["reco", "generate", "--devices", "60", "--workshops", "2", "--seed", "3"])
    assert first.exit_code == 0, first.output
    assert "devices" in first.output
    second = runner.invoke(args=["reco", "generate", "--devices", "60"])
    assert second.exit_code == 1 and "déjà" in second.output
    assert runner.invoke(args=["reco", "generate", "--devices", "0"]).exit_code == 2


def test_delivered_devices_went_to_households(ctx):
    generate(SIZES)
    delivered = db.session.scalar(select(func.count(Device.id)).where(Device.state == DeviceState.DELIVERED))
    equipped = db.session.scalar(select(func.count(Prescription.id))
                                 .where(Prescription.status == PrescriptionStatus.EQUIPPED))
    assert equipped > 0 and equipped <= delivered <= equipped * 1.5 + 5
