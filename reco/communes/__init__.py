"""The official registry of French communes (COG): names, postcodes, départements, régions and EPCI."""
from flask import Blueprint

bp = Blueprint("communes", __name__)
#: Its modules that add routes to ``bp`` (imported before the blueprint is registered).
ROUTES = ("views", "display")
