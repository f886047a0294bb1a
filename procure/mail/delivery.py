"""Sending one outbox message at most once: claim it, send it, record what happened.

``deliver`` claims the message with one conditional UPDATE (``queued``/``retrying`` →
``sending``), so of two workers only one ever sends it; a failure goes back to
``retrying`` with a back-off (60 s, doubling) until the fifth attempt, which leaves it
``failed`` with the reason. A message left ``sending`` (a worker died mid-send) is not
sent again automatically: it may have gone, and sending twice is worse than an admin
looking at the Outbox page.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from procure.db import utcnow
from procure.extensions import db
from procure.mail import transports
from procure.mail.models import OutboxMessage

MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(seconds=60)


def claim(message_id: int, now: datetime | None = None) -> bool:
    """Take the message for sending; False if another worker has it, or it is not due."""
    now = now or utcnow()
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.state.in_(("queued", "retrying")),
            OutboxMessage.next_attempt_at <= now,
        )
        .values(state="sending", attempts=OutboxMessage.attempts + 1, updated_at=now),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1


def deliver(message_id: int, *, now: datetime | None = None, commit: bool = False) -> str | None:
    """Send one message if it is due and nobody else is sending it.

    Returns its new state (None when it was not ours to send). The caller schedules a
    retry (``procure.mail.jobs``) when the state is ``retrying``.
    """
    now = now or utcnow()
    if not claim(message_id, now):
        if commit:
            db.session.commit()
        return None
    if commit:
        db.session.commit()  # the claim is visible to every other worker before we send
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    try:
        transports.send(message)
    except transports.TransportError as exc:
        message.last_error = str(exc)[:500]
        if message.attempts >= MAX_ATTEMPTS:
            message.state = "failed"
        else:
            message.state = "retrying"
            message.next_attempt_at = now + FIRST_RETRY * 2 ** (message.attempts - 1)
    else:
        message.state = "sent"
        message.sent_at = utcnow()
        message.last_error = ""
    db.session.flush()
    state = message.state
    if commit:
        db.session.commit()
    return state


def due_ids(now: datetime | None = None) -> list[int]:
    now = now or utcnow()
    return list(
        db.session.scalars(
            sa.select(OutboxMessage.id)
            .where(
                OutboxMessage.state.in_(("queued", "retrying")),
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.id)
        )
    )


def send_due(now: datetime | None = None, *, commit: bool = True) -> dict[str, int]:
    """Send every due message once (the ``flask outbox send-due`` command, run by cron)."""
    counts: dict[str, int] = {}
    for message_id in due_ids(now):
        state = deliver(message_id, now=now, commit=commit) or "skipped"
        counts[state] = counts.get(state, 0) + 1
    return counts
