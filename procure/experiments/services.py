"""Experiments: create, edit, publish and manage who takes part."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy.orm import object_session, selectinload

from procure import audit
from procure.accounts.models import Organisation, User
from procure.concurrency import check_version
from procure.experiments.models import Experiment, Participation
from procure.experiments.read_models import ExperimentHeader, build_experiment_header
from procure.extensions import db
from procure.permissions import audience_for, can
from procure.sensitivity import Audience

EDITABLE_FIELDS = [
    "title",
    "slug",
    "domain",
    "summary",
    "problem_statement",
    "outcomes",
    "public_scores",
    "quadrant_threshold",
]


class ExperimentError(ValueError):
    """A rule about experiments was broken; ``field`` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def get_experiment_or_404(slug: str) -> Experiment:
    experiment = db.session.scalar(sa.select(Experiment).where(Experiment.slug == slug))
    if experiment is None:
        abort(404)
    return experiment


def load_experiment(slug: str, action: str = "experiment.view") -> Experiment:
    """The experiment of a URL for the signed-in person, or the right refusal.

    404 when there is no such experiment; when ``action`` is not allowed, 403 — or 404
    for a visitor who is not signed in and may not read it, so that an unpublished
    experiment's short name tells a stranger nothing.
    """
    experiment = get_experiment_or_404(slug)
    if not can(current_user, action, experiment):
        abort(403 if current_user.is_authenticated else 404)
    return experiment


def experiment_header(experiment: Experiment) -> ExperimentHeader:
    """What a page of ``experiment`` shows about it to the signed-in person (see the read model)."""
    return build_experiment_header(experiment, current_user)


def visible_experiments(user: Any) -> list[Experiment]:
    """Experiments the user may open: published ones, plus unpublished ones for members and admins."""
    experiments = db.session.scalars(sa.select(Experiment).order_by(Experiment.title)).all()
    return [e for e in experiments if can(user, "experiment.view", e)]


def bump_content_version(experiment: Experiment) -> None:
    """Mark the experiment's content changed, so cached report files are not reused.

    The counter alone is updated: that is not an edit of the experiment, so its
    ``version`` must not move (else every open experiment form turns stale, and
    simultaneous saves anywhere in the experiment collide on this row).
    """
    session = object_session(experiment)
    if session is None or experiment.id is None:
        experiment.content_version = (experiment.content_version or 0) + 1
        return
    session.execute(
        sa.update(Experiment)
        .where(Experiment.id == experiment.id)
        .values(content_version=Experiment.content_version + 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(experiment, ["content_version"])


def create_experiment(values: dict[str, Any]) -> Experiment:
    if db.session.scalar(sa.select(Experiment.id).where(Experiment.slug == values["slug"])):
        raise ExperimentError(
            f"An experiment with the short name “{values['slug']}” already exists", "slug"
        )
    experiment = Experiment(**{k: values[k] for k in EDITABLE_FIELDS if k in values})
    db.session.add(experiment)
    db.session.flush()
    audit.record("experiment.create", experiment, summary=f"Created experiment {experiment.title}")
    return experiment


def update_experiment(
    experiment: Experiment, values: dict[str, Any], version: int | None
) -> Experiment:
    check_version(experiment, version, EDITABLE_FIELDS)
    if values.get("slug") != experiment.slug and db.session.scalar(
        sa.select(Experiment.id).where(Experiment.slug == values["slug"])
    ):
        raise ExperimentError(
            f"An experiment with the short name “{values['slug']}” already exists", "slug"
        )
    changes = audit.diff(experiment, EDITABLE_FIELDS, values)
    for name in changes:
        setattr(experiment, name, values[name])
    if changes:
        bump_content_version(experiment)
        db.session.flush()
        audit.record("experiment.update", experiment, summary="Edited experiment", changes=changes)
    return experiment


def set_published(experiment: Experiment, published: bool, version: int | None) -> None:
    check_version(experiment, version, ["is_published"])
    if experiment.is_published == published:
        return
    experiment.is_published = published
    bump_content_version(experiment)
    db.session.flush()
    audit.record(
        "experiment.publish" if published else "experiment.unpublish",
        experiment,
        summary="Published to the public" if published else "Withdrawn from the public",
        changes={"is_published": [not published, published]},
    )


def add_participant(
    experiment: Experiment, organisation: Organisation, role: str, lead: User | None
) -> Participation:
    exists = db.session.scalar(
        sa.select(Participation.id).where(
            Participation.experiment_id == experiment.id,
            Participation.organisation_id == organisation.id,
        )
    )
    if exists:
        raise ExperimentError(
            f"{organisation.name} already takes part in this experiment", "organisation_id"
        )
    if lead is not None and lead.organisation_id != organisation.id:
        raise ExperimentError(
            f"{lead.name} does not work for {organisation.name}; choose someone from that organisation",
            "procurement_lead_id",
        )
    part = Participation(
        experiment=experiment, organisation=organisation, role=role, procurement_lead=lead
    )
    db.session.add(part)
    bump_content_version(experiment)
    db.session.flush()
    audit.record(
        "participant.add",
        part,
        summary=f"{organisation.name} joined as {role}",
        changes={"role": [None, role], "procurement_lead": [None, lead.email if lead else None]},
    )
    return part


def remove_participant(part: Participation) -> None:
    audit.record(
        "participant.remove",
        part,
        summary=f"{part.organisation.name} left the experiment",
    )
    bump_content_version(part.experiment)
    db.session.delete(part)
    db.session.flush()


def participations(experiment: Experiment) -> list[Participation]:
    return list(
        db.session.scalars(
            sa.select(Participation)
            .where(Participation.experiment_id == experiment.id)
            .options(
                selectinload(Participation.organisation),
                selectinload(Participation.procurement_lead),
            )
            .join(Participation.organisation)
            .order_by(Organisation.name)
        )
    )


def request_audience(user: Any, experiment: Experiment) -> Audience:
    return audience_for(user, experiment)
