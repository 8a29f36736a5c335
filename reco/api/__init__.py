"""JSON API v1 for bench scripts and other software."""
from flask import Blueprint

bp = Blueprint("api", __name__)
#: Its modules that add routes to ``bp``; ``auth`` first: its token check runs before any other hook.
ROUTES = ("auth", "views", "donations", "devices", "workbench", "corrections", "labels", "prescriptions", "visits",
          "parts", "reports")
URL_PREFIX = "/api/v1"
