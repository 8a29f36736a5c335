"""The parts pages and API: only the owning workshop touches its stock; others see availability only."""
import re

import pytest
from sqlalchemy import select

from reco.accounts.models import Role
from reco.extensions import db
from reco.inventory.models import Location
from reco.parts.catalogue import create_part_type
from reco.parts.models import MoveKind, PartRequest, RequestStatus, StockLevel, StockMove
from reco.parts.stock import add_stock
from tests.conftest import login_as
from tests.factories import make_token, make_user
from tests.scenarios import two_workshops


@pytest.fixture
def two(ctx):
    two = two_workshops()
    here, there, me, them = two["here"], two["there"], two["me"], two["them"]
    ram = create_part_type(by=me, category="ram", name="RAM DDR4 SO-DIMM 8 Go", attributes={"generation": "ddr4"})
    bin_ = Location(workshop_id=there.id, code=f"{there.tag_prefix}-L0001", name="Bac RAM", kind="bin")
    db.session.add(bin_)
    db.session.flush()
    add_stock(there, ram, quantity=4, condition="tested_ok", kind=MoveKind.RECEIVED, by=them, location=bin_)
    db.session.commit()
    return {"here": here, "there": there, "me": me, "them": them, "ram": ram, "bin": bin_}


def test_other_workshops_see_availability_but_not_where_it_is(client, two):
    login_as(client, two["me"])
    bank = client.get("/parts/bank?attribute=generation=ddr4").get_data(as_text=True)
    assert two["ram"].name in bank and two["there"].name in bank and "Bac RAM" not in bank
    assert two["ram"].name not in client.get("/parts/bank?attribute=generation=ddr3").get_data(as_text=True)
    level = db.session.scalars(select(StockLevel)).one()
    assert client.post(f"/parts/levels/{level.id}/discard", data={"quantity": "1"}).status_code == 404
    assert client.post(f"/parts/levels/{level.id}/count", data={"quantity": "0"}).status_code == 404
    db.session.refresh(level)
    assert level.quantity == 4


def test_an_exchange_through_the_pages(client, two):
    login_as(client, two["me"])
    response = client.post("/parts/requests", data={"part_type_id": two["ram"].id, "owner_id": two["there"].id,
                                                    "condition": "tested_ok", "quantity": "2"})
    request = db.session.scalars(select(PartRequest)).one()
    assert response.status_code == 302 and request.quantity == 2
    assert client.post(f"/parts/requests/{request.id}/accept").status_code == 403  # the asker cannot accept
    login_as(client, two["them"])
    for step in ("accept", "ship"):
        assert client.post(f"/parts/requests/{request.id}/{step}").status_code == 302
    login_as(client, two["me"])
    client.post(f"/parts/requests/{request.id}/receive", data={"location_id": "0"})
    db.session.refresh(request)
    assert request.status is RequestStatus.RECEIVED
    stock = client.get("/parts").get_data(as_text=True)
    assert two["ram"].name in stock
    stranger = make_user(Role.SUPERVISOR)
    login_as(client, stranger)
    assert client.get(f"/parts/requests/{request.id}").status_code == 404
    assert client.post(f"/parts/requests/{request.id}/cancel").status_code == 404


def test_each_side_of_a_request_is_offered_the_steps_its_status_allows(client, two):
    login_as(client, two["me"])
    client.post("/parts/requests", data={"part_type_id": two["ram"].id, "owner_id": two["there"].id,
                                         "condition": "tested_ok", "quantity": "2"})
    request = db.session.scalars(select(PartRequest)).one()

    def steps(user):
        login_as(client, user)
        page = client.get(f"/parts/requests/{request.id}").get_data(as_text=True)
        return re.findall(rf'action="/parts/requests/{request.id}/(\w+)"', page)

    assert (steps(two["me"]), steps(two["them"])) == (["cancel"], ["accept", "decline"])
    assert steps(make_user(Role.TECHNICIAN, structure=two["here"])) == []
    login_as(client, two["them"])
    client.post(f"/parts/requests/{request.id}/accept")
    assert (steps(two["me"]), steps(two["them"])) == (["cancel"], ["ship", "decline"])
    client.post(f"/parts/requests/{request.id}/ship")
    assert (steps(two["them"]), steps(two["me"])) == ([], ["receive"])
    client.post(f"/parts/requests/{request.id}/receive", data={"location_id": "0"})
    assert (steps(two["me"]), steps(two["them"])) == ([], [])


def test_the_api_stock_and_requests(client, two):
    me = {"Authorization": f"Bearer {make_token(two['me'])}"}
    them = {"Authorization": f"Bearer {make_token(two['them'])}"}
    elsewhere = client.get("/api/v1/parts/stock?elsewhere=1&category=ram&attribute=generation=ddr4", headers=me)
    assert elsewhere.status_code == 200
    assert [(i["workshop_id"], i["available"]) for i in elsewhere.get_json()["items"]] == [(two["there"].id, 4)]
    own = client.get("/api/v1/parts/stock", headers=them).get_json()["items"]
    assert own[0]["location"] == two["bin"].code and own[0]["quantity"] == 4
    assert client.get("/api/v1/parts/stock?category=toaster", headers=me).status_code == 422
    body = {"owner_id": two["there"].id, "part_type_id": two["ram"].id, "condition": "tested_ok", "quantity": 5}
    assert client.post("/api/v1/parts/requests", headers=me, json=body).status_code == 409
    assert client.post("/api/v1/parts/requests", headers=me, json=body | {"quantity": -1}).status_code == 422
    created = client.post("/api/v1/parts/requests", headers=me, json=body | {"quantity": 1})
    assert created.status_code == 201
    url = f"/api/v1/parts/requests/{created.get_json()['id']}"
    assert client.post(f"{url}/ship", headers=them).status_code == 409
    assert client.post(f"{url}/accept", headers=me).status_code == 403
    assert client.post(f"{url}/teleport", headers=them).status_code == 404
    assert client.post(f"{url}/decline", headers=them, json={"reason": "Plus en stock"}).get_json()["status"] == \
        "declined"
    assert client.post(f"{url}/ship", headers=them).status_code == 409


def test_parts_received_through_the_api_go_to_a_bin_of_the_receiving_workshop_only(client, two):
    me = {"Authorization": f"Bearer {make_token(two['me'])}"}
    them = {"Authorization": f"Bearer {make_token(two['them'])}"}
    mine = Location(workshop_id=two["here"].id, code=f"{two['here'].tag_prefix}-L0001", name="Mon bac", kind="bin")
    db.session.add(mine)
    db.session.commit()
    body = {"owner_id": two["there"].id, "part_type_id": two["ram"].id, "condition": "tested_ok", "quantity": 1}
    for code in (two["bin"].code, mine.code):
        url = f"/api/v1/parts/requests/{client.post('/api/v1/parts/requests', headers=me, json=body).get_json()['id']}"
        assert client.post(f"{url}/accept", headers=them).status_code == 200
        assert client.post(f"{url}/ship", headers=them).status_code == 200
        assert client.post(f"{url}/receive", headers=me, json={"location": code}).status_code == 200
    received = db.session.scalars(select(StockLevel).where(StockLevel.workshop_id == two["here"].id)).all()
    assert sorted((level.location_id or 0, level.quantity) for level in received) == [(0, 1), (mine.id, 1)]


def test_a_technician_asks_another_workshop_for_parts(client, two):
    technician = make_user(Role.TECHNICIAN, structure=two["here"])
    login_as(client, technician)
    bank = client.get("/parts/bank").get_data(as_text=True)
    assert 'action="/parts/requests"' in bank  # the page that says « Ask » lets them ask
    response = client.post("/parts/requests", data={"part_type_id": two["ram"].id, "owner_id": two["there"].id,
                                                    "condition": "tested_ok", "quantity": "1"})
    request = db.session.scalars(select(PartRequest)).one()
    assert response.status_code == 302 and request.asker_id == two["here"].id and request.created_by_id == technician.id
    assert client.post(f"/parts/requests/{request.id}/cancel").status_code == 403  # following it is the supervisor's


def test_parts_move_from_one_bin_to_another(client, two):
    them = two["them"]
    other = Location(workshop_id=two["there"].id, code=f"{two['there'].tag_prefix}-L0002", name="Bac 2", kind="bin")
    db.session.add(other)
    db.session.commit()
    level = db.session.scalars(select(StockLevel)).one()
    login_as(client, them)
    page = client.get(f"/parts/types/{two['ram'].id}").get_data(as_text=True)
    assert f'action="/parts/levels/{level.id}/move"' in page and "Bac 2" in page
    response = client.post(f"/parts/levels/{level.id}/move", data={"quantity": "3", "location_id": other.id})
    assert response.status_code == 302
    db.session.expire_all()
    levels = {lv.location_id: lv.quantity for lv in db.session.scalars(select(StockLevel))}
    assert levels == {two["bin"].id: 1, other.id: 3}
    moves = db.session.scalars(select(StockMove).where(StockMove.kind == MoveKind.MOVED).order_by(StockMove.id)).all()
    assert [m.quantity for m in moves] == [-3, 3] and moves[0].note == f"→ {other.code}"
    # More than there is, the same place, or another workshop's bin: refused, nothing moves.
    for data in ({"quantity": "2", "location_id": other.id}, {"quantity": "1", "location_id": two["bin"].id}):
        client.post(f"/parts/levels/{level.id}/move", data=data)
    mine = Location(workshop_id=two["here"].id, code=f"{two['here'].tag_prefix}-L0001", name="Chez moi", kind="bin")
    db.session.add(mine)
    db.session.commit()
    client.post(f"/parts/levels/{level.id}/move", data={"quantity": "1", "location_id": mine.id})
    db.session.expire_all()
    assert {lv.location_id: lv.quantity for lv in db.session.scalars(select(StockLevel))} == {
        two["bin"].id: 1, other.id: 3}
    assert two["ram"].name in client.get(f"/parts/types/{two['ram'].id}").get_data(as_text=True)


def test_a_harvested_part_without_a_number_of_units_is_refused(client, two):
    from tests.factories import make_device, make_donation, make_donor

    technician = make_user(Role.TECHNICIAN, structure=two["there"])
    device = make_device(make_donation(make_donor(two["there"])))
    login_as(client, technician)
    response = client.post(f"/devices/{device.tag}/harvest", data={
        "lines-0-part_type_id": two["ram"].id, "lines-0-quantity": "", "lines-0-condition": "tested_ok"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Indiquez le nombre d&#39;unités retirées." in page
    db.session.expire_all()
    assert device.state.value == "received"
    assert db.session.scalars(select(StockMove).where(StockMove.kind == MoveKind.HARVESTED)).all() == []
    done = client.post(f"/devices/{device.tag}/harvest", data={
        "lines-0-part_type_id": two["ram"].id, "lines-0-quantity": "2", "lines-0-condition": "tested_ok",
        "location_id": two["bin"].id})
    assert done.status_code == 302
    harvested = db.session.scalars(select(StockMove).where(StockMove.kind == MoveKind.HARVESTED)).one()
    assert harvested.quantity == 2 and harvested.level.location_id == two["bin"].id
