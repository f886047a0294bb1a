"""The preliminary market engagement notice (UK2) draft of an experiment, and its lots.

A notice is a public document once published, so it has no sensitivity of its own; its
free text still accepts spans, which every page, PDF and OCDS file resolves through the
Redactor (the OCDS file always at ``public``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.accounts.models import Organisation, User
from procure.db import TimestampMixin, VersionedMixin, sensitivity_column, utcnow
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.sensitivity import Sensitivity


class ProcurementNotice(TimestampMixin, VersionedMixin, db.Model):
    """The UK2 draft: what the boroughs will buy, roughly what for, and how to take part."""

    __tablename__ = "procurement_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(sa.ForeignKey("experiments.id"), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # Why the authorities engage the market first: OCDS ``planning.rationale``.
    rationale: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # How suppliers take part in the engagement.
    participation: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    cpv_codes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    value_low: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    value_high: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    contract_months: Mapped[int | None]
    engagement_start: Mapped[date | None]
    engagement_end: Mapped[date | None]
    # The convenor runs the procurement for the boroughs (OCDS role procuringEntity).
    convenor_procures: Mapped[bool] = mapped_column(default=False, server_default=sa.text("false"))

    experiment: Mapped[Experiment] = relationship()
    authorities: Mapped[list[NoticeAuthority]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="NoticeAuthority.id"
    )
    lots: Mapped[list[NoticeLot]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="NoticeLot.position"
    )

    __table_args__ = (
        sa.CheckConstraint("value_low IS NULL OR value_low >= 0", name="value_low"),
        sa.CheckConstraint(
            "value_high IS NULL OR value_low IS NULL OR value_high >= value_low", name="value_range"
        ),
        sa.CheckConstraint(
            "contract_months IS NULL OR contract_months > 0", name="contract_months"
        ),
        sa.CheckConstraint(
            "engagement_end IS NULL OR engagement_start IS NULL"
            " OR engagement_end >= engagement_start",
            name="engagement_dates",
        ),
    )


class NoticeAuthority(db.Model):
    """A contracting authority that will procure under the notice (alone or jointly)."""

    __tablename__ = "notice_authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(
        sa.ForeignKey("procurement_notices.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))

    notice: Mapped[ProcurementNotice] = relationship(back_populates="authorities")
    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (sa.UniqueConstraint("notice_id", "organisation_id"),)


class NoticeLot(db.Model):
    """A lot the notice suggests, such as a cohort of boroughs from the alignment planner."""

    __tablename__ = "notice_lots"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(
        sa.ForeignKey("procurement_notices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=1, server_default="1")
    title: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    notice: Mapped[ProcurementNotice] = relationship(back_populates="lots")


ASSESSMENT_OUTCOMES = ("no_conflict", "mitigated", "excluded")
OUTCOME_LABELS = {
    "no_conflict": "No conflict",
    "mitigated": "Conflict mitigated",
    "excluded": "Excluded from the procurement",
}


class ConflictAssessment(db.Model):
    """One review of one person's declared interests for the procurement (section 83).

    Append-only: a review is never changed or removed; a new review supersedes it, so
    the history of every assessment stays readable. The current assessment of a person
    is their latest, and it is out of date once their declaration changes after it.
    """

    __tablename__ = "conflict_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(sa.ForeignKey("experiments.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(sa.String(20))
    mitigation: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[User] = relationship(foreign_keys=[person_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    __table_args__ = (sa.CheckConstraint(f"outcome IN {ASSESSMENT_OUTCOMES!r}", name="outcome"),)


@sa.event.listens_for(ConflictAssessment, "before_update")
@sa.event.listens_for(ConflictAssessment, "before_delete")
def _append_only(_mapper, _connection, target: ConflictAssessment) -> None:
    raise ValueError("A conflicts assessment is append-only: add a new review instead")


ENGAGEMENT_KINDS = ("workshop", "meeting", "questionnaire", "demo_day")
ENGAGEMENT_KIND_LABELS = {
    "workshop": "Workshop with suppliers",
    "meeting": "Supplier meeting",
    "questionnaire": "Questionnaire",
    "demo_day": "Demo day",
}
ENGAGEMENT_FORMATS = ("in_person", "online", "written")
ENGAGEMENT_FORMAT_LABELS = {"in_person": "In person", "online": "Online", "written": "In writing"}

engagement_suppliers = sa.Table(
    "engagement_suppliers",
    db.metadata,
    sa.Column(
        "activity_id",
        sa.ForeignKey("engagement_activities.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("organisation_id", sa.ForeignKey("organisations.id"), primary_key=True),
)


class EngagementActivity(TimestampMixin, db.Model):
    """One preliminary market engagement activity: who took part, what they were given."""

    __tablename__ = "engagement_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(sa.ForeignKey("experiments.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    format: Mapped[str] = mapped_column(sa.String(20))
    held_on: Mapped[date]
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    sensitivity: Mapped[Sensitivity] = sensitivity_column("public")

    suppliers: Mapped[list[Organisation]] = relationship(
        secondary=engagement_suppliers, order_by="Organisation.name"
    )
    shares: Mapped[list[EngagementShare]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="EngagementShare.id"
    )
    questions: Mapped[list[EngagementQuestion]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="EngagementQuestion.id"
    )

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {ENGAGEMENT_KINDS!r}", name="kind"),
        sa.CheckConstraint(f"format IN {ENGAGEMENT_FORMATS!r}", name="format"),
    )


class EngagementShare(db.Model):
    """A document (and its version) given to the suppliers of one activity."""

    __tablename__ = "engagement_shares"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("engagement_activities.id", ondelete="CASCADE"), index=True
    )
    document: Mapped[str] = mapped_column(sa.String(200))
    document_version: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")

    activity: Mapped[EngagementActivity] = relationship(back_populates="shares")


class EngagementQuestion(db.Model):
    """A question a supplier asked during an activity, and the answer given."""

    __tablename__ = "engagement_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("engagement_activities.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(sa.Text)
    answer: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    activity: Mapped[EngagementActivity] = relationship(back_populates="questions")
