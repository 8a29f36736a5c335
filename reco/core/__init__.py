"""What every feature uses: permissions, audit events, errors, scanning, layout."""
from flask import Blueprint

bp = Blueprint("core", __name__)

from reco.core import views  # noqa: E402,F401
