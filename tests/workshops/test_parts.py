"""Agenda items, attendees, notes, decisions, actions and what was discussed: add, change, remove."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from procure.audit import AuditEvent
from procure.extensions import db
from procure.sensitivity import Sensitivity
from procure.workshops.models import AgendaItem, Attendee, Decision, NoteSection, WorkshopAction
from tests.factories import (
    AttendeeFactory,
    NoteSectionFactory,
    OptionFactory,
    OrganisationFactory,
    RequirementFactory,
    UserFactory,
    WorkshopActionFactory,
)
from tests.workshops.helpers import make_world, post

GOOD = {
    "agenda": {
        "starts": "9:30",
        "title": "Welcome",
        "presenter": "Priya Raman",
        "sensitivity": "public",
    },
    "attendees": {"name": "Aisha Bello", "organisation_id": "0", "user_id": "0", "attended": "yes"},
    "notes": {"heading": "Discussion", "body": "Boroughs *agreed*.", "sensitivity": "members"},
    "decisions": {"text": "Shortlist three products.", "sensitivity": "members"},
    "actions": {
        "text": "Share contract dates.",
        "owner_organisation_id": "0",
        "due_on": ["1", "12", "2026"],
        "status": "open",
        "sensitivity": "participants",
    },
}
MODELS = {
    "agenda": AgendaItem,
    "attendees": Attendee,
    "notes": NoteSection,
    "decisions": Decision,
    "actions": WorkshopAction,
}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


@pytest.mark.parametrize("part", GOOD)
def test_add_each_part(client, as_user, part):
    world = make_world()
    as_user(world.lead_officer)
    before = _count(MODELS[part])
    response = post(client, f"{world.page}/{part}/new", GOOD[part])
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/workshops/{world.workshop.id}#{part}")
    assert _count(MODELS[part]) == before + 1
    item = db.session.scalars(sa.select(MODELS[part]).order_by(MODELS[part].id.desc())).first()
    assert item.workshop_id == world.workshop.id
    assert (
        db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == f"workshop.{part}.add")
        ).experiment_id
        == world.experiment.id
    )


def test_added_parts_are_stored_as_typed(client, as_user):
    world = make_world()
    as_user(world.admin)
    for part, data in GOOD.items():
        assert post(client, f"{world.page}/{part}/new", data).status_code == 302
    db.session.expire_all()
    w = world.workshop
    assert (w.agenda_items[0].starts, w.agenda_items[0].presenter) == ("09:30", "Priya Raman")
    assert w.attendees[-1].organisation_id is None and w.attendees[-1].attended
    assert w.notes[0].sensitivity == Sensitivity.MEMBERS
    assert w.actions[0].due_on == date(2026, 12, 1)
    assert w.actions[0].sensitivity == Sensitivity.PARTICIPANTS


BAD = [
    ("agenda", {"title": ""}, "Enter what the agenda item is"),
    ("agenda", {"title": "x" * 301}, "Item must be 300 characters or fewer"),
    ("agenda", {"starts": "half nine"}, "Enter time as hours and minutes"),
    ("agenda", {"presenter": "x" * 201}, "Presenter must be 200 characters or fewer"),
    ("agenda", {"sensitivity": "secret"}, "Choose who can read this"),
    ("attendees", {"name": ""}, "Enter the person&#39;s name"),
    ("attendees", {"name": "   "}, "Enter the person&#39;s name"),
    ("notes", {"body": "  \n "}, "Enter the notes"),
    ("attendees", {"name": "x" * 201}, "Name must be 200 characters or fewer"),
    ("attendees", {"organisation_id": "abc"}, "Choose organisation from the list"),
    ("attendees", {"organisation_id": "999999"}, "Choose organisation from the list"),
    ("attendees", {"attended": "maybe"}, "Choose whether they attended"),
    ("attendees", {"attended": ""}, "Choose whether they attended"),
    ("notes", {"heading": ""}, "Enter a heading"),
    ("notes", {"body": ""}, "Enter the notes"),
    ("notes", {"heading": "x" * 201}, "Heading must be 200 characters or fewer"),
    ("notes", {"body": "x" * 50001}, "Notes must be 50,000 characters or fewer"),
    ("notes", {"sensitivity": ""}, "Choose who can read this"),
    ("decisions", {"text": ""}, "Enter the decision"),
    ("decisions", {"text": "x" * 5001}, "Decision must be 5,000 characters or fewer"),
    ("actions", {"text": ""}, "Enter the action"),
    ("actions", {"due_on": ["30", "2", "2026"]}, "Due date must be a real date"),
    ("actions", {"due_on": ["", "2", "2026"]}, "Due date must include a day"),
    ("actions", {"status": "finished"}, "Choose a status"),
    ("actions", {"owner_organisation_id": "-5"}, "Choose owner from the list"),
]


@pytest.mark.parametrize(("part", "changes", "message"), BAD)
def test_bad_part_input_is_refused_and_typed_values_kept(client, as_user, part, changes, message):
    world = make_world()
    as_user(world.admin)
    before = _count(MODELS[part])
    data = {**GOOD[part], **changes}
    response = post(client, f"{world.page}/{part}/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html and message in html
    assert _count(MODELS[part]) == before
    typed = [v for k, v in GOOD[part].items() if k not in changes and isinstance(v, str)]
    for value in (v for v in typed if len(v) > 4):  # free text, not select ids
        assert value in html


def test_account_of_another_organisation_is_refused(client, as_user):
    world = make_world()
    as_user(world.admin)
    person = UserFactory(organisation=world.participant_org)
    data = {
        **GOOD["attendees"],
        "organisation_id": str(world.lead_org.id),
        "user_id": str(person.id),
    }
    html = post(client, f"{world.page}/attendees/new", data).get_data(as_text=True)
    assert "That account belongs to another organisation" in html


def test_account_fills_in_the_organisation(client, as_user):
    world = make_world()
    as_user(world.admin)
    person = UserFactory(organisation=world.participant_org)
    data = {**GOOD["attendees"], "user_id": str(person.id)}
    assert post(client, f"{world.page}/attendees/new", data).status_code == 302
    attendee = db.session.scalars(sa.select(Attendee).order_by(Attendee.id.desc())).first()
    assert attendee.organisation_id == world.participant_org.id and attendee.user_id == person.id


def test_hostile_html_in_notes_is_escaped(client, as_user):
    world = make_world()
    as_user(world.admin)
    hostile = (
        '<script>alert(1)</script> <a href="javascript:alert(1)">x</a> [y](javascript:alert(2))'
    )
    data = {**GOOD["notes"], "heading": "<b>bold</b>", "body": hostile}
    assert post(client, f"{world.page}/notes/new", data).status_code == 302
    html = client.get(world.page).get_data(as_text=True)
    assert "<script>alert" not in html
    assert not re.search(r"<a [^>]*href=\"javascript", html)  # only ever escaped text
    assert "&lt;script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_edit_each_part_fills_form_and_saves(client, as_user):
    world = make_world()
    as_user(world.lead_officer)
    action = WorkshopActionFactory(workshop_id=world.workshop.id, text="Old action")
    url = f"{world.page}/actions/{action.id}/edit"
    html = client.get(url).get_data(as_text=True)
    assert "Old action" in html and 'value="2026"' in html
    data = {**GOOD["actions"], "text": "New action", "status": "done"}
    assert post(client, url, data).status_code == 302
    assert (action.text, action.status) == ("New action", "done")
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "workshop.actions.update")
    )
    assert event.changes["status"] == ["open", "done"]


def test_edit_attendee_keeps_attendance_choice(client, as_user):
    world = make_world()
    as_user(world.admin)
    org = OrganisationFactory()
    attendee = AttendeeFactory(workshop_id=world.workshop.id, organisation=org, attended=False)
    html = client.get(f"{world.page}/attendees/{attendee.id}/edit").get_data(as_text=True)
    assert (
        'value="no" checked' in html
        or 'checked value="no"' in html
        or ('value="no"' in html and "checked" in html.split('value="no"')[1][:40])
    )


def test_stale_note_edit_is_refused_with_409(client, as_user):
    world = make_world()
    as_user(world.admin)
    note = NoteSectionFactory(workshop_id=world.workshop.id, heading="First heading")
    url = f"{world.page}/notes/{note.id}/edit"
    stale = note.version
    assert (
        post(client, url, {**GOOD["notes"], "heading": "Theirs", "version": stale}).status_code
        == 302
    )
    response = post(client, url, {**GOOD["notes"], "heading": "Mine", "version": stale})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved changes" in html
    assert "Theirs" in html and 'value="Mine"' in html
    assert "Members only" in html  # saved sensitivity shown in words
    assert note.heading == "Theirs"
    again = {**GOOD["notes"], "heading": "Mine", "version": note.version}
    assert post(client, url, again).status_code == 302
    assert note.heading == "Mine"


def test_remove_part_after_confirming(client, as_user):
    world = make_world()
    as_user(world.admin)
    note = NoteSectionFactory(workshop_id=world.workshop.id, heading="To go")
    url = f"{world.page}/notes/{note.id}/remove"
    assert "Are you sure you want to remove this notes section?" in client.get(url).get_data(
        as_text=True
    )
    note_id = note.id
    assert post(client, url, {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(NoteSection, note_id) is None
    assert (
        db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "workshop.notes.remove")
        ).object_id
        == note_id
    )


def test_discussed_links_only_the_experiments_own_options(client, as_user):
    world = make_world()
    as_user(world.admin)
    mine = OptionFactory(experiment=world.experiment, name="Cloud housing")
    requirement = RequirementFactory(experiment=world.experiment, title="Repairs online")
    foreign = OptionFactory(name="Someone else's option")
    url = f"{world.page}/discussed"
    html = client.get(url).get_data(as_text=True)
    assert "Cloud housing" in html and "Someone else" not in html
    response = post(
        client, url, {"option_ids": [str(mine.id)], "requirement_ids": [str(requirement.id)]}
    )
    assert response.status_code == 302
    assert [o.id for o in world.workshop.options] == [mine.id]
    assert [r.id for r in world.workshop.requirements] == [requirement.id]
    response = post(client, url, {"option_ids": [str(foreign.id)]})
    assert response.status_code == 200
    assert "Choose options discussed from the list" in response.get_data(as_text=True)
    response = post(client, url, {"option_ids": ["not-a-number"]})
    assert "Choose options discussed from the list" in response.get_data(as_text=True)
    assert [o.id for o in world.workshop.options] == [mine.id]
    page = client.get(world.page).get_data(as_text=True)
    assert "Cloud housing" in page and "Repairs online" in page


def test_several_attendees_at_once_and_nobody_offered_twice(client, as_user, db_session):
    world = make_world()
    as_user(world.admin)
    url = f"{world.page}/attendees/add-several"
    html = client.get(url).get_data(as_text=True)
    assert world.lead_officer.name in html and world.participant_officer.name in html

    # Nothing chosen: the error is beside the field and in the summary.
    response = post(client, url, {})
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("Choose at least one person") >= 2

    chosen = [world.lead_officer.id, world.participant_officer.id]
    response = post(client, url, {"user_ids": [str(i) for i in chosen]})
    assert response.status_code == 302
    added = db_session.scalars(
        sa.select(Attendee).where(Attendee.workshop_id == world.workshop.id)
    ).all()
    assert sorted(a.user_id for a in added) == sorted(chosen)
    assert all(a.attended and a.organisation_id for a in added)

    # People already listed are not offered again, and cannot be posted again.
    html = client.get(url).get_data(as_text=True)
    assert f'value="{world.lead_officer.id}"' not in html
    response = post(client, url, {"user_ids": [str(world.lead_officer.id)]})
    assert "Choose people who attended from the list" in response.get_data(as_text=True)

    # Two accounts that would read the same are told apart in the single-attendee list.
    twin = UserFactory(name=world.admin.name, organisation=world.admin.organisation)
    html = client.get(f"{world.page}/attendees/new").get_data(as_text=True)
    assert twin.email in html and world.admin.email in html
