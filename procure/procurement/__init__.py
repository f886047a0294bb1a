"""From experiment to tender: the UK2 notice draft and its OCDS release package."""

from flask import Blueprint

bp = Blueprint("procurement", __name__)
