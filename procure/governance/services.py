"""Governance: share links and the audit trail's queries."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from procure import audit
from procure.accounts.models import Organisation, User
from procure.audit import AuditEvent
from procure.db import utcnow
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.governance.models import ShareLink
from procure.sensitivity import Audience

MAX_SHARE_DAYS = 90


class ShareError(ValueError):
    """A share link cannot be made or used; the message says why in plain words."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_share_link(
    experiment: Experiment,
    *,
    audience: Audience,
    expires_on: date,
    label: str,
    creator: User,
    creator_audience: Audience,
    specification_version_id: int | None = None,
    spec_format: str | None = None,
    report_export_id: int | None = None,
) -> tuple[ShareLink, str]:
    """Create a link and return it with its token (shown once, never stored in clear)."""
    if audience > creator_audience:
        raise ShareError("You cannot share above your own audience", "audience")
    today = utcnow().date()
    if expires_on <= today:
        raise ShareError("The expiry date must be in the future", "expires_on")
    if expires_on > today + timedelta(days=MAX_SHARE_DAYS):
        raise ShareError(f"Links can last at most {MAX_SHARE_DAYS} days", "expires_on")
    lookup = secrets.token_urlsafe(9)[:12]
    secret = secrets.token_urlsafe(32)
    link = ShareLink(
        lookup=lookup,
        secret_hash=_hash(secret),
        experiment_id=experiment.id,
        target="specification" if specification_version_id else "report",
        specification_version_id=specification_version_id,
        spec_format=spec_format,
        report_export_id=report_export_id,
        audience=audience.slug,
        label=label,
        expires_at=datetime.combine(expires_on, time(23, 59, 59)),
        created_by_id=creator.id,
    )
    db.session.add(link)
    db.session.flush()
    audit.record(
        "share.create",
        link,
        experiment_id=experiment.id,
        summary=f"Share link for {link.target} ({audience.slug}) until {expires_on.isoformat()}",
    )
    return link, f"{lookup}.{secret}"


def resolve_share_token(token: str) -> ShareLink:
    """The active link for ``token``; ``ShareError`` for anything forged, expired or revoked."""
    lookup, _, secret = (token or "").partition(".")
    link = (
        db.session.scalar(sa.select(ShareLink).where(ShareLink.lookup == lookup[:16]))
        if lookup
        else None
    )
    # Compare even when nothing matched, so a miss takes as long as a near-hit.
    expected = link.secret_hash if link is not None else _hash("no-such-link")
    valid = hmac.compare_digest(expected, _hash(secret))
    if link is None or not valid:
        audit.record("share.refused", summary="A share link that does not exist was used")
        raise ShareError("This link is not valid. Ask the person who sent it for a new one.")
    if link.revoked_at is not None:
        audit.record("share.refused", link, summary="A revoked share link was used")
        raise ShareError("This link has been withdrawn. Ask the person who sent it for a new one.")
    if link.expires_at <= utcnow():
        audit.record("share.refused", link, summary="An expired share link was used")
        raise ShareError("This link has expired. Ask the person who sent it for a new one.")
    return link


def record_use(link: ShareLink) -> None:
    link.use_count += 1
    link.last_used_at = utcnow()
    audit.record("share.use", link, summary=f"Downloaded through a share link ({link.audience})")


def revoke(link: ShareLink) -> None:
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        audit.record("share.revoke", link, summary="Share link withdrawn")


def share_links(experiment: Experiment) -> list[ShareLink]:
    return list(
        db.session.scalars(
            sa.select(ShareLink)
            .where(ShareLink.experiment_id == experiment.id)
            .order_by(ShareLink.id.desc())
        )
    )


# --- the audit trail ---------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    experiment_id: int | None = None
    person: str = ""
    organisation_id: int | None = None
    object_type: str = ""
    object_id: int | None = None
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "")}


def audit_query(f: AuditFilter) -> sa.Select:
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    if f.experiment_id:
        query = query.where(AuditEvent.experiment_id == f.experiment_id)
    if f.person:
        query = query.join(User, User.id == AuditEvent.actor_id).where(
            sa.or_(User.email.ilike(f"%{f.person}%"), User.name.ilike(f"%{f.person}%"))
        )
    if f.organisation_id:
        query = query.where(AuditEvent.organisation_id == f.organisation_id)
    if f.object_type:
        query = query.where(AuditEvent.object_type == f.object_type)
    if f.object_id:
        query = query.where(AuditEvent.object_id == f.object_id)
    if f.action:
        query = query.where(AuditEvent.action.startswith(f.action))
    if f.date_from:
        query = query.where(AuditEvent.occurred_at >= datetime.combine(f.date_from, time.min))
    if f.date_to:
        query = query.where(
            AuditEvent.occurred_at < datetime.combine(f.date_to + timedelta(days=1), time.min)
        )
    return query


def object_types() -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.object_type)
            .where(AuditEvent.object_type != "")
            .distinct()
            .order_by(AuditEvent.object_type)
        )
    )


def filter_choices() -> tuple[list[Experiment], list[Organisation]]:
    experiments = list(db.session.scalars(sa.select(Experiment).order_by(Experiment.title)))
    organisations = list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))
    return experiments, organisations


AUDIT_COLUMNS = [
    "id",
    "occurred_at",
    "action",
    "actor",
    "organisation",
    "experiment_id",
    "object_type",
    "object_id",
    "summary",
    "changes",
    "request_id",
]


def audit_rows(events: list[AuditEvent]) -> list[list[Any]]:
    import json

    return [
        [
            e.id,
            e.occurred_at.isoformat(timespec="seconds"),
            e.action,
            e.actor.email if e.actor else "",
            e.organisation.name if e.organisation else "",
            e.experiment_id or "",
            e.object_type,
            e.object_id or "",
            e.summary,
            json.dumps(e.changes, ensure_ascii=False, sort_keys=True) if e.changes else "",
            e.request_id,
        ]
        for e in events
    ]
