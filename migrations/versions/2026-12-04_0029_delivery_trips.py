"""Delivery trips: a rider carries one to three drops of one store, in order

Revision ID: 0029
Revises: 0028
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kirana.kit.db import UTCDateTime

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = "status IN ('assigned','picked_up')"


def upgrade() -> None:
    op.create_table(
        "delivery_trips",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("store_id", sa.String(26), nullable=False),
        sa.Column("rider_id", sa.String(26), nullable=False),
        sa.Column("strategy", sa.String(12), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("at_store_by", UTCDateTime(timezone=True), nullable=False),
        sa.Column("depart_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("back_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("replans", sa.Integer(), nullable=False),
        sa.Column("ended_at", UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "strategy IN ('nearest','batched','fallback')", name=op.f("ck_delivery_trips_strategy")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_delivery_trips_store_id_stores"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["rider_id"],
            ["riders.id"],
            name=op.f("fk_delivery_trips_rider_id_riders"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_trips")),
    )
    op.create_index("ix_delivery_trips_store", "delivery_trips", ["store_id", "created_at"])
    op.create_index(
        "uq_delivery_trips_open_rider",
        "delivery_trips",
        ["rider_id"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("items", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("promised_by", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("packed_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("trip_id", sa.String(26), nullable=True))
        batch.add_column(sa.Column("trip_seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("pick_after", UTCDateTime(timezone=True), nullable=True))
        # A rider now carries every drop of their trip: one open trip per rider instead.
        batch.drop_index("uq_deliveries_active_rider")
        batch.create_index("ix_deliveries_trip", ["trip_id", "trip_seq"])


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index("ix_deliveries_trip")
        batch.create_index(
            "uq_deliveries_active_rider",
            ["rider_id"],
            unique=True,
            sqlite_where=sa.text(ACTIVE),
            postgresql_where=sa.text(ACTIVE),
        )
        batch.drop_column("pick_after")
        batch.drop_column("trip_seq")
        batch.drop_column("trip_id")
        batch.drop_column("packed_at")
        batch.drop_column("promised_by")
        batch.drop_column("items")
    op.drop_table("delivery_trips")
