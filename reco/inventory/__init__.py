"""Devices, drives and their life at the workbench."""
from flask import Blueprint

bp = Blueprint("inventory", __name__)
