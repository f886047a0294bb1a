"""Adding and editing a workshop's details: good input, every kind of bad input, stale edits."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from procure.audit import AuditEvent
from procure.extensions import db
from procure.workshops.models import Workshop
from tests.workshops.helpers import GOOD_WORKSHOP, csrf, make_world, post


def _create(client, world, **changes):
    data = {**GOOD_WORKSHOP, **changes}
    return post(client, f"{world.base}/new", data)


def test_lead_organisation_adds_a_workshop(client, as_user):
    world = make_world()
    as_user(world.lead_officer)
    version_before = world.experiment.content_version
    response = _create(client, world)
    assert response.status_code == 302
    workshop = db.session.scalar(
        sa.select(Workshop).where(Workshop.title == "Requirements workshop")
    )
    assert workshop.starts_at == datetime(2026, 12, 3, 10, 0)
    assert workshop.ends_at == datetime(2026, 12, 3, 12, 30)
    assert workshop.stage == "requirements"
    assert response.headers["Location"].endswith(f"/workshops/{workshop.id}")
    assert world.experiment.content_version > version_before
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "workshop.create"))
    assert event.object_id == workshop.id and "Requirements" not in event.summary


def test_online_workshop_needs_no_place(client, as_user):
    world = make_world()
    as_user(world.admin)
    response = _create(client, world, location="", online="y")
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Enter a title"),
        ({"title": "   "}, "Enter a title"),
        ({"title": "x" * 201}, "Title must be 200 characters or fewer"),
        ({"title": "Bad\x07bell"}, "Title contains characters that cannot be saved"),
        ({"day": ["", "", ""]}, "Enter the date"),
        ({"day": ["31", "2", "2026"]}, "Date must be a real date"),
        ({"day": ["3", "", "2026"]}, "Date must include a month"),
        ({"day": ["a", "b", "c"]}, "Date must be a real date"),
        ({"start_time": ""}, "Enter start time"),
        ({"start_time": "25:00"}, "Enter start time as hours and minutes"),
        ({"start_time": "ten"}, "Enter start time as hours and minutes"),
        ({"end_time": "09:00"}, "End time must be after the start time"),
        ({"location": "", "online": ""}, "Enter a place, or tick Online"),
        ({"location": "x" * 201}, "Place must be 200 characters or fewer"),
        ({"purpose": "x" * 20001}, "Purpose must be 20,000 characters or fewer"),
        ({"facilitator": "x" * 201}, "Facilitator must be 200 characters or fewer"),
        ({"stage": "nonsense"}, "Choose stage of the experiment from the list"),
        ({"sensitivity": "secret"}, "Choose who can read this"),
        ({"sensitivity": ""}, "Choose who can read this"),
    ],
)
def test_bad_workshop_input_is_refused_next_to_the_field(client, as_user, changes, message):
    world = make_world()
    as_user(world.admin)
    count = db.session.scalar(sa.select(sa.func.count(Workshop.id)))
    response = _create(client, world, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html  # the error summary
    assert message in html
    assert "govuk-error-message" in html  # and next to the field
    assert "<title>Error:" in html
    assert db.session.scalar(sa.select(sa.func.count(Workshop.id))) == count


def test_what_was_typed_is_kept_when_something_fails(client, as_user):
    world = make_world()
    as_user(world.admin)
    html = _create(
        client, world, title="Kept title", start_time="99:99", purpose="Kept purpose"
    ).get_data(as_text=True)
    assert 'value="Kept title"' in html
    assert "Kept purpose" in html
    assert 'value="99:99"' in html
    assert 'value="2026"' in html


def test_hostile_html_is_escaped_everywhere(client, as_user):
    world = make_world()
    as_user(world.admin)
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = _create(client, world, title=hostile, purpose=hostile, facilitator=hostile)
    assert response.status_code == 302
    for url in (response.headers["Location"], world.base):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;" in html


def test_edit_saves_changes_and_audits_them(client, as_user):
    world = make_world()
    as_user(world.lead_officer)
    form_url = f"{world.page}/edit"
    html = client.get(form_url).get_data(as_text=True)
    assert 'value="Options workshop"' in html and 'value="05"' in html
    data = {**GOOD_WORKSHOP, "title": "Renamed workshop", "version": world.workshop.version}
    response = post(client, form_url, data)
    assert response.status_code == 302
    assert world.workshop.title == "Renamed workshop"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "workshop.update"))
    assert event.changes["title"] == ["Options workshop", "Renamed workshop"]


def test_stale_edit_is_refused_with_409_and_both_versions_shown(client, as_user):
    world = make_world()
    as_user(world.admin)
    form_url = f"{world.page}/edit"
    stale_version = world.workshop.version
    # Someone else saves first.
    first = {**GOOD_WORKSHOP, "title": "Saved by someone else", "version": stale_version}
    assert post(client, form_url, first).status_code == 302
    mine = {**GOOD_WORKSHOP, "title": "My typed title", "version": stale_version}
    response = post(client, form_url, mine)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved changes" in html
    assert "Saved by someone else" in html  # the saved version
    assert 'value="My typed title"' in html  # what I typed
    assert f'name="version" type="hidden" value="{world.workshop.version}"' in html
    assert world.workshop.title == "Saved by someone else"
    # Re-submitting on top of the current version applies.
    again = {**mine, "version": world.workshop.version}
    assert post(client, form_url, again).status_code == 302
    assert world.workshop.title == "My typed title"


def test_missing_version_counts_as_stale(client, as_user):
    world = make_world()
    as_user(world.admin)
    response = post(client, f"{world.page}/edit", {**GOOD_WORKSHOP, "version": ""})
    assert response.status_code == 409


def test_delete_workshop_after_confirming(client, as_user):
    world = make_world()
    as_user(world.admin)
    page = client.get(f"{world.page}/delete").get_data(as_text=True)
    assert "Are you sure you want to remove this workshop?" in page
    workshop_id = world.workshop.id
    response = post(client, f"{world.page}/delete", {})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Workshop, workshop_id) is None


def test_post_without_csrf_is_refused(client, as_user):
    world = make_world()
    as_user(world.admin)
    response = client.post(f"{world.base}/new", data=GOOD_WORKSHOP)
    assert response.status_code == 400
    assert csrf(client, f"{world.base}/new")


def test_error_summary_links_to_the_day_box_of_a_date(client, as_user):
    world = make_world()
    as_user(world.admin)
    html = _create(client, world, day=["", "", ""]).get_data(as_text=True)
    assert 'href="#day-day"' in html
    assert 'id="day-day"' in html
