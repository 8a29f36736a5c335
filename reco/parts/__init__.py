"""The parts bank: a catalogue of part types, each workshop's stock as a ledger, and exchanges between workshops."""
from flask import Blueprint

bp = Blueprint("parts", __name__)
#: Its modules that add routes to ``bp`` (imported before the blueprint is registered).
ROUTES = ("views", "bank_views")
