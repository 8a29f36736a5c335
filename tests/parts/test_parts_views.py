"""The parts pages and API: only the owning workshop touches its stock; others see availability only."""
import pytest
from sqlalchemy import select

from reco.accounts.models import Role
from reco.extensions import db
from reco.inventory.models import Location
from reco.parts.catalogue import create_part_type
from reco.parts.models import MoveKind, PartRequest, RequestStatus, StockLevel
from reco.parts.stock import add_stock
from tests.conftest import login_as
from tests.factories import make_structure, make_token, make_user


@pytest.fixture
def two(ctx):
    here, there = make_structure("workshop"), make_structure("workshop")
    me, them = make_user(Role.SUPERVISOR, structure=here), make_user(Role.SUPERVISOR, structure=there)
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
