"""Append-only audit events: who did what to which object, and when."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event, select
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


@event.listens_for(Session, "before_flush")
def _refuse_event_changes(session: Session, flush_context, instances) -> None:
    """Keep the audit trail and the other ledgers (models with ``append_only``) append-only at the ORM level."""
    for obj in list(session.dirty) + list(session.deleted):
        if getattr(obj, "append_only", False) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError(f"{type(obj).__name__} rows are append-only")
