"""Share links: a named audience may download one file, until the link expires or is revoked."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.accounts.models import User
from procure.db import utcnow
from procure.experiments.models import Experiment
from procure.extensions import db

SHARE_TARGETS = ("specification", "report")
SPEC_FORMATS = ("pdf", "csv", "xlsx", "json")


class ShareLink(db.Model):
    """A link to one file. The secret part of its token is stored only as a SHA-256 hash."""

    __tablename__ = "share_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The public half of the token finds the row; the secret half is compared in constant time.
    lookup: Mapped[str] = mapped_column(sa.String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64))
    experiment_id: Mapped[int] = mapped_column(sa.ForeignKey("experiments.id"), index=True)
    target: Mapped[str] = mapped_column(sa.String(20))
    specification_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("specification_versions.id")
    )
    spec_format: Mapped[str | None] = mapped_column(sa.String(10))
    report_export_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report_exports.id"))
    audience: Mapped[str] = mapped_column(sa.String(20))
    label: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    use_count: Mapped[int] = mapped_column(default=0, server_default="0")
    last_used_at: Mapped[datetime | None]

    experiment: Mapped[Experiment] = relationship()
    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(f"target IN {SHARE_TARGETS!r}", name="target"),
        sa.CheckConstraint("audience IN ('public', 'members', 'participants')", name="audience"),
        sa.CheckConstraint(
            "(target = 'specification' AND specification_version_id IS NOT NULL AND spec_format IS NOT NULL)"
            " OR (target = 'report' AND report_export_id IS NOT NULL)",
            name="target_fields",
        ),
    )

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > utcnow()

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.expires_at > utcnow() else "expired"
