"""Who may open each scoring page, and the demo data."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from procure.demo import DemoContext
from procure.extensions import db
from procure.scoring import demo
from procure.scoring.models import Criterion, Declaration, ModeratedScore, Scorecard
from procure.scoring.read_models import load_scoring_data
from tests import factories as f
from tests.scoring.helpers import declare

ROLES = ("anonymous", "member", "officer1", "lead1", "observer_lead", "admin")
# route → expected status per role, in ROLES order (the experiment is published).
TABLE = [
    ("/experiments/housing/scoring", (200, 200, 200, 200, 200, 200)),
    ("/experiments/housing/scoring/options/{a}", (200, 200, 200, 200, 200, 200)),
    # A member outside the experiment sees no borough while scoring is open (blind).
    ("/experiments/housing/scoring/boroughs/zeta", (404, 403, 200, 200, 200, 200)),
    ("/experiments/housing/scoring/scores.csv", (200, 200, 200, 200, 200, 200)),
    ("/experiments/housing/scoring/criteria", (302, 403, 403, 403, 403, 200)),
    ("/experiments/housing/scoring/declarations", (302, 403, 403, 403, 403, 200)),
    ("/experiments/housing/scoring/declaration", (302, 403, 200, 200, 200, 200)),
    ("/experiments/housing/scoring/tasks", (302, 403, 403, 302, 403, 200)),
    ("/experiments/housing/scoring/tasks/zeta", (302, 403, 403, 200, 403, 200)),
    ("/experiments/housing/scoring/tasks/zeta/{a}", (302, 403, 403, 200, 403, 200)),
    ("/experiments/housing/scoring/moderation/{a}/{d1}", (302, 403, 403, 403, 403, 200)),
]


@pytest.mark.parametrize(("route", "expected"), TABLE)
def test_access_table(client, as_user, world, route, expected):
    declare(world, world.lead1)
    declare(world, world.admin)
    url = route.format(a=world.option_a.id, d1=world.d1.id)
    for role, status in zip(ROLES, expected, strict=True):
        if role != "anonymous":
            as_user(getattr(world, role))
        response = client.get(url)
        assert response.status_code == status, (role, url)
        with client.session_transaction() as session:
            session.clear()


def test_unpublished_experiment_hides_scoring_from_the_public(client, world):
    world.experiment.is_published = False
    db.session.flush()
    assert client.get("/experiments/housing/scoring").status_code == 404
    assert client.get("/experiments/nope/scoring").status_code == 404


def _demo_context(db_session, with_options: bool) -> DemoContext:
    experiment = f.ExperimentFactory(slug="housing-systems", is_published=True, stage="scoring")
    admin = f.AdminFactory(organisation=None)
    orgs, leads, officers = {}, {}, {}
    for slug, role in [
        ("camden", "lead"),
        ("hackney", "participant"),
        ("islington", "participant"),
        ("kingston", "participant"),
        ("sutton", "participant"),
        ("waltham-forest", "participant"),
        ("bexley", "observer"),
    ]:
        orgs[slug] = f.OrganisationFactory(slug=slug, name=f"London Borough of {slug.title()}")
        leads[slug] = f.UserFactory(organisation=orgs[slug])
        officers[slug] = f.UserFactory(organisation=orgs[slug])
        f.ParticipationFactory(
            experiment=experiment, organisation=orgs[slug], role=role, procurement_lead=leads[slug]
        )
    if with_options:
        for n in range(5):
            f.OptionFactory(
                experiment=experiment,
                name=f"Demo option {n}",
                status="shortlist",
                kind="approach" if n == 0 else "product",
            )
        f.OptionFactory(experiment=experiment, name="Longlisted", status="longlist")
    db_session.flush()
    return DemoContext(experiment, admin, orgs, leads, officers)


def _counts(experiment):
    return tuple(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(model)
            .where(model.experiment_id == experiment.id)
        )
        for model in (Criterion, Declaration, Scorecard, ModeratedScore)
    )


def test_demo_without_options_adds_criteria_and_a_note(app_ctx, db_session):
    ctx = _demo_context(db_session, with_options=False)
    demo.load(ctx)
    criteria, declarations, scorecards, moderated = _counts(ctx.experiment)
    assert criteria == 10 and declarations == 6 and scorecards == 0 and moderated == 0
    assert any("no shortlisted options" in note for note in ctx.notes)


def test_demo_scores_every_shortlisted_option_and_is_idempotent(app_ctx, db_session):
    ctx = _demo_context(db_session, with_options=True)
    demo.load(ctx)
    first = _counts(ctx.experiment)
    demo.load(ctx)
    assert _counts(ctx.experiment) == first
    criteria, declarations, scorecards, moderated = first
    assert (criteria, declarations, scorecards, moderated) == (10, 6, 30, 1)
    weights = set(
        db.session.scalars(
            sa.select(Criterion.weight).where(Criterion.experiment_id == ctx.experiment.id)
        )
    )
    assert len(weights) > 1
    interests = db.session.scalars(sa.select(Declaration).where(Declaration.has_interest)).all()
    assert len(interests) == 1
    drafts = db.session.scalars(sa.select(Scorecard).where(Scorecard.status == "draft")).all()
    assert len(drafts) == 1 and drafts[0].organisation.slug == "waltham-forest"
    data = load_scoring_data(ctx.experiment)
    assert len(data.analysis.agenda) >= 2  # real disagreement: range ≥ 3
    assert data.analysis.agreement.w is not None
    reasons = [s.reason for c in data.scorecards for s in c.scores]
    assert any("[[participants:" in r for r in reasons)
    # Reasons are written per score: most name their option, and few repeat (two boroughs
    # may say the same of the same option; the old demo had 12 sentences for 290 scores).
    assert len(set(reasons)) >= 2 / 3 * len(reasons)
    assert max(reasons.count(r) for r in reasons) <= 4
    named = [s for c in data.scorecards for s in c.scores if c.option.name in s.reason]
    assert len(named) >= 0.8 * len(reasons)
    # A procurement route is judged as a route: no supplier demonstrations or APIs.
    routes = [s.reason for c in data.scorecards if c.option.kind == "approach" for s in c.scores]
    assert routes and not [r for r in routes if "demonstration" in r or "API" in r]
