"""What the market scan found (options) and what each organisation runs today (landscape)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.accounts.models import Organisation, User
from procure.db import TimestampMixin, VersionedMixin, sensitivity_column
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.sensitivity import Sensitivity

OPTION_KINDS = ("product", "approach")
OPTION_STATUSES = ("longlist", "shortlist", "excluded")
HOSTING_MODELS = ("saas", "hosted", "on_premises", "hybrid", "not_applicable")

option_users = sa.Table(
    "option_users",
    db.metadata,
    sa.Column("option_id", sa.ForeignKey("options.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organisation_id", sa.ForeignKey("organisations.id"), primary_key=True),
)


class Option(TimestampMixin, VersionedMixin, db.Model):
    """Something the market scan found: a product from a supplier, or a procurement route."""

    __tablename__ = "options"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(sa.ForeignKey("experiments.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(200))
    supplier: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    summary: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    website: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    hosting_model: Mapped[str | None] = mapped_column(sa.String(20))
    standards: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    evidence: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # Procurement routes ("approach") describe how long they take and what limits them.
    timescale: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    constraints: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # Commercial fields carry their own sensitivity: participants only unless lowered.
    cost_low: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    cost_high: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    cost_basis: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    supplier_remarks: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    commercial_sensitivity: Mapped[Sensitivity] = sensitivity_column("participants")
    # The option as a whole (its name and existence) may itself be members-only.
    sensitivity: Mapped[Sensitivity] = sensitivity_column("public")
    status: Mapped[str] = mapped_column(
        sa.String(20), default="longlist", server_default="longlist"
    )
    exclusion_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # A procurement lead may propose an option; the lead organisation or an admin accepts it.
    accepted: Mapped[bool] = mapped_column(default=True, server_default=sa.text("true"))
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    experiment: Mapped[Experiment] = relationship()
    proposed_by: Mapped[User | None] = relationship()
    used_by: Mapped[list[Organisation]] = relationship(
        secondary=option_users, order_by="Organisation.name"
    )

    __table_args__ = (
        sa.UniqueConstraint("experiment_id", "name"),
        sa.CheckConstraint(f"kind IN {OPTION_KINDS!r}", name="kind"),
        sa.CheckConstraint(f"status IN {OPTION_STATUSES!r}", name="status"),
        sa.CheckConstraint("cost_low IS NULL OR cost_low >= 0", name="cost_low"),
        sa.CheckConstraint(
            "cost_high IS NULL OR cost_low IS NULL OR cost_high >= cost_low", name="cost_range"
        ),
    )


class LandscapeEntry(TimestampMixin, VersionedMixin, db.Model):
    """What one participating organisation runs today, and when its contract ends."""

    __tablename__ = "landscape_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(sa.ForeignKey("experiments.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    option_id: Mapped[int | None] = mapped_column(sa.ForeignKey("options.id", ondelete="SET NULL"))
    product_name: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    supplier: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    contract_start: Mapped[date | None]
    contract_end: Mapped[date | None]
    extension_months: Mapped[int] = mapped_column(default=0, server_default="0")
    annual_cost: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    cost_sensitivity: Mapped[Sensitivity] = sensitivity_column("participants")
    notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    sensitivity: Mapped[Sensitivity] = sensitivity_column("members")

    experiment: Mapped[Experiment] = relationship()
    organisation: Mapped[Organisation] = relationship()
    option: Mapped[Option | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("experiment_id", "organisation_id"),
        sa.CheckConstraint("extension_months >= 0", name="extension_months"),
        sa.CheckConstraint("annual_cost IS NULL OR annual_cost >= 0", name="annual_cost"),
        sa.CheckConstraint(
            "contract_end IS NULL OR contract_start IS NULL OR contract_end >= contract_start",
            name="contract_dates",
        ),
    )
