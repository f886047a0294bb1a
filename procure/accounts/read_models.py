"""Read models of people for templates: the signed-in reader, as the page header shows them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Viewer:
    """The person reading a page, as every template may see them (their own name only)."""

    is_authenticated: bool
    name: str = ""
    organisation: str = ""


ANONYMOUS = Viewer(is_authenticated=False)


def build_viewer(user: Any) -> Viewer:
    """The header's view of ``user`` (Flask-Login's current user or the anonymous one)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    org = user.organisation
    return Viewer(is_authenticated=True, name=user.name, organisation=org.name if org else "")


@dataclass(frozen=True)
class OrganisationRow:
    """An organisation in the admin list."""

    id: int
    name: str
    slug: str
    kind: str
    is_member: bool
    ppon: str = ""
    companies_house_number: str = ""


@dataclass(frozen=True)
class UserRow:
    """A person in the admin list (convenor staff only)."""

    id: int
    name: str
    email: str
    organisation: str
    site_role: str


def organisation_row(org: Any) -> OrganisationRow:
    return OrganisationRow(
        org.id,
        org.name,
        org.slug,
        org.kind,
        org.is_member,
        org.ppon or "",
        org.companies_house_number or "",
    )


def user_row(user: Any) -> UserRow:
    org = user.organisation
    return UserRow(user.id, user.name, user.email, org.name if org else "", user.site_role)


@dataclass(frozen=True)
class InvitationRow:
    """An invitation in the list (admins, or a lead for their own organisation)."""

    id: int
    email: str
    organisation: str
    site_role: str
    state: str
    expires_on: str
    sent_on: str
    can_act: bool


def invitation_row(invitation: Any, now: Any) -> InvitationRow:
    state = invitation.state
    if state == "pending" and invitation.expires_at <= now:
        state = "expired"
    return InvitationRow(
        id=invitation.id,
        email=invitation.email,
        organisation=invitation.organisation.name,
        site_role=invitation.site_role,
        state=state,
        expires_on=f"{invitation.expires_at:%-d %B %Y}",
        sent_on=f"{invitation.updated_at:%-d %B %Y}",
        can_act=invitation.state == "pending",
    )


@dataclass(frozen=True)
class AccountSummary:
    """The signed-in person's own account page."""

    name: str
    email: str
    organisation: str
    site_role: str
    sign_in_method: str


def account_summary(user: Any, council_accounts: tuple[str, ...] = ()) -> AccountSummary:
    """``council_accounts``: the email addresses of the council accounts linked to ``user``."""
    org = user.organisation
    method = "Email address and password"
    if council_accounts:
        method = f"Council account ({', '.join(council_accounts)}), or email address and password"
    return AccountSummary(
        name=user.name,
        email=user.email,
        organisation=org.name if org else "",
        site_role=user.site_role,
        sign_in_method=method,
    )
