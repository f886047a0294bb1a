"""The outbox: every message Procure sends, whatever the transport, with its state."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from procure.db import TimestampMixin, utcnow
from procure.extensions import db

# queued → sending → sent; a failure goes to retrying (then sending again) or, after the
# last attempt, failed. With no transport configured messages are held and never sent.
OUTBOX_STATES = ("queued", "sending", "sent", "retrying", "failed", "held")


class OutboxMessage(TimestampMixin, db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str] = mapped_column(sa.Text)
    experiment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("experiments.id", ondelete="SET NULL")
    )
    audience: Mapped[str | None] = mapped_column(sa.String(20))
    state: Mapped[str] = mapped_column(sa.String(20), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    sent_at: Mapped[datetime | None]

    __table_args__ = (sa.CheckConstraint(f"state IN {OUTBOX_STATES!r}", name="state"),)
