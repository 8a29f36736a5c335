"""Barcoded labels: formats described by files in labels/, and PDFs that print at the right size."""
from flask import Blueprint

bp = Blueprint("labels", __name__)
