"""Prescriptions of devices for households: the social worker's portal, decisions, waiting list, reservations."""
from flask import Blueprint

bp = Blueprint("prescriptions", __name__)
