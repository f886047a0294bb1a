"""The moderation agenda: the dashboard shows the widest disagreements, its page has all."""

from __future__ import annotations

import re

import sqlalchemy as sa

from bench.seed import SeedSize, seed
from procure import models as m
from procure.extensions import db
from procure.scoring.read_models import agenda_rows, load_scoring_data
from procure.sensitivity import Audience, Redactor
from tests.factories import AdminFactory


def _seeded():
    seed(SeedSize(boroughs=8, options=12, criteria=16, requirements=1), slug="agenda-test")
    return db.session.scalar(sa.select(m.Experiment).where(m.Experiment.slug == "agenda-test"))


def test_dashboard_previews_the_widest_and_the_agenda_pages_through_all(db_session, as_user):
    experiment = _seeded()
    rows = agenda_rows(load_scoring_data(experiment), Redactor(Audience.PARTICIPANTS))
    assert len(rows) > 60, "the seeded scores should disagree widely"
    assert [r.range for r in rows] == sorted((r.range for r in rows), reverse=True)
    client = as_user(AdminFactory())
    html = client.get("/experiments/agenda-test/scoring").get_data(as_text=True)
    assert f"The 10 widest disagreements of {len(rows)} items on the agenda." in html
    agenda_part = html.split('id="agenda"', 1)[1].split('id="progress"', 1)[0]
    assert agenda_part.count("/scoring/moderation/") == 10
    assert f"See the whole moderation agenda ({len(rows)} items)" in html

    seen = []
    for page in (1, 2):
        html = client.get(f"/experiments/agenda-test/scoring/agenda?page={page}").get_data(
            as_text=True
        )
        seen += re.findall(r"/scoring/moderation/(\d+)/(\d+)", html)
    assert f"Items 51 to {min(100, len(rows))} of {len(rows)}." in html
    expected = [(str(r.option_id), str(r.criterion_id)) for r in rows[: min(100, len(rows))]]
    assert seen == expected


def test_a_recorded_consensus_returns_to_the_agenda(db_session, as_user):
    experiment = _seeded()
    item = agenda_rows(load_scoring_data(experiment), Redactor(Audience.PARTICIPANTS))[0]
    client = as_user(AdminFactory())
    url = f"/experiments/agenda-test/scoring/moderation/{item.option_id}/{item.criterion_id}"
    page = client.get(url).get_data(as_text=True)
    assert 'href="/experiments/agenda-test/scoring/agenda"' in page  # the back link
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    version = re.search(r'name="version"[^>]*value="([^"]*)"', page).group(1)
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "version": version,
            "score": "3",
            "rationale": "Agreed at the workshop",
            "rationale_sensitivity": "members",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/experiments/agenda-test/scoring/agenda")
