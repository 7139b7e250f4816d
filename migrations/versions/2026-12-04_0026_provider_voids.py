"""Provider voids: a replaced or cancelled payment is cancelled at its provider too; a
payment's kind (the order's own, or money captured late on a voided one)

Revision ID: 0026
Revises: 0023
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kirana.kit.db import UTCDateTime

revision: str = "0026"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


OLD_LIVE = "status IN ('pending','succeeded','refunded')"
LIVE = "kind = 'order' AND status IN ('pending','succeeded','refunded')"


def _live_index(where: str) -> None:
    op.create_index(
        "uq_payment_intents_live_order",
        "payment_intents",
        ["order_id"],
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def upgrade() -> None:
    with op.batch_alter_table("payment_intents") as batch:
        batch.add_column(sa.Column("kind", sa.String(12), nullable=False, server_default="order"))
        batch.create_check_constraint(
            op.f("ck_payment_intents_kind"), "kind IN ('order','difference','late')"
        )
        batch.add_column(sa.Column("void_due_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("void_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("voided_at_provider", UTCDateTime(timezone=True), nullable=True))
        batch.create_index("ix_payment_intents_void_due", ["status", "void_due_at"])
    op.drop_index("uq_payment_intents_live_order", table_name="payment_intents")
    _live_index(LIVE)


def downgrade() -> None:
    op.drop_index("uq_payment_intents_live_order", table_name="payment_intents")
    _live_index(OLD_LIVE)
    with op.batch_alter_table("payment_intents") as batch:
        batch.drop_index("ix_payment_intents_void_due")
        batch.drop_column("voided_at_provider")
        batch.drop_column("void_attempts")
        batch.drop_column("void_due_at")
        batch.drop_constraint(op.f("ck_payment_intents_kind"), type_="check")
        batch.drop_column("kind")
