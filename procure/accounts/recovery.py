"""Password reset by email, password change, and signing out everywhere.

A reset link is single-use, expires after an hour, and only its hash is stored
(``procure.tokens``). Asking for one answers the same way whether or not the address
has an account (the view also holds every answer to the same minimum time). Setting a
new password bumps ``User.session_generation``, which ends every other session.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from werkzeug.security import generate_password_hash

from procure import audit
from procure.accounts.models import PasswordReset, User
from procure.accounts.services import AccountError, check_password_rules, find_user_by_email
from procure.db import utcnow
from procure.extensions import db
from procure.mail.messages import PasswordResetMail, render
from procure.mail.outbox import queue_message
from procure.tokens import hash_token, matches, new_token

RESET_LIFETIME = timedelta(hours=1)


def public_link(endpoint: str, **values) -> str:
    """An absolute link for an email, built from ``PUBLIC_URL``."""
    return current_app.config["PUBLIC_URL"] + url_for(endpoint, **values)


def request_reset(email: str) -> None:
    """Email a reset link if ``email`` has an active account; otherwise do nothing visible."""
    user = find_user_by_email(email or "")
    if user is None or not user.is_active:
        audit.record(
            "password.reset_request", summary="Password reset asked for an unknown address"
        )
        return
    token, token_hash = new_token()
    db.session.add(
        PasswordReset(user_id=user.id, token_hash=token_hash, expires_at=utcnow() + RESET_LIFETIME)
    )
    model = PasswordResetMail(
        link=public_link("accounts.reset_link", token=token),
        expires_minutes=int(RESET_LIFETIME.total_seconds() // 60),
        service_url=current_app.config["PUBLIC_URL"],
    )
    queue_message("password_reset", user.email, render("password_reset", model))
    audit.record("password.reset_request", user, summary="Password reset link sent", actor=user)


def find_reset(token: str) -> PasswordReset | None:
    """The unused, unexpired reset for ``token``, or None."""
    reset = db.session.scalar(
        sa.select(PasswordReset).where(PasswordReset.token_hash == hash_token(token or ""))
    )
    if reset is None or not matches(token, reset.token_hash):
        return None
    if reset.used_at is not None or reset.expires_at <= utcnow() or not reset.user.is_active:
        return None
    return reset


def complete_reset(reset: PasswordReset, password: str) -> User:
    """Set the new password, use up the link (and any other of the person's), end sessions."""
    user = reset.user
    check_password_rules(password, [user.email, user.name, user.email.split("@")[0]])
    # Claim the link with a conditional UPDATE so two tabs cannot both use it.
    now = utcnow()
    claimed = db.session.execute(
        sa.update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=now),
        execution_options={"synchronize_session": False},
    )
    if claimed.rowcount != 1:
        raise AccountError("This link has already been used")
    db.session.execute(
        sa.update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now),
        execution_options={"synchronize_session": False},
    )
    _set_password(user, password)
    audit.record("password.reset", user, summary="Password set through a reset link", actor=user)
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise AccountError("Your current password is not right")
    check_password_rules(new, [user.email, user.name, user.email.split("@")[0]])
    _set_password(user, new)
    audit.record("password.change", user, summary="Password changed", actor=user)


def sign_out_everywhere(user: User) -> None:
    _bump(user)
    audit.record("logout.everywhere", user, summary="Signed out everywhere", actor=user)


def _set_password(user: User, password: str) -> None:
    db.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(
            password_hash=generate_password_hash(password),
            failed_logins=0,
            locked_until=None,
            session_generation=User.session_generation + 1,
        ),
        execution_options={"synchronize_session": "fetch"},
    )


def _bump(user: User) -> None:
    db.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(session_generation=User.session_generation + 1),
        execution_options={"synchronize_session": "fetch"},
    )
