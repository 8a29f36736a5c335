"""The stock of parts: a ledger that always sums to the balance, and never below zero."""
import pytest
from sqlalchemy import func, select

from reco.accounts.models import Role
from reco.core.audit import AppendOnlyError
from reco.core.errors import DomainError, ValidationFailed
from reco.extensions import db
from reco.parts.catalogue import create_part_type, search_filter
from reco.parts.models import MoveKind, PartType, StockLevel, StockMove
from reco.parts.stock import add_stock, count_stock, ledger_total, take_stock
from tests.factories import make_structure, make_user


@pytest.fixture
def shop(ctx):
    workshop = make_structure("workshop")
    technician = make_user(Role.TECHNICIAN, structure=workshop)
    ram = create_part_type(by=technician, category="ram", name="RAM DDR3L SO-DIMM 4 Go",
                           attributes={"generation": "DDR3L", "form_factor": "SO-DIMM", "capacity_gb": "4"},
                           compatible_models="Dell Latitude E5530, E7240")
    return workshop, technician, ram


def test_the_catalogue_is_searched_by_attribute_words_and_category(shop):
    _workshop, technician, ram = shop
    charger = create_part_type(by=technician, category="charger", name="Chargeur Dell 65 W",
                               attributes={"wattage": "65", "connector": "7.4 mm"})

    def found(**filters):
        return [t.name for t in db.session.scalars(search_filter(select(PartType), **filters))]

    assert found(attribute="generation=ddr3l") == [ram.name]
    assert found(attribute="wattage:65") == [charger.name]
    assert found(text="e7240") == [ram.name]
    assert found(category="charger") == [charger.name]
    assert found(attribute="generation=ddr4") == []


@pytest.mark.parametrize("fields, field", [
    ({"category": "toaster"}, "category"),
    ({"name": " "}, "name"),
    ({"name": "RAM DDR3L SO-DIMM 4 GO"}, "name"),
    ({"attributes": {"wattage": "65"}}, "attributes"),
    ({"attributes": {"generation": "a=b"}}, "attributes"),
    ({"attributes": ["x"]}, "attributes"),
])
def test_bad_part_types_are_refused(shop, fields, field):
    _workshop, technician, _ram = shop
    values = {"category": "ram", "name": "RAM DDR4 8 Go", "attributes": {}} | fields
    with pytest.raises(ValidationFailed) as error:
        create_part_type(by=technician, **values)
    assert field in error.value.fields


def test_every_balance_is_the_sum_of_its_moves(shop):
    workshop, technician, ram = shop
    add_stock(workshop, ram, quantity=5, condition="tested_ok", kind=MoveKind.RECEIVED, by=technician)
    level = db.session.scalars(select(StockLevel)).one()
    take_stock(level, quantity=2, kind=MoveKind.DISCARDED, by=technician)
    count_stock(level, counted=7, by=technician, note="inventaire")
    assert level.quantity == 7 == ledger_total(level)
    assert [m.kind for m in db.session.scalars(select(StockMove).order_by(StockMove.id))] == [
        MoveKind.RECEIVED, MoveKind.DISCARDED, MoveKind.CORRECTION]


def test_taking_more_than_there_is_is_refused_and_the_ledger_is_unchanged(shop):
    workshop, technician, ram = shop
    add_stock(workshop, ram, quantity=1, condition="untested", kind=MoveKind.RECEIVED, by=technician)
    level = db.session.scalars(select(StockLevel)).one()
    with pytest.raises(DomainError) as refused:
        take_stock(level, quantity=2, kind=MoveKind.USED, by=technician)
    assert refused.value.message == ("Seulement 1 «\xa0RAM DDR3L SO-DIMM 4 Go\xa0» disponible(s) ici\xa0; "
                                     "vous en demandez 2.")
    for quantity in (0, -1, "x", True, 10 ** 9):
        with pytest.raises(ValidationFailed) as refused:
            take_stock(level, quantity=quantity, kind=MoveKind.USED, by=technician)
        assert refused.value.message == "Indiquez un nombre d'unités entre 1 et 100000."
        assert refused.value.fields == {"quantity": ["un nombre entier, 1 ou plus"]}
    assert level.quantity == 1 and db.session.scalar(select(func.count(StockMove.id))) == 1
    with pytest.raises(ValidationFailed):
        count_stock(level, counted=-3, by=technician)


def test_the_ledger_is_append_only(shop):
    workshop, technician, ram = shop
    move = add_stock(workshop, ram, quantity=1, condition="untested", kind=MoveKind.RECEIVED, by=technician)
    move.quantity = 50
    with pytest.raises(AppendOnlyError):
        db.session.flush()
