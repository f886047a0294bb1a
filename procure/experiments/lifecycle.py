"""The stage machine: framing → market_scan → scoring → requirements → decision → closed.

Moving forward passes a gate; a refused move says what is missing, as a list
of things a person can go and fix. An admin may override a gate with a reason,
and may move back with a reason. Every move is recorded as a
``StageTransition`` and an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from procure import audit
from procure.deadlines import long_date
from procure.experiments.models import (
    STAGE_LABELS,
    STAGES,
    Experiment,
    Participation,
    StageTransition,
)
from procure.experiments.services import bump_content_version
from procure.extensions import db
from procure.market.models import Option
from procure.procurement.conflicts import scorers_without_current_assessment
from procure.requirements.models import SpecificationVersion
from procure.scoring.models import DIMENSIONS, Criterion, Scorecard
from procure.scoring.window import scoring_closed


@dataclass(frozen=True)
class Missing:
    """One thing a gate still needs, with the endpoint where it can be put right."""

    text: str
    endpoint: str | None = None


class StageError(ValueError):
    """A move that cannot happen; ``missing`` lists what the gate still needs."""

    def __init__(self, message: str, missing: list[Missing] | None = None) -> None:
        super().__init__(message)
        self.missing = missing or []


def next_stage(stage: str) -> str | None:
    i = STAGES.index(stage)
    return STAGES[i + 1] if i + 1 < len(STAGES) else None


def _shortlist_ids(experiment: Experiment) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Option.id).where(
                Option.experiment_id == experiment.id, Option.status == "shortlist"
            )
        )
    )


def gate_into(experiment: Experiment, stage: str) -> list[Missing]:
    """What is still missing before ``experiment`` may move forward into ``stage``."""
    missing: list[Missing] = []
    if stage == "scoring":
        shortlist = _shortlist_ids(experiment)
        if len(shortlist) < 2:
            missing.append(
                Missing(
                    f"At least two options on the shortlist (there are {len(shortlist)})",
                    "market.index",
                )
            )
        counts = dict(
            db.session.execute(
                sa.select(Criterion.dimension, sa.func.count())
                .where(Criterion.experiment_id == experiment.id)
                .group_by(Criterion.dimension)
            ).all()
        )
        for dimension in DIMENSIONS:
            if not counts.get(dimension):
                missing.append(Missing(f"At least one {dimension} criterion", "scoring.criteria"))
    elif stage == "requirements":
        shortlist = _shortlist_ids(experiment)
        submitted = set(
            db.session.execute(
                sa.select(Scorecard.organisation_id, Scorecard.option_id).where(
                    Scorecard.experiment_id == experiment.id, Scorecard.status == "submitted"
                )
            ).all()
        )
        scorers = db.session.scalars(
            sa.select(Participation)
            .where(Participation.experiment_id == experiment.id, Participation.role != "observer")
            .order_by(Participation.id)
        ).all()
        late = ""
        if scoring_closed(experiment):
            assert experiment.scoring_closes_on is not None
            late = f" (late: scoring closed on {long_date(experiment.scoring_closes_on)})"
        for part in scorers:
            outstanding = [o for o in shortlist if (part.organisation_id, o) not in submitted]
            if outstanding:
                missing.append(
                    Missing(
                        f"{part.organisation.name} has not submitted {len(outstanding)} of "
                        f"{len(shortlist)} shortlisted options{late}",
                        "scoring.dashboard",
                    )
                )
    elif stage == "decision":
        published = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SpecificationVersion)
            .where(SpecificationVersion.experiment_id == experiment.id)
        )
        if not published:
            missing.append(Missing("A published specification version", "requirements.versions"))
    elif stage == "closed":
        # Section 83: a conflicts assessment, kept current, for everyone who scored. A
        # count only: the gate is shown to every reader, and names are personal data.
        lacking = scorers_without_current_assessment(experiment)
        if lacking:
            missing.append(
                Missing(
                    f"A current conflicts assessment for everyone who scored "
                    f"({len(lacking)} still needed)",
                    "procurement.conflicts",
                )
            )
    return missing


def gates(experiment: Experiment) -> dict[str, list[Missing]]:
    """For the step indicator: what each later stage's gate still needs."""
    current = STAGES.index(experiment.stage)
    return {stage: gate_into(experiment, stage) for stage in STAGES[current + 1 :]}


def move_stage(
    experiment: Experiment, to_stage: str, *, reason: str = "", override: bool = False
) -> StageTransition:
    """Move ``experiment`` to ``to_stage``, enforcing gates; flushes and audits the move."""
    if to_stage not in STAGES:
        raise StageError(f"Unknown stage {to_stage!r}")
    if to_stage == experiment.stage:
        raise StageError(f"The experiment is already at {STAGE_LABELS[to_stage]}")
    forward = STAGES.index(to_stage) > STAGES.index(experiment.stage)
    reason = reason.strip()
    if not forward and not reason:
        raise StageError("Give a reason for moving back a stage")
    if forward and STAGES.index(to_stage) != STAGES.index(experiment.stage) + 1:
        raise StageError("Move forward one stage at a time, so every gate is checked")
    missing = gate_into(experiment, to_stage) if forward else []
    if missing and not override:
        raise StageError(f"{STAGE_LABELS[to_stage]} cannot start yet", missing)
    if missing and override and not reason:
        raise StageError("Give a reason for overriding the gate", missing)
    transition = StageTransition(
        experiment_id=experiment.id,
        from_stage=experiment.stage,
        to_stage=to_stage,
        reason=reason,
        overridden=bool(missing and override),
        actor_id=audit.current_actor_id(),
    )
    db.session.add(transition)
    before = experiment.stage
    experiment.stage = to_stage
    bump_content_version(experiment)
    db.session.flush()
    audit.record(
        "experiment.stage",
        experiment,
        summary=f"Moved from {STAGE_LABELS[before]} to {STAGE_LABELS[to_stage]}"
        + (" (gate overridden)" if transition.overridden else ""),
        changes={
            "stage": [before, to_stage],
            "reason": reason,
            "overridden": transition.overridden,
            "missing": [m.text for m in missing],
        },
    )
    return transition


def transitions(experiment: Experiment) -> list[StageTransition]:
    return list(
        db.session.scalars(
            sa.select(StageTransition)
            .where(StageTransition.experiment_id == experiment.id)
            .order_by(StageTransition.id.desc())
        )
    )
