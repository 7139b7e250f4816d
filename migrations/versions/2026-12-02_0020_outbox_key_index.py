"""outbox (key, id): a consumer reading the event stream looks up the earlier events of a key

Revision ID: 0020
Revises: 0018
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_key", "outbox", ["key", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_key", table_name="outbox")
