"""Blind scoring: a borough sees no other borough's scores until it has submitted its own.

Per role and per stage. Borough Alpha (org2) has submitted both options with reasons
holding tokens; borough Zeta (org1) has one draft. Zeta's people must find no trace of
Alpha's scores on any scoring page or export they can reach, until Zeta submits or
scoring closes. Convenor staff and observers see everything all along.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import sqlalchemy as sa

from procure.extensions import db
from procure.reports.document import render_report_html
from procure.reports.kinds import build_document
from procure.scoring.models import Scorecard
from procure.sensitivity import Audience, Sensitivity
from tests.conftest import login
from tests.scoring.helpers import scorecard

OTHERS = ["BLINDALPHA01", "BLINDALPHA02"]
OWN = "OWNZETA01"
LINK = re.compile(r'href="(/experiments/housing/scoring[^"#]*)')


@pytest.fixture
def blind_world(world):
    w = world
    for option, token in ((w.option_a, OTHERS[0]), (w.option_b, OTHERS[1])):
        scorecard(
            option,
            w.org2,
            {w.f1: 5, w.f2: 4, w.d1: 1, w.d2: 5},
            reason=f"Alpha thinks {token}",
            sensitivity=Sensitivity.MEMBERS,
        )
    scorecard(
        w.option_a,
        w.org1,
        {w.f1: 2, w.f2: 2, w.d1: 2, w.d2: 2},
        status="draft",
        reason=f"Zeta thinks {OWN}",
        sensitivity=Sensitivity.PARTICIPANTS,
    )
    return w


def _body(response) -> str:
    data = response.data
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return data.decode("utf-8", "replace")


def _read_everything(client, w) -> dict[str, str]:
    """Every scoring page and export reachable from the dashboard, plus the direct URLs."""
    start = [
        "/experiments/housing/scoring",
        "/experiments/housing/scoring/agenda",
        f"/experiments/housing/scoring/options/{w.option_a.id}",
        f"/experiments/housing/scoring/options/{w.option_b.id}",
        "/experiments/housing/scoring/boroughs/alpha",
        "/experiments/housing/scoring/boroughs/zeta",
        "/experiments/housing/scoring/scores.csv",
        "/experiments/housing/scoring/scores.xlsx",
    ]
    queue, seen, bodies = list(start), set(start), {}
    while queue:
        url = queue.pop(0)
        response = client.get(url)
        bodies[url] = f"{response.status_code}\n{_body(response)}"
        if response.status_code == 200 and response.mimetype == "text/html":
            for link in LINK.findall(response.get_data(as_text=True)):
                if link not in seen and "/tasks" not in link:
                    seen.add(link)
                    queue.append(link)
    return bodies


def _leaks(bodies: dict[str, str]) -> list[str]:
    return [f"{url}: {t}" for url, body in bodies.items() for t in OTHERS if t in body]


@pytest.mark.parametrize("who", ["lead1", "officer1"])
def test_a_borough_that_has_not_submitted_sees_no_other_borough(client, blind_world, who):
    w = blind_world
    login(client, getattr(w, who))
    bodies = _read_everything(client, w)
    assert not _leaks(bodies)
    dashboard = bodies["/experiments/housing/scoring"]
    assert "Scoring is blind until you submit" in dashboard
    assert "1 of 3 boroughs have submitted" in dashboard
    assert "Ranked options" not in dashboard and "<svg" not in dashboard
    # Another borough's page is refused; its own page and its own draft are there.
    assert bodies["/experiments/housing/scoring/boroughs/alpha"].startswith("403")
    assert bodies["/experiments/housing/scoring/boroughs/zeta"].startswith("200")
    assert OWN in bodies["/experiments/housing/scoring/scores.csv"]
    assert "Alpha Borough" not in bodies["/experiments/housing/scoring/scores.csv"]
    # The option page shows no borough's figures: Zeta's draft does not count.
    option = bodies[f"/experiments/housing/scoring/options/{w.option_a.id}"]
    assert "0 boroughs" in option


def test_after_submitting_every_option_she_sees_them_all(client, blind_world):
    w = blind_world
    for card in db.session.scalars(
        sa.select(Scorecard).where(Scorecard.organisation_id == w.org1.id)
    ):
        card.status = "submitted"
    db.session.flush()
    scorecard(w.option_b, w.org1, {w.f1: 3, w.f2: 3, w.d1: 3, w.d2: 3})
    login(client, w.lead1)
    bodies = _read_everything(client, w)
    assert "Scoring is blind" not in bodies["/experiments/housing/scoring"]
    found = {t for body in bodies.values() for t in OTHERS if t in body}
    assert found == set(OTHERS)
    assert bodies["/experiments/housing/scoring/boroughs/alpha"].startswith("200")


def test_submitting_one_of_two_options_is_not_enough(client, blind_world):
    w = blind_world
    scorecard(w.option_b, w.org1, {w.f1: 3, w.f2: 3, w.d1: 3, w.d2: 3})
    login(client, w.lead1)
    bodies = _read_everything(client, w)
    assert not _leaks(bodies)
    assert "has submitted 1 of 2 scorecards" in bodies["/experiments/housing/scoring"]


@pytest.mark.parametrize(
    ("who", "says"),
    [("admin", "As convenor staff you see every score now"), ("observer_lead", "As an observer")],
)
def test_convenor_staff_and_observers_see_everything_and_are_told(client, blind_world, who, says):
    w = blind_world
    login(client, getattr(w, who))
    bodies = _read_everything(client, w)
    found = {t for body in bodies.values() for t in OTHERS if t in body}
    assert found == set(OTHERS)
    assert says in bodies["/experiments/housing/scoring"]


@pytest.mark.parametrize("stage", ["scoring", "requirements"])
def test_readers_outside_the_scoring_see_no_scores_until_it_closes(client, blind_world, stage):
    """Otherwise a blind lead could read the other boroughs' figures as anyone else."""
    w = blind_world
    w.experiment.stage = stage
    db.session.flush()
    login(client, w.member)
    bodies = _read_everything(client, w)
    found = {t for body in bodies.values() for t in OTHERS if t in body}
    if stage == "scoring":
        assert not found
        assert "Scores are shown here when scoring closes" in bodies["/experiments/housing/scoring"]
        assert "Alpha Borough" not in bodies["/experiments/housing/scoring/scores.csv"]
    else:
        assert found == set(OTHERS)
        assert "Scoring is blind" not in bodies["/experiments/housing/scoring"]


@pytest.mark.parametrize(
    ("audience", "stage", "shows"),
    [
        (Audience.MEMBERS, "scoring", False),
        (Audience.PUBLIC, "scoring", False),
        (Audience.PARTICIPANTS, "scoring", True),
        (Audience.MEMBERS, "requirements", True),
    ],
)
def test_reports_for_the_public_or_members_carry_no_scores_while_scoring_is_open(
    blind_world, audience, stage, shows
):
    w = blind_world
    w.experiment.stage = stage
    db.session.flush()
    html = render_report_html(build_document("scoring", w.experiment, audience))
    assert any(t in html for t in OTHERS) is shows


@pytest.mark.parametrize(
    ("stage", "blind"),
    [
        ("framing", True),
        ("market_scan", True),
        ("scoring", True),
        ("requirements", False),
        ("decision", False),
        ("closed", False),
    ],
)
def test_scoring_closes_the_blind(client, blind_world, stage, blind):
    w = blind_world
    w.experiment.stage = stage
    db.session.flush()
    login(client, w.lead1)
    bodies = _read_everything(client, w)
    assert bool(_leaks(bodies)) is not blind
    assert ("Scoring is blind" in bodies["/experiments/housing/scoring"]) is blind


def test_score_the_options_goes_once_a_borough_has_nothing_left_to_score(client, blind_world):
    w = blind_world
    login(client, w.lead1)
    assert "Score the options" in client.get("/experiments/housing/scoring").get_data(as_text=True)
    login(client, w.lead2)  # Alpha has submitted both options
    html = client.get("/experiments/housing/scoring").get_data(as_text=True)
    assert "Score the options" not in html and "Ranked options" in html
