"""Read models of an experiment, built for one audience. Templates receive only these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from procure.experiments.models import STAGE_LABELS, STAGES, Experiment, Participation
from procure.permissions import audience_for, can
from procure.sensitivity import Audience, Redacted, Redactor, Sensitivity

#: The experiment-level actions page templates ask about (``can('workshop.edit', experiment)``).
#: Worked out once per page by :func:`build_experiment_header`; a template asking about any
#: other action is told no, so a new control must add its action here.
HEADER_ACTIONS = (
    "experiment.edit",
    "experiment.move_stage",
    "experiment.export",
    "experiment.manage_participants",
    "experiment.set_deadlines",
    "experiment.view_progress",
    "option.create",
    "option.propose",
    "criteria.edit",
    "declarations.view",
    "scores.moderate",
    "scorecard.reopen",
    "requirement.propose",
    "requirement.import",
    "requirement.manage_categories",
    "specification.publish",
    "workshop.edit",
)


@dataclass(frozen=True)
class ExperimentHeader:
    """What every page of an experiment shows about it, for one reader.

    The title passes through the ``Redactor`` (it may hold spans), so headings,
    ``<title>``, breadcrumbs and captions built from it hold nothing above the
    reader's audience. ``allowed`` holds the experiment-level actions the reader may
    take; templates ask ``can(action, experiment)`` and get the answer from here.
    """

    id: int
    slug: str
    title: str
    domain: str
    stage: str
    stage_label: str
    is_published: bool
    audience: Audience
    requirement_categories: tuple[str, ...]
    allowed: frozenset[str] = frozenset()

    def may(self, action: str) -> bool:
        return action in self.allowed


def build_experiment_header(
    experiment: Experiment,
    user: Any,
    redactor: Redactor | None = None,
    actions: tuple[str, ...] = HEADER_ACTIONS,
) -> ExperimentHeader:
    """The experiment's header for ``user`` (at their audience unless a redactor is given)."""
    redactor = redactor or Redactor(audience_for(user, experiment))
    return ExperimentHeader(
        id=experiment.id,
        slug=experiment.slug,
        title=redactor.text(experiment.title, "experiment.title", experiment.id),
        domain=experiment.domain,
        stage=experiment.stage,
        stage_label=experiment.stage_label,
        is_published=experiment.is_published,
        audience=redactor.audience,
        requirement_categories=tuple(experiment.requirement_categories or ()),
        allowed=frozenset(a for a in actions if can(user, a, experiment)),
    )


@dataclass(frozen=True)
class StageStep:
    key: str
    label: str
    state: str  # "done" | "current" | "todo"


@dataclass(frozen=True)
class ParticipantView:
    organisation_id: int
    organisation: str
    role: str
    procurement_lead: str | Redacted | None


@dataclass(frozen=True)
class ExperimentView:
    id: int
    slug: str
    title: str
    domain: str
    summary: Markup
    problem_statement: Markup
    outcomes: Markup
    stage: str
    stage_label: str
    steps: tuple[StageStep, ...]
    is_published: bool
    participants: tuple[ParticipantView, ...]
    audience: Audience
    allowed: frozenset[str] = frozenset()

    def may(self, action: str) -> bool:
        return action in self.allowed


def stage_steps(stage: str) -> tuple[StageStep, ...]:
    current = STAGES.index(stage)
    return tuple(
        StageStep(
            key, STAGE_LABELS[key], "done" if i < current else "current" if i == current else "todo"
        )
        for i, key in enumerate(STAGES)
    )


def build_experiment_view(
    experiment: Experiment,
    participations: list[Participation],
    redactor: Redactor,
    allowed: frozenset[str] = frozenset(),
) -> ExperimentView:
    """The experiment as ``redactor.audience`` may see it.

    Organisation names are public; the names of procurement leads are personal
    data and appear from the members audience up.
    """
    people = [
        ParticipantView(
            organisation_id=p.organisation_id,
            organisation=p.organisation.name,
            role=p.role,
            procurement_lead=(
                redactor.value(
                    p.procurement_lead.name, Sensitivity.MEMBERS, "person", p.procurement_lead_id
                )
                if p.procurement_lead
                else None
            ),
        )
        for p in participations
    ]
    return ExperimentView(
        id=experiment.id,
        slug=experiment.slug,
        title=redactor.text(experiment.title, "experiment.title", experiment.id),
        domain=experiment.domain,
        summary=redactor.markdown(experiment.summary, "experiment.summary", experiment.id),
        problem_statement=redactor.markdown(
            experiment.problem_statement, "experiment.problem_statement", experiment.id
        ),
        outcomes=redactor.markdown(experiment.outcomes, "experiment.outcomes", experiment.id),
        stage=experiment.stage,
        stage_label=experiment.stage_label,
        steps=stage_steps(experiment.stage),
        is_published=experiment.is_published,
        participants=tuple(people),
        audience=redactor.audience,
        allowed=allowed,
    )


@dataclass(frozen=True)
class ParticipantRow:
    """A row of the participants page (convenor staff only, so names are shown)."""

    id: int
    organisation: str
    role: str
    procurement_lead: str | None


def participant_row(part: Participation) -> ParticipantRow:
    return ParticipantRow(
        id=part.id,
        organisation=part.organisation.name,
        role=part.role,
        procurement_lead=part.procurement_lead.name if part.procurement_lead else None,
    )


@dataclass(frozen=True)
class TransitionRow:
    """One stage move in the history on the stage page."""

    created_at: Any
    from_stage: str
    to_stage: str
    overridden: bool
    actor: str
    reason: str


def transition_rows(transitions: list[Any], redactor: Redactor) -> list[TransitionRow]:
    """Stage moves as ``redactor.audience`` reads them (the reason may hold spans)."""
    return [
        TransitionRow(
            created_at=t.created_at,
            from_stage=t.from_stage,
            to_stage=t.to_stage,
            overridden=t.overridden,
            actor=t.actor.name if t.actor else "",
            reason=redactor.text(t.reason, "stage_transition.reason", t.id),
        )
        for t in transitions
    ]
