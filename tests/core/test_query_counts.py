"""The lists cost the same number of SQL queries whether they show a few rows or a full page."""
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from reco.accounts.models import Role
from reco.extensions import db
from tests.conftest import login_as
from tests.factories import (make_device, make_donation, make_donor, make_prescription, make_structure, make_token,
                             make_user)


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


def _sent(client, url: str, **kwargs) -> list[str]:
    """Return the statements one request sends (the test's own savepoints left out)."""
    with counted_queries() as statements:
        assert client.get(url, **kwargs).status_code == 200
    return [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))]


def _scanned_devices():
    """Return a supervisor and two devices of their workshop: a bare one, and one with drives, erasures, repairs."""
    from reco.inventory.models import FaultType
    from reco.inventory.repairs import record_repair
    from reco.inventory.sanitization import import_erasure_log
    from tests.inventory.workbench_helpers import drive_of, nwipe_log_for, wiped_in

    supervisor = make_user(Role.SUPERVISOR)
    donation = make_donation(make_donor(supervisor.structure))
    bare = make_device(donation, serial="SN-BARE")
    full = make_device(donation, serial="SN-FULL", drives=[drive_of("erased", serial=f"D{n}") for n in range(3)])
    wiped_in(full.drives[0])
    import_erasure_log(full, nwipe_log_for("erased", "/dev/sda"), by=supervisor, confirm_anonymised=True)
    for problem in ("Clavier", "Charnière"):
        record_repair(full, by=supervisor, problem=problem, fault_type=FaultType.KEYBOARD, status="fixed")
    db.session.commit()
    return supervisor, bare.tag, full.tag


def test_the_scan_api_reads_a_device_in_two_statements_however_much_it_holds(client, ctx):
    supervisor, bare, full = _scanned_devices()
    headers = {"Authorization": f"Bearer {make_token(supervisor)}"}
    _sent(client, f"/api/v1/devices/{bare}", headers=headers)  # the token's first use is written once
    assert len(_sent(client, f"/api/v1/devices/{bare}", headers=headers)) == 2
    assert len(_sent(client, f"/api/v1/devices/{full}", headers=headers)) == 2


def test_the_device_page_costs_the_same_statements_however_much_the_device_holds(client, ctx):
    supervisor, bare, full = _scanned_devices()
    login_as(client, supervisor)
    assert len(_sent(client, f"/devices/{full}")) == len(_sent(client, f"/devices/{bare}"))


def test_the_unseen_notices_are_counted_by_the_query_that_loads_the_user(client, ctx):
    from reco.core.audit import record_event
    from reco.core.notices import Notice

    supervisor, bare, _full = _scanned_devices()
    event = record_event(supervisor, make_prescription(), "status", **{"from": "submitted", "to": "accepted"})
    db.session.flush()
    db.session.add_all([Notice(user_id=supervisor.id, event_id=event.id, subject=bare, url="/") for _ in range(2)])
    db.session.commit()
    login_as(client, supervisor)
    sent = _sent(client, f"/devices/{bare}")
    assert [s for s in sent if "notices" in s] == [sent[0]] and "FROM users" in sent[0]
    assert '<span class="badge" aria-label="2 non lues">2</span>' in client.get(f"/devices/{bare}").get_data(
        as_text=True)
    assert 'aria-label="2 non lues"' not in client.get("/notices").get_data(as_text=True)  # seen when shown
    assert 'class="badge"' not in client.get(f"/devices/{bare}").get_data(as_text=True)
