"""Demo and canary data for scoring.

``load`` adds the starter criteria, declarations for each scoring borough's lead,
submitted scorecards from every scoring borough for every shortlisted option (one left
as a draft), and one consensus score. It is idempotent and deterministic (seeded).
"""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from procure.db import utcnow
from procure.deadlines import london_day, utc_now
from procure.extensions import db
from procure.market.models import Option
from procure.scoring.demo_reasons import reason_for
from procure.scoring.models import (
    BoroughWeight,
    Criterion,
    Declaration,
    ModeratedScore,
    Score,
    Scorecard,
    ScoringReopening,
)
from procure.scoring.scorecards import scoring_participations
from procure.scoring.services import STARTER_CRITERIA, STARTER_DESCRIPTORS
from procure.sensitivity import Sensitivity

SEED = 20261122
DRAFT_BOROUGH = "waltham-forest"
INTEREST_BOROUGH = "hackney"
# Criteria on which the boroughs disagree sharply (range ≥ 3), for the moderation agenda.
CONTESTED = ("Integration with existing systems", "Openness and exit", "Cost within budgets")

PARTICIPANT_ASIDES = {
    "product": [
        "[[participants: The supplier's indicative price was 15% below our current contract.]]",
        "[[participants: The account manager hinted at a discount for a joint call-off.]]",
        "[[participants: Our finance team flagged a budget pressure of about £200k next year.]]",
    ],
    "approach": [
        "[[participants: Our legal team estimates six weeks of their time to set this up.]]",
        "[[participants: Our finance team flagged a budget pressure of about £200k next year.]]",
        "[[participants: The framework owner offered us a reduced levy if three boroughs join.]]",
    ],
}
# Boroughs that weigh the criteria their own way (criterion name → weight).
OWN_WEIGHTS = {
    "hackney": {"Resident outcomes": 5, "Cost within budgets": 1},
    "islington": {"Cost within budgets": 5, "Delivery timescale": 3},
}


def _ensure_criteria(experiment) -> list[Criterion]:
    existing = db.session.scalars(
        sa.select(Criterion).where(Criterion.experiment_id == experiment.id)
    ).all()
    names = {(c.dimension, c.name) for c in existing}
    for position, (dimension, name, weight, guidance) in enumerate(STARTER_CRITERIA, start=1):
        if (dimension, name) not in names:
            db.session.add(
                Criterion(
                    experiment=experiment,
                    dimension=dimension,
                    name=name,
                    weight=weight,
                    guidance=guidance,
                    descriptors="\n".join(STARTER_DESCRIPTORS.get(name, ())),
                    position=position,
                )
            )
    db.session.flush()
    return list(
        db.session.scalars(
            sa.select(Criterion)
            .where(Criterion.experiment_id == experiment.id)
            .order_by(Criterion.position, Criterion.id)
        )
    )


def _ensure_declaration(experiment, lead, organisation, interest: str | None) -> None:
    found = db.session.scalar(
        sa.select(Declaration.id).where(
            Declaration.experiment_id == experiment.id, Declaration.user_id == lead.id
        )
    )
    if found is None:
        db.session.add(
            Declaration(
                experiment=experiment,
                user_id=lead.id,
                organisation_id=organisation.id,
                has_interest=interest is not None,
                interest=interest or "",
            )
        )


def _reason(rng: random.Random, criterion: str, score: int, option: Option):
    text = reason_for(rng, criterion, score, option.name, option.kind)
    roll = rng.random()
    if roll < 0.2:
        aside = rng.choice(PARTICIPANT_ASIDES.get(option.kind, PARTICIPANT_ASIDES["product"]))
        return f"{text} {aside}", Sensitivity.MEMBERS
    if roll < 0.3:
        return (
            f"{text} We would want to see this in writing before committing.",
            Sensitivity.PARTICIPANTS,
        )
    if roll < 0.45:
        return text, Sensitivity.PUBLIC
    return text, Sensitivity.MEMBERS


def _ensure_own_weights(experiment, parts, criteria: list[Criterion]) -> None:
    by_name = {c.name: c for c in criteria}
    existing = {
        (w.organisation_id, w.criterion_id)
        for w in db.session.scalars(
            sa.select(BoroughWeight).where(BoroughWeight.experiment_id == experiment.id)
        )
    }
    for part in parts:
        for name, weight in OWN_WEIGHTS.get(part.organisation.slug, {}).items():
            criterion = by_name.get(name)
            if criterion is None or (part.organisation_id, criterion.id) in existing:
                continue
            db.session.add(
                BoroughWeight(
                    experiment_id=experiment.id,
                    organisation_id=part.organisation_id,
                    criterion_id=criterion.id,
                    weight=weight,
                )
            )


def load(ctx) -> None:
    experiment = ctx.experiment
    if experiment.scoring_closes_on is None:
        # Counted from the day the demo is loaded: Your work shows scoring due soon (Waltham
        # Forest's draft), overdue workshop actions and, for the others, scorecards done.
        today = london_day(utc_now())
        experiment.scoring_opens_on = today - timedelta(days=14)
        experiment.scoring_closes_on = today + timedelta(days=3)
        experiment.endorsements_due_on = today + timedelta(days=28)
    criteria = _ensure_criteria(experiment)
    parts = scoring_participations(experiment)
    for part in parts:
        if part.procurement_lead is None:
            continue
        interest = (
            "I worked for one of the shortlisted suppliers until 2022 and hold no shares. "
            "[[participants: My former manager there now leads its local government sales.]]"
            if part.organisation.slug == INTEREST_BOROUGH
            else None
        )
        _ensure_declaration(experiment, part.procurement_lead, part.organisation, interest)
    _ensure_own_weights(experiment, parts, criteria)
    db.session.flush()

    options = list(
        db.session.scalars(
            sa.select(Option)
            .where(Option.experiment_id == experiment.id, Option.status == "shortlist")
            .order_by(Option.name, Option.id)
        )
    )
    if not options:
        ctx.notes.append("Scoring demo: no shortlisted options yet, so no scorecards were created.")
        return
    existing = {
        (c.option_id, c.organisation_id)
        for c in db.session.scalars(
            sa.select(Scorecard).where(Scorecard.experiment_id == experiment.id)
        )
    }
    rng = random.Random(SEED)
    quality = {o.id: rng.uniform(1.6, 4.2) for o in options}
    bias = {p.organisation_id: rng.uniform(-0.6, 0.6) for p in parts}
    now = utcnow()
    for part in parts:
        for index, option in enumerate(options):
            # Draw every number even for existing scorecards so later ones stay the same.
            draws = []
            for criterion in criteria:
                value = quality[option.id] + bias[part.organisation_id] + rng.gauss(0, 0.45)
                if criterion.name in CONTESTED and index < 2:
                    value = 1 if parts.index(part) % 2 == 0 else 5
                score = max(0, min(5, round(value)))
                draws.append((criterion, score, *_reason(rng, criterion.name, score, option)))
            if (option.id, part.organisation_id) in existing:
                continue
            is_draft = part.organisation.slug == DRAFT_BOROUGH and index == len(options) - 1
            card = Scorecard(
                experiment_id=experiment.id,
                option=option,
                organisation=part.organisation,
                status="draft" if is_draft else "submitted",
                submitted_at=None if is_draft else now,
                submitted_by_id=None if is_draft else part.procurement_lead_id,
            )
            for position, (criterion, score, reason, level) in enumerate(draws):
                if is_draft and position >= len(draws) // 2:
                    break  # a draft half done
                card.scores.append(
                    Score(criterion=criterion, score=score, reason=reason, reason_sensitivity=level)
                )
            db.session.add(card)
    db.session.flush()

    integration = next((c for c in criteria if c.name == CONTESTED[0]), None)
    if integration is not None:
        found = db.session.scalar(
            sa.select(ModeratedScore.id).where(
                ModeratedScore.option_id == options[0].id,
                ModeratedScore.criterion_id == integration.id,
            )
        )
        if found is None:
            db.session.add(
                ModeratedScore(
                    experiment_id=experiment.id,
                    option=options[0],
                    criterion=integration,
                    score=3,
                    rationale=(
                        "The moderation workshop agreed the integration is workable: the open "
                        "API covers finance and repairs, but document management needs a "
                        "connector. [[participants: The supplier quoted £40k for the "
                        "connector per borough.]]"
                    ),
                    rationale_sensitivity=Sensitivity.MEMBERS,
                    moderated_by_id=ctx.admin.id,
                )
            )
    db.session.flush()


def canary(ctx) -> None:
    """Plant tokens in every scoring field: criteria, a declaration, reasons, a rationale."""
    experiment = ctx.experiment
    options = [o for o in ctx.shared.get("options", []) if o.status == "shortlist"]
    while len(options) < 2:
        option = Option(
            experiment=experiment,
            kind="product",
            name=f"Canary option {ctx.token(Sensitivity.PUBLIC)}",
            status="shortlist",
        )
        db.session.add(option)
        options.append(option)
    ctx.shared.setdefault("options", [])
    for option in options:
        if option not in ctx.shared["options"]:
            ctx.shared["options"].append(option)
    db.session.flush()

    criteria = []
    for position, dimension in enumerate(("feasibility", "desirability", "feasibility"), start=1):
        criterion = Criterion(
            experiment=experiment,
            dimension=dimension,
            name=f"Criterion {ctx.token(Sensitivity.PUBLIC)}",
            weight=position,
            guidance=ctx.text(Sensitivity.PUBLIC),
            position=position,
        )
        db.session.add(criterion)
        criteria.append(criterion)
    db.session.flush()

    parts = [p for p in scoring_participations(experiment)][:3]
    levels = (Sensitivity.MEMBERS, Sensitivity.PARTICIPANTS)
    for n, part in enumerate(parts):
        lead = part.procurement_lead
        if lead is not None and n == 0:
            db.session.add(
                Declaration(
                    experiment=experiment,
                    user_id=lead.id,
                    organisation_id=part.organisation_id,
                    has_interest=True,
                    interest=f"Declared interest {ctx.token(Sensitivity.PARTICIPANTS)}",
                )
            )
        for option in options:
            card = Scorecard(
                experiment_id=experiment.id,
                option=option,
                organisation_id=part.organisation_id,
                status="submitted",
                submitted_at=utcnow(),
                submitted_by_id=lead.id if lead else None,
            )
            for i, criterion in enumerate(criteria):
                level = levels[(n + i) % len(levels)]
                card.scores.append(
                    Score(
                        criterion=criterion,
                        score=(n * 2 + i) % 6 if option is options[0] else 3,
                        reason=ctx.text(level),
                        reason_sensitivity=level,
                    )
                )
            db.session.add(card)
    db.session.flush()
    db.session.add(
        ModeratedScore(
            experiment_id=experiment.id,
            option_id=options[0].id,
            criterion_id=criteria[0].id,
            score=2,
            rationale=ctx.text(Sensitivity.MEMBERS),
            rationale_sensitivity=Sensitivity.MEMBERS,
            moderated_by_id=ctx.admin.id if ctx.admin else None,
        )
    )
    db.session.flush()
    # The window closed yesterday and was reopened for one borough, with a reason.
    today = london_day(utc_now())
    experiment.scoring_opens_on = today - timedelta(days=14)
    experiment.scoring_closes_on = today - timedelta(days=1)
    experiment.endorsements_due_on = today + timedelta(days=3)
    if parts:
        db.session.add(
            ScoringReopening(
                experiment_id=experiment.id,
                organisation_id=parts[0].organisation_id,
                reason=f"Canary reopening {ctx.token(Sensitivity.PARTICIPANTS)}",
                reopened_by_id=ctx.admin.id if ctx.admin else None,
            )
        )
    db.session.flush()
    ctx.shared["criteria"] = criteria
