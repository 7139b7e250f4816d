"""Rider shifts: time on shift, for the fleet report

Revision ID: 0025
Revises: 0022
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kirana.kit.db import UTCDateTime

revision: str = "0025"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rider_shifts",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("rider_id", sa.String(26), nullable=False),
        sa.Column("store_id", sa.String(26), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["rider_id"],
            ["riders.id"],
            name=op.f("fk_rider_shifts_rider_id_riders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rider_shifts")),
    )
    op.create_index("ix_rider_shifts_rider", "rider_shifts", ["rider_id", "started_at"])
    op.create_index("ix_rider_shifts_store", "rider_shifts", ["store_id", "started_at"])
    op.create_index(
        "uq_rider_shifts_open",
        "rider_shifts",
        ["rider_id"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    # Riders on shift now start their first shift at the upgrade.
    op.execute(
        "INSERT INTO rider_shifts (id, rider_id, store_id, started_at)"
        " SELECT id, id, store_id, last_seen_at FROM riders"
        " WHERE is_online AND last_seen_at IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("rider_shifts")
