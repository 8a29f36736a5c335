"""Figures for funders and donors: dashboards, exports, donor reports, the annual activity report."""
from flask import Blueprint

bp = Blueprint("reports", __name__)
