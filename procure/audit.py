"""Append-only audit events: who did what, to which object, when, from which request."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.accounts.models import Organisation, User
from procure.db import utcnow
from procure.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    experiment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("experiments.id"), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    object_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    # For updates: {"field": [before, after]}; never passwords or tokens.
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    request_id: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")

    actor: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (sa.Index("ix_audit_events_object", "object_type", "object_id"),)


class AuditImmutableError(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise AuditImmutableError("Audit events are append-only and cannot be changed.")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise AuditImmutableError("Audit events are append-only and cannot be deleted.")


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    slug = getattr(value, "slug", None)
    if isinstance(slug, str):
        return slug
    return str(value)


def diff(obj: Any, fields: list[str], new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """Field-by-field ``{field: [before, after]}`` for the values that actually change."""
    changes: dict[str, list[Any]] = {}
    for name in fields:
        if name not in new_values:
            continue
        before, after = getattr(obj, name), new_values[name]
        if _jsonable(before) != _jsonable(after):
            changes[name] = [_jsonable(before), _jsonable(after)]
    return changes


def current_actor_id() -> int | None:
    """The signed-in person's id inside a request, else None (commands, jobs)."""
    if has_request_context() and current_user.is_authenticated:
        return current_user.id
    return None


def record(
    action: str,
    obj: Any = None,
    *,
    experiment_id: int | None = None,
    summary: str = "",
    changes: dict[str, Any] | None = None,
    actor: User | None = None,
) -> AuditEvent:
    """Append an audit event to the current session (the request commits it)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    if obj is not None and getattr(obj, "id", 1) is None:
        db.session.flush()  # a new object needs its id before the event can name it
    if obj is not None and experiment_id is None:
        experiment_id = getattr(obj, "experiment_id", None)
        if experiment_id is None and obj.__class__.__name__ == "Experiment":
            experiment_id = obj.id
    event_ = AuditEvent(
        action=action,
        actor_id=actor.id if actor else None,
        organisation_id=actor.organisation_id if actor else None,
        experiment_id=experiment_id,
        object_type=obj.__class__.__name__ if obj is not None else "",
        object_id=getattr(obj, "id", None) if obj is not None else None,
        summary=summary[:500],
        changes=_jsonable(changes or {}),
        request_id=g.get("request_id", "") if has_request_context() else "",
    )
    db.session.add(event_)
    return event_
