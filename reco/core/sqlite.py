"""SQLite settings: foreign keys on, write-ahead log, and transactions that take the write lock at once."""
from sqlalchemy import event

from reco.extensions import db


def init_sqlite(app) -> None:
    """Configure SQLite connections of ``app``; other databases are left as they are."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            return

        @event.listens_for(engine, "connect")
        def on_connect(dbapi_connection, connection_record):
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA busy_timeout = 10000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def on_begin(connection):
            # IMMEDIATE: two writers queue (busy_timeout) instead of failing with "database is locked".
            connection.exec_driver_sql("BEGIN IMMEDIATE")
