"""A request answered with an error keeps nothing it did; when it only read, it ends with COMMIT, so that the
connection keeps its prepared statements (psycopg forgets them at a ROLLBACK)."""
import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError

from reco.accounts.models import Role, User
from reco.core.sequences import Sequence, next_value
from reco.core.transactions import end_refused_request
from reco.extensions import db
from reco.inventory.models import Device
from tests.conftest import login_as
from tests.factories import make_device, make_donation, make_donor, make_structure, make_user

pytestmark = pytest.mark.committed


@pytest.fixture
def endings(app):
    """Collect how the engine's transactions end: "commit" or "rollback"."""
    seen = []
    with app.app_context():
        engine = db.engine
    listeners = {name: (lambda connection, name=name: seen.append(name)) for name in ("commit", "rollback")}
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    yield seen
    for name, listener in listeners.items():
        event.remove(engine, name, listener)


def test_a_refused_request_that_only_read_ends_with_commit(app, endings):
    with app.test_request_context():
        db.session.execute(select(func.count(Device.id))).scalar_one()
        end_refused_request()
    assert endings == ["commit"]


def test_a_refused_request_that_wrote_through_a_statement_keeps_nothing(app, endings):
    with app.test_request_context():
        db.session.execute(select(func.count(Device.id))).scalar_one()
        next_value("refused:statement")  # INSERT ... ON CONFLICT, no ORM object
        end_refused_request()
    assert endings == ["rollback"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Sequence.key == "refused:statement")) == 0


def test_a_refused_request_that_flushed_keeps_nothing(app, endings):
    with app.test_request_context():
        db.session.add(Sequence(key="refused:flushed", last_value=1))
        db.session.flush()  # nothing left pending in the session: only the connection knows it wrote
        assert not db.session.new
        end_refused_request()
    assert endings == ["rollback"]
    with app.app_context():
        assert db.session.get(Sequence, "refused:flushed") is None


def test_a_refused_request_with_a_change_not_yet_flushed_keeps_nothing(app, endings):
    with app.app_context():
        user_id = make_user(Role.SUPERVISOR, name="Before").id
    endings.clear()
    with app.test_request_context():
        with db.session.no_autoflush:
            db.session.get(User, user_id).name = "After"  # a COMMIT would flush it
        end_refused_request()
    assert endings == ["rollback"]
    with app.app_context():
        assert db.session.get(User, user_id).name == "Before"


def test_the_next_transaction_on_the_connection_starts_with_nothing_written(app, endings):
    with app.test_request_context():
        next_value("refused:first")
        end_refused_request()
    with app.test_request_context():
        db.session.execute(select(func.count(Device.id))).scalar_one()
        end_refused_request()
    assert endings == ["rollback", "commit"]


def test_a_refused_request_that_never_used_the_database_sends_nothing(app, endings):
    with app.test_request_context():
        end_refused_request()
    assert endings == []


def test_a_failed_statement_still_ends_the_transaction(app, endings):
    with app.test_request_context():
        with pytest.raises(DBAPIError):
            db.session.execute(text("SELECT * FROM no_such_table"))  # raw SQL: counted as a write
        end_refused_request()
        assert endings == ["rollback"]
        assert db.session.execute(select(func.count(Device.id))).scalar_one() >= 0  # the session works again
        db.session.rollback()


def test_a_page_of_an_unknown_device_ends_with_commit(app, client, endings):
    with app.app_context():
        login_as(client, make_user(Role.SUPERVISOR))
    endings.clear()
    assert client.get("/devices/TXN-UNKNOWN").status_code == 404
    assert endings == ["commit"]


def test_an_unknown_document_refused_by_the_error_handler_ends_with_commit(app, client, endings):
    with app.app_context():
        login_as(client, make_user(Role.SUPERVISOR))
    endings.clear()
    assert client.get("/documents/987654.pdf").status_code == 404  # abort(404), through the error page
    assert endings and "rollback" not in endings


def test_an_unknown_device_keeps_the_connection_prepared_statements(app, client):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("prepared statements are psycopg's (PostgreSQL)")
        workshop = make_structure("workshop", tag_prefix="TXN")
        login_as(client, make_user(Role.SUPERVISOR, structure=workshop))
        tag = make_device(make_donation(make_donor(workshop))).tag
        db.session.remove()
        db.engine.dispose()  # one connection from here on, which every request takes in turn

    def prepared() -> int:
        with app.app_context():
            count = db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
            db.session.commit()
            return count

    for _ in range(6):  # psycopg prepares a statement at its fifth run on a connection
        assert client.get(f"/devices/{tag}").status_code == 200
    before = prepared()
    assert before > 0
    assert client.get("/devices/TXN-UNKNOWN").status_code == 404
    assert prepared() == before
