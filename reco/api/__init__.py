"""JSON API v1 for bench scripts and other software."""
from flask import Blueprint

bp = Blueprint("api", __name__)
