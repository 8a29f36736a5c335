"""Structures, users, roles, login and API tokens."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)
