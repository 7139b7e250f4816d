"""Riders going off shift after their trip: asked for mid-trip, it ends at the last drop

Revision ID: 0030
Revises: 0029
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("riders") as batch:
        batch.add_column(
            sa.Column("off_after_trip", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("riders") as batch:
        batch.drop_column("off_after_trip")
