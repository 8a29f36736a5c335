"""What every feature uses: permissions, audit events, errors, scanning, layout."""
from flask import Blueprint

bp = Blueprint("core", __name__)
