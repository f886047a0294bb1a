"""Criteria, conflict-of-interest declarations, scorecards and moderated scores."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.accounts.models import Organisation, User
from procure.db import TimestampMixin, VersionedMixin, sensitivity_column, utcnow
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.market.models import Option
from procure.sensitivity import Sensitivity

DIMENSIONS = ("feasibility", "desirability")
SCORECARD_STATUSES = ("draft", "submitted")
SCALE = {
    0: "No evidence / not viable",
    1: "Very poor",
    2: "Poor",
    3: "Acceptable",
    4: "Good",
    5: "Excellent",
}


def descriptors_of(text: str | None) -> dict[int, str]:
    """Score → what it means: the criterion's own six lines where given, else the scale."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) != len(SCALE):
        return dict(SCALE)
    return dict(enumerate(lines))


class Criterion(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(sa.ForeignKey("experiments.id"), index=True)
    dimension: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(200))
    weight: Mapped[int] = mapped_column(default=1)
    guidance: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # What each score from 0 to 5 means for this criterion: six lines, or empty for the
    # general scale (see ``descriptors_of``).
    descriptors: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    position: Mapped[int] = mapped_column(default=0, server_default="0")

    experiment: Mapped[Experiment] = relationship()

    @property
    def descriptor_labels(self) -> dict[int, str]:
        return descriptors_of(self.descriptors)

    __table_args__ = (
        sa.UniqueConstraint("experiment_id", "dimension", "name"),
        sa.CheckConstraint(f"dimension IN {DIMENSIONS!r}", name="dimension"),
        sa.CheckConstraint("weight > 0", name="weight_positive"),
    )


class Declaration(TimestampMixin, VersionedMixin, db.Model):
    """A person's conflict-of-interest declaration for one experiment; scoring waits for it."""

    __tablename__ = "declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(sa.ForeignKey("experiments.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    has_interest: Mapped[bool] = mapped_column(default=False)
    interest: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    sensitivity: Mapped[Sensitivity] = sensitivity_column("participants")

    experiment: Mapped[Experiment] = relationship()
    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("experiment_id", "user_id"),)


class Scorecard(TimestampMixin, VersionedMixin, db.Model):
    """One organisation's scores of one option: one score per criterion, with reasons."""

    __tablename__ = "scorecards"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(sa.ForeignKey("experiments.id"), index=True)
    option_id: Mapped[int] = mapped_column(sa.ForeignKey("options.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="draft", server_default="draft")
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reopened_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    experiment: Mapped[Experiment] = relationship()
    option: Mapped[Option] = relationship()
    organisation: Mapped[Organisation] = relationship()
    submitted_by: Mapped[User | None] = relationship()
    scores: Mapped[list[Score]] = relationship(
        back_populates="scorecard", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("option_id", "organisation_id"),
        sa.CheckConstraint(f"status IN {SCORECARD_STATUSES!r}", name="status"),
    )


class Score(TimestampMixin, db.Model):
    __tablename__ = "scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(
        sa.ForeignKey("scorecards.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criteria.id"), index=True)
    score: Mapped[int | None]
    reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    reason_sensitivity: Mapped[Sensitivity] = sensitivity_column("members")

    scorecard: Mapped[Scorecard] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("scorecard_id", "criterion_id"),
        sa.CheckConstraint("score IS NULL OR score BETWEEN 0 AND 5", name="score_range"),
    )


class ModeratedScore(TimestampMixin, VersionedMixin, db.Model):
    """A consensus score for option × criterion agreed in moderation; originals are kept."""

    __tablename__ = "moderated_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(sa.ForeignKey("experiments.id"), index=True)
    option_id: Mapped[int] = mapped_column(sa.ForeignKey("options.id"))
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criteria.id"))
    score: Mapped[int]
    rationale: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    rationale_sensitivity: Mapped[Sensitivity] = sensitivity_column("members")
    workshop_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="SET NULL")
    )
    moderated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    moderated_at: Mapped[datetime] = mapped_column(default=utcnow)

    option: Mapped[Option] = relationship()
    criterion: Mapped[Criterion] = relationship()
    moderated_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("option_id", "criterion_id"),
        sa.CheckConstraint("score BETWEEN 0 AND 5", name="score_range"),
    )


class BoroughWeight(TimestampMixin, db.Model):
    """One organisation's own weight for one criterion; the criterion's weight is the default.

    The analysis ranks the options under each borough's weights and uses their spread in
    the robustness runs; the shared weights still decide the overall ranking.
    """

    __tablename__ = "borough_weights"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(sa.ForeignKey("experiments.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    criterion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("criteria.id", ondelete="CASCADE"), index=True
    )
    weight: Mapped[int]

    organisation: Mapped[Organisation] = relationship()
    criterion: Mapped[Criterion] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "criterion_id"),
        sa.CheckConstraint("weight > 0", name="weight_positive"),
    )


class ScoringReopening(db.Model):
    """The convenor let one borough score after the scoring window closed, and said why."""

    __tablename__ = "scoring_reopenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(sa.ForeignKey("experiments.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    reopened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (sa.UniqueConstraint("experiment_id", "organisation_id"),)
