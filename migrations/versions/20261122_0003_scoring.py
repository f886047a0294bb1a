"""Schema changes of the scoring feature (reserved slot; empty until it needs one)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 00:00:00

"""

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
