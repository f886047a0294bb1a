"""Schema changes of the requirements feature (reserved slot; empty until it needs one)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 00:00:00

"""

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
