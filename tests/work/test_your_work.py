"""Your work: exactly the open tasks per role, overdue first, each linking to its form."""

from __future__ import annotations

from datetime import timedelta

from procure.deadlines import london_day, utc_now
from procure.extensions import db
from procure.sensitivity import Sensitivity
from procure.work.services import work_for
from tests import factories as f
from tests.scoring.helpers import csrf, declare, scorecard


def _today():
    return london_day(utc_now())


def test_a_scoring_lead_sees_declaration_and_every_unsubmitted_scorecard(world):
    w = world
    w.experiment.scoring_closes_on = _today() + timedelta(days=3)
    items = work_for(w.lead1)
    assert [i.kind for i in items] == ["declaration", "scorecard", "scorecard"]
    assert [i.text for i in items[1:]] == ["Score Option Apple", "Score Option Banana"]
    assert all(i.due and i.due.days_left == 3 for i in items)
    declare(w, w.lead1)
    scorecard(w.option_a, w.org1, {c: 3 for c in w.criteria})
    scorecard(w.option_b, w.org1, {w.f1: 2}, status="draft")  # a draft is still to do
    db.session.flush()
    assert [i.text for i in work_for(w.lead1)] == ["Score Option Banana"]


def test_officers_observers_and_outsiders_have_no_scoring_work(world):
    w = world
    for person in (w.officer1, w.observer_lead, w.member, w.admin):
        assert work_for(person) == [], person


def test_endorsements_owed_by_the_lead_in_the_requirements_stage(world):
    w = world
    w.experiment.stage = "requirements"
    w.experiment.endorsements_due_on = _today() - timedelta(days=2)
    agreed = f.RequirementFactory(experiment=w.experiment, status="agreed", number=1)
    f.RequirementFactory(experiment=w.experiment, status="draft", number=2)
    changed = f.RequirementFactory(experiment=w.experiment, status="agreed", number=3, revision=2)
    f.EndorsementFactory(requirement=changed, organisation=w.org1, revision=1)  # stale
    f.EndorsementFactory(requirement=agreed, organisation=w.org2, revision=1)
    db.session.flush()
    [item] = work_for(w.lead1)
    assert item.kind == "endorsement" and item.text == "Endorse 2 requirements for Zeta Borough"
    assert item.overdue and item.endpoint == "requirements.tasks"
    [item] = work_for(w.lead2)
    assert item.text == "Endorse 1 requirement for Alpha Borough"
    assert work_for(w.officer1) == [] and work_for(w.observer_lead) == []


def test_actions_and_workshops_for_everyone_in_the_organisation_redacted(world):
    w = world
    w.experiment.stage = "requirements"
    now = utc_now()
    coming = f.WorkshopFactory(
        experiment=w.experiment,
        title="Show and tell [[participants: secret plan]]",
        starts_at=now.replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=5),
    )
    f.WorkshopFactory(
        experiment=w.experiment, title="Long gone", starts_at=now - timedelta(days=30)
    )
    f.WorkshopActionFactory(
        workshop_id=coming.id,
        text="Send the data map",
        owner_organisation=w.org1,
        due_on=_today() - timedelta(days=1),
        sensitivity=Sensitivity.MEMBERS,
    )
    f.WorkshopActionFactory(
        workshop_id=coming.id, text="Done already", owner_organisation=w.org1, status="done"
    )
    f.WorkshopActionFactory(workshop_id=coming.id, text="Someone else's", owner_organisation=w.org2)
    db.session.flush()
    items = work_for(w.officer1)
    assert [i.kind for i in items] == ["action", "workshop"]
    assert items[0].overdue and items[0].text == "Send the data map"
    assert "secret plan" in items[1].text and items[1].due.verb == "On"
    assert [i.text for i in work_for(w.member)] == []  # not taking part


def test_page_lists_work_overdue_first_with_links_and_an_empty_state(as_user, world):
    w = world
    w.experiment.scoring_closes_on = _today() - timedelta(days=1)
    declare(w, w.lead1)
    f.WorkshopActionFactory(
        workshop_id=f.WorkshopFactory(experiment=w.experiment, starts_at=utc_now()).id,
        text="Later action",
        owner_organisation=w.org1,
        due_on=_today() + timedelta(days=9),
    )
    db.session.flush()
    html = as_user(w.lead1).get("/work").get_data(as_text=True)
    assert html.index("Score Option Apple") < html.index("Later action")
    assert "Overdue" in html and "(in 9 days)" in html
    assert f'href="/experiments/housing/scoring/tasks/zeta/{w.option_a.id}"' in html
    assert 'href="/"' in html and "See all experiments" in html
    html = as_user(w.member).get("/work").get_data(as_text=True)
    assert "You have nothing to do at the moment" in html


def test_signing_in_lands_on_your_work(client, world):
    w = world
    w.lead1.set_password("correct horse battery staple")
    db.session.flush()
    token = csrf(client, "/login")
    response = client.post(
        "/login",
        data={
            "csrf_token": token,
            "email": w.lead1.email,
            "password": "correct horse battery staple",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/work"
