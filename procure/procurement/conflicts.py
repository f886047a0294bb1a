"""The conflicts assessment of a procurement (Procurement Act 2023, section 83).

Each person involved — everyone who declared interests for the experiment and everyone
who submitted a scorecard — is reviewed: no conflict, conflict mitigated, or excluded.
Reviews are appended, never edited; a person's current assessment is their latest,
and it lapses when their declaration changes after it. The stage gate out of Decision
asks for a current assessment of everyone who scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from markupsafe import Markup

from procure import audit
from procure.accounts.models import User
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.procurement.models import ASSESSMENT_OUTCOMES, OUTCOME_LABELS, ConflictAssessment
from procure.scoring.models import Declaration, Scorecard
from procure.sensitivity import Redactor, Sensitivity
from procure.text_policy import policy, span_problem


class ConflictError(ValueError):
    """A review that cannot be recorded as asked; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def scorer_ids(experiment: Experiment) -> set[int]:
    """People who submitted a scorecard in ``experiment``."""
    return set(
        db.session.scalars(
            sa.select(Scorecard.submitted_by_id).where(
                Scorecard.experiment_id == experiment.id,
                Scorecard.status == "submitted",
                Scorecard.submitted_by_id.is_not(None),
            )
        )
    )


def declarations(experiment: Experiment) -> dict[int, Declaration]:
    rows = db.session.scalars(
        sa.select(Declaration).where(Declaration.experiment_id == experiment.id)
    ).all()
    return {d.user_id: d for d in rows}


def people_involved(experiment: Experiment) -> list[User]:
    """Everyone who declared interests or scored, by name."""
    ids = scorer_ids(experiment) | set(declarations(experiment))
    if not ids:
        return []
    return list(db.session.scalars(sa.select(User).where(User.id.in_(ids)).order_by(User.name)))


def history(experiment: Experiment) -> dict[int, list[ConflictAssessment]]:
    """Every review of every person, latest first."""
    rows = db.session.scalars(
        sa.select(ConflictAssessment)
        .where(ConflictAssessment.experiment_id == experiment.id)
        .order_by(ConflictAssessment.reviewed_at.desc(), ConflictAssessment.id.desc())
    ).all()
    found: dict[int, list[ConflictAssessment]] = {}
    for row in rows:
        found.setdefault(row.person_id, []).append(row)
    return found


def is_current(assessment: ConflictAssessment | None, declaration: Declaration | None) -> bool:
    if assessment is None:
        return False
    return declaration is None or declaration.updated_at <= assessment.reviewed_at


def scorers_without_current_assessment(experiment: Experiment) -> list[int]:
    """Ids of people who scored and have no current assessment (the Decision gate)."""
    reviews = history(experiment)
    declared = declarations(experiment)
    return sorted(
        person_id
        for person_id in scorer_ids(experiment)
        if not is_current((reviews.get(person_id) or [None])[0], declared.get(person_id))
    )


def add_assessment(
    experiment: Experiment,
    person_id: int,
    outcome: str,
    mitigation: str,
    reviewer: User | None,
) -> ConflictAssessment:
    """Append a review of ``person_id``; flushes and audits it."""
    if person_id not in {p.id for p in people_involved(experiment)}:
        raise ConflictError("Choose someone who declared interests or scored", "person_id")
    if outcome not in ASSESSMENT_OUTCOMES:
        raise ConflictError("Choose the outcome of the assessment", "outcome")
    problem = span_problem(
        mitigation, policy("conflict_assessments.mitigation").accepts_spans, "Mitigation"
    )
    if problem:
        raise ConflictError(problem, "mitigation")
    if outcome != "no_conflict" and not mitigation.strip():
        raise ConflictError(
            "Say how the conflict is mitigated, or why the person is excluded", "mitigation"
        )
    row = ConflictAssessment(
        experiment_id=experiment.id,
        person_id=person_id,
        outcome=outcome,
        mitigation=mitigation,
        reviewed_by_id=reviewer.id if reviewer else None,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "conflicts.assess",
        row,
        summary=f"Recorded a conflicts assessment: {OUTCOME_LABELS[outcome]}",
        actor=reviewer,
    )
    return row


# -- read models ------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentRow:
    id: int
    outcome: str
    outcome_label: str
    mitigation: Markup
    mitigation_text: str
    reviewed_by: str
    reviewed_at: datetime


@dataclass(frozen=True)
class PersonConflicts:
    """One person's declaration and assessments, redacted for the reader."""

    person_id: int
    name: str
    organisation: str
    scored: bool
    declared: bool
    has_interest: bool
    interest: Markup
    interest_text: str
    current: AssessmentRow | None
    is_current: bool
    history: list[AssessmentRow]


def _row(review: ConflictAssessment, redactor: Redactor) -> AssessmentRow:
    level = Sensitivity.PARTICIPANTS
    return AssessmentRow(
        id=review.id,
        outcome=review.outcome,
        outcome_label=OUTCOME_LABELS[review.outcome],
        mitigation=redactor.markdown(review.mitigation, "conflicts.mitigation", review.id, level),
        mitigation_text=redactor.text(review.mitigation, "conflicts.mitigation", review.id, level),
        reviewed_by=review.reviewed_by.name if review.reviewed_by else "",
        reviewed_at=review.reviewed_at,
    )


def build_conflicts_view(experiment: Experiment, redactor: Redactor) -> list[PersonConflicts]:
    """Everyone involved, with what they declared and every review (for participants)."""
    reviews = history(experiment)
    declared = declarations(experiment)
    scorers = scorer_ids(experiment)
    people = []
    for person in people_involved(experiment):
        declaration = declared.get(person.id)
        rows = [_row(r, redactor) for r in reviews.get(person.id, [])]
        if declaration is not None:
            base = Sensitivity(int(declaration.sensitivity))
            interest = redactor.markdown(
                declaration.interest, "declaration.interest", declaration.id, base
            )
            interest_text = redactor.text(
                declaration.interest, "declaration.interest", declaration.id, base
            )
        else:
            interest, interest_text = Markup(""), ""
        people.append(
            PersonConflicts(
                person_id=person.id,
                name=person.name,
                organisation=person.organisation.name if person.organisation else "",
                scored=person.id in scorers,
                declared=declaration is not None,
                has_interest=bool(declaration and declaration.has_interest),
                interest=interest,
                interest_text=interest_text,
                current=rows[0] if rows else None,
                is_current=is_current((reviews.get(person.id) or [None])[0], declaration),
                history=rows,
            )
        )
    return people
