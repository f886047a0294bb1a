"""The market scan: options, each organisation's current contract, and the alignment planner."""

from flask import Blueprint

bp = Blueprint("market", __name__)

from procure.market import (  # noqa: E402, F401 - routes register on import
    import_views,
    landscape_views,
    views,
)
