"""The Account page: change the password (asking for the current one), sign out everywhere."""

from __future__ import annotations

from procure.extensions import db
from tests.conftest import login
from tests.factories import UserFactory
from tests.helpers import post_form

OLD = "an-old-demo-password"
NEW = "violet kettle harbour lantern"


def _user():
    user = UserFactory(email="lead@camden.example.gov.uk", name="Camden Lead")
    user.set_password(OLD)
    db.session.flush()
    return user


def test_account_page_shows_who_and_how(as_user):
    page = as_user(_user()).get("/account").get_data(as_text=True)
    assert "Camden Lead" in page and "lead@camden.example.gov.uk" in page
    assert "Email address and password" in page


def test_change_password_needs_the_current_one_and_ends_other_sessions(app, as_user):
    user = _user()
    client = as_user(user)
    other = app.test_client()
    login(other, user)
    wrong = post_form(client, "/account", {"current": "nope", "password": NEW, "confirm": NEW})
    assert "Your current password is not right" in wrong.get_data(as_text=True)
    done = post_form(client, "/account", {"current": OLD, "password": NEW, "confirm": NEW})
    assert done.status_code == 302
    assert client.get("/account").status_code == 200  # this session carries on
    assert other.get("/account").status_code == 302  # the other one is over
    db.session.refresh(user)
    assert user.check_password(NEW)


def test_sign_out_everywhere_keeps_this_session_only(app, as_user):
    user = _user()
    client = as_user(user)
    other = app.test_client()
    login(other, user)
    response = post_form(client, "/account/sign-out-everywhere", {}, form_url="/account")
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
