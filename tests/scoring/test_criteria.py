"""Criteria pages: adding, the starter set, bad input, changes after scoring starts, moderation."""

from __future__ import annotations

import sqlalchemy as sa

from procure.audit import AuditEvent
from procure.extensions import db
from procure.scoring.models import Criterion, ModeratedScore
from procure.scoring.services import STARTER_CRITERIA
from tests.scoring.helpers import declare, form_state, hand_example, post, scorecard

URL = "/experiments/housing/scoring/criteria"


def _add(client, **overrides):
    data = {"dimension": "feasibility", "name": "Hosting", "weight": "2", "guidance": "Where?"}
    data.update(overrides)
    return post(client, URL, data)


def _names(w):
    db.session.expire_all()
    return set(
        db.session.scalars(
            sa.select(Criterion.name).where(Criterion.experiment_id == w.experiment.id)
        )
    )


def test_admin_adds_a_criterion(as_user, world):
    response = _add(as_user(world.admin))
    assert response.status_code == 302
    assert "Hosting" in _names(world)


def test_non_admins_cannot_edit_criteria(as_user, world):
    for user in (world.lead1, world.officer1, world.member):
        client = as_user(user)
        assert client.get(URL).status_code == 403
        assert client.get(f"{URL}/{world.f1.id}/edit").status_code == 403


def test_bad_criteria_input(as_user, world):
    client = as_user(world.admin)
    cases = [
        ({"weight": "0"}, "Weight must be a whole number from 1 to 100"),
        ({"weight": "-3"}, "Weight must be a whole number from 1 to 100"),
        ({"weight": "abc"}, "Weight must be a whole number, like 3"),
        ({"weight": ""}, "Enter a weight from 1 to 100"),
        ({"name": ""}, "Enter a name for the criterion"),
        ({"name": "x" * 201}, "Name must be 200 characters or fewer"),
        ({"dimension": "cost"}, "Not a valid choice"),
        ({"name": "cost"}, "There is already a feasibility criterion called"),
    ]
    for overrides, message in cases:
        response = _add(client, **overrides)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, overrides
        assert message in html, (overrides, message)
        assert "There is a problem" in html
    assert "Hosting" not in _names(world)


def test_hostile_guidance_is_escaped(as_user, world):
    client = as_user(world.admin)
    _add(client, guidance="<script>alert(1)</script> **bold**")
    for url in (URL, "/experiments/housing/scoring"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in html
        assert "<strong>bold</strong>" in html


def test_starter_set_adds_ten_criteria_once(as_user, world):
    client = as_user(world.admin)
    assert "Add the starter set" in client.get(URL).get_data(as_text=True)
    token, _ = form_state(client, f"{URL}/{world.f1.id}/edit")
    response = client.post(f"{URL}/starter-set", data={"csrf_token": token})
    assert response.status_code == 302
    names = _names(world)
    assert {name for _, name, _, _ in STARTER_CRITERIA} <= names
    client.post(f"{URL}/starter-set", data={"csrf_token": token})
    assert len(_names(world)) == len(names)


def test_edit_freely_before_scoring_then_only_with_a_reason(as_user, world):
    client = as_user(world.admin)
    url = f"{URL}/{world.f1.id}/edit"
    token, version = form_state(client, url)
    data = {
        "csrf_token": token,
        "version": version,
        "dimension": "feasibility",
        "name": "Cost",
        "weight": "3",
        "guidance": "",
    }
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Criterion, world.f1.id).weight == 3

    scorecard(world.option_a, world.org1, {c: 3 for c in world.criteria})
    db.session.flush()
    token, version = form_state(client, url)
    assert "Reason for the change" in client.get(url).get_data(as_text=True)
    data.update(version=version, weight="4")
    response = client.post(url, data=data)
    assert "enter a reason for changing the criteria" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Criterion, world.f1.id).weight == 3
    data["change_reason"] = "The workshop agreed cost matters more"
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Criterion, world.f1.id).weight == 4
    event = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "criterion.update")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.changes["weight"] == [3, 4]
    assert event.changes["reason"] == "The workshop agreed cost matters more"


def test_stale_criterion_edit_is_refused_with_both_versions(as_user, world):
    client = as_user(world.admin)
    url = f"{URL}/{world.f1.id}/edit"
    token, version = form_state(client, url)
    base = {"csrf_token": token, "version": version, "dimension": "feasibility", "guidance": ""}
    client.post(url, data={**base, "name": "Cost of ownership", "weight": "2"})
    response = client.post(url, data={**base, "name": "Cost to buy", "weight": "5"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Cost of ownership" in html and "Cost to buy" in html


def test_delete_before_scoring(as_user, world):
    client = as_user(world.admin)
    token, _ = form_state(client, f"{URL}/{world.f2.id}/edit")
    response = client.post(f"{URL}/{world.f2.id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert "Timescale" not in _names(world)


def test_moderation_records_a_consensus_and_keeps_the_originals(as_user, world):
    w = world
    hand_example(w)
    db.session.flush()
    url = f"/experiments/housing/scoring/moderation/{w.option_a.id}/{w.d1.id}"
    assert as_user(w.lead1).get(url).status_code == 403
    client = as_user(w.admin)
    html = client.get("/experiments/housing/scoring").get_data(as_text=True)
    assert url in html  # the agenda links to it
    token, version = form_state(client, url)
    page = client.get(url).get_data(as_text=True)
    assert "Zeta Borough" in page and "Alpha Borough" in page  # originals shown
    for bad, message in (
        ({"score": "9"}, "Enter a score from 0 to 5"),
        ({"score": ""}, "Enter a score from 0 to 5"),
        ({"score": "3", "rationale": ""}, "Enter the rationale"),
    ):
        data = {
            "csrf_token": token,
            "version": version,
            "rationale": "Agreed",
            "rationale_sensitivity": "members",
            **bad,
        }
        assert message in client.post(url, data=data).get_data(as_text=True)
    data = {
        "csrf_token": token,
        "version": version,
        "score": "3",
        "rationale": "Agreed at the workshop",
        "rationale_sensitivity": "members",
    }
    assert client.post(url, data=data).status_code == 302
    moderated = db.session.scalar(sa.select(ModeratedScore))
    assert moderated.score == 3
    html = client.get("/experiments/housing/scoring").get_data(as_text=True)
    assert "D 75.0" in html and "72.5" in html  # moderated beside the raw figure
    # A second admin working from the old form gets a conflict.
    response = client.post(url, data={**data, "score": "4"})
    assert response.status_code == 409


# --- descriptors ---------------------------------------------------------------------

SIX = [
    "Not hosted",
    "On premises only",
    "Hosted by us",
    "Hosted in the UK",
    "UK cloud",
    "UK cloud, certified",
]


def test_a_criterion_carries_its_own_descriptors_shown_beside_its_radios(as_user, world):
    w = world
    client = as_user(w.admin)
    assert _add(client, descriptors="\n".join(SIX) + "\n\n").status_code == 302
    criterion = db.session.scalar(sa.select(Criterion).where(Criterion.name == "Hosting"))
    assert criterion.descriptors == "\n".join(SIX)
    declare(w, w.lead1)
    lead = as_user(w.lead1)
    html = lead.get(f"/experiments/housing/scoring/tasks/zeta/{w.option_a.id}").get_data(
        as_text=True
    )
    assert "5 – UK cloud, certified" in html and "0 – Not hosted" in html
    # Criteria without their own descriptors keep the general scale.
    assert "3 – Acceptable" in html
    assert "What the scores mean" not in html


def test_descriptors_must_be_six_lines_or_none(as_user, world):
    client = as_user(world.admin)
    response = _add(client, descriptors="\n".join(SIX[:5]))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter six lines, one for each score from 0 to 5 (you entered 5)" in html
    assert "Hosted in the UK" in html  # what was typed is kept
    response = _add(client, descriptors="\n".join([*SIX[:5], "[[members: secret]]"]))
    # A plain field: a span is refused beside it, not saved.
    assert response.status_code == 200 and "There is a problem" in response.get_data(as_text=True)
    assert "Hosting" not in _names(world)


def test_the_starter_set_comes_with_descriptors_for_every_criterion(as_user, world):
    client = as_user(world.admin)
    token, _ = form_state(client, f"{URL}/{world.f1.id}/edit")
    client.post(f"{URL}/starter-set", data={"csrf_token": token})
    starters = {name for _, name, _, _ in STARTER_CRITERIA}
    added = db.session.scalars(sa.select(Criterion).where(Criterion.name.in_(starters))).all()
    assert len(added) == len(starters)
    meanings = [tuple(c.descriptor_labels.values()) for c in added]
    assert all(len(set(m)) == 6 for m in meanings)
    assert len(set(meanings)) == len(meanings)  # no two criteria share the same words
