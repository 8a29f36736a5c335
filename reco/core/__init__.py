"""What every feature uses: permissions, audit events, errors, scanning, layout."""
from flask import Blueprint

bp = Blueprint("core", __name__)
#: Its modules that add routes to ``bp`` (imported before the blueprint is registered).
ROUTES = ("views", "offline")
