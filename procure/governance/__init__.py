from flask import Blueprint

bp = Blueprint("governance", __name__)
