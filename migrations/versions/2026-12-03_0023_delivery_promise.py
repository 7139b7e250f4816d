"""Delivery promise: the p90 and inputs promised at checkout, and the hand-over it is held to

Revision ID: 0023
Revises: 0025
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kirana.kit.db import UTCDateTime

revision: str = "0023"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("eta_p90_minutes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("eta_inputs", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("delivered_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("delivery_minutes", sa.Float(), nullable=True))
        batch.create_index("ix_orders_delivered_at", ["delivered_at"])


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_index("ix_orders_delivered_at")
        batch.drop_column("delivery_minutes")
        batch.drop_column("delivered_at")
        batch.drop_column("eta_inputs")
        batch.drop_column("eta_p90_minutes")
