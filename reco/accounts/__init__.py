"""Structures, users, roles, login and API tokens."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)
#: Its modules that add routes to ``bp`` (imported before the blueprint is registered).
ROUTES = ("loader", "views", "admin_views")
