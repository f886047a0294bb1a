"""Outbox rows for the admin's Outbox page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OutboxRow:
    id: int
    to: str
    kind: str
    subject: str
    state: str
    attempts: int
    last_error: str
    created: str
    experiment: str
    text: str


def outbox_row(message: Any, experiment_slug: str | None) -> OutboxRow:
    return OutboxRow(
        id=message.id,
        to=message.to_address,
        kind=message.kind,
        subject=message.subject,
        state=message.state,
        attempts=message.attempts,
        last_error=message.last_error,
        created=f"{message.created_at:%-d %B %Y %H:%M}",
        experiment=experiment_slug or "",
        text=message.text_body,
    )
