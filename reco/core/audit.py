"""Append-only audit events: who did what to which object, and when."""
from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, cast, event, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from reco.core.time import UTCDateTime, utcnow
from reco.extensions import db


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit event."""


class Event(db.Model):
    """One change to one object; never updated, never deleted."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_object", "object_type", "object_id", "id"),)
    append_only = True

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The acting user; empty for the command line and scheduled jobs.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: Kind of object changed, e.g. "user", "structure", "device".
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    #: What happened, e.g. "created", "updated", "deactivated".
    action: Mapped[str] = mapped_column(String(60))
    #: Structured details, e.g. {"from": "received", "to": "diagnosed"}; never personal data.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor = db.relationship("User", foreign_keys=[actor_id], lazy="joined")


def record_event(actor, obj, action: str, **details: Any) -> Event:
    """Append an event about ``obj`` (a model with ``id`` and ``audit_type``) done by ``actor``."""
    if obj.id is None:
        db.session.flush()
    entry = Event(
        actor_id=getattr(actor, "id", None),
        object_type=obj.audit_type,
        object_id=str(obj.id),
        action=action,
        details=details,
    )
    db.session.add(entry)
    return entry


def events_for(obj) -> list[Event]:
    """Return the events of one object, newest first."""
    query = (
        select(Event)
        .where(Event.object_type == obj.audit_type, Event.object_id == str(obj.id))
        .order_by(Event.id.desc())
    )
    return list(db.session.scalars(query))


def history_column(object_type: str, object_id, dialect: str):
    """Return a column holding the events of the object ``object_id`` (a column) as a JSON array written in the JSON
    of ``dialect`` (a database's name), so that a page reads an object and its history in one statement
    (``history_of`` reads it back, newest first)."""
    users = db.metadata.tables["users"]  # the core knows no feature's model: the actor's name, by its table
    actor = select(users.c.name).where(users.c.id == Event.actor_id).scalar_subquery()
    fields = ("id", Event.id, "at", Event.at, "action", Event.action, "type", Event.object_type, "actor", actor)
    if dialect == "postgresql":
        row, rows = func.json_build_object(*fields, "details", Event.details), func.json_agg
    else:
        row, rows = func.json_object(*fields, "details", func.json(Event.details)), func.json_group_array
    return select(rows(row, type_=JSON)) \
        .where(Event.object_type == object_type, Event.object_id == cast(object_id, String)).scalar_subquery()


def history_of(rows: list | None) -> list[SimpleNamespace]:
    """Return the events of a ``history_column``, newest first, as the history shows them: when, what, who."""
    events = []
    for row in sorted(rows or (), key=lambda row: row["id"], reverse=True):
        at = datetime.fromisoformat(row["at"])
        events.append(SimpleNamespace(
            at=(at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(timezone.utc),
            action=row["action"], object_type=row["type"], details=row["details"] or {},
            actor=SimpleNamespace(name=row["actor"]) if row["actor"] is not None else None))
    return events


@event.listens_for(Session, "before_flush")
def _refuse_event_changes(session: Session, flush_context, instances) -> None:
    """Keep the audit trail and the other ledgers (models with ``append_only``) append-only at the ORM level."""
    for obj in list(session.dirty) + list(session.deleted):
        if getattr(obj, "append_only", False) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError(f"{type(obj).__name__} rows are append-only")
