"""Accounts: signing in, and adding organisations and people."""

from __future__ import annotations

import functools
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from procure import audit
from procure.accounts.models import Organisation, User
from procure.db import utcnow
from procure.extensions import db
from procure.identifiers import companies_house_problem, normalise_identifier, ppon_problem
from procure.text_policy import policy, span_problem

# zxcvbn scores 0–4 against dictionaries of common passwords, names and patterns.
MIN_PASSWORD_SCORE = 3
LOCKOUT_THRESHOLD = 10
LOCKOUT_PERIOD = timedelta(minutes=15)


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


class AccountError(ValueError):
    """A rule about accounts was broken; the message says which, in plain words."""


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(
        sa.select(User).where(sa.func.lower(User.email) == email.strip().lower())
    )


def authenticate(email: str, password: str) -> User | None:
    """The user if the password matches and the account is usable, else None.

    The caller shows one message for every failure so that nobody can learn
    whether an address has an account.
    """
    user = find_user_by_email(email)
    if user is None:
        # Spend the same time as a real check so timing does not reveal unknown addresses.
        check_password_hash(_dummy_hash(), password)
        audit.record("login.failed", summary="Sign-in failed for an unknown address")
        return None
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        audit.record(
            "login.locked", user, summary="Sign-in refused: account temporarily locked", actor=user
        )
        return None
    if not user.check_password(password) or not user.is_active:
        _bookkeep(user, failed_logins=User.failed_logins + 1)
        if user.failed_logins >= LOCKOUT_THRESHOLD:
            _bookkeep(user, locked_until=now + LOCKOUT_PERIOD, failed_logins=0)
        audit.record("login.failed", user, summary="Sign-in failed: wrong password", actor=user)
        db.session.flush()
        return None
    _bookkeep(user, failed_logins=0, locked_until=None, last_login_at=now)
    audit.record("login", user, summary="Signed in", actor=user)
    db.session.flush()
    return user


def _bookkeep(user: User, **values) -> None:
    """Sign-in bookkeeping as one UPDATE that leaves the row's edit version alone.

    Signing in is not an edit: two people signing in to one account at once (or a
    sign-in while an admin has the user's form open) must not conflict, and the
    failure counter must count every attempt, so it is incremented in the database.
    """
    db.session.execute(
        sa.update(User).where(User.id == user.id).values(**values),
        execution_options={"synchronize_session": "fetch"},
    )


def check_password_rules(password: str, user_inputs: list[str] | None = None) -> None:
    """At least 12 characters, and not guessable from common passwords or the person's details."""
    if len(password) < 12:
        raise AccountError("Password must be at least 12 characters")
    result = zxcvbn(password[:100], user_inputs=[u for u in user_inputs or [] if u])
    if result["score"] < MIN_PASSWORD_SCORE:
        warning = result["feedback"].get("warning") or "It would be easy to guess"
        raise AccountError(
            f"That password is too common or easy to guess: {warning.rstrip('.')}. Try a few unrelated words"
        )


def _refuse_spans(column: str, value: str, label: str) -> None:
    """Names are plain text (procure/text_policy.py): the command line refuses spans too."""
    problem = span_problem(value, policy(column).accepts_spans, label)
    if problem:
        raise AccountError(problem)


_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normalise_domains(text: str | None, owner: Organisation | None = None) -> list[str]:
    """Email domains typed as a list (commas or spaces), lower-case; refuses any that is not one
    or that another organisation already owns."""
    domains: list[str] = []
    for raw in re.split(r"[\s,;]+", (text or "").strip().lower()):
        domain = raw.removeprefix("@")
        if not domain or domain in domains:
            continue
        if not _DOMAIN.match(domain):
            raise AccountError(f"“{raw}” is not an email domain, for example camden.gov.uk")
        for org in db.session.scalars(
            sa.select(Organisation).where(Organisation.email_domains != "")
        ):
            if domain in org.domains and org is not owner:
                raise AccountError(f"{org.name} already owns the email domain {domain}")
        domains.append(domain)
    return domains


def set_sign_in_domains(org: Organisation, email_domains: str, *, sso_only: bool) -> None:
    """Replace the email domains ``org`` owns for council-account sign-in (audited)."""
    domains = normalise_domains(email_domains, owner=org)
    before = {"email_domains": org.email_domains, "sso_only": org.sso_only}
    org.email_domains = " ".join(domains)
    org.sso_only = sso_only
    audit.record(
        "organisation.sign_in",
        org,
        summary=f"Council-account sign-in for {org.name}: {org.email_domains or 'no domains'}",
        changes={
            "before": before,
            "after": {"email_domains": org.email_domains, "sso_only": sso_only},
        },
    )


def create_organisation(
    *,
    name: str,
    slug: str,
    kind: str,
    is_member: bool,
    ppon: str | None = None,
    companies_house_number: str | None = None,
    email_domains: str = "",
    sso_only: bool = False,
) -> Organisation:
    _refuse_spans("organisations.name", name, "Name")
    domains = normalise_domains(email_domains)
    ppon = normalise_identifier(ppon) or None
    companies_house_number = normalise_identifier(companies_house_number) or None
    problem = ppon_problem(ppon or "") or companies_house_problem(companies_house_number or "")
    if problem:
        raise AccountError(problem)
    if db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug)):
        raise AccountError(f"An organisation with the short name “{slug}” already exists")
    if db.session.scalar(sa.select(Organisation).where(Organisation.name == name)):
        raise AccountError(f"An organisation called “{name}” already exists")
    org = Organisation(
        name=name,
        slug=slug,
        kind=kind,
        is_member=is_member,
        ppon=ppon,
        companies_house_number=companies_house_number,
        email_domains=" ".join(domains),
        sso_only=sso_only,
    )
    db.session.add(org)
    db.session.flush()
    audit.record("organisation.create", org, summary=f"Added organisation {name}")
    return org


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    site_role: str = "member",
    organisation: Organisation | None = None,
    check_rules: bool = True,
) -> User:
    _refuse_spans("users.name", name, "Name")
    email = email.strip().lower()
    if find_user_by_email(email) is not None:
        raise AccountError(f"A user with the email address {email} already exists")
    if check_rules:
        check_password_rules(password, [email, name, email.split("@")[0]])
    user = User(email=email, name=name, site_role=site_role, organisation=organisation)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, summary=f"Added user {email} ({site_role})")
    return user


def list_organisations() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))


def list_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.email)))
