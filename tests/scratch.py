"""Applications on a fresh database of their own, of the kind the suite runs on (SQLite or PostgreSQL)."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from reco import create_app
from reco.config import database_url
from reco.extensions import db
from tests.conftest import TEST_DATABASE_URL


def _server_url(name: str) -> str:
    """Return a plain libpq URL of the test server, on database ``name``."""
    url = make_url(TEST_DATABASE_URL).set(drivername="postgresql", database=name)
    return url.render_as_string(hide_password=False)


def fresh_database(tmp_path: Path, name: str) -> str:
    """Return the URL of a new, empty database called ``name`` (dropped first if it was left over)."""
    if not TEST_DATABASE_URL:
        return f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
    with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return _server_url(name)


def drop_database(url: str) -> None:
    """Drop a database made by ``fresh_database`` (a SQLite file goes with its temporary folder)."""
    if url.startswith("postgresql"):
        with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


@contextmanager
def app_on(url: str):
    """Yield an application, in its context, on the database at ``url``."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url(url),
                      "SECRET_KEY": "scratch-secret-key-" + "x" * 32, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
