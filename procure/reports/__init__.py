"""Reports: PDF packs for an audience, export records, jobs and the canary suite's tools."""

from flask import Blueprint

bp = Blueprint("reports", __name__)
