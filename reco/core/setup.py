"""Configuration, blueprints and per-request hooks of the application."""
from __future__ import annotations

import importlib
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from reco.config import ensure_instance_folder, load_config
from reco.core.mail import send_queued_mail
from reco.core.responses import conflict_response, error_response, unavailable_response
from reco.extensions import db


def init_config(app: Flask, overrides) -> None:
    """Load settings from the environment, then apply ``overrides``."""
    instance = Path(app.instance_path)
    ensure_instance_folder(instance)
    app.config.update(load_config(instance))
    app.config.update(overrides or {})
    proxies = app.config["RECO_PROXY_COUNT"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


#: Modules that add routes to the blueprints; imported before the blueprints are registered.
ROUTE_MODULES = (
    "reco.core.views", "reco.core.offline",
    "reco.accounts.loader", "reco.accounts.views", "reco.accounts.admin_views",
    "reco.donations.views", "reco.donations.import_views",
    "reco.inventory.views", "reco.inventory.workbench_views", "reco.inventory.place_views",
    "reco.inventory.correction_views", "reco.api.corrections",
    "reco.labels.views", "reco.api.labels",
    "reco.prescriptions.views", "reco.prescriptions.workshop_views", "reco.prescriptions.visit_views",
    "reco.prescriptions.partner_views", "reco.prescriptions.privacy_views", "reco.api.prescriptions", "reco.api.visits",
    "reco.parts.views", "reco.parts.bank_views", "reco.api.parts", "reco.reports.views", "reco.api.reports",
    "reco.communes.views", "reco.communes.display",
    "reco.api.auth", "reco.api.views", "reco.api.donations", "reco.api.devices", "reco.api.workbench",
)


def init_blueprints(app: Flask) -> None:
    """Register every feature's blueprint, with the modules that add routes to it."""
    from reco import accounts, api, communes, core, donations, inventory, labels, parts, prescriptions, reports
    from reco.extensions import csrf

    for module in ROUTE_MODULES:
        importlib.import_module(module)
    for feature in (core, accounts, communes, donations, inventory, labels, prescriptions, parts, reports):
        app.register_blueprint(feature.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    csrf.exempt(api.bp)


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
            return conflict_response()
        except OperationalError:
            db.session.rollback()
            return unavailable_response()
        except SQLAlchemyError:
            db.session.rollback()
            current_app.logger.exception("commit failed")
            return error_response(500)
        send_queued_mail()
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
