"""Error pages for people and JSON errors for the API."""
from __future__ import annotations

from flask import Flask, jsonify, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from reco.core.errors import DomainError, ValidationFailed
from reco.core.setup import wants_json
from reco.extensions import db


def _messages() -> dict[int, tuple[str, str]]:
    """Return the title and explanation shown for each HTTP error."""
    return {
        400: (_("Bad request"), _("The request could not be understood. Go back and try again.")),
        401: (_("Authentication required"), _("Log in to continue.")),
        403: (_("Access denied"), _("Your account does not give access to this page. "
                                    "Ask your structure's administrator if you need it.")),
        404: (_("Page not found"), _("Nothing exists at this address. Check the address or use the menu.")),
        405: (_("Not allowed"), _("This action cannot be done this way.")),
        409: (_("Conflict"), _("This action conflicts with the current state.")),
        413: (_("File too large"), _("The file sent is larger than allowed.")),
        422: (_("Invalid data"), _("Some of the data sent is not valid.")),
        429: (_("Too many attempts"), _("Too many attempts from this address. Wait a few minutes, then try again.")),
        500: (_("Something went wrong"), _("An unexpected error happened. Nothing was saved. "
                                           "Try again; if it happens again, tell your coordinator.")),
    }


def _error_code(status: int) -> str:
    """Return the machine-readable code of an HTTP status."""
    return {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
            405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
            422: "validation_failed", 429: "too_many_requests"}.get(status, "server_error")


def error_response(status: int, message: str | None = None, **extra):
    """Answer with a JSON error for the API, or an error page for people."""
    title, default = _messages().get(status, _messages()[500])
    message = message or default
    if wants_json():
        return jsonify(error=extra.pop("code", None) or _error_code(status), message=message, **extra), status
    return render_template("errors/error.html", code=status, title=title, message=message), status


def init_error_handlers(app: Flask) -> None:
    """Register the handlers that turn errors into pages or JSON."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        message = _("The form had expired or did not come from Reco, so nothing was saved. "
                    "Go back, reload the page and send the form again.")
        return error_response(400, message, code="csrf_failed")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        message = None
        if status == 401 and wants_json():
            message = _("A valid API token is required (header Authorization: Bearer <token>).")
        return error_response(status, message)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        extra = {"fields": error.fields} if isinstance(error, ValidationFailed) else {}
        return error_response(error.status, error.message, code=error.code, **extra)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error")
        return error_response(500)
