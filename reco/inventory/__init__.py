"""Devices, drives and their life at the workbench."""
from flask import Blueprint

bp = Blueprint("inventory", __name__)
#: Its modules that add routes to ``bp`` (imported before the blueprint is registered).
ROUTES = ("views", "workbench_views", "place_views", "correction_views")
