"""Organisations and the people who sign in on their behalf."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from procure.db import TimestampMixin, VersionedMixin, utcnow
from procure.extensions import db

ORGANISATION_KINDS = ("borough", "gla", "convenor", "partner", "supplier")
SITE_ROLES = ("admin", "member", "guest")


class Organisation(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    is_member: Mapped[bool] = mapped_column(default=True, server_default=sa.text("true"))
    # Identifiers that notices and OCDS name organisations by (schemes GB-PPON, GB-COH);
    # each is checked for format in procure.procurement.identifiers.
    ppon: Mapped[str | None] = mapped_column(sa.String(14))
    companies_house_number: Mapped[str | None] = mapped_column(sa.String(8))
    # Email domains the organisation owns, space-separated and lower-case ("camden.gov.uk"):
    # a first sign-in with the council account is matched to the organisation by these.
    email_domains: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    # When set (and single sign-on is configured), its people sign in with the council account only.
    sso_only: Mapped[bool] = mapped_column(default=False, server_default=sa.text("false"))

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    __table_args__ = (sa.CheckConstraint(f"kind IN {ORGANISATION_KINDS!r}", name="kind"),)

    @property
    def domains(self) -> list[str]:
        return self.email_domains.split()

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class User(UserMixin, TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    site_role: Mapped[str] = mapped_column(sa.String(20), default="member")
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    is_active_account: Mapped[bool] = mapped_column(default=True, server_default=sa.text("true"))
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    # Bumped when the password changes or the person signs out everywhere; a session
    # carrying an older generation is no longer signed in (see the user loader).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Created by a first sign-in with the council account: inactive until an admin or the
    # organisation's lead approves it.
    approval_pending: Mapped[bool] = mapped_column(default=False, server_default=sa.text("false"))

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    __table_args__ = (sa.CheckConstraint(f"site_role IN {SITE_ROLES!r}", name="site_role"),)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    @property
    def is_admin(self) -> bool:
        return self.site_role == "admin"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


INVITATION_STATES = ("pending", "accepted", "withdrawn")


class PasswordReset(db.Model):
    """A password-reset link: only the token's hash is kept; single-use, short-lived."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class Invitation(TimestampMixin, VersionedMixin, db.Model):
    """An invitation to join an organisation with a site role, sent by email."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    site_role: Mapped[str] = mapped_column(sa.String(20), default="member")
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(sa.String(20), default="pending")
    accepted_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    next_path: Mapped[str] = mapped_column(sa.String(300), default="/", server_default="/")

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    __table_args__ = (
        sa.CheckConstraint(f"state IN {INVITATION_STATES!r}", name="state"),
        sa.CheckConstraint(f"site_role IN {SITE_ROLES!r}", name="site_role"),
    )


class UserIdentity(db.Model):
    """A council account (issuer and subject) linked to a person, once, for single sign-on."""

    __tablename__ = "user_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(sa.String(300))
    subject: Mapped[str] = mapped_column(sa.String(255))
    email: Mapped[str] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("issuer", "subject"),)
