"""Journeys of issue 14: a person resets a forgotten password, and an invited person
gets in, each using only what the outbox holds (no mail is configured, as in `make run`)."""

from __future__ import annotations

import re

import pytest

from procure.accounts.models import Organisation
from procure.accounts.services import create_user, find_user_by_email
from procure.extensions import db
from procure.mail.outbox import export
from tests.browser.helpers import ADMIN, page_text, shoot

pytestmark = pytest.mark.browser

NEW = "violet kettle harbour lantern"


def _last_link(live_app, kind: str, to: str) -> str:
    with live_app.app_context():
        messages = [m for m in export() if m["kind"] == kind and m["to"] == to]
        db.session.remove()
    assert messages, f"no {kind} message to {to}"
    assert messages[-1]["state"] == "held"
    return re.search(r"http://127\.0\.0\.1:5000(/\S+)", messages[-1]["text"]).group(1)


def test_person_resets_a_forgotten_password(visit, audit, live_app):
    email = "reset.journey@camden.demo.test"
    with live_app.app_context():
        if find_user_by_email(email) is None:
            camden = db.session.scalar(db.select(Organisation).where(Organisation.slug == "camden"))
            create_user(
                email=email,
                name="Reset Journey",
                password="an old demo password",
                organisation=camden,
            )
            db.session.commit()
        db.session.remove()
    page = visit(None)
    page.goto("/login")
    page.get_by_role("link", name="Forgotten your password?").click()
    audit.check(page, "forgotten password")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send me a link").click()
    assert "Check your email" in page_text(page)
    audit.check(page, "reset link sent")
    page.goto(_last_link(live_app, "password_reset", email))
    assert page.url.endswith("/reset-password")
    audit.check(page, "choose a new password")
    shoot(page, "reset-1-new-password")
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("Confirm the password").fill(NEW)
    page.get_by_role("button", name="Set password").click()
    assert "Your password has been changed" in page_text(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(NEW)
    page.get_by_role("button", name="Sign in").click()
    assert "Signed in as Reset Journey" in page_text(page)
    page.get_by_role("link", name="Reset Journey").click()
    audit.check(page, "your account")
    shoot(page, "reset-2-account")


def test_invited_person_accepts_and_is_signed_in(visit, audit, live_app):
    admin = visit(ADMIN)
    admin.goto("/invitations")
    audit.check(admin, "invitations")
    email = "invited.journey@example.gov.uk"
    admin.get_by_label("Email address").fill(email)
    admin.get_by_label("Organisation").select_option(label="London Borough of Camden")
    admin.get_by_role("button", name="Send invitation").click()
    assert f"Invitation sent to {email}" in page_text(admin)
    shoot(admin, "invite-1-list")
    admin.get_by_role("link", name="Outbox").click()
    audit.check(admin, "outbox")
    shoot(admin, "invite-2-outbox")

    invitee = visit(None)
    invitee.goto(_last_link(live_app, "invitation", email))
    audit.check(invitee, "accept invitation")
    invitee.get_by_label("Full name").fill("Invited Journey")
    invitee.get_by_label("Password", exact=True).fill(NEW)
    invitee.get_by_label("Confirm the password").fill(NEW)
    invitee.get_by_role("button", name="Create account").click()
    assert "Welcome to Procure, Invited Journey" in page_text(invitee)
    with live_app.app_context():
        assert find_user_by_email(email).organisation.slug == "camden"
        db.session.remove()
