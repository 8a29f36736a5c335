"""How a request answered with an error ends its transaction: rolled back when it wrote, else committed.

For a transaction that only read, COMMIT keeps nothing more than ROLLBACK would; but psycopg forgets (and
deallocates) every prepared statement of the connection at a ROLLBACK, so after each 404 or refused form the next
statements on that connection would be planned again (the device page's: 4 to 7 ms each, for its next ten showings).
"""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from reco.extensions import db

#: Key of a connection's info: its transaction sent a statement that may have written.
WROTE = "reco_wrote"
#: How the statements that change nothing begin (SQLite opens its transactions with BEGIN IMMEDIATE).
_READS = ("SELECT", "BEGIN")


@event.listens_for(Engine, "before_cursor_execute")
def _note_writing(connection, cursor, statement, parameters, context, executemany) -> None:
    """Remember that the connection's transaction sent a statement that is not a read (savepoints included)."""
    if not statement.lstrip()[:6].upper().startswith(_READS):
        connection.info[WROTE] = True


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _forget_writing(connection) -> None:
    """Start the connection's next transaction with nothing written."""
    connection.info.pop(WROTE, None)


def end_refused_request() -> None:
    """End the transaction of a request answered with an error, keeping nothing of what it did."""
    session = db.session()
    try:
        if session.get_transaction() is None:
            return
        if session.new or session.dirty or session.deleted or session.connection().info.get(WROTE):
            session.rollback()
        else:
            session.commit()  # it only read: its connection keeps its prepared statements
    except SQLAlchemyError:
        session.rollback()
