"""Export records: who exported which report for which audience, and its redaction log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.accounts.models import User
from procure.db import utcnow
from procure.experiments.models import Experiment
from procure.extensions import db

REPORT_KINDS = (
    "workshop-pack",
    "scoring",
    "requirements",
    "summary",
    "notice",
    "conflicts",
    "handover",
)
EXPORT_STATUSES = ("queued", "running", "done", "failed")


class ReportExport(db.Model):
    __tablename__ = "report_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(sa.ForeignKey("experiments.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    audience: Mapped[str] = mapped_column(sa.String(20))
    # Which workshop or specification version, when the kind needs one.
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    content_version: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(20), default="queued", server_default="queued")
    progress: Mapped[int] = mapped_column(default=0, server_default="0")
    error: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    filename: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    file_path: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    sha256: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    size_bytes: Mapped[int] = mapped_column(default=0, server_default="0")
    pages: Mapped[int] = mapped_column(default=0, server_default="0")
    redaction_log: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    experiment: Mapped[Experiment] = relationship()
    requested_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(f"status IN {EXPORT_STATUSES!r}", name="status"),
        sa.CheckConstraint("audience IN ('public', 'members', 'participants')", name="audience"),
    )
