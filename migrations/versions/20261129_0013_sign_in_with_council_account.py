"""Sign-in with the council's account: organisations' email domains, linked identities

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 00:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_domains", sa.String(length=500), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("sso_only", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "approval_pending", sa.Boolean(), server_default=sa.text("false"), nullable=False
            )
        )
    op.create_table(
        "user_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_identities_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_identities")),
        sa.UniqueConstraint("issuer", "subject", name=op.f("uq_user_identities_issuer_subject")),
    )
    with op.batch_alter_table("user_identities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_identities_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("user_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_identities_user_id"))
    op.drop_table("user_identities")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("approval_pending")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("sso_only")
        batch_op.drop_column("email_domains")
