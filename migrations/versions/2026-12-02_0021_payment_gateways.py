"""Payment gateways: the provider's ids of a payment, refunds sent after commit

Revision ID: 0021
Revises: 0020
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kirana.kit.db import UTCDateTime

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payment_intents") as batch:
        batch.add_column(sa.Column("gateway_ref", sa.String(64), nullable=True))
        batch.add_column(sa.Column("gateway_payment_ref", sa.String(64), nullable=True))
        batch.create_index("ix_payment_intents_gateway_ref", ["provider", "gateway_ref"])
    with op.batch_alter_table("payment_refunds") as batch:
        batch.add_column(sa.Column("status", sa.String(10), nullable=False, server_default="sent"))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_attempt_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("gateway_ref", sa.String(64), nullable=True))
        batch.add_column(sa.Column("sent_at", UTCDateTime(timezone=True), nullable=True))
        batch.create_check_constraint(
            op.f("ck_payment_refunds_status"), "status IN ('pending','sent','failed')"
        )
        batch.create_index("ix_payment_refunds_due", ["status", "next_attempt_at"])


def downgrade() -> None:
    with op.batch_alter_table("payment_refunds") as batch:
        batch.drop_index("ix_payment_refunds_due")
        batch.drop_constraint(op.f("ck_payment_refunds_status"), type_="check")
        for column in ("sent_at", "gateway_ref", "last_error", "next_attempt_at", "attempts"):
            batch.drop_column(column)
        batch.drop_column("status")
    with op.batch_alter_table("payment_intents") as batch:
        batch.drop_index("ix_payment_intents_gateway_ref")
        batch.drop_column("gateway_payment_ref")
        batch.drop_column("gateway_ref")
