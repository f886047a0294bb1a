"""The scoring window: closed means refused with a clear message and the draft kept, until
the convenor reopens scoring for one organisation with an audited reason."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from procure.audit import AuditEvent
from procure.deadlines import london_day, utc_now
from procure.experiments.lifecycle import gate_into
from procure.extensions import db
from procure.scoring.models import Scorecard, ScoringReopening
from procure.scoring.scorecards import ScoreEntry, ScoringClosed, save_scorecard
from procure.scoring.window import reopen_scoring, scoring_closed, scoring_refusal
from procure.sensitivity import Sensitivity
from tests.scoring.helpers import declare, form_state, post, scorecard


def _url(w, org=None):
    return f"/experiments/housing/scoring/tasks/{(org or w.org1).slug}/{w.option_a.id}"


def _full(w):
    data = {}
    for c in w.criteria:
        data[f"score_{c.id}"] = "4"
        data[f"reason_{c.id}"] = f"Reason for {c.name}"
        data[f"sensitivity_{c.id}"] = "members"
    return data


def _close_yesterday(w):
    w.experiment.scoring_closes_on = london_day(utc_now()) - timedelta(days=1)
    db.session.flush()


def test_closed_is_decided_in_london_time_on_the_night_summer_time_ends(world):
    world.experiment.scoring_closes_on = date(2026, 10, 24)
    # 23:30 UTC on the 24th is already the 25th in London (BST): closed.
    assert scoring_closed(world.experiment, datetime(2026, 10, 24, 23, 30))
    assert not scoring_closed(world.experiment, datetime(2026, 10, 24, 22, 59))
    world.experiment.scoring_closes_on = None
    assert not scoring_closed(world.experiment, datetime(2030, 1, 1))


def test_service_refuses_after_closing_and_changes_nothing(world):
    w = world
    card = scorecard(w.option_a, w.org1, {w.f1: 2}, status="draft")
    db.session.flush()
    version = card.version
    entries = {w.f1.id: ScoreEntry(5, "Changed", Sensitivity.MEMBERS)}
    w.experiment.scoring_closes_on = date(2026, 12, 11)
    with pytest.raises(ScoringClosed, match="Scoring closed on Friday 11 December 2026"):
        save_scorecard(
            w.experiment,
            w.option_a,
            w.org1,
            w.criteria,
            entries,
            version,
            w.lead1,
            now=datetime(2026, 12, 12, 0, 0),
        )
    db.session.expire_all()
    kept = db.session.get(Scorecard, card.id)
    assert kept.status == "draft" and kept.version == version
    assert [s.score for s in kept.scores if s.criterion_id == w.f1.id] == [2]
    # On the last day itself, saving works.
    save_scorecard(
        w.experiment,
        w.option_a,
        w.org1,
        w.criteria,
        entries,
        version,
        w.lead1,
        now=datetime(2026, 12, 11, 23, 59),
    )


def test_page_refuses_with_a_clear_message_and_keeps_what_was_typed(as_user, world):
    w = world
    declare(w, w.lead1)
    scorecard(w.option_a, w.org1, {w.f1: 2}, status="draft")
    _close_yesterday(w)
    client = as_user(w.lead1)
    token, version = form_state(client, _url(w))
    data = {"csrf_token": token, "version": version, **_full(w), "submit": "Submit"}
    data[f"reason_{w.f2.id}"] = "Typed after closing"
    response = client.post(_url(w), data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Scoring closed on" in html and "Your draft is kept" in html
    assert "Typed after closing" in html
    db.session.expire_all()
    card = db.session.scalar(
        sa.select(Scorecard).where(
            Scorecard.option_id == w.option_a.id, Scorecard.organisation_id == w.org1.id
        )
    )
    assert card.status == "draft"
    assert [s.score for s in card.scores if s.criterion_id == w.f1.id] == [2]


def test_convenor_reopens_for_one_organisation_with_an_audited_reason(as_user, world):
    w = world
    declare(w, w.lead1)
    declare(w, w.lead2)
    _close_yesterday(w)
    reopen_url = "/experiments/housing/deadlines/reopen/zeta"
    admin = as_user(w.admin)
    response = post(admin, reopen_url, {"reason": " "})
    assert "Enter why scoring is being reopened" in response.get_data(as_text=True)
    response = post(admin, reopen_url, {"reason": "Lead was on leave"})
    assert response.status_code == 302
    reopening = db.session.scalar(sa.select(ScoringReopening))
    assert reopening.organisation_id == w.org1.id and reopening.reason == "Lead was on leave"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "scoring.reopen"))
    assert event.changes["reason"] == "Lead was on leave"
    page = admin.get("/experiments/housing/deadlines").get_data(as_text=True)
    assert "Reopened: Lead was on leave" in page

    assert scoring_refusal(w.experiment, w.org1.id) is None
    assert scoring_refusal(w.experiment, w.org2.id) is not None
    client = as_user(w.lead1)
    token, version = form_state(client, _url(w))
    data = {"csrf_token": token, "version": version, **_full(w), "submit": "Submit"}
    assert client.post(_url(w), data=data).status_code == 302
    with pytest.raises(ValueError, match="already reopened"):
        reopen_scoring(w.experiment, w.org1, "again", w.admin)


def test_stage_gate_names_who_is_late(world):
    w = world
    _close_yesterday(w)
    missing = [m.text for m in gate_into(w.experiment, "requirements")]
    assert any("Zeta Borough" in t and "late: scoring closed on" in t for t in missing)
    w.experiment.scoring_closes_on = london_day(utc_now()) + timedelta(days=5)
    missing = [m.text for m in gate_into(w.experiment, "requirements")]
    assert missing and not any("late" in t for t in missing)


def test_convenor_sets_the_deadlines(as_user, world):
    client = as_user(world.admin)
    url = "/experiments/housing/deadlines"
    token, version = form_state(client, url)
    bad = {
        "csrf_token": token,
        "version": version,
        "scoring_opens_on": ["10", "12", "2026"],
        "scoring_closes_on": ["1", "12", "2026"],
        "endorsements_due_on": ["", "", ""],
    }
    html = client.post(url, data=bad).get_data(as_text=True)
    assert "Scoring closes must be the same as or after scoring opens" in html
    good = {**bad, "scoring_closes_on": ["12", "12", "2026"]}
    assert client.post(url, data=good).status_code == 302
    db.session.expire_all()
    assert world.experiment.scoring_closes_on == date(2026, 12, 12)
    assert world.experiment.endorsements_due_on is None
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "experiment.deadlines")
    )
    assert event.changes["scoring_closes_on"] == [None, "2026-12-12"]
    stale = client.post(url, data={**good, "scoring_closes_on": ["13", "12", "2026"]})
    assert stale.status_code == 409


def test_task_lists_show_the_due_date_and_overdue(as_user, world):
    w = world
    declare(w, w.lead1)
    _close_yesterday(w)
    html = as_user(w.lead1).get("/experiments/housing/scoring/tasks/zeta").get_data(as_text=True)
    assert "Scorecards: " in html and "(yesterday)" in html and "Overdue" in html
