"""The official registry of French communes (COG): names, postcodes, départements, régions and EPCI."""
from flask import Blueprint

bp = Blueprint("communes", __name__)
