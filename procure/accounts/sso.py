"""Sign-in with the council's account (OpenID Connect, through Authlib).

A person is matched by (issuer, subject). Otherwise an account with the same *verified* email in
a domain an organisation owns is linked once; otherwise a "pending approval" account is created
in that organisation, with no role until an admin or the organisation's lead approves it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from authlib.integrations.flask_client import OAuth
from flask import current_app
from werkzeug.security import generate_password_hash

from procure import audit
from procure.accounts.models import Organisation, User, UserIdentity
from procure.extensions import db
from procure.permissions import is_organisation_lead

PROVIDER_NAME = "council"


class SignInRefused(Exception):
    """The council account cannot be used here; ``reason`` names which refusal page to show."""

    def __init__(self, reason: str, email: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.email = email


@dataclass(frozen=True)
class Outcome:
    user: User
    pending: bool


def is_configured() -> bool:
    cfg = current_app.config
    return bool(cfg.get("OIDC_ISSUER") and cfg.get("OIDC_CLIENT_ID"))


def provider() -> Any:
    """Authlib's client for the configured provider (one per issuer and client id)."""
    cfg = current_app.config
    key = (cfg["OIDC_ISSUER"], cfg["OIDC_CLIENT_ID"])
    clients = current_app.extensions.setdefault("procure_oidc", {})
    if key not in clients:
        oauth = OAuth(current_app._get_current_object())
        oauth.register(
            PROVIDER_NAME,
            client_id=cfg["OIDC_CLIENT_ID"],
            client_secret=cfg["OIDC_CLIENT_SECRET"],
            server_metadata_url=f"{cfg['OIDC_ISSUER']}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
        )
        clients[key] = oauth.create_client(PROVIDER_NAME)
    return clients[key]


def organisation_for_domain(domain: str) -> Organisation | None:
    domain = domain.lower()
    for org in db.session.scalars(sa.select(Organisation).where(Organisation.email_domains != "")):
        if domain in org.domains:
            return org
    return None


def resolve(issuer: str, claims: dict[str, Any]) -> Outcome:
    """The person these verified ID-token claims belong to, linking or creating as the rules say."""
    tenant = current_app.config.get("OIDC_TENANT_ID")
    if tenant and claims.get("tid") != tenant:
        raise SignInRefused("tenant")
    subject = str(claims["sub"])
    identity = db.session.scalar(
        sa.select(UserIdentity).where(
            UserIdentity.issuer == issuer, UserIdentity.subject == subject
        )
    )
    if identity is not None:
        user = identity.user
        if user.approval_pending:
            return Outcome(user, pending=True)
        if not user.is_active_account:
            raise SignInRefused("inactive")
        return Outcome(user, pending=False)

    email = str(claims.get("email") or "").strip().lower()
    if not email or "@" not in email:
        raise SignInRefused("no_email")
    if claims.get("email_verified") is not True:
        raise SignInRefused("unverified", email)
    organisation = organisation_for_domain(email.rsplit("@", 1)[1])
    if organisation is None:
        raise SignInRefused("domain", email)

    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))
    if user is not None:
        already = db.session.scalar(
            sa.select(UserIdentity).where(
                UserIdentity.user_id == user.id, UserIdentity.issuer == issuer
            )
        )
        if already is not None or user.organisation_id != organisation.id:
            # Linked once: a second council account for the same person is never linked silently.
            raise SignInRefused("conflict", email)
        _link(user, issuer, subject, email)
        audit.record(
            "sso.linked", user, actor=user, summary="Council account linked on first sign-in"
        )
        if user.approval_pending:
            return Outcome(user, pending=True)
        if not user.is_active_account:
            raise SignInRefused("inactive")
        return Outcome(user, pending=False)

    name = str(claims.get("name") or "").strip()[:200] or email.split("@", 1)[0]
    user = User(
        email=email,
        name=name,
        # No usable password: the account signs in with the council account (or a reset).
        password_hash=generate_password_hash(secrets.token_urlsafe(32)),
        site_role="guest",
        organisation=organisation,
        is_active_account=False,
        approval_pending=True,
    )
    db.session.add(user)
    db.session.flush()
    _link(user, issuer, subject, email)
    audit.record(
        "sso.pending",
        user,
        actor=user,
        summary=f"Asked to join {organisation.name} by signing in with a council account",
    )
    return Outcome(user, pending=True)


def _link(user: User, issuer: str, subject: str, email: str) -> None:
    db.session.add(UserIdentity(user_id=user.id, issuer=issuer, subject=subject, email=email))
    db.session.flush()


def identities_of(user: User) -> list[UserIdentity]:
    return list(
        db.session.scalars(
            sa.select(UserIdentity).where(UserIdentity.user_id == user.id).order_by(UserIdentity.id)
        )
    )


def can_approve(approver: Any, person: User) -> bool:
    if not getattr(approver, "is_authenticated", False):
        return False
    if approver.is_admin:
        return True
    return (
        person.organisation_id is not None
        and approver.organisation_id == person.organisation_id
        and is_organisation_lead(approver)
    )


def pending_people(approver: Any) -> list[User]:
    query = sa.select(User).where(User.approval_pending.is_(True)).order_by(User.created_at)
    return [u for u in db.session.scalars(query) if can_approve(approver, u)]


def approve(person: User, by: User) -> None:
    """Let a pending person in, as a member of their organisation."""
    person.approval_pending = False
    person.is_active_account = True
    person.site_role = "member"
    audit.record(
        "sso.approved",
        person,
        actor=by,
        summary=f"Approved {person.name} to sign in for {person.organisation.name}",
    )


def password_refused(user: User) -> bool:
    """Is the person's organisation set to single sign-on only (and single sign-on configured)?"""
    org = user.organisation
    return bool(org is not None and org.sso_only and is_configured())
