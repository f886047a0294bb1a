"""Scorecards: one organisation's scores of one shortlisted option, saved as a draft,
submitted when complete, reopened only by an admin with a reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from procure import audit
from procure.accounts.models import Organisation
from procure.concurrency import StaleEdit, check_version
from procure.db import utcnow
from procure.experiments.models import Experiment, Participation
from procure.experiments.services import bump_content_version
from procure.extensions import db
from procure.market.models import Option
from procure.scoring.models import SCALE, Criterion, Score, Scorecard
from procure.scoring.window import scoring_refusal
from procure.sensitivity import Sensitivity

# Observers watch; leads and participants score.
SCORING_ROLES = ("lead", "participant")
# A form for a scorecard that does not exist yet posts this version.
NEW_VERSION = 0


@dataclass(frozen=True)
class ScoreEntry:
    """What a person entered for one criterion (score may be missing in a draft)."""

    score: int | None
    reason: str
    sensitivity: Sensitivity


@dataclass(frozen=True)
class Missing:
    """Something a submission lacks: ``what`` is "score" or "reason"."""

    criterion_id: int
    criterion_name: str
    what: str

    @property
    def field(self) -> str:
        return f"{self.what}_{self.criterion_id}"

    @property
    def message(self) -> str:
        if self.what == "score":
            return f"Enter a score for {self.criterion_name}"
        return f"Enter a reason for {self.criterion_name}"


class ScorecardLocked(ValueError):
    """The scorecard has been submitted; only an admin can reopen it."""


class ScoringClosed(ScorecardLocked):
    """The scoring window has closed for this organisation; its draft is kept as it was."""


def scoring_participations(experiment: Experiment) -> list[Participation]:
    """The organisations that score, in the order they joined (a stable, non-alphabetical order)."""
    return list(
        db.session.scalars(
            sa.select(Participation)
            .where(
                Participation.experiment_id == experiment.id,
                Participation.role.in_(SCORING_ROLES),
            )
            .options(
                selectinload(Participation.organisation),
                selectinload(Participation.procurement_lead),
            )
            .order_by(Participation.id)
        )
    )


def shortlisted_options(experiment: Experiment) -> list[Option]:
    return list(
        db.session.scalars(
            sa.select(Option)
            .where(Option.experiment_id == experiment.id, Option.status == "shortlist")
            .order_by(Option.name, Option.id)
        )
    )


def get_shortlisted_option_or_none(experiment: Experiment, option_id: int) -> Option | None:
    option = db.session.get(Option, option_id)
    if option is None or option.experiment_id != experiment.id or option.status != "shortlist":
        return None
    return option


def scoring_organisation_or_none(experiment: Experiment, slug: str) -> Organisation | None:
    """The organisation with ``slug`` if it scores in ``experiment``."""
    return db.session.scalar(
        sa.select(Organisation)
        .join(Participation, Participation.organisation_id == Organisation.id)
        .where(
            Organisation.slug == slug,
            Participation.experiment_id == experiment.id,
            Participation.role.in_(SCORING_ROLES),
        )
    )


def scorecard_of(option: Option, organisation: Organisation) -> Scorecard | None:
    return db.session.scalar(
        sa.select(Scorecard)
        .where(Scorecard.option_id == option.id, Scorecard.organisation_id == organisation.id)
        .options(selectinload(Scorecard.scores))
    )


def scorecards_of_organisation(
    experiment: Experiment, organisation: Organisation
) -> list[Scorecard]:
    return list(
        db.session.scalars(
            sa.select(Scorecard)
            .where(
                Scorecard.experiment_id == experiment.id,
                Scorecard.organisation_id == organisation.id,
            )
            .options(selectinload(Scorecard.scores))
        )
    )


def missing_items(
    scorecard: Scorecard | None, criteria: Sequence[Criterion], reasons_required: bool
) -> list[Missing]:
    """What stops ``scorecard`` from being submitted, in form order."""
    by_criterion = {s.criterion_id: s for s in scorecard.scores} if scorecard else {}
    missing = []
    for criterion in criteria:
        score = by_criterion.get(criterion.id)
        if score is None or score.score is None:
            missing.append(Missing(criterion.id, criterion.name, "score"))
        if reasons_required and (score is None or not score.reason.strip()):
            missing.append(Missing(criterion.id, criterion.name, "reason"))
    return missing


def saved_values(scorecard: Scorecard | None, criteria: Sequence[Criterion]) -> dict[str, str]:
    """The saved scorecard in plain words, for the conflict panel (editors read at participants)."""
    if scorecard is None:
        return {}
    by_criterion = {s.criterion_id: s for s in scorecard.scores}
    values = {"Status": scorecard.status.capitalize()}
    for criterion in criteria:
        score = by_criterion.get(criterion.id)
        if score is None:
            values[criterion.name] = "Not scored"
            continue
        figure = "Not scored" if score.score is None else f"{score.score} – {SCALE[score.score]}"
        values[criterion.name] = f"{figure}. Reason: {score.reason or '(none)'}"
    return values


def save_scorecard(
    experiment: Experiment,
    option: Option,
    organisation: Organisation,
    criteria: Sequence[Criterion],
    entries: Mapping[int, ScoreEntry],
    version: int | None,
    user: Any,
    *,
    submit: bool = False,
    now: datetime | None = None,
) -> tuple[Scorecard, list[Missing]]:
    """Save a draft, and submit it when asked and complete.

    Raises ``StaleEdit`` (with the saved values) when ``version`` is not the current one
    (``NEW_VERSION`` for a scorecard that does not exist yet), and ``ScorecardLocked``
    when the scorecard has been submitted. Returns the scorecard and, when a submission
    was asked for, what is missing (empty when it was submitted). Raises ``ScoringClosed``,
    before anything changes, once the scoring window has closed for the organisation.
    """
    if (refusal := scoring_refusal(experiment, organisation.id, now)) is not None:
        raise ScoringClosed(refusal)
    scorecard = scorecard_of(option, organisation)
    if scorecard is None:
        if version != NEW_VERSION:
            raise StaleEdit(None, {"Status": "Not started"})
        scorecard = Scorecard(
            experiment_id=experiment.id,
            option=option,
            organisation=organisation,
            status="draft",
        )
        db.session.add(scorecard)
    else:
        if version != scorecard.version:
            raise StaleEdit(scorecard, saved_values(scorecard, criteria))
        if scorecard.status == "submitted":
            raise ScorecardLocked("This scorecard has been submitted; an admin must reopen it")
    by_criterion = {s.criterion_id: s for s in scorecard.scores}
    for criterion in criteria:
        entry = entries.get(criterion.id)
        if entry is None:
            continue
        if entry.score is not None and not 0 <= entry.score <= 5:
            raise ValueError("Scores run from 0 to 5")
        score = by_criterion.get(criterion.id)
        if score is None:
            score = Score(criterion=criterion)
            scorecard.scores.append(score)
        score.score = entry.score
        score.reason = entry.reason.strip()
        score.reason_sensitivity = entry.sensitivity
    # Scores are child rows: touch the scorecard so its version moves with every save.
    scorecard.updated_at = utcnow()
    db.session.flush()
    missing = missing_items(scorecard, criteria, experiment.reasons_required) if submit else []
    if submit and not missing:
        _mark_submitted(scorecard, user)
    else:
        audit.record(
            "scorecard.save",
            scorecard,
            summary=f"Saved {organisation.name}'s draft scorecard for {option.name}",
        )
    bump_content_version(experiment)
    return scorecard, missing


def _mark_submitted(scorecard: Scorecard, user: Any) -> None:
    scorecard.status = "submitted"
    scorecard.submitted_at = utcnow()
    scorecard.submitted_by_id = user.id
    db.session.flush()
    audit.record(
        "scorecard.submit",
        scorecard,
        summary=(
            f"{scorecard.organisation.name} submitted its scorecard for {scorecard.option.name}"
        ),
        changes={"status": ["draft", "submitted"]},
    )


def submit_scorecard(
    scorecard: Scorecard, criteria: Sequence[Criterion], version: int | None, user: Any
) -> list[Missing]:
    """Submit a saved draft after its organisation checked its answers.

    Raises ``StaleEdit`` when the draft changed since the check page was shown and
    ``ScorecardLocked`` when it is already submitted; returns what is missing (and
    leaves the draft alone) when it is incomplete.
    """
    if version != scorecard.version:
        raise StaleEdit(scorecard, saved_values(scorecard, criteria))
    if scorecard.status == "submitted":
        raise ScorecardLocked("This scorecard has been submitted; an admin must reopen it")
    missing = missing_items(scorecard, criteria, scorecard.experiment.reasons_required)
    if not missing:
        _mark_submitted(scorecard, user)
        bump_content_version(scorecard.experiment)
    return missing


def reopen_scorecard(scorecard: Scorecard, reason: str, version: int | None) -> Scorecard:
    """Return a submitted scorecard to draft so its organisation can change it."""
    reason = reason.strip()
    if not reason:
        raise ValueError("Enter why the scorecard is being reopened")
    check_version(scorecard, version, ["status"])
    if scorecard.status != "submitted":
        raise ScorecardLocked("This scorecard is not submitted, so it is already open")
    scorecard.status = "draft"
    scorecard.reopened_reason = reason
    db.session.flush()
    audit.record(
        "scorecard.reopen",
        scorecard,
        summary=f"Reopened {scorecard.organisation.name}'s scorecard for {scorecard.option.name}",
        changes={"status": ["submitted", "draft"], "reason": reason},
    )
    bump_content_version(scorecard.experiment)
    return scorecard


@dataclass(frozen=True)
class TaskRow:
    option_id: int
    option_name: str
    status: str  # "not started" | "draft" | "submitted"
    scored: int
    total: int


@dataclass(frozen=True)
class TaskList:
    organisation_name: str
    organisation_slug: str
    rows: tuple[TaskRow, ...]

    @property
    def submitted(self) -> int:
        return sum(1 for row in self.rows if row.status == "submitted")

    @property
    def progress(self) -> str:
        return f"{self.submitted} of {len(self.rows)} options submitted"


def task_list(
    experiment: Experiment, organisation: Organisation, criteria: Sequence[Criterion]
) -> TaskList:
    """An organisation's scorecards for every shortlisted option, with its progress.

    Option names are shown as they are to the people who score (participants).
    """
    cards = {c.option_id: c for c in scorecards_of_organisation(experiment, organisation)}
    criterion_ids = {c.id for c in criteria}
    rows = []
    for option in shortlisted_options(experiment):
        card = cards.get(option.id)
        scored = (
            sum(1 for s in card.scores if s.criterion_id in criterion_ids and s.score is not None)
            if card
            else 0
        )
        rows.append(
            TaskRow(
                option.id,
                option.name,
                card.status if card else "not started",
                scored,
                len(criteria),
            )
        )
    return TaskList(organisation.name, organisation.slug, tuple(rows))


def submission_counts(experiment: Experiment) -> dict[int, int]:
    """Organisation id → number of shortlisted options it has submitted a scorecard for."""
    rows = db.session.execute(
        sa.select(Scorecard.organisation_id, sa.func.count(Scorecard.id))
        .join(Option, Option.id == Scorecard.option_id)
        .where(
            Scorecard.experiment_id == experiment.id,
            Scorecard.status == "submitted",
            Option.status == "shortlist",
        )
        .group_by(Scorecard.organisation_id)
    ).all()
    return {org_id: count for org_id, count in rows}
