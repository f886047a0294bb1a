"""Your work: across every experiment a person's organisation takes part in, what they
must do next. Each item is built at the reader's audience through the Redactor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from procure import audit
from procure.concurrency import check_version
from procure.deadlines import due, london_day, utc_now
from procure.experiments.models import Experiment, Participation
from procure.experiments.services import bump_content_version
from procure.extensions import db
from procure.market.models import Option
from procure.permissions import audience_for
from procure.requirements.models import Endorsement, Requirement
from procure.requirements.services import ENDORSING_ROLES
from procure.scoring.models import Declaration, Scorecard
from procure.scoring.scorecards import SCORING_ROLES, scoring_participations
from procure.scoring.window import reopenings
from procure.sensitivity import Redactor
from procure.work.read_models import WorkItem, ordered
from procure.workshops.models import Workshop, WorkshopAction


def participations_of(user: Any) -> list[Participation]:
    """The person's organisation's participations, in experiments not closed."""
    if user.organisation_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Participation)
            .join(Experiment, Experiment.id == Participation.experiment_id)
            .where(
                Participation.organisation_id == user.organisation_id,
                Experiment.stage != "closed",
            )
            .order_by(Experiment.id)
        )
    )


def owed_endorsements(experiment: Experiment, organisation_id: int) -> int:
    """Agreed requirements the organisation has not endorsed, or endorsed before a change."""
    current = (
        sa.select(Endorsement.id)
        .where(
            Endorsement.requirement_id == Requirement.id,
            Endorsement.organisation_id == organisation_id,
            Endorsement.revision == Requirement.revision,
        )
        .exists()
    )
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Requirement)
        .where(
            Requirement.experiment_id == experiment.id,
            Requirement.status == "agreed",
            ~current,
        )
    )


def _scoring_items(
    user: Any, part: Participation, experiment: Experiment, title: str, now: datetime
) -> list[WorkItem]:
    if experiment.stage != "scoring" or part.role not in SCORING_ROLES:
        return []
    if part.procurement_lead_id != user.id:
        return []
    closes = due(experiment.scoring_closes_on, now)
    items = []
    declared = db.session.scalar(
        sa.select(Declaration.id).where(
            Declaration.experiment_id == experiment.id, Declaration.user_id == user.id
        )
    )
    if declared is None:
        items.append(
            WorkItem(
                "declaration",
                "Declare interests",
                title,
                "Declare any conflict of interest before you score",
                "scoring.declaration",
                {"slug": experiment.slug},
                closes,
                f"declaration-{experiment.id}",
            )
        )
    submitted = set(
        db.session.scalars(
            sa.select(Scorecard.option_id).where(
                Scorecard.experiment_id == experiment.id,
                Scorecard.organisation_id == part.organisation_id,
                Scorecard.status == "submitted",
            )
        )
    )
    options = db.session.execute(
        sa.select(Option.id, Option.name)
        .where(Option.experiment_id == experiment.id, Option.status == "shortlist")
        .order_by(Option.name, Option.id)
    ).all()
    org_slug = part.organisation.slug
    for option_id, name in options:
        if option_id in submitted:
            continue
        items.append(
            WorkItem(
                "scorecard",
                "Scorecard",
                title,
                f"Score {name}",
                "scoring.scorecard",
                {"slug": experiment.slug, "org_slug": org_slug, "option_id": option_id},
                closes,
                f"scorecard-{experiment.id}-{part.organisation_id}-{option_id}",
            )
        )
    return items


def _endorsement_items(
    user: Any, part: Participation, experiment: Experiment, title: str, now: datetime
) -> list[WorkItem]:
    if experiment.stage != "requirements" or part.role not in ENDORSING_ROLES:
        return []
    if part.procurement_lead_id != user.id:
        return []
    owed = owed_endorsements(experiment, part.organisation_id)
    if not owed:
        return []
    noun = "requirement" if owed == 1 else "requirements"
    return [
        WorkItem(
            "endorsement",
            "Endorsements",
            title,
            f"Endorse {owed} {noun} for {part.organisation.name}",
            "requirements.tasks",
            {"slug": experiment.slug},
            due(experiment.endorsements_due_on, now),
            f"endorsement-{experiment.id}-{part.organisation_id}",
        )
    ]


def _workshop_items(
    part: Participation, experiment: Experiment, title: str, redactor: Redactor, now: datetime
) -> list[WorkItem]:
    items = []
    actions = db.session.scalars(
        sa.select(WorkshopAction)
        .join(Workshop, Workshop.id == WorkshopAction.workshop_id)
        .where(
            Workshop.experiment_id == experiment.id,
            WorkshopAction.owner_organisation_id == part.organisation_id,
            WorkshopAction.status == "open",
        )
        .order_by(WorkshopAction.id)
    )
    for action in redactor.visible(actions, lambda a: a.sensitivity, "action"):
        items.append(
            WorkItem(
                "action",
                "Action",
                title,
                redactor.text(action.text, "action", action.id, action.sensitivity),
                "workshops.show",
                {"slug": experiment.slug, "workshop_id": action.workshop_id, "_anchor": "actions"},
                due(action.due_on, now),
                f"action-{action.id}",
            )
        )
    # Workshops are stored in London wall-clock time; "coming up" is from today on.
    today = datetime.combine(london_day(now), datetime.min.time())
    workshops = db.session.scalars(
        sa.select(Workshop)
        .where(
            Workshop.experiment_id == experiment.id,
            Workshop.starts_at >= today,
            Workshop.starts_at < today + timedelta(days=60),
        )
        .order_by(Workshop.starts_at)
    )
    for workshop in redactor.visible(workshops, lambda w: w.sensitivity, "workshop"):
        name = redactor.text(workshop.title, "workshop", workshop.id, workshop.sensitivity)
        items.append(
            WorkItem(
                "workshop",
                "Workshop",
                title,
                f"{name}, {workshop.starts_at:%H:%M}",
                "workshops.show",
                {"slug": experiment.slug, "workshop_id": workshop.id},
                due(workshop.starts_at.date(), now, verb="On"),
                f"workshop-{workshop.id}",
            )
        )
    return items


def work_for(user: Any, now: datetime | None = None) -> list[WorkItem]:
    """Everything ``user`` must do, overdue first, then by due date."""
    now = now or utc_now()
    items: list[WorkItem] = []
    for part in participations_of(user):
        experiment = part.experiment
        redactor = Redactor(audience_for(user, experiment))
        title = redactor.text(experiment.title, "experiment", experiment.id)
        items += _scoring_items(user, part, experiment, title, now)
        items += _endorsement_items(user, part, experiment, title, now)
        items += _workshop_items(part, experiment, title, redactor, now)
    return ordered(items)


DEADLINE_FIELDS = ("scoring_opens_on", "scoring_closes_on", "endorsements_due_on")


def set_deadlines(experiment: Experiment, values: dict[str, Any], version: int | None) -> None:
    """Set the experiment's deadlines (London days), refusing a stale form; audited."""
    check_version(experiment, version, list(DEADLINE_FIELDS))
    changes = {}
    for name in DEADLINE_FIELDS:
        old, new = getattr(experiment, name), values.get(name)
        if old != new:
            changes[name] = [old.isoformat() if old else None, new.isoformat() if new else None]
            setattr(experiment, name, new)
    if not changes:
        return
    db.session.flush()
    audit.record("experiment.deadlines", experiment, summary="Changed deadlines", changes=changes)
    bump_content_version(experiment)


@dataclass(frozen=True)
class WindowRow:
    """One scoring organisation on the deadlines page: reopened (and why) or not."""

    organisation_name: str
    organisation_slug: str
    reopened: bool
    reason: str


def window_rows(experiment: Experiment, redactor: Redactor) -> list[WindowRow]:
    reopened = reopenings(experiment)
    rows = []
    for part in scoring_participations(experiment):
        r = reopened.get(part.organisation_id)
        rows.append(
            WindowRow(
                part.organisation.name,
                part.organisation.slug,
                r is not None,
                redactor.text(r.reason, "scoring_reopening", r.id) if r else "",
            )
        )
    return rows
