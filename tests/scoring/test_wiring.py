"""The database → analysis wiring, checked against a small example worked by hand.

Criteria: feasibility Cost (weight 2), Timescale (1); desirability Residents (1), Data (3).
Borough score = 100 × Σ wᵢ·sᵢ / (5 × Σ wᵢ):

Option Apple   Zeta:  F = 100·(2·5 + 1·2)/15 = 80      D = 100·(1·4 + 3·3)/20 = 65
               Alpha: F = 100·(2·3 + 1·3)/15 = 60      D = 100·(1·1 + 3·5)/20 = 80
               → F mean 70 (60–80), D mean 72.5 (65–80): pursue together
Option Banana  Zeta:  F = 100·(2·1 + 1·1)/15 = 20      D = 100·(1·2 + 3·2)/20 = 40
               Alpha: F = 100·(2·2 + 1·4)/15 = 53.33   D = 100·(1·3 + 3·1)/20 = 30
               → F mean 36.67, D mean 35: set aside
Combined: Apple 72.5 (Zeta), 70 (Alpha); Banana 30, 41.67 → both rank Apple first: W = 1.
Agenda (range ≥ 3): Apple × Residents (1–4), Banana × Timescale (1–4).
Moderated Apple × Residents = 3: Zeta D = 100·(3 + 9)/20 = 60, Alpha D = 100·(3 + 15)/20 = 90
→ moderated D mean 75. Ignored: Mu's draft, the longlisted option, the observer's scorecard.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from procure.extensions import db
from procure.scoring.exports import summary
from procure.scoring.read_models import load_scoring_data
from procure.sensitivity import Audience, Redactor
from tests import factories as f
from tests.scoring.helpers import build_world, hand_example, scorecard


@pytest.fixture
def example(world):
    hand_example(world)
    # Scoring has closed, so every reader of the dashboard sees the figures (blind.py).
    world.experiment.stage = "requirements"
    f.ModeratedScoreFactory(option=world.option_a, criterion=world.d1, score=3)
    db.session.flush()
    return world


def _option(data, name):
    return next(o for o in data["options"] if o["name"] == name)


def test_summary_matches_the_hand_computed_example(app_ctx, example):
    data = summary(example.experiment, Redactor(Audience.PARTICIPANTS))
    apple, banana = _option(data, "Option Apple"), _option(data, "Option Banana")
    assert apple["feasibility"] == {
        "mean": 70.0,
        "median": 70.0,
        "min": 60.0,
        "max": 80.0,
        "sd": 14.14,
        "n": 2,
    }
    assert apple["desirability"]["mean"] == 72.5
    assert (apple["desirability"]["min"], apple["desirability"]["max"]) == (65.0, 80.0)
    assert apple["quadrant"] == "pursue together"
    assert apple["moderated"]["desirability"]["mean"] == 75.0
    assert apple["moderated"]["feasibility"]["mean"] == 70.0
    assert banana["feasibility"]["mean"] == 36.67
    assert banana["desirability"]["mean"] == 35.0
    assert banana["quadrant"] == "set aside"
    assert banana["moderated"] is None
    assert data["kendall_w"] == 1.0
    assert data["agreement"]["n_raters"] == 2
    assert apple["robustness"] == 1.0 and banana["robustness"] == 0.0
    assert [o["name"] for o in data["options"]] == ["Option Apple", "Option Banana"]
    agenda = {(i["option_id"], i["criterion_id"]) for i in data["agenda"]}
    assert agenda == {(example.option_a.id, example.d1.id), (example.option_b.id, example.f2.id)}


def test_cli_summary_prints_the_documented_keys(runner, example):
    result = runner.invoke(args=["export", "summary", "--experiment", "housing"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert "kendall_w" in data and data["kendall_w"] == 1.0
    for option in data["options"]:
        assert {
            "name",
            "feasibility",
            "desirability",
            "moderated",
            "quadrant",
            "robustness",
        } <= set(option)
        for dim in ("feasibility", "desirability"):
            assert set(option[dim]) == {"mean", "median", "min", "max", "sd", "n"}
    apple = _option(data, "Option Apple")
    assert set(apple["moderated"]) == {"feasibility", "desirability"}


def test_cli_summary_unknown_experiment_fails(runner, world):
    result = runner.invoke(args=["export", "summary", "--experiment", "nope"])
    assert result.exit_code != 0
    assert "No experiment" in result.output


def test_dashboard_shows_the_hand_computed_figures(client, example):
    html = client.get("/experiments/housing/scoring").get_data(as_text=True)
    assert "70.0" in html and "72.5" in html and "36.7" in html and "35.0" in html
    assert "60.0–80.0" in html  # the feasibility range of Apple
    assert "Pursue together" in html and "Set aside" in html
    assert "W = 1.00" in html
    assert "D 75.0" in html  # the moderated desirability beside the raw figure
    assert "Option Longlist" not in html


def test_draft_and_observer_scorecards_do_not_count(app_ctx, example):
    data = load_scoring_data(example.experiment)
    counted = {(c.option_id, c.organisation_id) for c in data.scorecards}
    assert (example.option_a.id, example.org3.id) not in counted
    assert (example.option_b.id, example.observer_org.id) not in counted
    assert data.analysis.option(example.option_a.id).feasibility.n == 2


def test_incomplete_submitted_scorecard_does_not_count_in_that_dimension(app_ctx, world):
    w = world
    scorecard(w.option_a, w.org1, {w.f1: 5, w.f2: 5, w.d1: 5})  # Data missing
    db.session.flush()
    analysis = load_scoring_data(w.experiment).analysis
    assert analysis.option(w.option_a.id).feasibility.n == 1
    assert analysis.option(w.option_a.id).desirability.n == 0


def test_threshold_comes_from_the_experiment(app_ctx, db_session):
    w = build_world(db_session, quadrant_threshold=75)
    hand_example(w)
    db.session.flush()
    data = summary(w.experiment, Redactor(Audience.PARTICIPANTS))
    assert data["threshold"] == 75
    assert _option(data, "Option Apple")["quadrant"] == "set aside"


def _count_queries(func) -> int:
    statements = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        func()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def test_query_count_does_not_grow_with_the_data(app_ctx, world):
    w = world
    hand_example(w)
    db.session.flush()
    db.session.expire_all()
    small = _count_queries(lambda: load_scoring_data(w.experiment, include_drafts=True))
    for n in range(6):
        org = f.OrganisationFactory()
        f.ParticipationFactory(experiment=w.experiment, organisation=org)
        option = f.OptionFactory(experiment=w.experiment, status="shortlist")
        extra = f.CriterionFactory(experiment=w.experiment, dimension="desirability")
        for o in (w.option_a, w.option_b, option):
            scorecard(o, org, {w.f1: n % 6, w.f2: 3, w.d1: 2, w.d2: 4, extra: 1})
    db.session.flush()
    db.session.expire_all()
    large = _count_queries(lambda: load_scoring_data(w.experiment, include_drafts=True))
    assert large == small
