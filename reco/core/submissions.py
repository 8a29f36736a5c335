"""Forms recorded once: each sending carries a key, and a key already recorded is answered as done, not again."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from reco.core.errors import DomainError, ValidationFailed
from reco.core.time import UTCDateTime, utcnow
from reco.extensions import db


class Submission(db.Model):
    """One form recorded: its key, who sent it, what it did and to which object."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Made once per form (per draft on the phone), kept through every retry.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: What the form did, e.g. "visit.report", "visit.missed".
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AlreadySubmitted(Exception):
    """This form was recorded already: nothing was done again, and the sender is told it succeeded."""

    def __init__(self, submission: Submission):
        self.message = str(_l("This was already recorded; it was not recorded twice."))
        super().__init__(self.message)
        self.submission = submission


def submission_key(value) -> str | None:
    """Return the key a form was sent with, or refuse what is not a short printable text."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not 8 <= len(value) <= 64 or not value.isprintable():
        raise ValidationFailed(str(_l("The form's sending key is a text of 8 to 64 characters.")),
                               {"submission_key": [str(_l("8 to 64 characters"))]})
    return value


def _same(earlier: Submission, by, action: str, obj) -> bool:
    """Tell whether the recorded key was sent by this user for this action on this object."""
    return (earlier.user_id, earlier.action, earlier.object_type, earlier.object_id) == \
        (getattr(by, "id", None), action, obj.audit_type, str(obj.id))


def _check_earlier(earlier: Submission | None, by, action: str, obj) -> None:
    """Raise AlreadySubmitted for a key recorded for this very action, refuse one recorded for another."""
    if earlier is None:
        return
    if not _same(earlier, by, action, obj):
        raise DomainError(str(_l("This form was already sent for something else: open the page again and fill it "
                                 "in afresh.")))
    raise AlreadySubmitted(earlier)


def claim_submission(key, *, by, action: str, obj) -> Submission | None:
    """Record that the form with ``key`` is being recorded; raise AlreadySubmitted when it was, even at this moment.

    Call it before changing anything: the unique key lets one of two sendings at once through, and the other,
    once the first is committed, finds it. Without a key (older pages, scripts) nothing is recorded.
    """
    key = submission_key(key)
    if key is None:
        return None
    _check_earlier(db.session.scalar(select(Submission).where(Submission.key == key)), by, action, obj)
    submission = Submission(key=key, user_id=getattr(by, "id", None), action=action, object_type=obj.audit_type,
                            object_id=str(obj.id))
    try:
        with db.session.begin_nested():
            db.session.add(submission)
    except IntegrityError:
        _check_earlier(db.session.scalar(select(Submission).where(Submission.key == key)), by, action, obj)
        raise
    return submission


def recorded_before(action) -> bool:
    """Run ``action``; return True when an earlier sending of the same form had recorded it, False when it did."""
    try:
        action()
    except AlreadySubmitted:
        return True
    return False
