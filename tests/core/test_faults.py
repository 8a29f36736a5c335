"""Faults: the database connection dropping in the middle of a request, a crash in the middle of an import,
a full disk at start-up. The request fails cleanly, nothing is half-written, and the next request works."""
import errno
import re
import tempfile
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from reco.config import ConfigurationError, ensure_instance_folder
from reco.core.audit import Event
from reco.donations import services as donation_services
from reco.donations.models import DeclaredItem, Donor
from reco.extensions import db
from reco.inventory.models import Device, Drive
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_donation, make_donor, make_token, make_user

pytestmark = pytest.mark.committed


def _drop_connection(connection) -> None:
    """Cut the connection under the request: PostgreSQL ends its backend, SQLite's file 'fails'."""
    if connection.dialect.name == "postgresql":
        pid = connection.connection.dbapi_connection.info.backend_pid
        url = make_url(TEST_DATABASE_URL).set(drivername="postgresql")
        with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as killer:
            killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
    else:
        import sqlite3
        raise sqlite3.OperationalError("disk I/O error")


@contextmanager
def connection_dropped_at(table: str):
    """Drop the database connection when the request first writes into ``table``."""
    seen = {"dropped": False}

    def before(connection, cursor, statement, parameters, context, executemany):
        if re.match(rf"\s*INSERT INTO {table}\b", statement) and not seen["dropped"]:
            seen["dropped"] = True
            _drop_connection(connection)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


@pytest.fixture
def workshop_api(app):
    with app.app_context():
        supervisor = make_user("supervisor")
        donation = make_donation(make_donor(supervisor.structure))
        token = make_token(supervisor)
        ids = {"headers": {"Authorization": f"Bearer {token}"}, "donation_id": donation.id,
               "session_id": supervisor.get_id()}
        db.session.remove()
    return ids


def _count(model) -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_connection_dropped_during_an_intake_writes_nothing_and_the_next_request_works(app, client, workshop_api):
    body = {"donation_id": workshop_api["donation_id"], "type": "laptop", "brand": "Dell",
            "drives": [{"serial": "WD-1", "interface": "ata_hdd"}, {"serial": "WD-2", "interface": "ata_hdd"}]}
    with app.app_context():
        events_before = _count(Event)
    with app.app_context(), connection_dropped_at("drives") as fault:
        failed = client.post("/api/v1/devices", json=body, headers=workshop_api["headers"])
    assert fault["dropped"]
    assert failed.status_code == 503 and failed.get_json()["error"] == "unavailable"
    assert "Nothing was saved" in failed.get_json()["message"] or "Rien" in failed.get_json()["message"]
    with app.app_context():
        assert (_count(Device), _count(Drive), _count(Event)) == (0, 0, events_before)
    again = client.post("/api/v1/devices", json=body, headers=workshop_api["headers"])
    assert again.status_code == 201
    with app.app_context():
        assert (_count(Device), _count(Drive)) == (1, 2)


def test_a_connection_dropped_during_a_form_shows_a_friendly_page(app, client, workshop_api):
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = workshop_api["session_id"], True
    with app.app_context():
        with connection_dropped_at("donors") as fault:
            page = client.post("/donors/new", data={"name": "Armor", "kind": "company"})
        assert fault["dropped"] and _count(Donor) == 1  # the donation's donor only
    assert page.status_code == 503 and "base de données" in page.get_data(as_text=True)
    assert client.post("/donors/new", data={"name": "Armor", "kind": "company"}).status_code == 302
    with app.app_context():
        assert _count(Donor) == 2


def _inventory(lines: int) -> bytes:
    rows = "".join(f"SN{n:06d};portable;Dell;INV-{n}\n" for n in range(lines))
    return ("N° de série;Type;Marque;N° d'inventaire\n" + rows).encode()


def test_a_connection_dropped_in_the_middle_of_an_import_imports_nothing(app, client, workshop_api):
    url = f"/api/v1/donations/{workshop_api['donation_id']}/declared-items"
    headers = workshop_api["headers"] | {"Content-Type": "text/csv"}
    data = _inventory(2500)
    with app.app_context(), connection_dropped_at("events") as fault:  # once the lines are written
        failed = client.post(url, data=data, headers=headers)
    assert fault["dropped"] and failed.status_code == 503
    with app.app_context():
        assert _count(DeclaredItem) == 0
    assert client.post(url, data=data, headers=headers).status_code == 201
    with app.app_context():
        assert _count(DeclaredItem) == 2500


def test_a_crash_in_the_middle_of_an_import_imports_nothing(app, client, workshop_api, monkeypatch):
    url = f"/api/v1/donations/{workshop_api['donation_id']}/declared-items"
    written = {"lines": 0}

    def crash_once_the_lines_are_written(*args, **kwargs):
        written["lines"] = db.session.scalar(select(func.count()).select_from(DeclaredItem))
        raise MemoryError("simulated crash after writing the lines")

    monkeypatch.setattr(donation_services, "record_event", crash_once_the_lines_are_written)
    with app.app_context():
        events_before = _count(Event)
    failed = client.post(url, data=_inventory(300), headers=workshop_api["headers"] | {"Content-Type": "text/csv"})
    assert failed.status_code == 500 and failed.get_json()["error"]
    assert written["lines"] == 300  # the crash came after the lines were in the transaction
    with app.app_context():
        assert (_count(DeclaredItem), _count(Event)) == (0, events_before)


def test_a_full_disk_is_a_clear_error_at_start_up(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", full)
    with pytest.raises(ConfigurationError, match="No space left on device"):
        ensure_instance_folder(tmp_path / "instance")
