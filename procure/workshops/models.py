"""Workshops: agenda, attendees, notes, decisions, actions and what was discussed."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.accounts.models import Organisation, User
from procure.db import TimestampMixin, VersionedMixin, sensitivity_column
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.sensitivity import Sensitivity

if TYPE_CHECKING:  # the market and requirements models are registered by procure.models
    from procure.market.models import Option
    from procure.requirements.models import Requirement

ACTION_STATUSES = ("open", "done", "dropped")

workshop_options = sa.Table(
    "workshop_options",
    db.metadata,
    sa.Column("workshop_id", sa.ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("option_id", sa.ForeignKey("options.id", ondelete="CASCADE"), primary_key=True),
)
workshop_requirements = sa.Table(
    "workshop_requirements",
    db.metadata,
    sa.Column("workshop_id", sa.ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "requirement_id", sa.ForeignKey("requirements.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Workshop(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(sa.ForeignKey("experiments.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    location: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    online: Mapped[bool] = mapped_column(default=False, server_default=sa.text("false"))
    stage: Mapped[str] = mapped_column(sa.String(20))
    purpose: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    facilitator: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    # A workshop itself may be members-only (the seeds describe exactly that).
    sensitivity: Mapped[Sensitivity] = sensitivity_column("public")

    experiment: Mapped[Experiment] = relationship()
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        cascade="all, delete-orphan", order_by="AgendaItem.position"
    )
    attendees: Mapped[list[Attendee]] = relationship(
        cascade="all, delete-orphan", order_by="Attendee.id"
    )
    notes: Mapped[list[NoteSection]] = relationship(
        cascade="all, delete-orphan", order_by="NoteSection.position"
    )
    decisions: Mapped[list[Decision]] = relationship(
        cascade="all, delete-orphan", order_by="Decision.position"
    )
    actions: Mapped[list[WorkshopAction]] = relationship(
        cascade="all, delete-orphan", order_by="WorkshopAction.id"
    )
    # Many-to-many: the annotation must name the element type, or the ORM treats it as scalar.
    options: Mapped[list[Option]] = relationship(
        "Option", secondary=workshop_options, order_by="Option.name"
    )
    requirements: Mapped[list[Requirement]] = relationship(
        "Requirement", secondary=workshop_requirements, order_by="Requirement.number"
    )


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    starts: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    title: Mapped[str] = mapped_column(sa.String(300))
    presenter: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    sensitivity: Mapped[Sensitivity] = sensitivity_column("public")


class Attendee(db.Model):
    """A person at a workshop. Names never appear at the public audience: only organisations."""

    __tablename__ = "attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    attended: Mapped[bool] = mapped_column(default=True)

    user: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class NoteSection(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "note_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    heading: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    sensitivity: Mapped[Sensitivity] = sensitivity_column("members")


class Decision(db.Model):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.Text)
    sensitivity: Mapped[Sensitivity] = sensitivity_column("members")


class WorkshopAction(db.Model):
    __tablename__ = "workshop_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.Text)
    owner_organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    due_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(sa.String(20), default="open", server_default="open")
    sensitivity: Mapped[Sensitivity] = sensitivity_column("members")

    owner_organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (sa.CheckConstraint(f"status IN {ACTION_STATUSES!r}", name="status"),)
