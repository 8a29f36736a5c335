"""Notices: a change that a user should hear about, shown in the app and emailed when mail is configured."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import ForeignKey, Index, String, func, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reco.core.audit import Event
from reco.core.mail import queue_mail
from reco.core.permissions import scoped
from reco.core.time import UTCDateTime, utcnow
from reco.extensions import db


class Notice(db.Model):
    """One event brought to one user's attention until they have seen it."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    #: What the notice is about, as people see it (e.g. a household's pseudonymous code).
    subject: Mapped[str] = mapped_column(String(60))
    #: Where to look at it, a path inside the application.
    url: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship(lazy="joined")

    @property
    def text(self) -> str:
        """Return what happened, in the current language."""
        return DESCRIBERS[self.event.object_type](self.event)


#: object type -> function telling an event of that type in a sentence; each feature registers its own.
DESCRIBERS: dict[str, Callable[[Event], str]] = {}


def describes(object_type: str):
    """Register the function that tells events about ``object_type`` objects in notices."""

    def register(function):
        DESCRIBERS[object_type] = function
        return function

    return register


def path_for(endpoint: str, **values) -> str:
    """Return the path of a page, also outside a request (command line, scheduled jobs)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def notify(users, event: Event, *, subject: str, url: str) -> None:
    """Give each active user among ``users`` a notice of ``event``, and an email in their language."""
    db.session.flush()
    for user in users:
        if not user.active:
            continue
        db.session.add(Notice(user_id=user.id, event_id=event.id, subject=subject[:60], url=url[:200]))
        with force_locale(user.locale or "fr"):
            text = DESCRIBERS[event.object_type](event)
            queue_mail(user.email, _("Reco — news of %(subject)s", subject=subject),
                       _("%(subject)s: %(text)s\n\nSee it in Reco: %(url)s", subject=subject, text=text,
                         url=current_app.config["RECO_BASE_URL"].rstrip("/") + url))


def unread_count(user) -> int:
    """Return how many notices the user has not seen yet."""
    return db.session.scalar(scoped(select(func.count(Notice.id)), "notice.view", user)
                             .where(Notice.read_at.is_(None))) or 0


def mark_read(user, notice_ids) -> None:
    """Mark the user's notices ``notice_ids`` as seen."""
    if notice_ids:
        db.session.execute(update(Notice).where(Notice.user_id == user.id, Notice.id.in_(list(notice_ids)),
                                                Notice.read_at.is_(None)).values(read_at=utcnow()))
