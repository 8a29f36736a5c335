"""The lists cost the same number of SQL queries whether they show a few rows or a full page."""
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from reco.accounts.models import Role
from reco.extensions import db
from tests.conftest import login_as
from tests.factories import make_device, make_donation, make_donor, make_prescription, make_structure, make_user


@contextmanager
def counted_queries():
    """Count the statements sent to the database inside the block."""
    statements = []

    def count(connection, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _queries(client, url: str) -> int:
    with counted_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def _devices(workshop, count: int) -> None:
    for _ in range(count):
        donation = make_donation(make_donor(workshop))
        make_device(donation, drives=[{"serial": None, "capacity_gb": "250"}, {"serial": None, "capacity_gb": "500"}])


def _prescriptions(prescriber, workshop, count: int) -> None:
    for _ in range(count):
        make_prescription(prescriber, workshop, status="accepted")


LISTS = {
    "device list": ("/devices?type=laptop&state=received", Role.SUPERVISOR, _devices),
    "waiting list": ("/waiting-list", Role.SUPERVISOR, lambda workshop, count: _prescriptions(
        make_user(Role.PRESCRIBER), workshop, count)),
    "prescriber's list": ("/prescriptions?status=accepted", Role.PRESCRIBER, None),
}


@pytest.mark.parametrize("name", LISTS)
def test_the_number_of_queries_does_not_grow_with_the_rows_shown(client, ctx, name):
    url, role, fill = LISTS[name]
    workshop = make_structure("workshop")
    user = make_user(role, structure=workshop if role is Role.SUPERVISOR else None)
    if fill is None:
        def fill(_workshop, count):
            _prescriptions(user, workshop, count)
    login_as(client, user)
    fill(workshop, 2)
    few = _queries(client, url)
    fill(workshop, 23)
    page = client.get(url).get_data(as_text=True)
    assert page.count("<tr") >= 25
    assert _queries(client, url) == few
