"""Fixtures: the application, a database that rolls back after each test, clients and logins."""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.serving import make_server

from reco import create_app
from reco.communes.models import Commune, CommunePostcode, Territory
from reco.communes.source import store_registry
from reco.config import database_url
from reco.extensions import db, limiter
from reco.reports.models import ensure_default_factors

TEST_DATABASE_URL = os.environ.get("RECO_TEST_DATABASE_URL")
#: A real subset of the communes registry (see fixtures/SOURCES.md), loaded once: reference data no test changes.
COMMUNES = Path(__file__).parent / "fixtures" / "communes"
REFERENCE_TABLES = {model.__tablename__ for model in (Commune, CommunePostcode, Territory)}


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in its own application context, as in production."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _reset_schema(app) -> None:
    """Start from an empty database, then apply every migration."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        store_test_registry()
        db.session.commit()


def store_test_registry() -> None:
    """Store the real subset of the communes registry the tests use (the demo's communes among them)."""
    store_registry(*(json.loads((COMMUNES / f"{name}.json").read_text(encoding="utf-8"))
                     for name in ("communes", "epci", "departements", "regions")))


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The application on the test database, with its schema built by the migrations."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'reco-test.sqlite3'}"
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url(url),
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
    })
    app.test_client_class = FreshContextClient
    _reset_schema(app)
    with app.app_context():
        db.session.session_factory.configure(join_transaction_mode="create_savepoint")
    yield app
    with app.app_context():
        db.engine.dispose()


def _truncate_all(app) -> None:
    """Empty every table after a test that committed for real."""
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
        with db.engine.begin() as connection:
            if db.engine.dialect.name == "postgresql":
                connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(text(f"DELETE FROM {table}"))
        ensure_default_factors()  # reference data the migrations wrote
        db.session.commit()


@pytest.fixture(autouse=True)
def database(app, request):
    """Run each test in a transaction rolled back at the end (or truncate, for committed tests)."""
    limiter.reset()
    if request.node.get_closest_marker("committed"):
        try:
            yield
        finally:
            _truncate_all(app)
        return
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        engines[None] = connection
        try:
            yield
        finally:
            db.session.remove()
            engines[None] = engine
            transaction.rollback()
            connection.close()


@pytest.fixture
def ctx(app):
    """An application context for code that uses the database directly."""
    with app.app_context():
        yield


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


def login_as(client, user) -> None:
    """Open a logged-in session for ``user`` without going through the form."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def csrf_enabled(app, monkeypatch):
    """Check CSRF tokens as in production."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def _closed_before_sending(app):
    """Read and close each response body before the server writes it.

    Werkzeug's development server skips closing a response when the browser drops the
    connection while it is being sent (a page left before its script arrived), which leaves
    the static file open; reading it first means nothing stays open, whatever the browser does.
    """

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@pytest.fixture
def live_server(app):
    """Serve the application on a free local port for the duration of a test."""
    server = make_server("127.0.0.1", 0, _closed_before_sending(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
