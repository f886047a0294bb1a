"""Session idle timeout and password rules."""

import time

import pytest

from procure.accounts.services import AccountError, check_password_rules
from tests.factories import UserFactory


def test_idle_session_is_signed_out(client, as_user, app):
    as_user(UserFactory())
    assert "Sign out" in client.get("/").get_data(as_text=True)
    idle = int(app.config["SESSION_IDLE_TIMEOUT"].total_seconds())
    with client.session_transaction() as session:
        session["last_seen"] = int(time.time()) - idle - 5
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    page = client.get("/").get_data(as_text=True)
    assert "Sign out" not in page


def test_recent_activity_keeps_the_session(client, as_user):
    as_user(UserFactory())
    with client.session_transaction() as session:
        session["last_seen"] = int(time.time()) - 30
    assert "Sign out" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("password", ["short", "password1234", "changeme1234", "qwertyuiop123"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(AccountError):
        check_password_rules(password)


def test_password_built_from_the_persons_own_details_is_refused():
    with pytest.raises(AccountError):
        check_password_rules(
            "priyaraman2026", ["priya.raman@camden.gov.uk", "Priya Raman", "priyaraman"]
        )


def test_a_passphrase_is_accepted():
    check_password_rules("tram orchard velvet ladder")
