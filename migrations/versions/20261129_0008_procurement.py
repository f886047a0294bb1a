"""Procurement: organisation identifiers, supplier organisations, the UK2 notice draft

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 00:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('borough', 'gla', 'convenor', 'partner')"
NEW_KINDS = "kind IN ('borough', 'gla', 'convenor', 'partner', 'supplier')"


def upgrade():
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("ppon", sa.String(length=14), nullable=True))
        batch.add_column(sa.Column("companies_house_number", sa.String(length=8), nullable=True))
        batch.drop_constraint(op.f("ck_organisations_kind"), type_="check")
        batch.create_check_constraint("kind", NEW_KINDS)

    op.create_table(
        "procurement_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), server_default="", nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("rationale", sa.Text(), server_default="", nullable=False),
        sa.Column("participation", sa.Text(), server_default="", nullable=False),
        sa.Column("cpv_codes", sa.JSON(), nullable=False),
        sa.Column("value_low", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("value_high", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("contract_months", sa.Integer(), nullable=True),
        sa.Column("engagement_start", sa.Date(), nullable=True),
        sa.Column("engagement_end", sa.Date(), nullable=True),
        sa.Column(
            "convenor_procures", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "value_low IS NULL OR value_low >= 0", name=op.f("ck_procurement_notices_value_low")
        ),
        sa.CheckConstraint(
            "value_high IS NULL OR value_low IS NULL OR value_high >= value_low",
            name=op.f("ck_procurement_notices_value_range"),
        ),
        sa.CheckConstraint(
            "contract_months IS NULL OR contract_months > 0",
            name=op.f("ck_procurement_notices_contract_months"),
        ),
        sa.CheckConstraint(
            "engagement_end IS NULL OR engagement_start IS NULL"
            " OR engagement_end >= engagement_start",
            name=op.f("ck_procurement_notices_engagement_dates"),
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_procurement_notices_experiment_id_experiments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_notices")),
        sa.UniqueConstraint("experiment_id", name=op.f("uq_procurement_notices_experiment_id")),
    )
    op.create_table(
        "notice_authorities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["procurement_notices.id"],
            name=op.f("fk_notice_authorities_notice_id_procurement_notices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_notice_authorities_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_authorities")),
        sa.UniqueConstraint(
            "notice_id",
            "organisation_id",
            name=op.f("uq_notice_authorities_notice_id_organisation_id"),
        ),
    )
    op.create_index(
        op.f("ix_notice_authorities_notice_id"), "notice_authorities", ["notice_id"], unique=False
    )
    op.create_table(
        "notice_lots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), server_default="1", nullable=False),
        sa.Column("title", sa.String(length=200), server_default="", nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["procurement_notices.id"],
            name=op.f("fk_notice_lots_notice_id_procurement_notices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_lots")),
    )
    op.create_index(op.f("ix_notice_lots_notice_id"), "notice_lots", ["notice_id"], unique=False)
    op.create_table(
        "engagement_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), server_default="", nullable=False),
        sa.Column("sensitivity", sa.String(length=20), server_default="public", nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('workshop', 'meeting', 'questionnaire', 'demo_day')",
            name=op.f("ck_engagement_activities_kind"),
        ),
        sa.CheckConstraint(
            "format IN ('in_person', 'online', 'written')",
            name=op.f("ck_engagement_activities_format"),
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_engagement_activities_experiment_id_experiments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_activities")),
    )
    op.create_index(
        op.f("ix_engagement_activities_experiment_id"),
        "engagement_activities",
        ["experiment_id"],
        unique=False,
    )
    op.create_table(
        "engagement_suppliers",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["engagement_activities.id"],
            name=op.f("fk_engagement_suppliers_activity_id_engagement_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_engagement_suppliers_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint(
            "activity_id", "organisation_id", name=op.f("pk_engagement_suppliers")
        ),
    )
    op.create_table(
        "engagement_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("document", sa.String(length=200), nullable=False),
        sa.Column("document_version", sa.String(length=40), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["engagement_activities.id"],
            name=op.f("fk_engagement_shares_activity_id_engagement_activities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_shares")),
    )
    op.create_index(
        op.f("ix_engagement_shares_activity_id"), "engagement_shares", ["activity_id"], unique=False
    )
    op.create_table(
        "engagement_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["engagement_activities.id"],
            name=op.f("fk_engagement_questions_activity_id_engagement_activities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_questions")),
    )
    op.create_index(
        op.f("ix_engagement_questions_activity_id"),
        "engagement_questions",
        ["activity_id"],
        unique=False,
    )
    op.create_table(
        "conflict_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("mitigation", sa.Text(), server_default="", nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('no_conflict', 'mitigated', 'excluded')",
            name=op.f("ck_conflict_assessments_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_conflict_assessments_experiment_id_experiments"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["users.id"], name=op.f("fk_conflict_assessments_person_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["users.id"],
            name=op.f("fk_conflict_assessments_reviewed_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict_assessments")),
    )
    op.create_index(
        op.f("ix_conflict_assessments_experiment_id"),
        "conflict_assessments",
        ["experiment_id"],
        unique=False,
    )


def downgrade():
    op.drop_index(op.f("ix_engagement_questions_activity_id"), table_name="engagement_questions")
    op.drop_table("engagement_questions")
    op.drop_index(op.f("ix_engagement_shares_activity_id"), table_name="engagement_shares")
    op.drop_table("engagement_shares")
    op.drop_table("engagement_suppliers")
    op.drop_index(
        op.f("ix_engagement_activities_experiment_id"), table_name="engagement_activities"
    )
    op.drop_table("engagement_activities")
    op.drop_index(op.f("ix_conflict_assessments_experiment_id"), table_name="conflict_assessments")
    op.drop_table("conflict_assessments")
    op.drop_index(op.f("ix_notice_lots_notice_id"), table_name="notice_lots")
    op.drop_table("notice_lots")
    op.drop_index(op.f("ix_notice_authorities_notice_id"), table_name="notice_authorities")
    op.drop_table("notice_authorities")
    op.drop_table("procurement_notices")
    # Suppliers become partners: the old kinds have no better home for them.
    op.execute("UPDATE organisations SET kind = 'partner' WHERE kind = 'supplier'")
    with op.batch_alter_table("organisations") as batch:
        batch.drop_constraint(op.f("ck_organisations_kind"), type_="check")
        batch.create_check_constraint("kind", OLD_KINDS)
        batch.drop_column("companies_house_number")
        batch.drop_column("ppon")
