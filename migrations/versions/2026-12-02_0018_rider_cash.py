"""Riders' cash ledgers: cash collected on delivery, settlements, adjustments, cash held

Revision ID: 0018
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kirana.kit.db import UTCDateTime

revision: str = "0018"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "riders", sa.Column("cash_held", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_table(
        "rider_cash_entries",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("rider_id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("held_after", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(length=26), nullable=True),
        sa.Column("delivery_id", sa.String(length=26), nullable=True),
        sa.Column("tendered", sa.Integer(), nullable=True),
        sa.Column("change_given", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.String(length=26), nullable=False),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('collected','settled','adjustment')", name=op.f("ck_rider_cash_entries_kind")
        ),
        sa.CheckConstraint(
            "(kind = 'collected' AND amount >= 0 AND order_id IS NOT NULL"
            " AND tendered IS NOT NULL AND change_given IS NOT NULL"
            " AND tendered - change_given = amount)"
            " OR (kind = 'settled' AND amount < 0)"
            " OR (kind = 'adjustment' AND amount <> 0)",
            name=op.f("ck_rider_cash_entries_amount_matches_kind"),
        ),
        sa.CheckConstraint(
            "held_after >= 0", name=op.f("ck_rider_cash_entries_held_after_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["rider_id"],
            ["riders.id"],
            name=op.f("fk_rider_cash_entries_rider_id_riders"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rider_cash_entries")),
        sa.UniqueConstraint("order_id", name="uq_rider_cash_entries_order"),
        sa.UniqueConstraint("rider_id", "idempotency_key", name="uq_rider_cash_entries_key"),
    )
    op.create_index(
        "ix_rider_cash_entries_rider", "rider_cash_entries", ["rider_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_rider_cash_entries_rider", table_name="rider_cash_entries")
    op.drop_table("rider_cash_entries")
    with op.batch_alter_table("riders") as batch:
        batch.drop_column("cash_held")
