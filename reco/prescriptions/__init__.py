"""Prescriptions of devices for households: the social worker's portal, decisions, waiting list, reservations."""
from flask import Blueprint

bp = Blueprint("prescriptions", __name__)
#: Its modules that add routes to ``bp`` (imported before the blueprint is registered).
ROUTES = ("views", "workshop_views", "visit_views", "partner_views", "privacy_views")


@bp.after_request
def not_stored(response):
    """Keep households' pages and files out of every cache: each shows or holds personal data."""
    response.headers["Cache-Control"] = "no-store"
    return response
