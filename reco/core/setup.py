"""Configuration, blueprints and per-request hooks of the application."""
from __future__ import annotations

import importlib
from pathlib import Path

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, OperationalError

from reco.config import ensure_instance_folder, load_config
from reco.extensions import db


def init_config(app: Flask, overrides) -> None:
    """Load settings from the environment, then apply ``overrides``."""
    instance = Path(app.instance_path)
    ensure_instance_folder(instance)
    app.config.update(load_config(instance))
    app.config.update(overrides or {})


#: Modules that add routes to the blueprints; imported before the blueprints are registered.
ROUTE_MODULES = (
    "reco.core.views",
    "reco.accounts.loader", "reco.accounts.views", "reco.accounts.admin_views",
    "reco.donations.views", "reco.donations.import_views",
    "reco.inventory.views",
    "reco.api.auth", "reco.api.views", "reco.api.donations", "reco.api.devices",
)


def init_blueprints(app: Flask) -> None:
    """Register every feature's blueprint, with the modules that add routes to it."""
    from reco import accounts, api, core, donations, inventory
    from reco.extensions import csrf

    for module in ROUTE_MODULES:
        importlib.import_module(module)
    for feature in (core, accounts, donations, inventory):
        app.register_blueprint(feature.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    csrf.exempt(api.bp)


def wants_json() -> bool:
    """Tell whether this request is an API call that expects JSON."""
    return request.path.startswith("/api/")


def init_request_hooks(app: Flask) -> None:
    """Commit once per request, or roll back when the answer is an error."""

    @app.after_request
    def finish_transaction(response):
        if response.status_code >= 400:
            db.session.rollback()
            return response
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return _conflict_response()
        except OperationalError:
            db.session.rollback()
            return _unavailable_response()
        return response

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        return response


def _conflict_response():
    """Answer when someone else changed the same thing at the same moment."""
    message = _("Someone else changed the same thing at the same moment. Nothing was saved: please try again.")
    if wants_json():
        return jsonify(error="conflict", message=message), 409
    return render_template("errors/error.html", code=409, title=_("Conflict"), message=message), 409


def _unavailable_response():
    """Answer when the database could not be reached."""
    message = _("The database is not reachable right now. Nothing was saved: please try again in a moment.")
    if wants_json():
        return jsonify(error="unavailable", message=message), 503
    return render_template("errors/error.html", code=503, title=_("Service unavailable"),
                           message=message), 503
