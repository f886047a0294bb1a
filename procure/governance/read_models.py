"""Read models of governance pages: share links and audit events as convenor staff see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from procure.audit import AuditEvent
from procure.governance.models import ShareLink


@dataclass(frozen=True)
class ShareLinkRow:
    """One share link in the list (its label refuses spans, so it is shown as typed)."""

    id: int
    label: str
    target: str
    report_export_id: int | None
    spec_format: str | None
    audience: str
    expires_at: datetime
    use_count: int
    state: str


def share_link_row(link: ShareLink) -> ShareLinkRow:
    return ShareLinkRow(
        id=link.id,
        label=link.label,
        target=link.target,
        report_export_id=link.report_export_id,
        spec_format=link.spec_format,
        audience=link.audience,
        expires_at=link.expires_at,
        use_count=link.use_count,
        state=link.state,
    )


@dataclass(frozen=True)
class AuditEventRow:
    """One audit event as the audit trail shows it (convenor staff only)."""

    id: int
    occurred_at: datetime
    actor: str
    organisation: str
    action: str
    summary: str
    object_type: str
    object_id: int | None
    changes: dict[str, Any]
    request_id: str


@dataclass(frozen=True)
class AuditPage:
    """A page of the audit trail with the numbers its pager needs."""

    items: tuple[AuditEventRow, ...]
    total: int
    page: int
    pages: int
    has_prev: bool
    prev_num: int | None
    has_next: bool
    next_num: int | None


def audit_event_row(event: AuditEvent) -> AuditEventRow:
    return AuditEventRow(
        id=event.id,
        occurred_at=event.occurred_at,
        actor=event.actor.name if event.actor else "",
        organisation=event.organisation.name if event.organisation else "",
        action=event.action,
        summary=event.summary or "",
        object_type=event.object_type or "",
        object_id=event.object_id,
        changes=dict(event.changes or {}),
        request_id=event.request_id or "",
    )


def audit_page(pagination: Any) -> AuditPage:
    """Flask-SQLAlchemy's page of events, as rows."""
    return AuditPage(
        items=tuple(audit_event_row(e) for e in pagination.items),
        total=pagination.total or 0,
        page=pagination.page,
        pages=pagination.pages,
        has_prev=pagination.has_prev,
        prev_num=pagination.prev_num,
        has_next=pagination.has_next,
        next_num=pagination.next_num,
    )
