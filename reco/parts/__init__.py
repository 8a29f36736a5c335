"""The parts bank: a catalogue of part types, each workshop's stock as a ledger, and exchanges between workshops."""
from flask import Blueprint

bp = Blueprint("parts", __name__)
