from flask import Blueprint

bp = Blueprint("workshops", __name__)

from procure.workshops import views  # noqa: E402, F401 - routes register on import
