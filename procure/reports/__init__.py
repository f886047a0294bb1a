"""Reports: PDF packs for an audience, export records, jobs and the canary suite's tools."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from procure.reports import views  # noqa: E402, F401 - routes register on import
