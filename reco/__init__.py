"""Reco: the refurbished-computer pipeline of a digital-inclusion network."""
from __future__ import annotations

from typing import Any

from flask import Flask

from reco.config import PROJECT_ROOT


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask application; ``config`` overrides the environment's settings."""
    app = Flask(__name__, template_folder=str(PROJECT_ROOT / "templates"),
                instance_path=str(PROJECT_ROOT / "instance"))
    from reco.cli import init_cli
    from reco.core.error_summary import init_error_summary
    from reco.core.errorhandlers import init_error_handlers
    from reco.core.inputs import init_inputs
    from reco.core.setup import init_blueprints, init_config, init_request_hooks
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
