"""Requirements, endorsements and immutable specification versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.accounts.models import Organisation, User
from procure.db import TimestampMixin, VersionedMixin, sensitivity_column, utcnow
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.sensitivity import Sensitivity

PRIORITIES = ("must", "should", "could", "wont")
PRIORITY_LABELS = {"must": "Must", "should": "Should", "could": "Could", "wont": "Won't"}
REQUIREMENT_STATUSES = ("draft", "agreed", "withdrawn")
SOURCE_KINDS = ("workshop", "option", "organisation", "other")
POSITIONS = ("adopt", "adopt_with_changes", "not_needed")
POSITION_LABELS = {
    "adopt": "Adopt",
    "adopt_with_changes": "Adopt with changes",
    "not_needed": "Not needed",
}


class Requirement(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(sa.ForeignKey("experiments.id"), index=True)
    # REQ-001 is number 1; numbers come from Experiment.requirement_counter and are never reused.
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    statement: Mapped[str] = mapped_column(sa.Text)
    acceptance_criteria: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    category: Mapped[str] = mapped_column(sa.String(100))
    priority: Mapped[str] = mapped_column(sa.String(10), default="should")
    source_kind: Mapped[str] = mapped_column(sa.String(20), default="other", server_default="other")
    source_workshop_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="SET NULL")
    )
    source_option_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("options.id", ondelete="SET NULL")
    )
    source_organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default="draft", server_default="draft")
    withdrawn_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    sensitivity: Mapped[Sensitivity] = sensitivity_column("public")
    # The domain revision: bumped when the content changes; endorsements record it.
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    experiment: Mapped[Experiment] = relationship()
    source_organisation: Mapped[Organisation | None] = relationship()
    proposed_by: Mapped[User | None] = relationship()
    endorsements: Mapped[list[Endorsement]] = relationship(
        back_populates="requirement", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("experiment_id", "number"),
        sa.CheckConstraint(f"priority IN {PRIORITIES!r}", name="priority"),
        sa.CheckConstraint(f"status IN {REQUIREMENT_STATUSES!r}", name="status"),
        sa.CheckConstraint(f"source_kind IN {SOURCE_KINDS!r}", name="source_kind"),
        sa.CheckConstraint("number > 0", name="number_positive"),
    )

    @property
    def reference(self) -> str:
        return f"REQ-{self.number:03d}"


class Endorsement(TimestampMixin, VersionedMixin, db.Model):
    """An organisation's position on a requirement, tied to the revision it endorsed."""

    __tablename__ = "endorsements"

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("requirements.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    position: Mapped[str] = mapped_column(sa.String(30))
    comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    comment_sensitivity: Mapped[Sensitivity] = sensitivity_column("members")
    revision: Mapped[int]
    endorsed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    requirement: Mapped[Requirement] = relationship(back_populates="endorsements")
    organisation: Mapped[Organisation] = relationship()
    endorsed_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("requirement_id", "organisation_id"),
        sa.CheckConstraint(f"position IN {POSITIONS!r}", name="position"),
    )

    @property
    def is_stale(self) -> bool:
        return self.revision != self.requirement.revision


class SpecificationVersion(db.Model):
    """An immutable, numbered snapshot of the agreed requirements and their endorsements.

    Never updated or deleted once written: the ORM refuses (listeners below) and a
    database trigger refuses too (see the migration).
    """

    __tablename__ = "specification_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(sa.ForeignKey("experiments.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(20))
    major: Mapped[int]
    minor: Mapped[int]
    release_notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # Deferred: lists of versions need only their numbers; these are large at city scale.
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON, deferred=True)
    changelog: Mapped[dict[str, Any]] = mapped_column(sa.JSON, deferred=True)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    experiment: Mapped[Experiment] = relationship()
    published_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("experiment_id", "number"),
        sa.UniqueConstraint("experiment_id", "major", "minor"),
    )


class SpecificationImmutableError(RuntimeError):
    """A published specification version was about to be changed or removed."""


@sa.event.listens_for(SpecificationVersion, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise SpecificationImmutableError(
        f"Specification version {target.number} is published and cannot be changed; "
        "publish a new version instead."
    )


@sa.event.listens_for(SpecificationVersion, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise SpecificationImmutableError(
        f"Specification version {target.number} is published and cannot be deleted."
    )
