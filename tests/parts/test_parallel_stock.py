"""Many people taking the last units at once: the stock never goes below zero, nothing is lost."""
import threading

import pytest
from sqlalchemy import func, select

from reco.accounts.models import Role
from reco.core.errors import DomainError
from reco.extensions import db
from reco.parts.bank import accept_request, ask_parts
from reco.parts.catalogue import create_part_type
from reco.parts.models import MoveKind, PartRequest, RequestStatus, StockLevel, StockMove
from reco.parts.stock import add_stock, ledger_total, take_stock
from tests.factories import make_structure, make_user

pytestmark = pytest.mark.committed


def _in_parallel(app, count, work):
    """Run ``work(n)`` in ``count`` threads started together, each in its own context; return the outcomes."""
    outcomes, barrier = [], threading.Barrier(count)

    def run(n):
        with app.app_context():
            barrier.wait(timeout=30)
            try:
                work(n)
                db.session.commit()
                outcomes.append("ok")
            except DomainError:
                db.session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_ten_people_taking_three_units_at_once(app):
    with app.app_context():
        workshop = make_structure("workshop")
        technician = make_user(Role.TECHNICIAN, structure=workshop)
        ram = create_part_type(by=technician, category="ram", name="RAM DDR4 8 Go")
        add_stock(workshop, ram, quantity=3, condition="tested_ok", kind=MoveKind.RECEIVED, by=technician)
        db.session.commit()
        level_id, user_id = db.session.scalar(select(StockLevel.id)), technician.id

    def take(_n):
        from reco.accounts.models import User
        take_stock(db.session.get(StockLevel, level_id), quantity=1, kind=MoveKind.USED,
                   by=db.session.get(User, user_id))

    assert _in_parallel(app, 10, take) == ["ok"] * 3 + ["refused"] * 7
    with app.app_context():
        level = db.session.get(StockLevel, level_id)
        assert level.quantity == 0 == ledger_total(level)
        assert db.session.scalar(select(func.count(StockMove.id))) == 4


def test_two_workshops_accepting_more_than_there_is(app):
    with app.app_context():
        owner, askers = make_structure("workshop"), [make_structure("workshop") for _ in range(4)]
        supervisor = make_user(Role.SUPERVISOR, structure=owner)
        charger = create_part_type(by=supervisor, category="charger", name="Chargeur 65 W")
        add_stock(owner, charger, quantity=2, condition="tested_ok", kind=MoveKind.RECEIVED, by=supervisor)
        ids = [ask_parts(by=make_user(Role.SUPERVISOR, structure=asker), owner=owner, part_type=charger,
                         condition="tested_ok", quantity=1).id for asker in askers]
        db.session.commit()
        supervisor_id = supervisor.id

    def accept(n):
        from reco.accounts.models import User
        accept_request(db.session.get(PartRequest, ids[n]), by=db.session.get(User, supervisor_id))

    assert _in_parallel(app, 4, accept) == ["ok"] * 2 + ["refused"] * 2
    with app.app_context():
        level = db.session.scalars(select(StockLevel)).one()
        assert (level.quantity, level.reserved) == (2, 2)
        assert db.session.scalar(select(func.count(PartRequest.id)).where(
            PartRequest.status == RequestStatus.ACCEPTED)) == 2
