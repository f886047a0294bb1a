"""Requirements pages: who may do what, bad input, stale edits, downloads and imports."""

from __future__ import annotations

import io
import re

import pytest

from procure.requirements.services import (
    agree_requirement,
    endorse,
    endorsement_for,
    propose_requirement,
    requirements_of,
    update_requirement,
)
from procure.requirements.versions import publish_version
from procure.sensitivity import Sensitivity
from procure.tabular import write_csv
from tests.requirements.helpers import csrf, data, form_data, form_version, make_world, post


@pytest.fixture
def world(db_session):
    return make_world()


def _agreed(w, **overrides):
    req = propose_requirement(w.experiment, data(**overrides), w.lead)
    agree_requirement(req, req.version, w.admin)
    return req


def base(w):
    return f"/experiments/{w.slug}/requirements"


def test_list_groups_filters_and_searches(client, world):
    w = world
    _agreed(w, title="Repairs online")
    propose_requirement(
        w.experiment, data(title="Rent statements", category="Commercial", priority="could"), w.lead
    )
    html = client.get(base(w)).get_data(as_text=True)
    assert "Repairs online" in html and "Rent statements" in html
    assert html.index("Functional") < html.index("Commercial")
    html = client.get(base(w) + "?priority=could").get_data(as_text=True)
    assert "Rent statements" in html and "Repairs online" not in html
    html = client.get(base(w) + "?status=agreed&category=Functional").get_data(as_text=True)
    assert "Repairs online" in html and "Rent statements" not in html
    html = client.get(base(w) + "?q=RENT").get_data(as_text=True)
    assert "Rent statements" in html and "Showing 1 of 2" in html
    html = client.get(base(w) + "?endorsement=not_endorsed").get_data(as_text=True)
    assert "Repairs online" in html and "Rent statements" not in html
    assert client.get(base(w) + "?priority=<script>").status_code == 200


def test_search_never_matches_hidden_text(client, world):
    w = world
    _agreed(w, statement="Public words [[participants: zebraword]]")
    assert "Showing 0 of 1" in client.get(base(w) + "?q=zebraword").get_data(as_text=True)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 302),
        ("other", 302),
        ("admin", 302),
        ("other_officer", 403),
        ("member", 403),
        ("guest", 403),
    ],
)
def test_who_may_propose(client, as_user, world, who, status):
    as_user(getattr(world, who))
    url = base(world) + "/new"
    response = client.post(url, data={"csrf_token": csrf(client, base(world)), **form_data()})
    assert response.status_code == status


def test_proposing_makes_a_draft_with_the_next_reference(client, as_user, world):
    as_user(world.other)
    response = post(client, base(world) + "/new", form_data())
    assert response.status_code == 302 and response.location.endswith("/REQ-001")
    (req,) = requirements_of(world.experiment)
    assert req.status == "draft" and req.acceptance_criteria == [
        "A resident can report a repair",
        "Photos can be attached",
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Enter a title"),
        ({"statement": "   "}, "Enter the requirement statement"),
        ({"title": "x" * 201}, "Title must be 200 characters or fewer"),
        ({"category": "Catering"}, "Choose a category from the list"),
        ({"priority": "urgent"}, "Choose a priority"),
        ({"sensitivity": "secret"}, "Choose who may read this requirement"),
        ({"source": "option:99999"}, "Choose a source from the list"),
        ({"statement": "bad \x01 char"}, "cannot be saved"),
    ],
)
def test_bad_requirement_forms_keep_what_was_typed(client, as_user, world, overrides, message):
    as_user(world.lead)
    values = form_data(**overrides)
    response = post(client, base(world) + "/new", values)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html and "There is a problem" in html
    if overrides.get("title"):
        assert values["title"] in html
    assert requirements_of(world.experiment) == []


def test_hostile_html_is_shown_as_text(client, as_user, world):
    req = _agreed(world, title="<b>bold</b>", statement="<script>alert('x')</script> **ok**")
    html = client.get(f"{base(world)}/REQ-{req.number:03d}").get_data(as_text=True)
    assert (
        "<script>alert" not in html and "&lt;script&gt;" in html and "<strong>ok</strong>" in html
    )
    assert "<b>bold</b>" not in html


def test_only_the_lead_organisation_and_admins_edit(client, as_user, world):
    req = _agreed(world)
    url = f"{base(world)}/REQ-{req.number:03d}/edit"
    as_user(world.other)
    assert client.get(url).status_code == 403
    as_user(world.lead)
    assert client.get(url).status_code == 200


def test_two_people_editing_at_once_the_later_save_is_refused_with_both_versions(
    client, as_user, world
):
    req = _agreed(world)
    url = f"{base(world)}/REQ-{req.number:03d}/edit"
    as_user(world.lead)
    opened = form_version(client, url)
    update_requirement(req, data(title="Saved by the admin"), req.version, world.admin)
    response = post(client, url, {**form_data(title="Typed by the lead"), "version": opened})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Saved by the admin" in html and "Typed by the lead" in html
    assert re.search(r'name="version"[^>]*value="' + str(req.version) + '"', html)
    assert req.title == "Saved by the admin"
    response = post(client, url, {**form_data(title="Typed by the lead"), "version": req.version})
    assert response.status_code == 302 and req.title == "Typed by the lead"


def test_withdrawal_needs_a_reason(client, as_user, world):
    req = _agreed(world)
    url = f"{base(world)}/REQ-{req.number:03d}/withdraw"
    as_user(world.admin)
    version = form_version(client, url)
    response = post(client, url, {"reason": "", "version": version})
    assert response.status_code == 200 and "Enter the reason" in response.get_data(as_text=True)
    response = post(client, url, {"reason": "Duplicate", "version": version})
    assert response.status_code == 302 and req.status == "withdrawn"


def test_agree_button(client, as_user, world):
    req = propose_requirement(world.experiment, data(), world.other)
    url = f"{base(world)}/REQ-{req.number:03d}"
    as_user(world.other)
    assert (
        post(client, url + "/agree", {"version": req.version}, form_url=base(world)).status_code
        == 403
    )
    as_user(world.lead)
    response = post(client, url + "/agree", {"version": req.version}, form_url=url)
    assert response.status_code == 302 and req.status == "agreed"


def test_endorsing_for_another_organisation_is_forbidden(client, as_user, world):
    req = _agreed(world)
    url = f"{base(world)}/REQ-{req.number:03d}/endorse"
    as_user(world.other)
    assert client.get(f"{url}/{world.lead_org.slug}").status_code == 403
    response = post(
        client,
        f"{url}/{world.lead_org.slug}",
        {"position": "adopt", "version": "0"},
        form_url=f"{url}/{world.other_org.slug}",
    )
    assert response.status_code == 403 and endorsement_for(req, world.lead_org.id) is None
    assert client.get(f"{url}/{world.observer_org.slug}").status_code == 404
    as_user(world.other_officer)
    assert client.get(f"{url}/{world.other_org.slug}").status_code == 403


def test_endorsing_needs_a_comment_for_changes_and_records_the_revision(client, as_user, world):
    req = _agreed(world)
    url = f"{base(world)}/REQ-{req.number:03d}/endorse/{world.other_org.slug}"
    as_user(world.other)
    response = post(
        client,
        url,
        {"position": "not_needed", "comment": "", "version": "0", "comment_sensitivity": "members"},
    )
    assert response.status_code == 200
    assert "Explain why your organisation does not need" in response.get_data(as_text=True)
    response = post(
        client, url, {"position": "maybe", "version": "0", "comment_sensitivity": "members"}
    )
    assert response.status_code == 200 and "Choose adopt" in response.get_data(as_text=True)
    response = post(
        client,
        url,
        {
            "position": "adopt_with_changes",
            "comment": "Our templates",
            "version": "0",
            "comment_sensitivity": "members",
        },
    )
    assert response.status_code == 302
    e = endorsement_for(req, world.other_org.id)
    assert e.revision == 1 and e.position == "adopt_with_changes"
    response = post(
        client, url, {"position": "adopt", "version": "0", "comment_sensitivity": "members"}
    )
    assert response.status_code == 409 and "Our templates" in response.get_data(as_text=True)


def test_task_list_shows_what_needs_attention(client, as_user, world):
    fresh = _agreed(world, title="Needs endorsing")
    changed = _agreed(world, title="Changed since")
    done = _agreed(world, title="All done")
    for req in (changed, done):
        endorse(req, world.other_org, "adopt", "", Sensitivity.MEMBERS, 0, world.other)
    update_requirement(
        changed, data(title="Changed since", priority="could"), changed.version, world.admin
    )
    as_user(world.other)
    html = client.get(base(world) + "/tasks").get_data(as_text=True)
    assert "1 not yet endorsed, 1 out of date, 1 up to date" in html
    assert html.index(fresh.reference) < html.index("Out of date") < html.index(changed.reference)
    assert client.get(base(world) + f"/tasks?organisation={world.lead_org.slug}").status_code == 403
    as_user(world.admin)
    html = client.get(base(world) + f"/tasks?organisation={world.lead_org.slug}").get_data(
        as_text=True
    )
    assert "3 not yet endorsed" in html


def test_matrix_shows_positions_in_words_with_totals(client, world):
    req = _agreed(world)
    endorse(req, world.other_org, "not_needed", "Have it", Sensitivity.MEMBERS, 0, world.other)
    endorse(req, world.lead_org, "adopt", "", Sensitivity.MEMBERS, 0, world.lead)
    update_requirement(req, data(priority="could"), req.version, world.admin)
    html = client.get(base(world) + "/matrix").get_data(as_text=True)
    assert "Not needed" in html and "Adopt" in html and "Out of date" in html
    assert "1 agreed requirements × 2 organisations" in html


def test_requirement_history_shows_fields_before_and_after(client, as_user, world):
    req = _agreed(world)
    update_requirement(req, data(priority="could"), req.version, world.admin)
    as_user(world.member)
    html = client.get(f"{base(world)}/REQ-{req.number:03d}").get_data(as_text=True)
    assert "Edited REQ-001" in html and "Must" in html and "Could" in html
    assert world.admin.name in html


def test_publish_versions_and_download(client, as_user, world):
    spec = f"/experiments/{world.slug}/specification"
    as_user(world.lead)
    assert client.get(spec + "/publish").status_code == 403
    as_user(world.admin)
    response = post(client, spec + "/publish", {"number": "0.1", "release_notes": ""})
    assert "Nothing is agreed" in response.get_data(as_text=True)
    _agreed(world, title="Report a repair")
    response = post(client, spec + "/publish", {"number": "one", "release_notes": ""})
    assert response.status_code == 200 and "like 0.1 or 1.0" in response.get_data(as_text=True)
    response = post(client, spec + "/publish", {"number": "0.1", "release_notes": "First **cut**"})
    assert response.status_code == 302
    response = post(client, spec + "/publish", {"number": "0.1", "release_notes": ""})
    assert "not after the latest version" in response.get_data(as_text=True)
    html = client.get(spec).get_data(as_text=True)
    assert "Version 0.1" in html and "<strong>cut</strong>" in html and "Added" in html
    assert client.get(spec + "/0.1").status_code == 200
    assert client.get(spec + "/9.9").status_code == 404
    for fmt, kind in [
        ("csv", "text/csv"),
        ("xlsx", "spreadsheetml"),
        ("json", "json"),
        ("pdf", "pdf"),
    ]:
        response = client.get(f"{spec}/0.1/download/{fmt}?audience=members")
        assert response.status_code == 200 and kind in response.mimetype
        assert (
            f'filename="{world.slug}-spec-0.1-members.{fmt}"'
            in response.headers["Content-Disposition"]
        )
    as_user(world.member)
    assert client.get(f"{spec}/0.1/download/csv?audience=participants").status_code == 403
    assert client.get(f"{spec}/0.1/download/exe").status_code == 404


def test_import_page_previews_then_writes_all_or_nothing(client, as_user, world):
    url = base(world) + "/import"
    as_user(world.other)
    assert client.get(url).status_code == 403
    as_user(world.lead)
    good = write_csv(
        ["Reference", "Title", "Statement", "Category", "Priority"],
        [["REQ-007", "Imported", "The system must import.", "Functional", "must"]],
    )
    bad = write_csv(
        ["Reference", "Title", "Statement", "Category", "Priority"],
        [["REQ-7", "Broken", "", "Nope", "must"]],
    )
    response = post(
        client,
        url,
        {"file": (io.BytesIO(bad.encode()), "bad.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "row 2" in html and "nothing was imported" in html
    response = post(
        client,
        url,
        {"file": (io.BytesIO(good.encode()), "good.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "new references in this experiment" in html
    assert "REQ-007" in html and "REQ-001" in html and requirements_of(world.experiment) == []
    encoded = re.search(r'name="data" value="([^"]+)"', html).group(1)
    response = post(client, url, {"filename": "good.csv", "data": encoded, "confirm": "yes"})
    assert response.status_code == 302
    (req,) = requirements_of(world.experiment)
    assert req.reference == "REQ-001" and req.title == "Imported"


def test_published_version_page_for_public(client, world):
    _agreed(world, title="Open to all")
    publish_version(world.experiment, "1.0", "", world.admin)
    html = client.get(f"/experiments/{world.slug}/specification/1.0").get_data(as_text=True)
    assert "Open to all" in html and "Public copy" in html and "Participants copy" not in html
