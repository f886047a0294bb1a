"""From experiment to tender: the UK2 notice draft and its OCDS release package."""

from flask import Blueprint

bp = Blueprint("procurement", __name__)

from procure.procurement import (  # noqa: E402, F401 - routes register on import
    conflict_views,
    engagement_views,
    handover_views,
    views,
)
