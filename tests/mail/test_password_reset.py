"""Forgotten password: done using only what `flask outbox export` shows."""

from __future__ import annotations

import json
import re
import time

import pytest
import sqlalchemy as sa

from procure.accounts.models import PasswordReset
from procure.audit import AuditEvent
from procure.extensions import db
from procure.mail.models import OutboxMessage
from tests.conftest import login
from tests.factories import UserFactory
from tests.helpers import post_form

OLD = "an-old-demo-password"
NEW = "violet kettle harbour lantern"
SAME_PAGE = "Check your email"


@pytest.fixture
def lead():
    user = UserFactory(email="lead@camden.demo.test", name="Camden Lead")
    user.set_password(OLD)
    db.session.flush()
    return user


def _link_from_export(runner) -> str:
    data = json.loads(runner.invoke(args=["outbox", "export"]).output)
    [message] = [m for m in data if m["kind"] == "password_reset"]
    match = re.search(r"http://127\.0\.0\.1:5000(/reset-password/\S+)", message["text"])
    assert match, message["text"]
    assert match.group(0) in message["html"]
    return match.group(1)


def test_a_lead_resets_a_forgotten_password_from_the_outbox(client, runner, lead, quick_reset):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/forgot-password"' in page
    sent = post_form(client, "/forgot-password", {"email": "Lead@Camden.demo.test"})
    assert sent.status_code == 200 and SAME_PAGE in sent.get_data(as_text=True)
    path = _link_from_export(runner)
    token = path.rsplit("/", 1)[1]
    # Only the hash is stored, and the token is nowhere in the audit trail.
    reset = db.session.scalar(sa.select(PasswordReset))
    assert token not in reset.token_hash
    events = db.session.scalars(sa.select(AuditEvent)).all()
    assert all(token not in (e.summary + json.dumps(e.changes)) for e in events)

    opened = client.get(path)
    assert opened.status_code == 302 and opened.headers["Location"] == "/reset-password"
    done = post_form(client, "/reset-password", {"password": NEW, "confirm": NEW})
    assert done.status_code == 302 and done.headers["Location"] == "/login"

    assert post_form(client, "/login", {"email": lead.email, "password": OLD}).status_code == 200
    assert post_form(client, "/login", {"email": lead.email, "password": NEW}).status_code == 302
    # A second use of the link fails.
    client.post("/logout", data={"csrf_token": ""})
    assert client.get(path).status_code == 404


def test_an_unknown_address_gets_the_same_page_and_no_message(client, lead, quick_reset):
    known = post_form(client, "/forgot-password", {"email": lead.email})
    unknown = post_form(client, "/forgot-password", {"email": "nobody@example.gov.uk"})
    assert known.status_code == unknown.status_code == 200

    def body(response, email):
        return response.get_data(as_text=True).replace(email, "EMAIL")

    assert re.sub(r'value="[^"]*"', "", body(known, lead.email)) == re.sub(
        r'value="[^"]*"', "", body(unknown, "nobody@example.gov.uk")
    )
    recipients = db.session.scalars(sa.select(OutboxMessage.to_address)).all()
    assert recipients == [lead.email]


def test_both_answers_take_at_least_the_floor(client, lead, app, monkeypatch):
    monkeypatch.setitem(app.config, "RESET_RESPONSE_FLOOR", 0.3)
    for email in (lead.email, "nobody@example.gov.uk"):
        started = time.perf_counter()
        post_form(client, "/forgot-password", {"email": email})
        assert time.perf_counter() - started >= 0.3


def test_the_new_password_must_follow_the_rules_and_the_link_survives_a_mistake(
    client, runner, lead, quick_reset
):
    post_form(client, "/forgot-password", {"email": lead.email})
    path = _link_from_export(runner)
    client.get(path)
    weak = post_form(
        client, "/reset-password", {"password": "password1234", "confirm": "password1234"}
    )
    assert weak.status_code == 200 and "too common" in weak.get_data(as_text=True)
    mismatch = post_form(client, "/reset-password", {"password": NEW, "confirm": NEW + "x"})
    assert "The passwords do not match" in mismatch.get_data(as_text=True)
    assert (
        post_form(client, "/reset-password", {"password": NEW, "confirm": NEW}).status_code == 302
    )


def test_an_expired_or_made_up_link_does_not_work(client, runner, lead, quick_reset):
    assert client.get("/reset-password/not-a-real-token").status_code == 404
    assert client.get("/reset-password").status_code == 404
    post_form(client, "/forgot-password", {"email": lead.email})
    path = _link_from_export(runner)
    db.session.execute(sa.update(PasswordReset).values(expires_at=sa.func.current_timestamp()))
    db.session.commit()
    assert client.get(path).status_code == 404


def test_setting_a_new_password_signs_out_every_other_session(
    app, client, runner, lead, quick_reset
):
    other = app.test_client()
    login(other, lead)
    assert "Sign out" in other.get("/").get_data(as_text=True)
    post_form(client, "/forgot-password", {"email": lead.email})
    client.get(_link_from_export(runner))
    post_form(client, "/reset-password", {"password": NEW, "confirm": NEW})
    assert "Sign out" not in other.get("/").get_data(as_text=True)
    assert other.get("/account").status_code == 302


def test_asking_is_rate_limited_per_address(client, lead, quick_reset):
    statuses = [
        post_form(client, "/forgot-password", {"email": lead.email}).status_code for _ in range(6)
    ]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 5


def test_the_per_address_limit_holds_across_clients(app, client, lead, quick_reset):
    for _ in range(5):
        post_form(client, "/forgot-password", {"email": lead.email})
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.9"
    assert post_form(elsewhere, "/forgot-password", {"email": lead.email}).status_code == 429
    other = post_form(elsewhere, "/forgot-password", {"email": "someone@example.gov.uk"})
    assert other.status_code == 200
