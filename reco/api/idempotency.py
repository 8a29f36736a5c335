"""Requests sent again with the same Idempotency-Key: the first answer is replayed and nothing is recorded twice.

A bench agent that lost its network spools its reports and sends them again later, maybe twice. Each carries a key;
the first success (2xx) is stored with the key, and any later request of the same user with that key and the same
content gets the stored answer back (header ``Idempotent-Replay: true``). A refusal (4xx) is not stored: the same key
can be sent again once the problem is fixed. Two requests with one key at the same moment: the unique (user, key)
lets one through and the other, once the first is committed, replays its answer. Answers are kept KEPT_DAYS days:
a stick that stayed offline longer sends its reports as new ones (each endpoint refuses a duplicate on its own).
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from functools import wraps

from flask import current_app, make_response, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from reco.core.errors import DomainError, ValidationFailed
from reco.core.permissions import acting_user
from reco.core.time import UTCDateTime, utcnow
from reco.extensions import db

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replay"
MAX_KEY_LENGTH = 100
KEPT_DAYS = 90  #: how long a first answer is kept for replays
#: How the OpenAPI document describes the header.
KEY_PARAMETER = {
    "name": HEADER, "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[\\x20-\\x7e]+$"},
    "description": "One key per report (printable ASCII, at most 100 characters), kept through every retry: sent "
                   "again with the same content, the first success is answered again (header Idempotent-Replay: "
                   "true) and nothing is recorded twice; the same key with other content is refused with 422 "
                   "idempotency_key_reused. Refusals are not kept: fix and send again with the same key."}



def replayable(response: dict) -> dict:
    """Return an OpenAPI response that may be a replay, with its Idempotent-Replay header documented."""
    return response | {"headers": {REPLAY_HEADER: {
        "description": "true when this is the stored answer to an earlier request with the same Idempotency-Key",
        "schema": {"type": "string", "enum": ["true"]}}}}


class ApiReply(db.Model):
    """The first successful answer to a request sent with an Idempotency-Key."""

    __tablename__ = "api_replies"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    #: The API endpoint, e.g. "api.post_erasure_log".
    endpoint: Mapped[str] = mapped_column(String(80))
    #: SHA-256 of the endpoint, path, query and body: the same key with other content is refused.
    request_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    #: The Location header of the first answer (what was created), if it had one.
    location: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class KeyReused(DomainError):
    """The key was used for another request: nothing is done."""

    status = 422
    code = "idempotency_key_reused"


def _key() -> str | None:
    """Return the request's Idempotency-Key, or refuse one that is empty, too long or not printable ASCII."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all(" " <= c <= "~" for c in key):
        raise ValidationFailed(str(_l("The Idempotency-Key header is 1 to 100 printable ASCII characters.")),
                               {HEADER: [str(_l("1 to 100 printable ASCII characters"))]})
    return key


def _request_sha256() -> str:
    """Return the fingerprint of what this request asks: endpoint, path, query and body."""
    digest = hashlib.sha256()
    for part in (request.endpoint or "", request.path, json.dumps(sorted(request.args.items(multi=True)))):
        digest.update(part.encode() + b"\0")
    digest.update(request.get_data())  # cached: the view reads the same bytes
    return digest.hexdigest()


def _earlier(user_id: int, key: str) -> ApiReply | None:
    """Return the stored answer of this user's key."""
    return db.session.scalar(select(ApiReply).where(ApiReply.user_id == user_id, ApiReply.key == key))


def _replay(reply: ApiReply, fingerprint: str):
    """Answer again what the first request was answered, or refuse a key sent with other content."""
    if reply.request_sha256 != fingerprint:
        raise KeyReused(str(_l("This Idempotency-Key was already used for another request (other content or "
                               "address): nothing was recorded. Give each report its own key.")))
    response = current_app.response_class(reply.body, status=reply.status, mimetype="application/json")
    response.headers[REPLAY_HEADER] = "true"
    if reply.location:
        response.headers["Location"] = reply.location
    return response


def idempotent(view):
    """Decorate an API view that records something: with an Idempotency-Key, a request is recorded at most once."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        key = _key()
        if key is None:
            return view(*args, **kwargs)
        user_id, fingerprint = acting_user().id, _request_sha256()
        db.session.execute(delete(ApiReply).where(ApiReply.user_id == user_id,
                                                  ApiReply.created_at < utcnow() - timedelta(days=KEPT_DAYS)))
        reply = _earlier(user_id, key)
        if reply is not None:
            return _replay(reply, fingerprint)
        claim = ApiReply(user_id=user_id, key=key, endpoint=request.endpoint, request_sha256=fingerprint,
                         status=0, body="")
        try:
            with db.session.begin_nested():  # another request with this key waits here until it is committed
                db.session.add(claim)
        except IntegrityError:
            reply = _earlier(user_id, key)
            if reply is None:
                raise
            return _replay(reply, fingerprint)
        response = make_response(view(*args, **kwargs))
        if 200 <= response.status_code < 300:
            claim.status, claim.body = response.status_code, response.get_data(as_text=True)
            claim.location = response.headers.get("Location", "")[:500]
        else:  # a refusal is rolled back with everything else; anything else is not kept either
            db.session.delete(claim)
        return response

    return wrapped
