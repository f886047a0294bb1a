"""Signing in and out: the only tests that post the login form."""

import sqlalchemy as sa

from procure.audit import AuditEvent
from procure.extensions import db
from tests.factories import UserFactory
from tests.helpers import csrf_token, post_form

WRONG = "The email address or password is not right"


def _user(password="a-long-demo-password"):
    user = UserFactory(email="lead@camden.example.gov.uk")
    user.set_password(password)
    db.session.flush()
    return user


def test_sign_in_with_the_right_password(client):
    _user()
    response = post_form(
        client,
        "/login",
        {"email": "Lead@Camden.example.gov.uk ", "password": "a-long-demo-password"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    page = client.get("/").get_data(as_text=True)
    assert "Sign out" in page


def test_wrong_password_and_unknown_user_get_the_same_message(client):
    _user()
    wrong = post_form(client, "/login", {"email": "lead@camden.example.gov.uk", "password": "nope"})
    unknown = post_form(client, "/login", {"email": "nobody@example.gov.uk", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert WRONG in wrong.get_data(as_text=True)
    assert WRONG in unknown.get_data(as_text=True)
    # Error summary at the top, message beside the field, and the email kept.
    assert "There is a problem" in wrong.get_data(as_text=True)
    assert 'value="lead@camden.example.gov.uk"' in wrong.get_data(as_text=True)


def test_empty_form_says_what_is_missing(client):
    response = post_form(client, "/login", {"email": "", "password": ""})
    text = response.get_data(as_text=True)
    assert "Enter your email address" in text
    assert "Enter your password" in text
    assert "<title>Error: Sign in" in text


def test_failed_logins_are_audited(client):
    user = _user()
    post_form(client, "/login", {"email": user.email, "password": "wrong"})
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "login.failed" in actions


def test_eleventh_attempt_in_a_minute_is_refused_with_429(client):
    token = csrf_token(client, "/login")
    statuses = [
        client.post(
            "/login", data={"csrf_token": token, "email": "x@example.gov.uk", "password": "p"}
        ).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    page = client.post(
        "/login", data={"csrf_token": token, "email": "x@example.gov.uk", "password": "p"}
    )
    assert "Too many attempts" in page.get_data(as_text=True)


def test_lockout_after_repeated_failures_does_not_reveal_the_account(client, app):
    user = _user()
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    try:
        for _ in range(10):
            post_form(client, "/login", {"email": user.email, "password": "wrong"})
        locked = post_form(
            client, "/login", {"email": user.email, "password": "a-long-demo-password"}
        )
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "10 per minute"
    assert locked.status_code == 200
    assert WRONG in locked.get_data(as_text=True)
    assert user.locked_until is not None


def test_post_without_csrf_token_is_400_and_writes_nothing(client):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    response = client.post("/login", data={"email": "a@example.gov.uk", "password": "x"})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    after = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert before == after


def test_next_parameter_only_allows_same_site_paths(client):
    _user()
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=//evil.example/x",
        data={
            "csrf_token": token,
            "email": "lead@camden.example.gov.uk",
            "password": "a-long-demo-password",
        },
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_sign_out_needs_post_and_ends_the_session(client, as_user):
    user = UserFactory()
    as_user(user)
    assert client.get("/logout").status_code == 405
    token = csrf_token(client, "/")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert "Sign in" in client.get("/").get_data(as_text=True)
