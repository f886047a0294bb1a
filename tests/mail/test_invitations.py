"""Invitations: an admin (or a lead, for their own organisation) invites; the link works once."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from procure.accounts.models import Invitation, User
from procure.audit import AuditEvent
from procure.extensions import db
from tests.factories import (
    AdminFactory,
    ExperimentFactory,
    OrganisationFactory,
    ParticipationFactory,
    UserFactory,
)
from tests.helpers import post_form

PASSWORD = "violet kettle harbour lantern"


@pytest.fixture
def camden():
    return OrganisationFactory(name="Camden Council", slug="camden")


def _links(runner) -> list[str]:
    data = json.loads(runner.invoke(args=["outbox", "export"]).output)
    return [
        re.search(r"http://127\.0\.0\.1:5000(/invitation/\S+)", m["text"]).group(1)
        for m in data
        if m["kind"] == "invitation"
    ]


def _invite(client, org, email="new.officer@camden.example.gov.uk", role="member"):
    return post_form(
        client, "/invitations", {"email": email, "organisation_id": org.id, "site_role": role}
    )


def test_an_admin_invites_and_the_link_lets_the_person_in_once(as_user, runner, camden, app):
    client = as_user(AdminFactory())
    sent = _invite(client, camden)
    assert sent.status_code == 302
    listing = client.get("/invitations").get_data(as_text=True)
    assert "new.officer@camden.example.gov.uk" in listing and "Pending" in listing
    [path] = _links(runner)
    data = json.loads(runner.invoke(args=["outbox", "export"]).output)
    assert data[-1]["subject"] == "You are invited to join Camden Council on Procure"

    invitee = app.test_client()
    opened = invitee.get(path)
    assert opened.status_code == 302 and opened.headers["Location"] == "/invitation"
    page = invitee.get("/invitation").get_data(as_text=True)
    assert "Camden Council" in page and "new.officer@camden.example.gov.uk" in page
    done = post_form(
        invitee, "/invitation", {"name": "New Officer", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert "New Officer" in invitee.get("/").get_data(as_text=True)
    user = db.session.scalar(
        sa.select(User).where(User.email == "new.officer@camden.example.gov.uk")
    )
    assert user.organisation_id == camden.id and user.site_role == "member"
    invitation = db.session.scalar(sa.select(Invitation))
    assert invitation.state == "accepted" and invitation.accepted_user_id == user.id
    # Once only.
    assert app.test_client().get(path).status_code == 404
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"invitation.create", "invitation.accept", "user.create"} <= actions


def test_an_address_with_an_account_is_told_to_the_inviter(as_user, camden):
    UserFactory(email="taken@camden.example.gov.uk")
    client = as_user(AdminFactory())
    response = _invite(client, camden, email="taken@camden.example.gov.uk")
    assert response.status_code == 200
    assert "taken@camden.example.gov.uk already has an account" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_resend_kills_the_old_link_and_withdraw_kills_the_new(as_user, runner, camden, app):
    client = as_user(AdminFactory())
    _invite(client, camden)
    invitation = db.session.scalar(sa.select(Invitation))
    assert (
        post_form(
            client, f"/invitations/{invitation.id}/resend", {}, form_url="/invitations"
        ).status_code
        == 302
    )
    old, new = _links(runner)
    assert old != new
    assert app.test_client().get(old).status_code == 404
    assert app.test_client().get(new).status_code == 302
    post_form(client, f"/invitations/{invitation.id}/withdraw", {}, form_url="/invitations")
    assert app.test_client().get(new).status_code == 404
    db.session.refresh(invitation)
    assert invitation.state == "withdrawn"
    assert "Withdrawn" in client.get("/invitations").get_data(as_text=True)


def test_a_lead_invites_to_their_own_organisation_only(as_user, camden):
    hackney = OrganisationFactory(name="Hackney Council", slug="hackney")
    lead = UserFactory(organisation=camden)
    ParticipationFactory(experiment=ExperimentFactory(), organisation=camden, procurement_lead=lead)
    client = as_user(lead)
    page = client.get("/invitations").get_data(as_text=True)
    assert "Camden Council" in page and "Hackney Council" not in page
    assert "Admin (convenor staff)" not in page
    assert _invite(client, camden).status_code == 302
    refused = _invite(client, hackney, email="x@hackney.example.gov.uk")
    assert refused.status_code == 200  # not a valid choice for a lead
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 1
    admin_role = _invite(client, camden, email="y@camden.example.gov.uk", role="admin")
    assert admin_role.status_code == 200


def test_an_officer_who_is_not_a_lead_cannot_invite(as_user, camden):
    client = as_user(UserFactory(organisation=camden))
    assert client.get("/invitations").status_code == 403


def test_a_weak_password_keeps_the_invitation_usable(as_user, runner, camden, app):
    _invite(as_user(AdminFactory()), camden)
    [path] = _links(runner)
    invitee = app.test_client()
    invitee.get(path)
    weak = post_form(
        invitee,
        "/invitation",
        {"name": "New Officer", "password": "password1234", "confirm": "password1234"},
    )
    assert weak.status_code == 200 and "too common" in weak.get_data(as_text=True)
    assert db.session.scalar(sa.select(Invitation.state)) == "pending"
    ok = post_form(
        invitee, "/invitation", {"name": "New Officer", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert ok.status_code == 302
