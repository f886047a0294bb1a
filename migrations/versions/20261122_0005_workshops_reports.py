"""Schema changes of the workshops reports feature (reserved slot; empty until it needs one)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 00:00:00

"""

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
