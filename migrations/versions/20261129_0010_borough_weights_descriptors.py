"""Each borough's own criterion weights; each criterion's own score descriptors

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-29 00:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("criteria", schema=None) as batch_op:
        batch_op.add_column(sa.Column("descriptors", sa.Text(), server_default="", nullable=False))
    op.create_table(
        "borough_weights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("weight > 0", name=op.f("ck_borough_weights_weight_positive")),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["criteria.id"],
            name=op.f("fk_borough_weights_criterion_id_criteria"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_borough_weights_experiment_id_experiments"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_borough_weights_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_borough_weights")),
        sa.UniqueConstraint(
            "organisation_id",
            "criterion_id",
            name=op.f("uq_borough_weights_organisation_id_criterion_id"),
        ),
    )
    with op.batch_alter_table("borough_weights", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_borough_weights_criterion_id"), ["criterion_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_borough_weights_experiment_id"), ["experiment_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("borough_weights", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_borough_weights_experiment_id"))
        batch_op.drop_index(batch_op.f("ix_borough_weights_criterion_id"))
    op.drop_table("borough_weights")
    with op.batch_alter_table("criteria", schema=None) as batch_op:
        batch_op.drop_column("descriptors")
