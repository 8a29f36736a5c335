"""Named counters allocated atomically, for asset tags and document numbers."""
from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from reco.extensions import db


class Sequence(db.Model):
    """The last value handed out for one named counter."""

    __tablename__ = "sequences"

    #: e.g. "tag:DEM" or "document:12:BC:2026".
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


def next_value(key: str) -> int:
    """Return the next value of counter ``key``; two transactions never get the same value.

    One INSERT ... ON CONFLICT DO UPDATE ... RETURNING: the row stays locked until the
    transaction ends, so concurrent callers wait for each other instead of colliding.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Sequence).values(key=key, last_value=1)
    statement = statement.on_conflict_do_update(
        index_elements=[Sequence.key], set_={"last_value": Sequence.last_value + 1}
    ).returning(Sequence.last_value)
    return db.session.execute(statement).scalar_one()
