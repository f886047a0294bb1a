from flask import Blueprint

bp = Blueprint("experiments", __name__)

from procure.experiments import views  # noqa: E402, F401 - routes register on import
