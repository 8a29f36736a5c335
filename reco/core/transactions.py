"""How a request answered with an error ends its transaction: rolled back when it wrote, else committed.

For a transaction that only read, COMMIT keeps nothing more than ROLLBACK would; but psycopg forgets (and
deallocates) every prepared statement of the connection at a ROLLBACK, so after each 404 or refused form the next
statements on that connection would be planned again (the device page's: 4 to 7 ms each, for its next ten showings).
A transaction counts as writing from its first statement that is not a compiled SELECT (raw SQL and savepoints
included), so a SELECT must never call a function that changes anything.
"""
from __future__ import annotations

from flask import g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from reco.extensions import db

#: Key of a connection's info: its transaction sent a statement that may have written.
WROTE = "reco_wrote"
#: Key of a session's info: the connections its transaction began on.
_CONNECTIONS = "reco_connections"


@event.listens_for(Engine, "before_cursor_execute")
def _note_writing(connection, cursor, statement, parameters, context, executemany) -> None:
    """Remember that the connection's transaction sent a statement that is not a read."""
    compiled = getattr(context, "compiled", None)
    if not (compiled is not None and getattr(compiled.statement, "is_select", False)
            or statement.startswith("BEGIN")):  # SQLite's transactions open with BEGIN IMMEDIATE
        connection.info[WROTE] = True


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _forget_writing(connection) -> None:
    """Start the connection's next transaction with nothing written (a connection lost forgets with its record)."""
    if not connection.invalidated:
        connection.info.pop(WROTE, None)


@event.listens_for(Session, "after_begin")
def _note_connection(session, transaction, connection) -> None:
    """Remember each connection the session's transaction uses."""
    session.info.setdefault(_CONNECTIONS, []).append(connection)


@event.listens_for(Session, "after_transaction_end")
def _forget_connections(session, transaction) -> None:
    """Forget them once the outermost transaction ends."""
    if transaction.parent is None:
        session.info.pop(_CONNECTIONS, None)


def end_refused_request() -> None:
    """End the transaction of a request answered with an error, keeping nothing of what it did."""
    session = db.session()
    g.pop("outbox", None)  # what an email would tell did not happen
    connections = session.info.get(_CONNECTIONS, [])
    try:
        if (not connections or session.new or session.dirty or session.deleted
                or any(connection.invalidated or connection.info.get(WROTE) for connection in connections)):
            session.rollback()  # sends nothing when no connection was used
        else:
            session.commit()  # it only read: its connection keeps its prepared statements
    except SQLAlchemyError:
        session.rollback()
