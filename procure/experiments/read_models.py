"""Read models of an experiment, built for one audience. Templates receive only these."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from procure.experiments.models import STAGE_LABELS, STAGES, Experiment, Participation
from procure.sensitivity import Audience, Redacted, Redactor, Sensitivity


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


def stage_steps(stage: str) -> tuple[StageStep, ...]:
    current = STAGES.index(stage)
    return tuple(
        StageStep(
            key, STAGE_LABELS[key], "done" if i < current else "current" if i == current else "todo"
        )
        for i, key in enumerate(STAGES)
    )


def build_experiment_view(
    experiment: Experiment, participations: list[Participation], redactor: Redactor
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
        title=experiment.title,
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
    )
