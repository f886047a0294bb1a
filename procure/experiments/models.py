"""Experiments, the organisations taking part, and the stages they move through."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.accounts.models import Organisation, User
from procure.db import TimestampMixin, VersionedMixin, utcnow
from procure.extensions import db

STAGES = ("framing", "market_scan", "scoring", "requirements", "decision", "closed")
STAGE_LABELS = {
    "framing": "Framing",
    "market_scan": "Market scan",
    "scoring": "Scoring",
    "requirements": "Requirements",
    "decision": "Decision",
    "closed": "Closed",
}
PARTICIPANT_ROLES = ("lead", "participant", "observer")
PUBLIC_SCORE_MODES = ("anonymised", "aggregate")
DEFAULT_REQUIREMENT_CATEGORIES = [
    "Functional",
    "Data and integration",
    "Security and privacy",
    "Accessibility",
    "Hosting and service",
    "Commercial",
    "Social value",
]


class Experiment(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "experiments"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    domain: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    # Free text is sanitised Markdown with inline sensitivity spans.
    summary: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    problem_statement: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    outcomes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    stage: Mapped[str] = mapped_column(sa.String(20), default="framing", server_default="framing")
    is_published: Mapped[bool] = mapped_column(default=False, server_default=sa.text("false"))
    public_scores: Mapped[str] = mapped_column(
        sa.String(20), default="anonymised", server_default="anonymised"
    )
    quadrant_threshold: Mapped[int] = mapped_column(default=50, server_default="50")
    reasons_required: Mapped[bool] = mapped_column(default=True, server_default=sa.text("true"))
    requirement_categories: Mapped[list[str]] = mapped_column(
        sa.JSON, default=lambda: list(DEFAULT_REQUIREMENT_CATEGORIES)
    )
    # Requirement references are never reused, even after withdrawal: the counter only grows.
    requirement_counter: Mapped[int] = mapped_column(default=0, server_default="0")
    # Bumped by every change to the experiment's content; report files are cached on it.
    content_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Deadlines are London calendar days: the work is due by the end of the day.
    scoring_opens_on: Mapped[date | None]
    scoring_closes_on: Mapped[date | None]
    endorsements_due_on: Mapped[date | None]

    participations: Mapped[list[Participation]] = relationship(
        back_populates="experiment", cascade="all, delete-orphan", order_by="Participation.id"
    )

    __table_args__ = (
        sa.CheckConstraint(f"stage IN {STAGES!r}", name="stage"),
        sa.CheckConstraint(f"public_scores IN {PUBLIC_SCORE_MODES!r}", name="public_scores"),
        sa.CheckConstraint("quadrant_threshold BETWEEN 0 AND 100", name="quadrant_threshold"),
    )

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS[self.stage]

    def __repr__(self) -> str:
        return f"<Experiment {self.slug}>"


class Participation(TimestampMixin, VersionedMixin, db.Model):
    """An organisation taking part in an experiment, with its nominated procurement lead."""

    __tablename__ = "participations"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(sa.ForeignKey("experiments.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20), default="participant")
    procurement_lead_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    experiment: Mapped[Experiment] = relationship(back_populates="participations")
    organisation: Mapped[Organisation] = relationship()
    procurement_lead: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("experiment_id", "organisation_id"),
        sa.CheckConstraint(f"role IN {PARTICIPANT_ROLES!r}", name="role"),
    )


class StageTransition(db.Model):
    """Every move between stages, forward or back, with who moved it and why."""

    __tablename__ = "stage_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(sa.ForeignKey("experiments.id"), index=True)
    from_stage: Mapped[str] = mapped_column(sa.String(20))
    to_stage: Mapped[str] = mapped_column(sa.String(20))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    overridden: Mapped[bool] = mapped_column(default=False, server_default=sa.text("false"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=sa.func.now())

    actor: Mapped[User | None] = relationship()
