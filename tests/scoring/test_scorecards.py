"""Declarations and scorecards through the pages: drafts, submission, bad input, conflicts."""

from __future__ import annotations

import sqlalchemy as sa

from procure.audit import AuditEvent
from procure.extensions import db
from procure.scoring.models import Declaration, Scorecard
from tests.scoring.helpers import csrf, declare, form_state, scorecard


def _url(w, org=None, option=None):
    org = org or w.org1
    option = option or w.option_a
    return f"/experiments/housing/scoring/tasks/{org.slug}/{option.id}"


def _confirm(client, w, org=None, option=None):
    """Submit from the check-your-answers page, as a person who has checked them."""
    url = _url(w, org, option) + "/check"
    token, version = form_state(client, url)
    return client.post(url, data={"csrf_token": token, "version": version})


def _full(w, **overrides):
    data = {}
    for c in w.criteria:
        data[f"score_{c.id}"] = "4"
        data[f"reason_{c.id}"] = f"Reason for {c.name}"
        data[f"sensitivity_{c.id}"] = "members"
    data.update(overrides)
    return data


def _card(w, org=None, option=None):
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Scorecard).where(
            Scorecard.option_id == (option or w.option_a).id,
            Scorecard.organisation_id == (org or w.org1).id,
        )
    )


# --- declarations ------------------------------------------------------------------


def test_scoring_before_declaring_redirects_to_the_declaration(as_user, world):
    client = as_user(world.lead1)
    for url in (_url(world), "/experiments/housing/scoring/tasks/zeta"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/scoring/declaration?next=" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Make your conflict-of-interest declaration before you score" in page


def test_declaration_form_bad_input_then_success(as_user, world):
    client = as_user(world.lead1)
    url = f"/experiments/housing/scoring/declaration?next={_url(world)}"
    token, version = form_state(client, url)
    response = client.post(url, data={"csrf_token": token, "version": version})
    assert "Choose whether you have an interest to declare" in response.get_data(as_text=True)
    response = client.post(
        url, data={"csrf_token": token, "version": version, "has_interest": "yes", "interest": " "}
    )
    assert "Describe the interest you are declaring" in response.get_data(as_text=True)
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "version": version,
            "has_interest": "yes",
            "interest": "I used to work for <script>alert(1)</script> Supplier X",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == _url(world)
    declaration = db.session.scalar(
        sa.select(Declaration).where(Declaration.user_id == world.lead1.id)
    )
    assert declaration.has_interest and "Supplier X" in declaration.interest
    assert client.get(_url(world)).status_code == 200


def test_declaration_next_must_be_a_local_path(as_user, world):
    client = as_user(world.lead1)
    url = "/experiments/housing/scoring/declaration?next=https://evil.example/x"
    token, version = form_state(client, url)
    response = client.post(
        url, data={"csrf_token": token, "version": version, "has_interest": "no"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_register_of_declarations_for_the_convenor_only(as_user, world):
    declare(world, world.lead1)
    client = as_user(world.lead1)
    assert client.get("/experiments/housing/scoring/declarations").status_code == 403
    client = as_user(world.admin)
    html = client.get("/experiments/housing/scoring/declarations").get_data(as_text=True)
    assert "Lead of zeta" in html and "No interest" in html
    assert "Lead of alpha" in html and "Not yet declared" in html


# --- drafts and submission ----------------------------------------------------------


def test_save_a_partial_draft_then_submit_when_complete(as_user, world):
    w = world
    declare(w, w.lead1)
    client = as_user(w.lead1)
    token, version = form_state(client, _url(w))
    assert version == "0"
    assert "3 – Acceptable" in client.get(_url(w)).get_data(as_text=True)  # descriptors shown
    data = {"csrf_token": token, "version": version, f"score_{w.f1.id}": "2", "save": "Save draft"}
    response = client.post(_url(w), data=data)
    assert response.status_code == 302
    card = _card(w)
    assert card.status == "draft" and [
        s.score for s in card.scores if s.criterion_id == w.f1.id
    ] == [2]

    token, version = form_state(client, _url(w))
    response = client.post(
        _url(w), data={"csrf_token": token, "version": version, **_full(w), "submit": "Continue"}
    )
    # Continuing saves the draft and leads to the check page; only that page submits.
    assert response.status_code == 302 and response.location.endswith(_url(w) + "/check")
    assert _card(w).status == "draft"
    check = client.get(_url(w) + "/check").get_data(as_text=True)
    assert "Check your scores for Option Apple" in check
    assert "4 – Good" in check and "Reason for Data" in check
    assert f'href="{_url(w)}#score_{w.d2.id}"' in check  # a change link per criterion
    response = _confirm(client, w)
    assert response.status_code == 302
    card = _card(w)
    assert card.status == "submitted" and card.submitted_by_id == w.lead1.id
    tasks = client.get("/experiments/housing/scoring/tasks/zeta").get_data(as_text=True)
    assert "1 of 2 options submitted" in tasks
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_id == card.id)
    ).all()
    assert "scorecard.submit" in actions


def test_incomplete_submission_lists_what_is_missing_and_keeps_the_draft(as_user, world):
    w = world
    declare(w, w.lead1)
    client = as_user(w.lead1)
    token, version = form_state(client, _url(w))
    data = _full(w)
    del data[f"score_{w.d2.id}"]
    data[f"reason_{w.f2.id}"] = ""
    response = client.post(
        _url(w), data={"csrf_token": token, "version": version, **data, "submit": "Submit"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert f'href="#score_{w.d2.id}"' in html and "Enter a score for Data" in html
    assert f'href="#reason_{w.f2.id}"' in html and "Enter a reason for Timescale" in html
    card = _card(w)
    assert card is not None and card.status == "draft"
    assert {s.criterion_id: s.score for s in card.scores}[w.f1.id] == 4
    # The re-rendered form carries the new version, so correcting and submitting works.
    token = csrf(client, _url(w))
    version = str(card.version)
    response = client.post(
        _url(w), data={"csrf_token": token, "version": version, **_full(w), "submit": "Submit"}
    )
    assert response.status_code == 302
    assert _confirm(client, w).status_code == 302
    assert _card(w).status == "submitted"


def test_reasons_optional_when_the_experiment_says_so(as_user, world):
    w = world
    w.experiment.reasons_required = False
    declare(w, w.lead1)
    client = as_user(w.lead1)
    token, version = form_state(client, _url(w))
    data = _full(w, **{f"reason_{c.id}": "" for c in w.criteria})
    response = client.post(
        _url(w), data={"csrf_token": token, "version": version, **data, "submit": "Submit"}
    )
    assert response.status_code == 302
    _confirm(client, w)
    assert _card(w).status == "submitted"


def test_bad_scores_are_refused_in_plain_words_and_nothing_is_saved(as_user, world):
    w = world
    declare(w, w.lead1)
    client = as_user(w.lead1)
    for bad in ("7", "-1", "abc", "3.5"):
        token, version = form_state(client, _url(w))
        data = _full(w, **{f"score_{w.f1.id}": bad})
        response = client.post(
            _url(w), data={"csrf_token": token, "version": version, **data, "save": "Save"}
        )
        html = response.get_data(as_text=True)
        assert "Enter a score from 0 to 5" in html, bad
        assert f'href="#score_{w.f1.id}"' in html
        assert "Reason for Cost" in html  # what was typed is kept
        assert _card(w) is None


def test_too_long_reason_is_refused(as_user, world):
    w = world
    declare(w, w.lead1)
    client = as_user(w.lead1)
    token, version = form_state(client, _url(w))
    data = _full(w, **{f"reason_{w.f1.id}": "x" * 5001})
    response = client.post(
        _url(w), data={"csrf_token": token, "version": version, **data, "save": "Save"}
    )
    assert "Reason must be 5,000 characters or fewer" in response.get_data(as_text=True)
    assert _card(w) is None


def test_hostile_html_in_a_reason_is_escaped_everywhere(as_user, world):
    w = world
    declare(w, w.lead1)
    client = as_user(w.lead1)
    token, version = form_state(client, _url(w))
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    data = _full(w, **{f"reason_{w.f1.id}": hostile, f"sensitivity_{w.f1.id}": "public"})
    client.post(_url(w), data={"csrf_token": token, "version": version, **data, "submit": "Submit"})
    _confirm(client, w)
    assert _card(w).status == "submitted"
    assert "&lt;script&gt;" in client.get(_url(w)).get_data(as_text=True)
    for url in (_url(w), f"/experiments/housing/scoring/options/{w.option_a.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html


def test_second_editor_gets_409_with_both_versions_and_nothing_lost(client, world):
    w = world
    declare(w, w.lead1)
    declare(w, w.admin)
    card = scorecard(w.option_a, w.org1, {w.f1: 1}, status="draft", reason="first reason")
    db.session.flush()
    # Two people open the form at the same version.
    from tests.conftest import login

    login(client, w.lead1)
    token_lead, version = form_state(client, _url(w))
    assert version == str(card.version)
    client.post(
        _url(w),
        data={
            "csrf_token": token_lead,
            "version": version,
            **_full(w, **{f"reason_{w.f1.id}": "Saved by the lead"}),
            "save": "Save",
        },
    )
    login(client, w.admin)
    token_admin = csrf(client, _url(w))
    response = client.post(
        _url(w),
        data={
            "csrf_token": token_admin,
            "version": version,
            **_full(w, **{f"reason_{w.f1.id}": "Typed by the admin"}),
            "save": "Save",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved changes while you were editing" in html
    assert "Saved by the lead" in html  # the saved version
    assert "Typed by the admin" in html  # what the second person typed, kept in the form
    reasons = {s.criterion_id: s.reason for s in _card(w).scores}
    assert reasons[w.f1.id] == "Saved by the lead"


def test_second_tab_creating_the_same_new_scorecard_gets_409(as_user, world):
    w = world
    declare(w, w.lead1)
    client = as_user(w.lead1)
    token, version = form_state(client, _url(w))
    assert (
        client.post(
            _url(w), data={"csrf_token": token, "version": version, **_full(w), "save": "Save"}
        ).status_code
        == 302
    )
    response = client.post(
        _url(w),
        data={
            "csrf_token": token,
            "version": "0",
            **_full(w, **{f"reason_{w.f1.id}": "tab two"}),
            "save": "Save",
        },
    )
    assert response.status_code == 409
    assert "tab two" in response.get_data(as_text=True)


# --- permissions ---------------------------------------------------------------------


def test_lead_posting_another_boroughs_scorecard_is_forbidden(as_user, world):
    w = world
    declare(w, w.lead1)
    client = as_user(w.lead1)
    token = csrf(client, _url(w))
    response = client.post(
        _url(w, org=w.org2), data={"csrf_token": token, "version": "0", **_full(w), "save": "Save"}
    )
    assert response.status_code == 403
    assert client.get(_url(w, org=w.org2)).status_code == 403
    assert _card(w, org=w.org2) is None


def test_officer_who_is_not_the_lead_cannot_edit(as_user, world):
    client = as_user(world.officer1)
    assert client.get(_url(world)).status_code == 403
    assert client.get("/experiments/housing/scoring/tasks/zeta").status_code == 403


def test_observer_and_unknown_option_are_not_found(as_user, world):
    w = world
    declare(w, w.admin)
    client = as_user(w.admin)
    assert client.get(_url(w, org=w.observer_org)).status_code == 404
    assert client.get(_url(w, option=w.longlisted)).status_code == 404
    assert client.get("/experiments/housing/scoring/tasks/zeta/99999").status_code == 404


def test_admin_may_edit_any_boroughs_scorecard_after_declaring(as_user, world):
    w = world
    client = as_user(w.admin)
    # Reading is not scoring: the convenor reads the form without declaring…
    token, version = form_state(client, _url(w, org=w.org2))
    assert "Make your conflict-of-interest declaration" not in client.get(
        _url(w, org=w.org2)
    ).get_data(as_text=True)
    # …but saving needs the declaration first.
    data = {"csrf_token": token, "version": version, **_full(w), "submit": "Submit"}
    response = client.post(_url(w, org=w.org2), data=data)
    assert response.status_code == 302 and "/scoring/declaration" in response.location
    assert _card(w, org=w.org2) is None
    declare(w, w.admin)
    response = client.post(_url(w, org=w.org2), data=data)
    assert response.status_code == 302
    _confirm(client, w, org=w.org2)
    assert _card(w, org=w.org2).status == "submitted"


def test_submitted_scorecard_is_locked_until_an_admin_reopens_it_with_a_reason(as_user, world):
    w = world
    declare(w, w.lead1)
    card = scorecard(w.option_a, w.org1, {c: 3 for c in w.criteria})
    db.session.flush()
    client = as_user(w.lead1)
    html = client.get(_url(w)).get_data(as_text=True)
    assert "has been submitted" in html and 'name="score_' not in html
    token = csrf(client, "/experiments/housing/scoring/declaration")
    response = client.post(
        _url(w),
        data={
            "csrf_token": token,
            "version": str(card.version),
            **_full(w, **{f"score_{w.f1.id}": "0"}),
            "save": "Save",
        },
    )
    assert response.status_code == 302
    assert {s.criterion_id: s.score for s in _card(w).scores}[w.f1.id] == 3
    reopen = _url(w) + "/reopen"
    assert client.get(reopen).status_code == 403

    client = as_user(w.admin)
    token, version = form_state(client, reopen)
    response = client.post(reopen, data={"csrf_token": token, "version": version, "reason": ""})
    assert "Enter why the scorecard is being reopened" in response.get_data(as_text=True)
    assert _card(w).status == "submitted"
    response = client.post(
        reopen, data={"csrf_token": token, "version": version, "reason": "Wrong option scored"}
    )
    assert response.status_code == 302
    card = _card(w)
    assert card.status == "draft" and card.reopened_reason == "Wrong option scored"


def test_task_list_shows_progress(as_user, world):
    w = world
    declare(w, w.lead2)
    scorecard(w.option_a, w.org2, {c: 3 for c in w.criteria})
    scorecard(w.option_b, w.org2, {w.f1: 3}, status="draft")
    db.session.flush()
    response = as_user(w.lead2).get("/experiments/housing/scoring/tasks")
    assert response.status_code == 302 and response.headers["Location"].endswith("/tasks/alpha")
    html = as_user(w.lead2).get("/experiments/housing/scoring/tasks/alpha").get_data(as_text=True)
    assert "1 of 2 options submitted" in html
    assert "1 of 4 criteria scored" in html


# --- check your answers ------------------------------------------------------------


def test_the_check_page_sends_an_incomplete_draft_back_and_submits_nothing(as_user, world):
    w = world
    declare(w, w.lead1)
    client = as_user(w.lead1)
    token, version = form_state(client, _url(w))
    data = {"csrf_token": token, "version": version, f"score_{w.f1.id}": "2", "save": "Save"}
    client.post(_url(w), data=data)
    response = client.get(_url(w) + "/check")
    assert response.status_code == 302 and response.location.endswith(_url(w))
    assert _card(w).status == "draft"


def test_a_draft_changed_after_checking_is_not_submitted_unseen(as_user, world):
    w = world
    declare(w, w.lead1)
    client = as_user(w.lead1)
    token, version = form_state(client, _url(w))
    client.post(
        _url(w), data={"csrf_token": token, "version": version, **_full(w), "submit": "Continue"}
    )
    check_token, check_version = form_state(client, _url(w) + "/check")
    # Someone changes the draft in another tab before the submit button is pressed.
    token, version = form_state(client, _url(w))
    client.post(
        _url(w),
        data={
            "csrf_token": token,
            "version": version,
            **_full(w, **{f"score_{w.f1.id}": "1"}),
            "save": "Save",
        },
    )
    response = client.post(
        _url(w) + "/check", data={"csrf_token": check_token, "version": check_version}
    )
    assert response.status_code == 302 and response.location.endswith("/check")
    assert _card(w).status == "draft"
    assert "1 – Very poor" in client.get(_url(w) + "/check").get_data(as_text=True)
