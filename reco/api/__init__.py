"""JSON API v1 for bench scripts and other software."""
from flask import Blueprint, current_app, request

bp = Blueprint("api", __name__)
#: Its modules that add routes to ``bp``; ``auth`` first: its token check runs before any other hook.
ROUTES = ("auth", "views", "donations", "devices", "workbench", "corrections", "labels", "prescriptions", "visits",
          "parts", "reports")
URL_PREFIX = "/api/v1"
#: The modules whose answers hold households' personal data, never kept in a cache.
PERSONAL_DATA_ROUTES = ("prescriptions", "visits")


@bp.after_request
def not_stored(response):
    """Keep the answers about households out of every cache."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and view.__module__.rsplit(".", 1)[-1] in PERSONAL_DATA_ROUTES:
        response.headers["Cache-Control"] = "no-store"
    return response
