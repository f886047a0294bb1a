from flask import Blueprint

bp = Blueprint("work", __name__)
