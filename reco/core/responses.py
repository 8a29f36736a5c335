"""Answers for errors: an error page for people, JSON for the API."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _


def wants_json() -> bool:
    """Tell whether this request is an API call that expects JSON."""
    return request.path.startswith("/api/")


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


def conflict_response():
    """Answer when someone else changed the same thing at the same moment."""
    message = _("Someone else changed the same thing at the same moment. Nothing was saved: please try again.")
    if wants_json():
        return jsonify(error="conflict", message=message), 409
    return render_template("errors/error.html", code=409, title=_("Conflict"), message=message), 409


def unavailable_response():
    """Answer when the database could not be reached."""
    message = _("The database is not reachable right now. Nothing was saved: please try again in a moment.")
    if wants_json():
        return jsonify(error="unavailable", message=message), 503
    return render_template("errors/error.html", code=503, title=_("Service unavailable"),
                           message=message), 503
