"""Invitations: an admin (or a lead, for their own organisation) invites people by email.

The email holds a single-use link that expires (``INVITATION_DAYS``, 7 by default);
only the token's hash is kept. Resending makes a new link (the old one dies);
withdrawing kills it. The invitee sets their name and a password and lands on the page
they were invited to. Every step is audited (never the token).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from procure import audit
from procure.accounts.models import Invitation, Organisation, User
from procure.accounts.recovery import public_link
from procure.accounts.services import AccountError, create_user, find_user_by_email
from procure.db import utcnow
from procure.extensions import db
from procure.mail.messages import InvitationMail, render
from procure.mail.outbox import queue_message
from procure.tokens import hash_token, matches, new_token

ROLE_WORDS = {"admin": "an admin (convenor staff)", "member": "a member", "guest": "a guest"}


def invite(
    *,
    email: str,
    organisation: Organisation,
    site_role: str,
    invited_by: User,
    next_path: str = "/",
) -> Invitation:
    """Invite ``email``; ``AccountError`` (for the inviter only) if it already has an account."""
    email = email.strip().lower()
    if find_user_by_email(email) is not None:
        raise AccountError(f"{email} already has an account")
    pending = db.session.scalar(
        sa.select(Invitation).where(
            Invitation.email == email,
            Invitation.organisation_id == organisation.id,
            Invitation.state == "pending",
        )
    )
    if pending is not None:
        raise AccountError(f"{email} already has an invitation waiting: resend it from the list")
    invitation = Invitation(
        email=email,
        organisation=organisation,
        site_role=site_role,
        invited_by=invited_by,
        token_hash="",
        expires_at=utcnow(),
        next_path=next_path or "/",
    )
    db.session.add(invitation)
    _send(invitation, invited_by)
    db.session.flush()
    audit.record(
        "invitation.create",
        invitation,
        summary=f"Invited {email} to {organisation.name} as {site_role}",
    )
    return invitation


def resend(invitation: Invitation, by: User) -> None:
    if invitation.state != "pending":
        raise AccountError("Only a waiting invitation can be sent again")
    _send(invitation, by)
    audit.record(
        "invitation.resend", invitation, summary=f"Invitation to {invitation.email} sent again"
    )


def withdraw(invitation: Invitation) -> None:
    if invitation.state != "pending":
        raise AccountError("Only a waiting invitation can be withdrawn")
    invitation.state = "withdrawn"
    invitation.token_hash = new_token()[1]  # the link stops working at once
    audit.record(
        "invitation.withdraw", invitation, summary=f"Invitation to {invitation.email} withdrawn"
    )


def _send(invitation: Invitation, by: User) -> None:
    token, token_hash = new_token()
    days = current_app.config["INVITATION_DAYS"]
    invitation.token_hash = token_hash
    invitation.expires_at = utcnow() + timedelta(days=days)
    inviter_org = by.organisation.name if by.organisation else "The convenor"
    model = InvitationMail(
        organisation=invitation.organisation.name,
        role=ROLE_WORDS[invitation.site_role],
        invited_by_organisation=inviter_org,
        link=public_link("accounts.invitation_link", token=token),
        expires_on=f"{invitation.expires_at:%-d %B %Y}",
        service_url=current_app.config["PUBLIC_URL"],
    )
    queue_message("invitation", invitation.email, render("invitation", model))


def find_invitation(token: str) -> Invitation | None:
    """The waiting, unexpired invitation for ``token``, or None."""
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.token_hash == hash_token(token or ""))
    )
    if invitation is None or not matches(token, invitation.token_hash):
        return None
    if invitation.state != "pending" or invitation.expires_at <= utcnow():
        return None
    return invitation


def accept(invitation: Invitation, *, name: str, password: str) -> User:
    """Create the account once: a second use of the link (or a race) is refused."""
    # One savepoint: if the link was used meanwhile or the account is refused, nothing stays.
    with db.session.begin_nested():
        claimed = db.session.execute(
            sa.update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.state == "pending")
            .values(state="accepted", version=Invitation.version + 1),
            execution_options={"synchronize_session": False},
        )
        if claimed.rowcount != 1:
            raise AccountError("This invitation has already been used")
        user = create_user(
            email=invitation.email,
            name=name,
            password=password,
            site_role=invitation.site_role,
            organisation=invitation.organisation,
        )
        db.session.execute(
            sa.update(Invitation)
            .where(Invitation.id == invitation.id)
            .values(accepted_user_id=user.id),
            execution_options={"synchronize_session": False},
        )
    db.session.refresh(invitation)
    audit.record(
        "invitation.accept", invitation, summary=f"{invitation.email} accepted", actor=user
    )
    return user


def list_invitations(organisation_id: int | None = None) -> list[Invitation]:
    query = sa.select(Invitation).order_by(Invitation.id.desc())
    if organisation_id is not None:
        query = query.where(Invitation.organisation_id == organisation_id)
    return list(db.session.scalars(query))
