"""Barcoded labels: formats described by files in labels/, and PDFs that print at the right size."""
from flask import Blueprint

bp = Blueprint("labels", __name__)
#: Its modules that add routes to ``bp`` (imported before the blueprint is registered).
ROUTES = ("views",)
