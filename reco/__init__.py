"""Reco: the refurbished-computer pipeline of a digital-inclusion network."""
from __future__ import annotations

import importlib
from typing import Any

from flask import Flask

from reco.config import PROJECT_ROOT

#: The features, each a package with its blueprint ``bp`` and the modules adding its routes (``ROUTES``).
FEATURES = ("core", "accounts", "communes", "donations", "inventory", "labels", "prescriptions", "parts", "reports",
            "api")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask application; ``config`` overrides the environment's settings."""
    app = Flask(__name__, template_folder=str(PROJECT_ROOT / "templates"),
                instance_path=str(PROJECT_ROOT / "instance"))
    from reco.cli import init_cli
    from reco.core.error_summary import init_error_summary
    from reco.core.errorhandlers import init_error_handlers
    from reco.core.inputs import init_inputs
    from reco.core.setup import init_config, init_request_hooks
    from reco.extensions import init_extensions
    from reco.labels.formats import report_label_problems

    init_config(app, config)
    init_extensions(app)
    init_inputs(app)
    init_blueprints(app)
    init_request_hooks(app)
    init_error_handlers(app)
    init_error_summary(app)
    init_cli(app)
    report_label_problems(app)
    return app


def init_blueprints(app: Flask) -> None:
    """Register every feature's blueprint once the modules that add its routes are imported."""
    from reco.extensions import csrf

    for name in FEATURES:
        feature = importlib.import_module(f"reco.{name}")
        for module in feature.ROUTES:
            importlib.import_module(f"reco.{name}.{module}")
        app.register_blueprint(feature.bp, url_prefix=getattr(feature, "URL_PREFIX", None))
    csrf.exempt(importlib.import_module("reco.api").bp)
