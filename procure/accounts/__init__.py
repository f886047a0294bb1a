from flask import Blueprint

bp = Blueprint("accounts", __name__)

from procure.accounts import self_service, views  # noqa: E402, F401 - routes register on import
