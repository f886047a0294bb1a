"""Governance records of the canary experiment: a share link, whose label is plain text."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from procure.db import utcnow
from procure.governance.services import create_share_link
from procure.sensitivity import Audience, Sensitivity


def canary(ctx: Any) -> None:
    """A public share link to the latest specification version (its label a token)."""
    version = ctx.shared.get("version")
    if version is None:
        return
    create_share_link(
        ctx.experiment,
        audience=Audience.PUBLIC,
        expires_on=utcnow().date() + timedelta(days=30),
        # Labels are the convenor's own list of links: participants level.
        label=f"Canary link {ctx.token(Sensitivity.PARTICIPANTS)}",
        creator=ctx.admin,
        creator_audience=Audience.PARTICIPANTS,
        specification_version_id=version.id,
        spec_format="pdf",
    )
