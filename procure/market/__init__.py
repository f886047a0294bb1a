"""The market scan: options, each organisation's current contract, and the alignment planner."""

from flask import Blueprint

bp = Blueprint("market", __name__)
