"""Deadlines: scoring window and endorsement due date; scoring reopened for a borough

Revision ID: 0012
Revises: 0010
Create Date: 2026-11-29 00:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scoring_opens_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("scoring_closes_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("endorsements_due_on", sa.Date(), nullable=True))
    op.create_table(
        "scoring_reopenings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reopened_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_scoring_reopenings_experiment_id_experiments"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_scoring_reopenings_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["reopened_by_id"],
            ["users.id"],
            name=op.f("fk_scoring_reopenings_reopened_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scoring_reopenings")),
        sa.UniqueConstraint(
            "experiment_id",
            "organisation_id",
            name=op.f("uq_scoring_reopenings_experiment_id_organisation_id"),
        ),
    )
    with op.batch_alter_table("scoring_reopenings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scoring_reopenings_experiment_id"), ["experiment_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("scoring_reopenings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scoring_reopenings_experiment_id"))
    op.drop_table("scoring_reopenings")
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.drop_column("endorsements_due_on")
        batch_op.drop_column("scoring_closes_on")
        batch_op.drop_column("scoring_opens_on")
