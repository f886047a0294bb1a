"""The scoring window: after it closes, scorecards stay as they are until the convenor
reopens scoring for a borough, with a reason that is audited. Drafts are never touched."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from procure import audit
from procure.accounts.models import Organisation
from procure.deadlines import is_past, long_date, utc_now
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.scoring.models import ScoringReopening


def reopening_for(experiment: Experiment, organisation_id: int) -> ScoringReopening | None:
    return db.session.scalar(
        sa.select(ScoringReopening).where(
            ScoringReopening.experiment_id == experiment.id,
            ScoringReopening.organisation_id == organisation_id,
        )
    )


def reopenings(experiment: Experiment) -> dict[int, ScoringReopening]:
    """Organisation id → the reopening that lets it score after the window closed."""
    rows = db.session.scalars(
        sa.select(ScoringReopening).where(ScoringReopening.experiment_id == experiment.id)
    )
    return {r.organisation_id: r for r in rows}


def scoring_closed(experiment: Experiment, now: datetime | None = None) -> bool:
    """Has the scoring window's last day (London) ended?"""
    closes = experiment.scoring_closes_on
    return closes is not None and is_past(closes, now or utc_now())


def scoring_refusal(
    experiment: Experiment, organisation_id: int, now: datetime | None = None
) -> str | None:
    """Why ``organisation_id`` may not submit or change a scorecard now, or None."""
    if not scoring_closed(experiment, now):
        return None
    if reopening_for(experiment, organisation_id) is not None:
        return None
    assert experiment.scoring_closes_on is not None
    return (
        f"Scoring closed on {long_date(experiment.scoring_closes_on)}. Your draft is kept; "
        "ask the convenor to reopen scoring for your organisation"
    )


def reopen_scoring(
    experiment: Experiment, organisation: Organisation, reason: str, actor: Any
) -> ScoringReopening:
    """Let ``organisation`` submit and change scorecards after the window closed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("Enter why scoring is being reopened for this organisation")
    existing = reopening_for(experiment, organisation.id)
    if existing is not None:
        raise ValueError(f"Scoring is already reopened for {organisation.name}")
    reopening = ScoringReopening(
        experiment_id=experiment.id,
        organisation_id=organisation.id,
        reason=reason,
        reopened_by_id=getattr(actor, "id", None),
    )
    db.session.add(reopening)
    db.session.flush()
    audit.record(
        "scoring.reopen",
        reopening,
        experiment_id=experiment.id,
        summary=f"Reopened scoring for {organisation.name} after the window closed",
        changes={"reason": reason},
    )
    return reopening
