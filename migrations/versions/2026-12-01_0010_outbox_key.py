"""outbox.key: the events of one order are relayed to each consumer in the order written

Several relays share the outbox in batches; the key (an order's id) lets a relay see that an
earlier event of the same order is still held elsewhere or waiting for a retry.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("key", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_outbox_unpublished_key",
        "outbox",
        ["key", "id"],
        sqlite_where=sa.text("published_at IS NULL"),
        postgresql_where=sa.text("published_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_unpublished_key", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("key")
