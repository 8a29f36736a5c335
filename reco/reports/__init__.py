"""Figures for funders and donors: dashboards, exports, donor reports, the annual activity report."""
from flask import Blueprint

bp = Blueprint("reports", __name__)
#: Its modules that add routes to ``bp`` (imported before the blueprint is registered).
ROUTES = ("views",)
