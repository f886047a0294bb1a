from flask import Blueprint

bp = Blueprint("governance", __name__)

from procure.governance import views  # noqa: E402, F401 - routes register on import
