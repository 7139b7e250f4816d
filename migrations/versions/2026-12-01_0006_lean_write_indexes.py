"""lean write indexes

Every checkout inserts a payment intent and an outbox event; each index on them is written with
it. The customer index on payment_intents served no query. The outbox relay reads unpublished
events in id order: a partial index of just those stays as small as the backlog, where the
index on published_at grew with every event ever sent.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kirana.kit.db  # noqa: F401

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNPUBLISHED = sa.text("published_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("payment_intents", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_intents_customer_id")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_published_at")
        batch_op.create_index(
            "ix_outbox_unpublished",
            ["id"],
            unique=False,
            sqlite_where=UNPUBLISHED,
            postgresql_where=UNPUBLISHED,
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_unpublished")
        batch_op.create_index("ix_outbox_published_at", ["published_at"], unique=False)
    with op.batch_alter_table("payment_intents", schema=None) as batch_op:
        batch_op.create_index("ix_payment_intents_customer_id", ["customer_id"], unique=False)
