"""Email: messages built from read models, an outbox, and the transports that send it."""

from flask import Blueprint

bp = Blueprint("mail", __name__)

from procure.mail import views  # noqa: E402, F401 - routes register on import
