"""Governance: share links to one file for a named audience

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-22 00:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "share_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lookup", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=20), nullable=False),
        sa.Column("specification_version_id", sa.Integer(), nullable=True),
        sa.Column("spec_format", sa.String(length=10), nullable=True),
        sa.Column("report_export_id", sa.Integer(), nullable=True),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=200), server_default="", nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("use_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "(target = 'specification' AND specification_version_id IS NOT NULL AND spec_format IS NOT NULL)"
            " OR (target = 'report' AND report_export_id IS NOT NULL)",
            name=op.f("ck_share_links_target_fields"),
        ),
        sa.CheckConstraint(
            "audience IN ('public', 'members', 'participants')",
            name=op.f("ck_share_links_audience"),
        ),
        sa.CheckConstraint(
            "target IN ('specification', 'report')", name=op.f("ck_share_links_target")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_share_links_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_share_links_experiment_id_experiments"),
        ),
        sa.ForeignKeyConstraint(
            ["report_export_id"],
            ["report_exports.id"],
            name=op.f("fk_share_links_report_export_id_report_exports"),
        ),
        sa.ForeignKeyConstraint(
            ["specification_version_id"],
            ["specification_versions.id"],
            name=op.f("fk_share_links_specification_version_id_specification_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_links")),
        sa.UniqueConstraint("lookup", name=op.f("uq_share_links_lookup")),
    )
    with op.batch_alter_table("share_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_share_links_experiment_id"), ["experiment_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("share_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_share_links_experiment_id"))
    op.drop_table("share_links")
