"""Error pages for people and JSON errors for the API."""
from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from reco.core.errors import DomainError, ValidationFailed
from reco.core.responses import conflict_response, error_response, unavailable_response, wants_json
from reco.core.transactions import end_refused_request
from reco.extensions import db


def init_error_handlers(app: Flask) -> None:
    """Register the handlers that turn errors into pages or JSON."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        message = _("The form had expired or did not come from Reco, so nothing was saved. "
                    "Go back, reload the page and send the form again.")
        return error_response(400, message, code="csrf_failed")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        end_refused_request()
        status = error.code or 500
        message = None
        if status == 401 and wants_json():
            message = _("A valid API token is required (header Authorization: Bearer <token>).")
        return error_response(status, message)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        end_refused_request()
        extra = {"fields": error.fields} if isinstance(error, ValidationFailed) else {}
        extra |= {key: error.details[key] for key in error.shown_details if key in error.details}
        return error_response(error.status, error.message, code=error.code, **extra)

    @app.errorhandler(IntegrityError)
    def integrity_error(error: IntegrityError):
        db.session.rollback()
        return conflict_response()

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        db.session.rollback()
        app.logger.warning("database error: %s", error)
        return unavailable_response()

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error")
        return error_response(500)
