"""Demo data (idempotent, finds cohorts) and canary planting for the market feature."""

from __future__ import annotations

import sqlalchemy as sa

from procure.canary import CanaryContext
from procure.demo import load_demo
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.market import demo
from procure.market.models import LandscapeEntry, Option
from procure.market.read_models import build_landscape_view, build_market_view
from procure.sensitivity import Audience, Redactor, Sensitivity
from tests import factories as f
from tests.redaction import assert_html_redacted


def test_demo_is_idempotent_and_the_planner_finds_cohorts(app_ctx, db_session):
    load_demo()
    load_demo()
    experiment = db_session.scalar(
        sa.select(Experiment).where(Experiment.slug == "housing-systems")
    )
    options = db_session.scalars(
        sa.select(Option).where(Option.experiment_id == experiment.id)
    ).all()
    assert len(options) == len({o.name for o in options}) == 15
    assert sum(o.kind == "approach" for o in options) == 5
    assert sum(o.status == "shortlist" for o in options) >= 5
    excluded = [o for o in options if o.status == "excluded"]
    assert excluded and all(o.exclusion_reason for o in excluded)
    entries = db_session.scalars(
        sa.select(LandscapeEntry).where(LandscapeEntry.experiment_id == experiment.id)
    ).all()
    assert len(entries) == len(experiment.participations)
    view = build_landscape_view(experiment, Redactor(Audience.PARTICIPANTS))
    assert len(view.planner.cohorts) >= 2
    market = build_market_view(experiment, Redactor(Audience.PARTICIPANTS))
    assert len(market.shortlist) >= 5


def test_canary_plants_tokens_that_pages_redact(client, as_user, world, db_session):
    ctx = CanaryContext(prefix="ZQXC", experiment=world.experiment)
    demo.canary(ctx)
    options = ctx.shared["options"]
    assert options[0].status == "shortlist" and options[-1].status != "shortlist"
    assert len(ctx.shared["landscape"]) == 3
    db_session.flush()
    members = ctx.by_level(Sensitivity.MEMBERS)
    participants = ctx.by_level(Sensitivity.PARTICIPANTS)
    slug = world.experiment.slug
    # One test client: read anonymously first, then signed in as a member.
    for who, forbidden in ((None, members + participants), (world.member, participants)):
        web = as_user(who) if who else client
        for path in ("/market", "/landscape", "/market/export/options.csv",
                     "/market/export/landscape.csv"):  # fmt: skip
            html = web.get(f"/experiments/{slug}{path}").get_data(as_text=True)
            assert_html_redacted(html, forbidden=forbidden, required=[])
        for option in options:
            html = web.get(f"/experiments/{slug}/market/options/{option.id}").get_data(as_text=True)
            assert_html_redacted(html, forbidden=forbidden, required=[])
    html = as_user(world.officer_a).get(f"/experiments/{slug}/market").get_data(as_text=True)
    assert options[0].name in html


def test_demo_load_after_canary_like_rows_skips_existing(app_ctx, db_session):
    load_demo()
    experiment = db.session.scalar(
        sa.select(Experiment).where(Experiment.slug == "housing-systems")
    )
    before = db_session.scalar(sa.select(sa.func.count()).select_from(Option))
    f.OptionFactory(experiment=experiment, name="Something else")
    load_demo()
    after = db_session.scalar(sa.select(sa.func.count()).select_from(Option))
    assert after == before + 1
