"""Donors, donations (collectes), donor inventories and donor documents."""
from flask import Blueprint

bp = Blueprint("donations", __name__)
