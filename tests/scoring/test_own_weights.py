"""A borough's own weights (the page, the audit, the dashboard) and the close call in words.

The hand-worked example of test_wiring.py: Apple 71.25 overall, Banana 35.83.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from procure.audit import AuditEvent
from procure.extensions import db
from procure.scoring.models import BoroughWeight, Scorecard
from tests.conftest import login
from tests.scoring.helpers import hand_example, post, scorecard

WEIGHTS = "/experiments/housing/scoring/tasks/zeta/weights"


@pytest.fixture
def example(world):
    hand_example(world)
    db.session.flush()
    return world


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_a_lead_sets_her_boroughs_own_weights(client, example):
    w = example
    login(client, w.lead1)
    response = post(client, WEIGHTS, {f"weight_{w.f1.id}": "5", f"weight_{w.d2.id}": ""})
    assert response.status_code == 302
    rows = db.session.scalars(sa.select(BoroughWeight)).all()
    assert [(r.organisation_id, r.criterion_id, r.weight) for r in rows] == [
        (w.org1.id, w.f1.id, 5)
    ]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "weights.borough"))
    assert event is not None and "Cost" in str(event.changes)
    page = _text(client.get("/experiments/housing/scoring"))
    assert "Each borough’s own weights" in page
    assert "Cost 5 (shared 2)" in page
    # The form shows what was saved; the shared weight again clears it.
    assert 'value="5"' in client.get(WEIGHTS).get_data(as_text=True)
    post(client, WEIGHTS, {f"weight_{w.f1.id}": "2"})
    assert db.session.scalars(sa.select(BoroughWeight)).all() == []


def test_a_weight_below_one_is_refused_beside_the_field(client, example):
    w = example
    login(client, w.lead1)
    response = post(client, WEIGHTS, {f"weight_{w.f1.id}": "0", f"weight_{w.f2.id}": "seven"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "Weight must be a whole number from 1 to 100" in html
    assert "must be a whole number, like 3" in html
    assert 'value="seven"' in html  # the person's input is kept
    assert db.session.scalars(sa.select(BoroughWeight)).all() == []


def test_a_different_winner_under_a_boroughs_weights_is_flagged(client, example):
    w = example
    # Alpha weighs Timescale and Residents 100 to 1. With Mu's scorecards the mean
    # Timescale and Residents scores are Apple 5/3 and 5/3, Banana 10/3 and 10/3, so
    # Banana wins under Alpha's weights; under the shared ones Apple (F 2.33, D 2.42 out
    # of 5) still beats Banana (F 2, D 1.83).
    db.session.add_all(
        [
            BoroughWeight(
                experiment_id=w.experiment.id,
                organisation_id=w.org2.id,
                criterion_id=c.id,
                weight=weight,
            )
            for c, weight in ((w.f1, 1), (w.f2, 100), (w.d1, 100), (w.d2, 1))
        ]
    )
    # Mu submits: its Apple draft (all 0) and a Banana scorecard that loves the two.
    draft = db.session.scalar(sa.select(Scorecard).where(Scorecard.organisation_id == w.org3.id))
    draft.status = "submitted"
    scorecard(w.option_b, w.org3, {w.f1: 1, w.f2: 5, w.d1: 5, w.d2: 1})
    db.session.flush()
    login(client, w.admin)
    page = _text(client.get("/experiments/housing/scoring"))
    assert "Different winner" in page


def test_the_dashboard_and_option_page_say_whether_there_is_a_clear_winner(client, example):
    w = example
    login(client, w.admin)
    page = _text(client.get("/experiments/housing/scoring"))
    assert "Option Apple is a clear first, ahead of Option Banana" in page
    assert "71.2 and Option Banana 35.8 out of 100: 35.4 points apart" in page
    option = _text(client.get(f"/experiments/housing/scoring/options/{w.option_b.id}"))
    assert "Option Apple is a clear first" in option


def test_a_close_call_names_the_smallest_change(client, world):
    w = world
    # Apple: Zeta F 80 D 65 → 72.5; Banana: Zeta F 80 D 60 → 70. 2.5 apart, one borough.
    scorecard(w.option_a, w.org1, {w.f1: 5, w.f2: 2, w.d1: 4, w.d2: 3})
    scorecard(w.option_b, w.org1, {w.f1: 5, w.f2: 2, w.d1: 3, w.d2: 3})
    db.session.flush()
    login(client, w.admin)
    page = _text(client.get("/experiments/housing/scoring"))
    assert "Option Apple is a clear first" in page  # 2.5 > the 2-point margin
    # Data (weight 3 of 4) moves the combined score by 10 × 3 / 4 = 7.5 points.
    assert (
        "If Zeta Borough scored Option Apple one point lower on Data (2 instead of 3), "
        "Option Banana would come first" in page
    )
    # Apple is ahead on Residents only, so no single weight can put Banana first.
    assert "No change to a single weight would swap them" in page
