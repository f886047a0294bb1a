"""Email: messages built from read models, an outbox, and the transports that send it."""

from flask import Blueprint

bp = Blueprint("mail", __name__)
