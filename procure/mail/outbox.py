"""The outbox: every message is recorded first, then handed to a sending job.

``queue_message`` writes the message (``queued``, or ``held`` when no transport is
configured) and schedules its job (``procure.mail.jobs``), which runs after the commit.
``export`` is what ``flask outbox export`` prints.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from procure.db import utcnow
from procure.extensions import db
from procure.mail import jobs, transports
from procure.mail.messages import MESSAGE_KINDS, RenderedMessage
from procure.mail.models import OutboxMessage

# The experiments table, named here without importing that feature (which imports accounts,
# which sends mail through this module): messages only need an experiment's slug.
_experiments = sa.table("experiments", sa.column("id"), sa.column("slug"))


def queue_message(
    kind: str,
    to: str,
    rendered: RenderedMessage,
    *,
    experiment_id: int | None = None,
    audience: str | None = None,
) -> OutboxMessage:
    """Record a message in the outbox and, when a transport is configured, send it as a job."""
    if kind not in MESSAGE_KINDS:
        raise KeyError(f"Unknown message kind {kind!r}")
    held = transports.transport_name() == "held"
    message = OutboxMessage(
        kind=kind,
        to_address=to,
        subject=rendered.subject[:300],
        text_body=rendered.text,
        html_body=rendered.html,
        experiment_id=experiment_id,
        audience=audience,
        state="held" if held else "queued",
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    if not held:
        jobs.schedule(message.id)
    return message


def list_messages(*, experiment_slug: str | None = None, limit: int | None = None):
    query = sa.select(OutboxMessage, _experiments.c.slug).outerjoin(
        _experiments, _experiments.c.id == OutboxMessage.experiment_id
    )
    if experiment_slug is not None:
        query = query.where(_experiments.c.slug == experiment_slug)
    if limit is not None:
        query = query.order_by(OutboxMessage.id.desc()).limit(limit)
        return list(reversed(db.session.execute(query).all()))
    return list(db.session.execute(query.order_by(OutboxMessage.id)).all())


def export(experiment_slug: str | None = None) -> list[dict[str, Any]]:
    """The outbox as plain data, newest last (the names other tools rely on)."""
    return [
        {
            "to": message.to_address,
            "subject": message.subject,
            "text": message.text_body,
            "html": message.html_body,
            "kind": message.kind,
            "state": message.state,
            "experiment": slug,
            "audience": message.audience,
            "created_at": message.created_at.isoformat(timespec="seconds") + "Z",
        }
        for message, slug in list_messages(experiment_slug=experiment_slug)
    ]
