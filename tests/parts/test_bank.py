"""Exchanges between workshops, harvesting into the stock, and parts and drives used in repairs."""
import pytest
from sqlalchemy import func, select

from reco.accounts.models import Role
from reco.core.audit import events_for
from reco.core.errors import DomainError, ValidationFailed
from reco.extensions import db
from reco.inventory.diagnosis import record_diagnosis
from reco.inventory.models import DeviceState, Drive
from reco.inventory.repairs import record_repair
from reco.inventory.sanitization import record_secure_erase
from reco.parts.bank import accept_request, ask_parts, close_request, receive_request, ship_request
from reco.parts.catalogue import create_part_type
from reco.parts.models import MoveKind, PartRequest, RequestStatus, StockLevel, StockMove
from reco.parts.stock import add_stock, ledger_total
from reco.parts.workbench import harvest_device, install_drive, use_part
from tests.factories import make_device, make_donation, make_donor, make_structure, make_user
from tests.scenarios import two_workshops

R = RequestStatus


@pytest.fixture
def two(ctx):
    two = two_workshops()
    return two | {"ram": create_part_type(by=two["me"], category="ram", name="RAM DDR3L SO-DIMM 4 Go",
                                          attributes={"generation": "ddr3l", "capacity_gb": "4"})}


def _levels(workshop):
    return {level.condition.value: level for level in
            db.session.scalars(select(StockLevel).where(StockLevel.workshop_id == workshop.id))}


def test_an_exchange_from_asking_to_receiving_moves_stock_on_both_sides(two):
    add_stock(two["there"], two["ram"], quantity=3, condition="tested_ok", kind=MoveKind.RECEIVED, by=two["them"])
    request = ask_parts(by=two["me"], owner=two["there"], part_type=two["ram"], condition="tested_ok", quantity=2)
    accept_request(request, by=two["them"])
    owner_level = _levels(two["there"])["tested_ok"]
    assert (owner_level.quantity, owner_level.reserved, request.status) == (3, 2, R.ACCEPTED)
    ship_request(request, by=two["them"])
    receive_request(request, by=two["me"])
    mine = _levels(two["here"])["tested_ok"]
    assert (owner_level.quantity, owner_level.reserved, mine.quantity) == (1, 0, 2)
    assert ledger_total(owner_level) == 1 and ledger_total(mine) == 2
    assert [e.action for e in events_for(request)] == ["received", "shipped", "accepted", "requested"]
    with pytest.raises(DomainError):
        receive_request(request, by=two["me"])
    assert _levels(two["here"])["tested_ok"].quantity == 2


def _at_most(owner, n: int) -> str:
    """Return the refusal of a request for more than ``owner`` can give at once, in French as the page says it."""
    return (f"{owner.name} peut donner {n} «\xa0RAM DDR3L SO-DIMM 4 Go\xa0» en une fois\xa0: "
            f"demandez-en {n} au maximum.")


def test_asking_for_more_than_available_is_refused(two):
    add_stock(two["there"], two["ram"], quantity=3, condition="tested_ok", kind=MoveKind.RECEIVED, by=two["them"])
    with pytest.raises(DomainError) as refused:
        ask_parts(by=two["me"], owner=two["there"], part_type=two["ram"], condition="tested_ok", quantity=4)
    assert refused.value.message == _at_most(two["there"], 3)
    assert db.session.scalar(select(func.count(PartRequest.id))) == 0


@pytest.mark.parametrize("quantity", [0, -1, "2x", None])
def test_asking_for_a_nonsense_quantity_is_refused_on_the_quantity(two, quantity):
    add_stock(two["there"], two["ram"], quantity=3, condition="tested_ok", kind=MoveKind.RECEIVED, by=two["them"])
    with pytest.raises(ValidationFailed) as refused:
        ask_parts(by=two["me"], owner=two["there"], part_type=two["ram"], condition="tested_ok", quantity=quantity)
    assert refused.value.message == "Indiquez un nombre d'unités entre 1 et 100000."
    assert refused.value.fields == {"quantity": ["un nombre entier, 1 ou plus"]}
    assert db.session.scalar(select(func.count(PartRequest.id))) == 0


def test_asking_oneself_or_a_non_workshop_is_refused(two):
    add_stock(two["here"], two["ram"], quantity=3, condition="tested_ok", kind=MoveKind.RECEIVED, by=two["me"])
    with pytest.raises(DomainError):
        ask_parts(by=two["me"], owner=two["here"], part_type=two["ram"], condition="tested_ok", quantity=1)
    with pytest.raises(ValidationFailed):
        ask_parts(by=two["me"], owner=make_structure("partner"), part_type=two["ram"], condition="tested_ok",
                  quantity=1)


def test_a_declined_request_cannot_be_shipped_and_gives_back_what_was_set_aside(two):
    add_stock(two["there"], two["ram"], quantity=2, condition="untested", kind=MoveKind.RECEIVED, by=two["them"])
    request = ask_parts(by=two["me"], owner=two["there"], part_type=two["ram"], condition="untested", quantity=2)
    accept_request(request, by=two["them"])
    close_request(request, by=two["them"], reason="Finalement utilisées ici")
    assert request.status is R.DECLINED and _levels(two["there"])["untested"].reserved == 0
    moves_before = db.session.scalar(select(func.count(StockMove.id)))
    for step in (ship_request, accept_request):
        with pytest.raises(DomainError, match="définitif|pas possible"):
            step(request, by=two["them"])
    with pytest.raises(DomainError):
        receive_request(request, by=two["me"])
    assert db.session.scalar(select(func.count(StockMove.id))) == moves_before


def test_a_step_out_of_turn_or_without_stock_is_refused_and_changes_nothing(two):
    add_stock(two["there"], two["ram"], quantity=2, condition="untested", kind=MoveKind.RECEIVED, by=two["them"])
    request = ask_parts(by=two["me"], owner=two["there"], part_type=two["ram"], condition="untested", quantity=2)
    with pytest.raises(DomainError, match="ne peut pas passer de"):
        ship_request(request, by=two["them"])
    _levels(two["there"])["untested"].reserved = 1  # set aside for someone else meanwhile
    with pytest.raises(DomainError, match="plus assez de"):
        accept_request(request, by=two["them"])
    assert request.status is R.REQUESTED and request.stock_level_id is None
    assert [e.action for e in events_for(request)] == ["requested"]


def test_the_asker_cancels_before_shipping(two):
    add_stock(two["there"], two["ram"], quantity=2, condition="untested", kind=MoveKind.RECEIVED, by=two["them"])
    request = ask_parts(by=two["me"], owner=two["there"], part_type=two["ram"], condition="untested", quantity=1)
    close_request(request, by=two["me"])
    assert request.status is R.CANCELLED


def test_harvested_ram_ends_up_in_another_workshops_repair_with_its_trail(two):
    technician = make_user(Role.TECHNICIAN, structure=two["there"])
    laptop = make_device(make_donation(make_donor(two["there"])),
                         drives=[{"serial": "HDD-OLD", "capacity_gb": "500"}])
    harvest_device(laptop, by=technician, lines=[(two["ram"], 2, "tested_ok")], drives_to_bank=True,
                   other_parts=["Écran 15,6"])
    assert laptop.state is DeviceState.HARVESTED and laptop.drives == []
    assert "2 × RAM DDR3L SO-DIMM 4 Go" in laptop.exit.parts and "Écran 15,6" in laptop.exit.parts
    request = ask_parts(by=two["me"], owner=two["there"], part_type=two["ram"], condition="tested_ok", quantity=1)
    for step, by in ((accept_request, two["them"]), (ship_request, two["them"])):
        step(request, by=by)
    receive_request(request, by=two["me"])
    mine = make_device(make_donation(make_donor(two["here"])))
    record_diagnosis(mine, by=two["me"], grade="B")
    repair = record_repair(mine, by=two["me"], problem="Ne démarre pas", fault_type="system_board")
    use_part(repair, _levels(two["here"])["tested_ok"], quantity=1, by=two["me"])
    used = db.session.scalars(select(StockMove).where(StockMove.repair_id == repair.id)).one()
    assert (used.kind, used.quantity, used.device_id) == (MoveKind.USED, -1, mine.id)
    origin = db.session.scalars(select(StockMove).where(StockMove.kind == MoveKind.HARVESTED)).one()
    assert origin.device_id == laptop.id and origin.level.id == request.stock_level_id
    with pytest.raises(DomainError):
        use_part(repair, _levels(two["here"])["tested_ok"], quantity=1, by=two["me"])
    add_stock(two["here"], two["ram"], quantity=1, condition="faulty", kind=MoveKind.RECEIVED, by=two["me"])
    with pytest.raises(DomainError):
        use_part(repair, _levels(two["here"])["faulty"], quantity=1, by=two["me"])


def test_only_a_sanitized_bank_drive_goes_into_a_repair(two):
    technician = make_user(Role.TECHNICIAN, structure=two["here"])
    donor_device = make_device(make_donation(make_donor(two["here"])),
                               drives=[{"serial": "SSD-9", "capacity_gb": "240"}])
    harvest_device(donor_device, by=technician, lines=[], drives_to_bank=True, other_parts=["Clavier"])
    target = make_device(make_donation(make_donor(two["here"])))
    record_diagnosis(target, by=technician, grade="B")
    repair = record_repair(target, by=technician, problem="Pas de disque", fault_type="internal_storage")
    with pytest.raises(DomainError, match="SSD-9"):
        install_drive(repair, "SSD-9", by=technician)
    drive = db.session.scalars(select(Drive).where(Drive.serial == "SSD-9")).one()
    record_secure_erase(drive, by=technician, tool="hdparm", technique="block_erase", verification="last_pass")
    install_drive(repair, "ssd-9", by=technician)
    assert [d.serial for d in target.drives] == ["SSD-9"]
    with pytest.raises(DomainError):
        install_drive(repair, "SSD-9", by=technician)


def test_a_drive_from_a_returned_device_is_not_erased_because_it_went_to_the_bank(two):
    from reco.prescriptions.reservations import reserve_device
    from reco.prescriptions.visits import record_handover, return_device
    from tests.factories import make_prescription, make_ready_device

    device = make_ready_device(two["here"])
    prescription = make_prescription(workshop=two["here"], status="accepted")
    reserve_device(prescription, device, by=two["me"])
    record_handover(prescription, by=two["me"], internet_connected=True, no_signature_reason="Attestation papier signée")
    return_device(device, by=two["me"], reason="Clavier", replacement=False)
    drive = device.drives[0]
    assert not drive.is_sanitized
    harvest_device(device, by=two["me"], lines=[], drives_to_bank=True)
    db.session.flush()
    assert drive.device_id is None and not drive.is_sanitized


def test_asking_for_more_than_one_place_holds_is_refused(two):
    from reco.inventory.models import Location

    bins = [Location(workshop_id=two["there"].id, code=f"{two['there'].tag_prefix}-B{n}", name=f"Bac {n}", kind="bin")
            for n in (1, 2)]
    db.session.add_all(bins)
    db.session.flush()
    for place in bins:
        add_stock(two["there"], two["ram"], quantity=2, condition="untested", kind=MoveKind.RECEIVED, by=two["them"],
                  location=place)
    with pytest.raises(DomainError) as refused:
        ask_parts(by=two["me"], owner=two["there"], part_type=two["ram"], condition="untested", quantity=3)
    assert refused.value.message == _at_most(two["there"], 2)
    request = ask_parts(by=two["me"], owner=two["there"], part_type=two["ram"], condition="untested", quantity=2)
    accept_request(request, by=two["them"])
    assert request.status is R.ACCEPTED


def test_destroyed_drives_leave_the_bank_and_a_bank_erase_is_validated(client, two):
    from reco.inventory.sanitization import record_destruction
    from tests.conftest import login_as

    two["here"].sanitization_needs_validation = True
    technician = make_user(Role.TECHNICIAN, structure=two["here"])
    laptop = make_device(make_donation(make_donor(two["here"])),
                         drives=[{"serial": "KEEP-1", "capacity_gb": "120"},
                                 {"serial": "GONE-1", "capacity_gb": "120"}])
    harvest_device(laptop, by=technician, lines=[], drives_to_bank=True)
    gone = db.session.scalars(select(Drive).where(Drive.serial == "GONE-1")).one()
    record_destruction(gone, by=technician, method="shred", witness="Sam")
    db.session.commit()
    login_as(client, technician)
    page = client.get("/parts/drives").get_data(as_text=True)
    assert "KEEP-1" in page and "GONE-1" not in page
    keep = db.session.scalars(select(Drive).where(Drive.serial == "KEEP-1")).one()
    client.post(f"/parts/drives/{keep.id}/erase", data={"tool": "hdparm", "technique": "block_erase",
                                                        "verification": "last_pass"})
    db.session.refresh(keep)
    assert not keep.is_sanitized  # waits for the supervisor
    assert client.post(f"/parts/drives/{keep.id}/validate").status_code == 403
    login_as(client, two["me"])
    client.post(f"/parts/drives/{keep.id}/validate")
    db.session.refresh(keep)
    assert keep.is_sanitized


def test_bad_numbers_never_give_a_500(client, two):
    from tests.conftest import login_as
    from tests.factories import make_token

    login_as(client, two["me"])
    for data in ({"owner_id": str(10 ** 20), "part_type_id": "1", "quantity": "1", "condition": "tested_ok"},
                 {"owner_id": "1", "part_type_id": str(10 ** 20), "quantity": "1", "condition": "tested_ok"}):
        assert client.post("/parts/requests", data=data).status_code == 302
    headers = {"Authorization": f"Bearer {make_token(two['me'])}"}
    body = {"owner_id": two["there"].id, "part_type_id": two["ram"].id, "condition": "tested_ok"}
    for quantity in ("²", "1" * 30, 1e30, -0.5):
        assert client.post("/api/v1/parts/requests", headers=headers, json=body | {"quantity": quantity}).status_code \
            == 422


def test_harvesting_through_the_api_fills_the_bank(client, two):
    from tests.factories import make_token

    technician = make_user(Role.TECHNICIAN, structure=two["here"])
    laptop = make_device(make_donation(make_donor(two["here"])), drives=[{"serial": "API-D1", "capacity_gb": "120"}])
    headers = {"Authorization": f"Bearer {make_token(technician)}"}
    response = client.post(f"/api/v1/devices/{laptop.tag}/transitions", headers=headers, json={
        "to": "harvested", "stock": [{"part_type_id": two["ram"].id, "quantity": 2, "condition": "tested_ok"}]})
    assert response.status_code == 200 and response.get_json()["state"] == "harvested"
    assert _levels(two["here"])["tested_ok"].quantity == 2
    assert db.session.scalars(select(Drive).where(Drive.serial == "API-D1")).one().device_id is None
