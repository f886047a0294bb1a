"""Criteria, conflict-of-interest declarations and moderated scores.

Scorecards live in :mod:`procure.scoring.scorecards`. Services flush; the request commits.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from procure import audit
from procure.accounts.models import Organisation
from procure.concurrency import check_version
from procure.db import utcnow
from procure.experiments.models import Experiment
from procure.experiments.services import bump_content_version
from procure.extensions import db
from procure.market.models import Option
from procure.scoring.models import (
    DIMENSIONS,
    BoroughWeight,
    Criterion,
    Declaration,
    ModeratedScore,
    Score,
    Scorecard,
)
from procure.sensitivity import Sensitivity

CRITERION_FIELDS = ["dimension", "name", "weight", "guidance", "descriptors"]
DECLARATION_FIELDS = ["has_interest", "interest"]
MODERATION_FIELDS = ["score", "rationale", "rationale_sensitivity"]

# (dimension, name, weight, guidance): a starting point for housing management systems.
# Options are products and procurement routes alike, so each criterion says what it asks
# of both (a route is not scored on a supplier's roadmap, but on what it lets boroughs buy).
STARTER_CRITERIA = [
    (
        "feasibility",
        "Cost within budgets",
        3,
        "Can every borough afford the whole-life cost (licences, implementation, support, or "
        "the cost of running the procurement) within its housing revenue account and capital "
        "budgets?",
    ),
    (
        "feasibility",
        "Route to market",
        2,
        "Can every borough take part lawfully and soon? For a product: a compliant route to "
        "buy it, such as a framework call-off. For a procurement route: its rules, who may "
        "use it and how long it takes.",
    ),
    (
        "feasibility",
        "Integration with existing systems",
        2,
        "For a product: does it connect to finance, repairs, CRM and document systems through "
        "open, documented interfaces? For a route: can boroughs require those interfaces of "
        "what they buy through it?",
    ),
    (
        "feasibility",
        "Delivery timescale",
        1,
        "Can it be live (or the contract let) before the current contracts end, allowing for "
        "data migration?",
    ),
    (
        "feasibility",
        "Skills to run it",
        1,
        "Do boroughs have, or can they build, the skills it needs: to configure and support a "
        "product, or to run and manage a procurement route?",
    ),
    (
        "desirability",
        "Resident outcomes",
        3,
        "Will residents get faster repairs, clearer information and easier self-service, or "
        "does the route let boroughs insist on them?",
    ),
    (
        "desirability",
        "Officer experience",
        2,
        "Will housing officers spend less time re-keying data and chasing cases?",
    ),
    (
        "desirability",
        "Data and reporting",
        2,
        "Can boroughs get their data out, report on performance and meet regulator returns?",
    ),
    (
        "desirability",
        "Openness and exit",
        1,
        "Does it keep boroughs free to change later: open standards, published pricing, data "
        "export and fair exit terms, whether it is a product or a route?",
    ),
    (
        "desirability",
        "Strategic fit",
        1,
        "Does it support the boroughs' digital and housing strategies and joint working?",
    ),
]


# What 0 to 5 means for each starter criterion, lowest first.
STARTER_DESCRIPTORS: dict[str, tuple[str, ...]] = {
    "Cost within budgets": (
        "No cost evidence, or clearly unaffordable",
        "Well over budget for most boroughs",
        "Over budget unless phased or subsidised",
        "Affordable for most boroughs within current budgets",
        "Affordable for every borough, with some saving",
        "A clear saving on today's whole-life cost for every borough",
    ),
    "Route to market": (
        "No lawful route for us to take part",
        "A route exists but would take over a year",
        "A route needs approvals or changes we may not get",
        "A usable compliant route, with some delay",
        "A compliant route we can use within months",
        "A route we already use, open to every borough today",
    ),
    "Integration with existing systems": (
        "No way to connect to our systems",
        "Only bespoke, costly integration",
        "Some links; several systems need manual work",
        "Connects to the main systems with configuration",
        "Open, documented interfaces to nearly all our systems",
        "Proven live links to the same systems we run",
    ),
    "Delivery timescale": (
        "No credible plan or date",
        "Live well after our contracts end",
        "Only with an extension we may not get",
        "Live by contract end, with little slack",
        "Live before contract end, with a parallel run",
        "Live well ahead, proven at a landlord our size",
    ),
    "Skills to run it": (
        "We have none of the skills and cannot get them",
        "Nearly everything would be bought in",
        "We would need new posts or long training",
        "Our team could run it with training",
        "Our team could run it with little help",
        "We already run something just like it",
    ),
    "Resident outcomes": (
        "No evidence of any benefit to residents",
        "Worse or no better for residents",
        "Small improvements for a few services",
        "Clear improvements in the main services",
        "Faster repairs, better information and self-service",
        "Residents tested it and rated it highly",
    ),
    "Officer experience": (
        "No evidence; officers could not try it",
        "More re-keying and chasing than today",
        "About the same effort as today",
        "Some less re-keying and chasing",
        "Much less re-keying; one view of each case",
        "Officers tried it and want it",
    ),
    "Data and reporting": (
        "Our data could not be got out",
        "Only through paid extracts; returns stay manual",
        "Some reports; regulator returns need work",
        "Covers the regulator returns and main reports",
        "Open export and the reports we need",
        "Open data, a reporting API and every return built in",
    ),
    "Openness and exit": (
        "Locked in with no exit",
        "Costly exit and closed formats",
        "Exit possible but with fees and a new migration",
        "Fair exit terms and a standard data extract",
        "Open standards and published prices",
        "Open throughout: free exit, published roadmap and prices",
    ),
    "Strategic fit": (
        "Works against our strategies",
        "A poor fit with our strategies",
        "Fits one strategy, not the other",
        "Fits our strategies reasonably",
        "A good fit with our strategies and joint working",
        "Exactly what our strategies call for",
    ),
}


class ScoringError(ValueError):
    """A scoring rule was broken; ``field`` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- criteria ----------------------------------------------------------------------


def criteria_of(experiment: Experiment) -> list[Criterion]:
    """The experiment's criteria, feasibility first, in their set order."""
    rows = db.session.scalars(
        sa.select(Criterion)
        .where(Criterion.experiment_id == experiment.id)
        .order_by(Criterion.position, Criterion.id)
    ).all()
    return sorted(rows, key=lambda c: (DIMENSIONS.index(c.dimension), c.position, c.id))


def borough_weights_of(experiment: Experiment) -> dict[int, dict[int, int]]:
    """Organisation id → criterion id → the weight that organisation chose instead of the
    shared one (only the criteria it changed)."""
    weights: dict[int, dict[int, int]] = {}
    for row in db.session.scalars(
        sa.select(BoroughWeight).where(BoroughWeight.experiment_id == experiment.id)
    ):
        weights.setdefault(row.organisation_id, {})[row.criterion_id] = row.weight
    return weights


def save_borough_weights(
    experiment: Experiment, organisation: Organisation, weights: dict[int, int | None]
) -> None:
    """Set ``organisation``'s own weights: criterion id → weight, or None for the shared
    weight. A weight equal to the shared one is stored as no own weight."""
    criteria = {c.id: c for c in criteria_of(experiment)}
    existing = {
        row.criterion_id: row
        for row in db.session.scalars(
            sa.select(BoroughWeight).where(
                BoroughWeight.experiment_id == experiment.id,
                BoroughWeight.organisation_id == organisation.id,
            )
        )
    }
    changes: dict[str, Any] = {}
    for criterion_id, weight in weights.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            continue
        if weight is not None and weight < 1:
            raise ScoringError(
                "A weight must be a whole number of 1 or more", f"weight_{criterion_id}"
            )
        own = None if weight == criterion.weight else weight
        row = existing.get(criterion_id)
        before = row.weight if row else None
        if own == before:
            continue
        changes[criterion.name] = [before, own]
        if own is None:
            db.session.delete(row)
        elif row is None:
            db.session.add(
                BoroughWeight(
                    experiment_id=experiment.id,
                    organisation_id=organisation.id,
                    criterion_id=criterion_id,
                    weight=own,
                )
            )
        else:
            row.weight = own
    if changes:
        audit.record(
            "weights.borough",
            organisation,
            experiment_id=experiment.id,
            summary=f"{organisation.name} set its own criterion weights",
            changes=changes,
        )
        bump_content_version(experiment)
    db.session.flush()


def get_criterion_or_none(experiment: Experiment, criterion_id: int) -> Criterion | None:
    criterion = db.session.get(Criterion, criterion_id)
    return criterion if criterion and criterion.experiment_id == experiment.id else None


def scoring_started(experiment: Experiment) -> bool:
    """True once any scorecard of the experiment has been submitted (even if reopened since)."""
    return (
        db.session.scalar(
            sa.select(Scorecard.id)
            .where(Scorecard.experiment_id == experiment.id, Scorecard.submitted_at.is_not(None))
            .limit(1)
        )
        is not None
    )


def _require_reason(experiment: Experiment, reason: str | None) -> str:
    reason = (reason or "").strip()
    if scoring_started(experiment) and not reason:
        raise ScoringError(
            "Scoring has started: enter a reason for changing the criteria", "change_reason"
        )
    return reason


def _check_unique_name(
    experiment: Experiment, dimension: str, name: str, exclude_id: int | None = None
) -> None:
    query = sa.select(Criterion.id).where(
        Criterion.experiment_id == experiment.id,
        Criterion.dimension == dimension,
        sa.func.lower(Criterion.name) == name.lower(),
    )
    if exclude_id is not None:
        query = query.where(Criterion.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise ScoringError(f"There is already a {dimension} criterion called “{name}”", "name")


def _check_weight(weight: Any) -> None:
    if not isinstance(weight, int) or isinstance(weight, bool) or weight < 1:
        raise ScoringError("Weight must be a whole number from 1 to 100", "weight")


def add_criterion(
    experiment: Experiment, values: dict[str, Any], reason: str | None = None
) -> Criterion:
    """Add a criterion; once scoring has started a reason is required and audited."""
    why = _require_reason(experiment, reason)
    _check_weight(values["weight"])
    _check_unique_name(experiment, values["dimension"], values["name"])
    position = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(Criterion.position), 0)).where(
            Criterion.experiment_id == experiment.id
        )
    )
    criterion = Criterion(
        experiment=experiment,
        position=(position or 0) + 1,
        **{k: values[k] for k in CRITERION_FIELDS},
    )
    db.session.add(criterion)
    db.session.flush()
    bump_content_version(experiment)
    audit.record(
        "criterion.create",
        criterion,
        summary=f"Added {criterion.dimension} criterion {criterion.name}"
        + (f" because: {why}" if why else ""),
        changes={k: [None, values[k]] for k in CRITERION_FIELDS} | ({"reason": why} if why else {}),
    )
    return criterion


def update_criterion(
    criterion: Criterion, values: dict[str, Any], version: int | None, reason: str | None = None
) -> Criterion:
    check_version(criterion, version, CRITERION_FIELDS)
    _check_weight(values["weight"])
    changes = audit.diff(criterion, CRITERION_FIELDS, values)
    if not changes:
        return criterion
    why = _require_reason(criterion.experiment, reason)
    if "name" in changes or "dimension" in changes:
        _check_unique_name(criterion.experiment, values["dimension"], values["name"], criterion.id)
    for name in changes:
        setattr(criterion, name, values[name])
    bump_content_version(criterion.experiment)
    db.session.flush()
    audit.record(
        "criterion.update",
        criterion,
        summary=f"Changed criterion {criterion.name}" + (f" because: {why}" if why else ""),
        changes=changes | ({"reason": why} if why else {}),
    )
    return criterion


def delete_criterion(criterion: Criterion, reason: str | None = None) -> None:
    """Delete a criterion with its scores and moderated scores (a reason once scoring started)."""
    experiment = criterion.experiment
    why = _require_reason(experiment, reason)
    audit.record(
        "criterion.delete",
        criterion,
        summary=f"Deleted criterion {criterion.name}" + (f" because: {why}" if why else ""),
        changes={"name": [criterion.name, None]} | ({"reason": why} if why else {}),
    )
    db.session.execute(sa.delete(Score).where(Score.criterion_id == criterion.id))
    db.session.execute(sa.delete(ModeratedScore).where(ModeratedScore.criterion_id == criterion.id))
    db.session.execute(sa.delete(BoroughWeight).where(BoroughWeight.criterion_id == criterion.id))
    db.session.delete(criterion)
    bump_content_version(experiment)
    db.session.flush()


def add_starter_set(experiment: Experiment, reason: str | None = None) -> list[Criterion]:
    """Add the housing-systems starter criteria that are not there yet; returns those added."""
    existing = {(c.dimension, c.name.lower()) for c in criteria_of(experiment)}
    wanted = [row for row in STARTER_CRITERIA if (row[0], row[1].lower()) not in existing]
    if wanted:
        _require_reason(experiment, reason)
    return [
        add_criterion(
            experiment,
            {
                "dimension": dim,
                "name": name,
                "weight": weight,
                "guidance": guidance,
                "descriptors": "\n".join(STARTER_DESCRIPTORS.get(name, ())),
            },
            reason,
        )
        for dim, name, weight, guidance in wanted
    ]


# --- declarations ------------------------------------------------------------------


def declaration_of(experiment: Experiment, user: Any) -> Declaration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(Declaration).where(
            Declaration.experiment_id == experiment.id, Declaration.user_id == user.id
        )
    )


def save_declaration(
    experiment: Experiment, user: Any, has_interest: bool, interest: str, version: int | None
) -> Declaration:
    """Make or change a person's conflict-of-interest declaration for the experiment."""
    interest = interest.strip() if has_interest else ""
    if has_interest and not interest:
        raise ScoringError("Describe the interest you are declaring", "interest")
    declaration = declaration_of(experiment, user)
    values = {"has_interest": has_interest, "interest": interest}
    if declaration is None:
        declaration = Declaration(
            experiment=experiment, user_id=user.id, organisation_id=user.organisation_id, **values
        )
        db.session.add(declaration)
        db.session.flush()
        audit.record(
            "declaration.create",
            declaration,
            summary="Declared an interest" if has_interest else "Declared no interest",
            changes={"has_interest": [None, has_interest]},
        )
        return declaration
    check_version(declaration, version, DECLARATION_FIELDS)
    changes = audit.diff(declaration, DECLARATION_FIELDS, values)
    for name in changes:
        setattr(declaration, name, values[name])
    if changes:
        db.session.flush()
        # The interest itself is participants-only: the audit records that it changed, not what.
        audit.record(
            "declaration.update",
            declaration,
            summary="Changed a conflict-of-interest declaration",
            changes={"has_interest": [not has_interest, has_interest]}
            if "has_interest" in changes
            else {"interest": ["(changed)", "(changed)"]},
        )
    return declaration


def declarations(experiment: Experiment) -> list[Declaration]:
    return list(
        db.session.scalars(
            sa.select(Declaration)
            .where(Declaration.experiment_id == experiment.id)
            .options(selectinload(Declaration.user), selectinload(Declaration.organisation))
            .order_by(Declaration.created_at, Declaration.id)
        )
    )


# --- moderation --------------------------------------------------------------------


def moderated_score_of(option: Option, criterion: Criterion) -> ModeratedScore | None:
    return db.session.scalar(
        sa.select(ModeratedScore).where(
            ModeratedScore.option_id == option.id, ModeratedScore.criterion_id == criterion.id
        )
    )


def save_moderated_score(
    experiment: Experiment,
    option: Option,
    criterion: Criterion,
    values: dict[str, Any],
    version: int | None,
    user: Any,
) -> ModeratedScore:
    """Record (or change) the consensus score for option × criterion; originals are kept."""
    score = values["score"]
    if not isinstance(score, int) or not 0 <= score <= 5:
        raise ScoringError("Enter a score from 0 to 5", "score")
    values = {**values, "rationale_sensitivity": Sensitivity.parse(values["rationale_sensitivity"])}
    existing = moderated_score_of(option, criterion)
    if existing is None:
        if version not in (None, 0):
            raise_stale_new()
        moderated = ModeratedScore(
            experiment_id=experiment.id,
            option=option,
            criterion=criterion,
            moderated_by_id=user.id,
            moderated_at=utcnow(),
            **values,
        )
        db.session.add(moderated)
        db.session.flush()
        audit.record(
            "score.moderate",
            moderated,
            summary=f"Consensus score {score} for {option.name}: {criterion.name}",
            changes={"score": [None, score]},
        )
    else:
        check_version(existing, version, MODERATION_FIELDS)
        changes = audit.diff(existing, MODERATION_FIELDS, values)
        for name in changes:
            setattr(existing, name, values[name])
        if changes:
            existing.moderated_by_id = user.id
            existing.moderated_at = utcnow()
            db.session.flush()
            audit.record(
                "score.moderate",
                existing,
                summary=f"Changed consensus score for {option.name}: {criterion.name}",
                changes=changes,
            )
        moderated = existing
    bump_content_version(experiment)
    return moderated


def raise_stale_new() -> None:
    """A form built for a record that has since been deleted: nothing current to show."""
    from procure.concurrency import StaleEdit

    raise StaleEdit(None, {})
