from flask import Blueprint

bp = Blueprint("experiments", __name__)
