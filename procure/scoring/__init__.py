from flask import Blueprint

bp = Blueprint("scoring", __name__)

from procure.scoring import scorecard_views, views  # noqa: E402, F401 - routes register on import
