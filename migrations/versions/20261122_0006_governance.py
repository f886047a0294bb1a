"""Schema changes of the governance feature (reserved slot; empty until it needs one)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 00:00:00

"""

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
