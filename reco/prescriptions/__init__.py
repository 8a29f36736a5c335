"""Prescriptions of devices for households: the social worker's portal, decisions, waiting list, reservations."""
from flask import Blueprint

bp = Blueprint("prescriptions", __name__)
#: Its modules that add routes to ``bp`` (imported before the blueprint is registered).
ROUTES = ("views", "workshop_views", "visit_views", "partner_views", "privacy_views")
