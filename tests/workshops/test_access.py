"""Who may read and edit workshops: one table of route × role → status."""

from __future__ import annotations

import re

import pytest

from tests.factories import AgendaItemFactory, NoteSectionFactory
from tests.workshops.helpers import make_world

READ = ["index", "show"]
EDIT = ["create", "edit", "delete", "discussed", "add_note", "edit_note", "remove_note"]


def _url(world, route: str, note_id: int) -> str:
    return {
        "index": world.base,
        "show": world.page,
        "create": f"{world.base}/new",
        "edit": f"{world.page}/edit",
        "delete": f"{world.page}/delete",
        "discussed": f"{world.page}/discussed",
        "add_note": f"{world.page}/notes/new",
        "edit_note": f"{world.page}/notes/{note_id}/edit",
        "remove_note": f"{world.page}/notes/{note_id}/remove",
    }[route]


# role → (status for reading, status for editing)
ROLES = {
    "admin": (200, 200),
    "lead_officer": (200, 200),
    "participant_officer": (200, 403),
    "member_officer": (200, 403),
    "anonymous": (200, 302),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", READ + EDIT)
def test_route_by_role_on_published_experiment(client, as_user, role, route):
    world = make_world(published=True)
    note = NoteSectionFactory(workshop_id=world.workshop.id)
    if role != "anonymous":
        as_user(getattr(world, role))
    expected = ROLES[role][0] if route in READ else ROLES[role][1]
    response = client.get(_url(world, route, note.id))
    assert response.status_code == expected
    if expected == 302:
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("route", READ)
def test_anonymous_cannot_find_unpublished_experiment(client, route):
    world = make_world(published=False)
    assert client.get(_url(world, route, 0)).status_code == 404


def test_member_reads_unpublished_experiment_at_members_level(client, as_user):
    world = make_world(published=False)
    as_user(world.member_officer)
    response = client.get(world.page)
    assert response.status_code == 200
    assert "members</strong> level" in response.get_data(as_text=True)


def test_participant_officer_sees_no_edit_controls(client, as_user):
    world = make_world()
    AgendaItemFactory(workshop_id=world.workshop.id, title="Welcome")
    as_user(world.participant_officer)
    html = client.get(world.page).get_data(as_text=True)
    assert "Welcome" in html
    assert "/edit" not in html and "Add an agenda item" not in html


def test_lead_officer_sees_edit_controls(client, as_user):
    world = make_world()
    as_user(world.lead_officer)
    html = client.get(world.page).get_data(as_text=True)
    assert "Edit details and purpose" in html and "Add an agenda item" in html


def test_participant_officer_cannot_post_changes(client, as_user):
    world = make_world()
    note = NoteSectionFactory(workshop_id=world.workshop.id)
    as_user(world.participant_officer)
    # A token from a page they can read: the refusal is about permission, not CSRF.
    html = client.get(world.page).get_data(as_text=True)
    token = html.split('name="csrf_token" value="')[1].split('"')[0]
    for url in (
        f"{world.page}/notes/{note.id}/remove",
        f"{world.page}/delete",
        f"{world.page}/notes/new",
    ):
        assert client.post(url, data={"csrf_token": token}).status_code == 403


def test_workshop_of_another_experiment_is_not_found(client, as_user):
    world = make_world()
    other = make_world()
    as_user(world.admin)
    assert client.get(f"{world.base}/{other.workshop.id}").status_code == 404
    assert client.get(f"{world.base}/{other.workshop.id}/edit").status_code == 404


def test_item_of_another_workshop_is_not_found(client, as_user):
    world = make_world()
    other = make_world()
    note = NoteSectionFactory(workshop_id=other.workshop.id)
    as_user(world.admin)
    assert client.get(f"{world.page}/notes/{note.id}/edit").status_code == 404
    assert client.get(f"{world.page}/unknown-part/new").status_code == 404


def test_workshop_page_links_to_its_pack_export_chosen_beforehand(client, as_user):
    world = make_world()
    assert "Export this workshop’s pack" not in client.get(world.page).get_data(as_text=True)
    as_user(world.participant_officer)
    assert "Export this workshop’s pack" not in client.get(world.page).get_data(as_text=True)
    as_user(world.admin)
    html = client.get(world.page).get_data(as_text=True)
    link = html.split("Export this workshop’s pack")[0].rsplit('href="', 1)[1].split('"')[0]
    assert "kind=workshop-pack" in link and f"workshop_id={world.workshop.id}" in link
    form = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert 'value="workshop-pack" checked' in form
    select = form.split('name="workshop_id"', 1)[1].split("</select>", 1)[0]
    assert re.search(
        rf'<option[^>]*(selected[^>]*value="{world.workshop.id}"|value="{world.workshop.id}"[^>]*selected)',
        select,
    )
