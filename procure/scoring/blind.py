"""Blind scoring: until a borough has submitted its own scorecards, its people see no
other borough's scores.

A borough's early scores would otherwise anchor everyone who scores after it. The rule
holds for the people of a scoring organisation (role lead or participant) while scoring
is open (the experiment has not moved past the scoring stage) and their organisation
has not yet submitted a scorecard for every shortlisted option. Convenor staff and
observers see everything; so does everyone once scoring has closed.

Everyone else — visitors, people of other organisations, and every PDF or file made for the
public or members while scoring is open — sees no borough's scores at all (an "outsider"
blind): a blind lead must not be able to read the other boroughs' means signed out.

Pages and exports ask :func:`blind_for` once and load their scoring data for the
reader's own organisation only, so nothing about another borough reaches a template.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from procure.experiments.models import STAGES, Experiment, Participation
from procure.extensions import db
from procure.market.models import Option
from procure.permissions import is_admin, participation_of
from procure.scoring.models import Scorecard
from procure.scoring.scorecards import SCORING_ROLES
from procure.sensitivity import Audience

#: Stages in which scoring is still open: later stages have closed it.
OPEN_STAGES = STAGES[: STAGES.index("scoring") + 1]


@dataclass(frozen=True)
class Blind:
    """Why a reader sees only their own borough's scores, and how far everyone has got."""

    organisation_id: int | None  # None: an outsider, who sees no borough's scores
    organisation: str
    own_submitted: int
    options_total: int
    boroughs_submitted: int  # boroughs that have submitted every shortlisted option
    boroughs_total: int


def _submitted_counts(experiment: Experiment, option_ids: list[int]) -> dict[int, int]:
    """Organisation id → submitted scorecards of the shortlisted options."""
    rows = db.session.execute(
        sa.select(Scorecard.organisation_id, sa.func.count(Scorecard.id))
        .where(
            Scorecard.experiment_id == experiment.id,
            Scorecard.option_id.in_(option_ids),
            Scorecard.status == "submitted",
        )
        .group_by(Scorecard.organisation_id)
    )
    return {org_id: count for org_id, count in rows}


def _blind(experiment: Experiment, organisation_id: int | None, organisation: str) -> Blind | None:
    if experiment.stage not in OPEN_STAGES:
        return None
    option_ids = list(
        db.session.scalars(
            sa.select(Option.id).where(
                Option.experiment_id == experiment.id, Option.status == "shortlist"
            )
        )
    )
    if not option_ids:
        return None
    counts = _submitted_counts(experiment, option_ids)
    own = counts.get(organisation_id, 0) if organisation_id is not None else 0
    if organisation_id is not None and own >= len(option_ids):
        return None
    scoring = list(
        db.session.scalars(
            sa.select(Participation.organisation_id).where(
                Participation.experiment_id == experiment.id,
                Participation.role.in_(SCORING_ROLES),
            )
        )
    )
    return Blind(
        organisation_id=organisation_id,
        organisation=organisation,
        own_submitted=own,
        options_total=len(option_ids),
        boroughs_submitted=sum(1 for org in scoring if counts.get(org, 0) >= len(option_ids)),
        boroughs_total=len(scoring),
    )


def outsider_blind(experiment: Experiment) -> Blind | None:
    """While scoring is open, readers outside it see no borough's scores (None once closed)."""
    return _blind(experiment, None, "")


def report_blind(experiment: Experiment, audience: Audience) -> Blind | None:
    """Files for the public or members carry no scores while scoring is open; a participants'
    copy is the convenor's deliberate choice (moderation packs) and carries them."""
    return outsider_blind(experiment) if audience < Audience.PARTICIPANTS else None


def blind_for(user: Any, experiment: Experiment) -> Blind | None:
    """The blind that applies to ``user`` reading ``experiment``'s scores, or None."""
    if is_admin(user) or experiment.stage not in OPEN_STAGES:
        return None
    part = participation_of(user, experiment)
    if part is None:
        return outsider_blind(experiment)
    if part.role not in SCORING_ROLES:
        return None
    return _blind(experiment, part.organisation_id, part.organisation.name)


def sees_all_early(user: Any, experiment: Experiment) -> bool:
    """Convenor staff and observers read every score while scoring is open."""
    if experiment.stage not in OPEN_STAGES:
        return False
    if is_admin(user):
        return True
    part = participation_of(user, experiment)
    return part is not None and part.role == "observer"
