"""Audit events are written by every change and never altered."""
import pytest

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from reco.accounts.models import Structure
from reco.core.audit import AppendOnlyError, Event, events_for, history_column, history_of, record_event
from reco.extensions import db
from tests.factories import make_structure, make_user


def test_events_are_listed_newest_first(ctx):
    user = make_user("admin")
    structure = make_structure()
    record_event(user, structure, "first")
    record_event(None, structure, "second", detail=1)
    db.session.commit()
    events = events_for(structure)
    assert [e.action for e in events] == ["second", "first"]
    assert events[0].details == {"detail": 1} and events[0].actor is None
    assert events[1].actor == user and events[1].at.tzinfo is not None


def test_events_cannot_be_changed(ctx):
    event = record_event(None, make_structure(), "created")
    db.session.commit()
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()


def test_events_cannot_be_deleted(ctx):
    event = record_event(None, make_structure(), "created")
    db.session.commit()
    db.session.delete(event)
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Event, event.id) is not None


@pytest.mark.parametrize("name, dialect, aggregate", [("postgresql", postgresql.dialect(), "json_agg"),
                                                      ("sqlite", sqlite.dialect(), "json_group_array")])
def test_the_history_column_is_written_for_the_database_named_whatever_the_session_is_on(ctx, name, dialect,
                                                                                         aggregate):
    statement = select(Structure.id, history_column("structure", Structure.id, name))
    assert aggregate in str(statement.compile(dialect=dialect))


def test_the_history_column_reads_back_newest_first_with_who(ctx):
    user, structure = make_user("admin", name="Alix Martin"), make_structure()
    record_event(user, structure, "first")
    record_event(None, structure, "second", detail=1)
    db.session.commit()
    name = db.session.get_bind().dialect.name
    rows = db.session.scalar(select(history_column("structure", Structure.id, name)).where(
        Structure.id == structure.id))
    history = history_of(rows)
    assert [(e.action, e.actor and e.actor.name, e.details) for e in history] == [
        ("second", None, {"detail": 1}), ("first", "Alix Martin", {})]
    assert all(e.at.tzinfo is not None for e in history)
