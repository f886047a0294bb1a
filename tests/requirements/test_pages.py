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
    assert "Version 0.1" in html and "<strong>cut</strong>" in html
    assert "1 requirement · 1 added, 0 changed, 0 withdrawn" in html
    page = client.get(spec + "/0.1")
    assert page.status_code == 200
    assert "Added" in page.get_data(as_text=True) and "Report a repair" in page.get_data(
        as_text=True
    )
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


def _many(w, count: int, **kwargs):
    from tests import factories as f

    return [
        f.RequirementFactory(
            experiment=w.experiment, number=n, title=f"Numbered need {n:03d}", **kwargs
        )
        for n in range(1, count + 1)
    ]


def test_long_lists_are_paged_and_page_links_keep_the_filters(client, world):
    from tests import factories as f

    w = world
    _many(w, 120, category="Functional")
    html = client.get(base(w)).get_data(as_text=True)
    assert "Numbered need 050" in html and "Numbered need 051" not in html
    assert "Showing 1 to 50 of 120 requirements, page 1 of 3." in html
    assert 'class="govuk-pagination"' in html and "?page=2" in html
    html = client.get(base(w) + "?page=3").get_data(as_text=True)
    assert "Numbered need 101" in html and "Numbered need 100" not in html
    f.RequirementFactory(experiment=w.experiment, number=121, title="Other", priority="could")
    html = client.get(base(w) + "?q=numbered&priority=must&page=2").get_data(as_text=True)
    assert "Showing 51 to 100 of 120 matching requirements (121 in all), page 2 of 3." in html
    assert re.search(r'href="[^"]*page=3[^"]*"', html)
    link = re.search(r'href="([^"]*page=3[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "q=numbered" in link and "priority=must" in link
    # Out-of-range and junk page numbers show a real page, not an error.
    assert "Numbered need 101" in client.get(base(w) + "?page=40").get_data(as_text=True)
    assert "Numbered need 001" in client.get(base(w) + "?page=abc").get_data(as_text=True)


def test_matrix_is_paged_and_counts_every_agreed_requirement(client, world):
    from tests import factories as f

    w = world
    reqs = _many(w, 60)
    f.EndorsementFactory(requirement=reqs[0], organisation=w.lead_org, position="not_needed")
    f.EndorsementFactory(requirement=reqs[55], organisation=w.other_org)
    html = client.get(base(w) + "/matrix").get_data(as_text=True)
    assert "60 agreed requirements × 2 organisations: 1 to 50 shown, page 1 of 2" in html
    assert "Numbered need 001" in html and "Numbered need 051" not in html
    assert 'govuk-tag--grey">Not needed' in html and 'govuk-tag--green">' not in html
    html = client.get(base(w) + "/matrix?page=2").get_data(as_text=True)
    assert "Numbered need 056" in html and "Numbered need 050" not in html
    assert 'govuk-tag--green">' in html and 'govuk-tag--grey">Not needed' not in html


def test_list_totals_count_only_organisations_taking_part(client, world):
    """An endorsement left by an organisation no longer taking part is not counted."""
    from tests import factories as f

    w = world
    req = _many(w, 1)[0]
    f.EndorsementFactory(requirement=req, organisation=w.lead_org, position="adopt")
    f.EndorsementFactory(requirement=req, organisation=f.OrganisationFactory(), position="adopt")
    html = client.get(base(w)).get_data(as_text=True)
    assert "1 adopt · 0 with changes · 0 not needed · 1 not yet" in html
    # A position given to an earlier revision counts, and counts as out of date.
    f.EndorsementFactory(
        requirement=req, organisation=w.other_org, position="adopt_with_changes", revision=0
    )
    html = client.get(base(w)).get_data(as_text=True)
    assert "1 adopt · 1 with changes · 0 not needed · 1 out of date" in html


def test_versions_list_counts_only_what_the_reader_may_see(client, as_user, world):
    w = world
    _agreed(w, title="Open to all")
    _agreed(w, title="ZQX7KVERSIONMEM", sensitivity=Sensitivity.MEMBERS)
    publish_version(w.experiment, "1.0", "", w.admin)
    spec = f"/experiments/{w.slug}/specification"
    public = client.get(spec).get_data(as_text=True)
    assert "1 requirement · 1 added, 0 changed, 0 withdrawn" in public
    as_user(w.member)
    members = client.get(spec).get_data(as_text=True)
    assert "2 requirements · 2 added, 0 changed, 0 withdrawn" in members
    page = client.get(spec + "/1.0").get_data(as_text=True)
    assert "ZQX7KVERSIONMEM" in page


def test_cached_version_pages_keep_audiences_apart_and_follow_renames(client, as_user, world):
    """Published versions are read from memory after the first request: the cache is
    keyed by audience, and by what can change around a version (the experiment's name)."""
    w = world
    _agreed(w, title="ZQX7KCACHEPUB1")
    _agreed(w, title="ZQX7KCACHEMEM2", sensitivity=Sensitivity.MEMBERS)
    publish_version(w.experiment, "2.0", "", w.admin)
    page = f"/experiments/{w.slug}/specification/2.0"
    as_user(w.member)
    for _ in range(2):
        html = client.get(page).get_data(as_text=True)
        assert "ZQX7KCACHEPUB1" in html and "ZQX7KCACHEMEM2" in html
    client.post("/logout", data={"csrf_token": csrf(client, base(w))})
    for url in (page, f"/experiments/{w.slug}/specification"):
        html = client.get(url).get_data(as_text=True)
        assert "ZQX7KCACHEMEM2" not in html, url
    assert "ZQX7KCACHEPUB1" in client.get(page).get_data(as_text=True)
    w.experiment.title = "Renamed ZQX7KRENAME3"
    from procure.extensions import db

    db.session.flush()
    assert "Renamed ZQX7KRENAME3" in client.get(page).get_data(as_text=True)
