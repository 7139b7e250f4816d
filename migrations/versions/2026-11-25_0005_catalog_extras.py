"""catalog extras

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

import kirana.kit.db  # noqa: F401

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The store listing without a category filter walks products in (name, id) order.
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index("ix_products_name_id", ["name", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index("ix_products_name_id")
