"""Audit events are written by every change and never altered."""
import pytest

from reco.core.audit import AppendOnlyError, Event, events_for, record_event
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
