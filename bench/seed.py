"""A large synthetic experiment for benchmarks: ``flask bench seed``.

Default size is city scale: 33 boroughs, 40 options, 16 criteria and 300
requirements, with a submitted scorecard for every borough × option, a
landscape row per borough, an endorsement from every borough for every
requirement, two published specification versions and a workshop.
Rows are inserted in bulk (Core ``insert`` with many parameter sets), so the
default size seeds in seconds on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from procure import models as m
from procure.extensions import db
from procure.workshops.models import workshop_options

PASSWORD = "procure-bench"  # noqa: S105 - synthetic benchmark accounts, refused in production
CATEGORIES = [
    "Functional",
    "Data and integration",
    "Security and privacy",
    "Accessibility",
    "Hosting and service",
    "Commercial",
    "Social value",
]
LEVELS = ["public", "public", "public", "members", "participants"]


@dataclass(frozen=True)
class SeedSize:
    boroughs: int = 33
    options: int = 40
    criteria: int = 16
    requirements: int = 300


def _insert(model, rows: list[dict]) -> None:
    if rows:
        db.session.execute(sa.insert(model), rows)


def _ids(model, **where) -> list[int]:
    query = sa.select(model.id)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return list(db.session.scalars(query.order_by(model.id)))


def seed(size: SeedSize, slug: str = "city-scale", seed_value: int = 2026) -> dict[str, int]:
    """Create the experiment ``slug`` (refusing if it exists) and return row counts."""
    if db.session.scalar(sa.select(m.Experiment.id).where(m.Experiment.slug == slug)):
        raise ValueError(f"An experiment with the short name {slug!r} already exists")
    rng = random.Random(seed_value)
    now = datetime(2026, 11, 1, 9, 0)
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")

    _insert(
        m.Organisation,
        [
            {
                "slug": f"{slug}-borough-{i:02d}",
                "name": f"Bench Borough {i:02d} ({slug})",
                "kind": "borough",
                "is_member": True,
            }
            for i in range(1, size.boroughs + 1)
        ],
    )
    org_ids = list(
        db.session.scalars(
            sa.select(m.Organisation.id)
            .where(m.Organisation.slug.like(f"{slug}-borough-%"))
            .order_by(m.Organisation.id)
        )
    )
    _insert(
        m.User,
        [
            {
                "email": f"lead{i:02d}@{slug}.bench.test",
                "name": f"Bench Lead {i:02d}",
                "password_hash": password_hash,
                "site_role": "member",
                "organisation_id": org_id,
            }
            for i, org_id in enumerate(org_ids, start=1)
        ],
    )
    lead_ids = list(
        db.session.scalars(
            sa.select(m.User.id)
            .where(m.User.email.like(f"%@{slug}.bench.test"))
            .order_by(m.User.id)
        )
    )

    experiment = m.Experiment(
        slug=slug,
        title=f"City-scale benchmark ({slug})",
        domain="Housing management systems",
        summary="A synthetic experiment at city scale. [[members: Members see this.]] "
        "[[participants: Participants see this.]]",
        problem_statement="Every borough buys alone.",
        outcomes="- One specification\n- Cohorts that buy together",
        stage="requirements",
        is_published=True,
    )
    db.session.add(experiment)
    db.session.flush()
    exp_id = experiment.id

    _insert(
        m.Participation,
        [
            {
                "experiment_id": exp_id,
                "organisation_id": org_id,
                "role": "lead" if i == 0 else "participant",
                "procurement_lead_id": lead_ids[i],
            }
            for i, org_id in enumerate(org_ids)
        ],
    )
    _insert(
        m.Option,
        [
            {
                "experiment_id": exp_id,
                "kind": "product" if i % 5 else "approach",
                "name": f"Option {i:02d}",
                "supplier": f"Supplier {i:02d} Ltd",
                "summary": f"Synthetic option {i}.",
                "description": "A cloud housing system. [[participants: Quoted under NDA.]]",
                "hosting_model": "saas",
                "status": "shortlist",
                "cost_low": Decimal(100_000 + 1000 * i),
                "cost_high": Decimal(200_000 + 1500 * i),
                "cost_basis": "per year",
                "supplier_remarks": "Discount for five or more boroughs.",
            }
            for i in range(1, size.options + 1)
        ],
    )
    option_ids = _ids(m.Option, experiment_id=exp_id)
    _insert(
        m.LandscapeEntry,
        [
            {
                "experiment_id": exp_id,
                "organisation_id": org_id,
                "product_name": f"Legacy {i % 4}",
                "supplier": f"Incumbent {i % 4} plc",
                "contract_start": date(2019, 4, 1),
                "contract_end": date(2026, 4, 1) + timedelta(days=45 * (i % 30)),
                "extension_months": rng.choice([0, 6, 12, 24]),
                "annual_cost": Decimal(150_000 + 5000 * i),
            }
            for i, org_id in enumerate(org_ids)
        ],
    )
    half = size.criteria // 2
    _insert(
        m.Criterion,
        [
            {
                "experiment_id": exp_id,
                "dimension": "feasibility" if i < half else "desirability",
                "name": f"Criterion {i + 1:02d}",
                "weight": rng.randint(1, 5),
                "guidance": "Score 0 to 5.",
                "position": i,
            }
            for i in range(size.criteria)
        ],
    )
    criterion_ids = _ids(m.Criterion, experiment_id=exp_id)
    _insert(
        m.Scorecard,
        [
            {
                "experiment_id": exp_id,
                "option_id": option_id,
                "organisation_id": org_id,
                "status": "submitted",
                "submitted_at": now,
                "submitted_by_id": lead_ids[i],
            }
            for i, org_id in enumerate(org_ids)
            for option_id in option_ids
        ],
    )
    scorecards = db.session.execute(
        sa.select(m.Scorecard.id, m.Scorecard.option_id).where(m.Scorecard.experiment_id == exp_id)
    ).all()
    quality = {option_id: rng.uniform(1.5, 4.5) for option_id in option_ids}
    score_rows = [
        {
            "scorecard_id": sc_id,
            "criterion_id": crit_id,
            "score": max(0, min(5, round(quality[option_id] + rng.gauss(0, 0.9)))),
            "reason": "Seen in the demonstration.",
            "reason_sensitivity": rng.choice(["members", "participants"]),
        }
        for sc_id, option_id in scorecards
        for crit_id in criterion_ids
    ]
    for start in range(0, len(score_rows), 5000):
        _insert(m.Score, score_rows[start : start + 5000])

    _insert(
        m.Requirement,
        [
            {
                "experiment_id": exp_id,
                "number": i,
                "title": f"Requirement {i:03d}",
                "statement": f"The system must support synthetic capability {i}.",
                "acceptance_criteria": [f"Capability {i} is demonstrated", "It is documented"],
                "category": CATEGORIES[i % len(CATEGORIES)],
                "priority": ["must", "should", "could"][i % 3],
                "status": "agreed",
                "sensitivity": LEVELS[i % len(LEVELS)],
                "revision": 1,
            }
            for i in range(1, size.requirements + 1)
        ],
    )
    experiment.requirement_counter = size.requirements
    requirement_ids = _ids(m.Requirement, experiment_id=exp_id)
    positions = ["adopt", "adopt", "adopt", "adopt_with_changes", "not_needed"]
    endorsement_rows = []
    for req_id in requirement_ids:
        for i, org_id in enumerate(org_ids):
            position = positions[(req_id + i) % len(positions)]
            endorsement_rows.append(
                {
                    "requirement_id": req_id,
                    "organisation_id": org_id,
                    "position": position,
                    "comment": "" if position == "adopt" else "Needs local wording.",
                    "revision": 1,
                    "endorsed_by_id": lead_ids[i],
                }
            )
    for start in range(0, len(endorsement_rows), 5000):
        _insert(m.Endorsement, endorsement_rows[start : start + 5000])
    db.session.flush()

    from procure.requirements.versions import publish_version

    publish_version(experiment, "0.1", "First draft for comment.")
    # Real changes between the versions: edits to a tenth of the requirements.
    db.session.execute(
        sa.update(m.Requirement)
        .where(m.Requirement.experiment_id == exp_id, m.Requirement.number % 10 == 0)
        .values(statement=m.Requirement.statement + " It must also export the data.", revision=2)
    )
    db.session.expire_all()
    publish_version(db.session.get(m.Experiment, exp_id), "1.0", "First full version.")

    workshop = m.Workshop(
        experiment_id=exp_id,
        title="City-scale moderation workshop",
        starts_at=now,
        ends_at=now + timedelta(hours=3),
        location="City Hall",
        stage="scoring",
        purpose="Moderate the scores.",
        facilitator="Bench Facilitator",
    )
    db.session.add(workshop)
    db.session.flush()
    _insert(
        m.AgendaItem,
        [
            {
                "workshop_id": workshop.id,
                "position": i,
                "starts": f"{10 + i}:00",
                "title": f"Item {i}",
            }
            for i in range(6)
        ],
    )
    _insert(
        m.Attendee,
        [
            {
                "workshop_id": workshop.id,
                "name": f"Bench Lead {i + 1:02d}",
                "organisation_id": org_id,
                "attended": True,
            }
            for i, org_id in enumerate(org_ids)
        ],
    )
    _insert(
        m.NoteSection,
        [
            {
                "workshop_id": workshop.id,
                "position": i,
                "heading": f"Discussion {i}",
                "body": "Boroughs compared notes. [[participants: Prices were discussed.]]",
                "sensitivity": LEVELS[i % 5],
            }
            for i in range(10)
        ],
    )
    _insert(
        m.Decision,
        [
            {
                "workshop_id": workshop.id,
                "position": i,
                "text": f"Decision {i}",
                "sensitivity": "public",
            }
            for i in range(5)
        ],
    )
    _insert(
        m.WorkshopAction,
        [
            {
                "workshop_id": workshop.id,
                "text": f"Action {i}",
                "owner_organisation_id": org_ids[i % len(org_ids)],
                "due_on": date(2026, 12, 1),
                "status": "open",
                "sensitivity": "members",
            }
            for i in range(8)
        ],
    )
    db.session.execute(
        sa.insert(workshop_options),
        [{"workshop_id": workshop.id, "option_id": option_id} for option_id in option_ids[:10]],
    )
    db.session.flush()
    return {
        "boroughs": len(org_ids),
        "options": len(option_ids),
        "criteria": len(criterion_ids),
        "scores": len(score_rows),
        "requirements": len(requirement_ids),
        "endorsements": len(endorsement_rows),
    }
