"""Configuration and per-request hooks of the application."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, request
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from reco.config import ensure_instance_folder, load_config
from reco.core.mail import send_queued_mail
from reco.core.responses import conflict_response, error_response, unavailable_response
from reco.core.transactions import end_refused_request
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


def init_request_hooks(app: Flask) -> None:
    """Commit once per request; when the answer is an error, keep nothing (end_refused_request)."""

    @app.after_request
    def finish_transaction(response):
        if response.status_code >= 400:
            end_refused_request()
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
        hsts = current_app.config.get("RECO_HSTS_SECONDS", 0)
        if hsts and (request.is_secure or current_app.config.get("RECO_ENV") == "production"):
            response.headers.setdefault("Strict-Transport-Security", f"max-age={hsts}")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        return response
