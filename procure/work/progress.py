"""The convenor's Progress page: each organisation × each task, with its state, its last
activity and the due date. A fixed number of grouped queries, whatever the number of
organisations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from procure.audit import AuditEvent
from procure.deadlines import LONDON, Due, due, london_day, utc_now
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.requirements.models import Endorsement, Requirement
from procure.requirements.services import endorsing_participations
from procure.scoring.models import Declaration
from procure.scoring.scorecards import SCORING_ROLES, shortlisted_options, submission_counts
from procure.scoring.window import reopenings
from procure.workshops.models import Workshop, WorkshopAction


@dataclass(frozen=True)
class TaskState:
    """One cell: what is done of what is asked, and a one-word state for the tag."""

    label: str
    state: str  # "done" | "in progress" | "not started" | "late" | "none"

    @property
    def tag_class(self) -> str:
        return {
            "done": "govuk-tag--green",
            "in progress": "govuk-tag--light-blue",
            "not started": "govuk-tag--grey",
            "late": "govuk-tag--red",
        }.get(self.state, "govuk-tag--grey")


@dataclass(frozen=True)
class ProgressRow:
    organisation_name: str
    organisation_slug: str
    declaration: TaskState
    scorecards: TaskState
    endorsements: TaskState
    actions: TaskState
    last_activity: str  # London time, or "" when nothing was done
    behind: bool
    reopened: bool


@dataclass(frozen=True)
class Progress:
    rows: tuple[ProgressRow, ...]
    scoring_due: Due | None
    endorsements_due: Due | None

    @property
    def behind(self) -> int:
        return sum(1 for r in self.rows if r.behind)


def _state(done: int, total: int, late: bool) -> TaskState:
    if total == 0:
        return TaskState("Nothing asked", "none")
    label = f"{done} of {total}"
    if done >= total:
        return TaskState(label, "done")
    if late:
        return TaskState(label, "late")
    return TaskState(label, "in progress" if done else "not started")


def _london(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.replace(tzinfo=UTC).astimezone(LONDON)
    return f"{local.day} {local:%B %Y}, {local:%H:%M}"


def build_progress(experiment: Experiment, now: datetime | None = None) -> Progress:
    """Every scoring or endorsing organisation with the state of each of its tasks."""
    now = now or utc_now()
    today = london_day(now)
    parts = endorsing_participations(experiment)
    scoring_due = due(experiment.scoring_closes_on, now)
    endorsements_due = due(experiment.endorsements_due_on, now)
    scoring_late = scoring_due is not None and scoring_due.overdue
    endorse_late = endorsements_due is not None and endorsements_due.overdue

    declared_users = set(
        db.session.scalars(
            sa.select(Declaration.user_id).where(Declaration.experiment_id == experiment.id)
        )
    )
    shortlist = len(shortlisted_options(experiment))
    submitted = submission_counts(experiment)
    agreed = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Requirement)
        .where(Requirement.experiment_id == experiment.id, Requirement.status == "agreed")
    )
    endorsed = dict(
        db.session.execute(
            sa.select(Endorsement.organisation_id, sa.func.count())
            .join(Requirement, Requirement.id == Endorsement.requirement_id)
            .where(
                Requirement.experiment_id == experiment.id,
                Requirement.status == "agreed",
                Endorsement.revision == Requirement.revision,
            )
            .group_by(Endorsement.organisation_id)
        ).all()
    )
    action_rows = db.session.execute(
        sa.select(
            WorkshopAction.owner_organisation_id,
            WorkshopAction.status,
            WorkshopAction.due_on,
        )
        .join(Workshop, Workshop.id == WorkshopAction.workshop_id)
        .where(Workshop.experiment_id == experiment.id, WorkshopAction.status != "dropped")
    ).all()
    last = dict(
        db.session.execute(
            sa.select(AuditEvent.organisation_id, sa.func.max(AuditEvent.occurred_at))
            .where(AuditEvent.experiment_id == experiment.id)
            .group_by(AuditEvent.organisation_id)
        ).all()
    )
    reopened = reopenings(experiment)

    rows = []
    for part in parts:
        org = part.organisation_id
        scores = part.role in SCORING_ROLES
        lead_declared = part.procurement_lead_id in declared_users
        declaration = (
            _state(int(lead_declared), 1, scoring_late and org not in reopened)
            if scores and part.procurement_lead_id
            else TaskState("Nothing asked", "none")
        )
        scorecards = (
            _state(submitted.get(org, 0), shortlist, scoring_late and org not in reopened)
            if scores
            else TaskState("Nothing asked", "none")
        )
        endorsements = _state(endorsed.get(org, 0), agreed or 0, endorse_late)
        mine = [a for a in action_rows if a.owner_organisation_id == org]
        overdue = any(a.status == "open" and a.due_on and a.due_on < today for a in mine)
        actions = _state(sum(1 for a in mine if a.status != "open"), len(mine), overdue)
        cells = (declaration, scorecards, endorsements, actions)
        rows.append(
            ProgressRow(
                part.organisation.name,
                part.organisation.slug,
                *cells,
                last_activity=_london(last.get(org)),
                behind=any(c.state == "late" for c in cells),
                reopened=org in reopened,
            )
        )
    return Progress(tuple(rows), scoring_due, endorsements_due)
