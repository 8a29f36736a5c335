"""Donors, donations (collectes), donor inventories and donor documents."""
from flask import Blueprint

bp = Blueprint("donations", __name__)
#: Its modules that add routes to ``bp`` (imported before the blueprint is registered).
ROUTES = ("views", "import_views")
