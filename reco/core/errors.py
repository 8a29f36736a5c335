"""Domain errors that views show as messages and the API turns into JSON."""
from __future__ import annotations


class DomainError(Exception):
    """A rule refused an action; nothing was changed. Shown as 409 by the API."""

    status = 409
    code = "conflict"
    #: Keys of ``details`` the API adds to its JSON answer.
    shown_details: tuple[str, ...] = ()

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class ValidationFailed(DomainError):
    """Input did not pass validation; ``fields`` maps each field to its messages."""

    status = 422
    code = "validation_failed"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.fields = fields or {}


class NotFound(DomainError):
    """The object asked for does not exist."""

    status = 404
    code = "not_found"


class Forbidden(DomainError):
    """The user (or their token) may not do this; the message says why."""

    status = 403
    code = "forbidden"
