"""Difference payments: a dearer substitute's price difference, paid as a payment of its own

Revision ID: 0027
Revises: 0026
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payment_intents") as batch:
        batch.add_column(sa.Column("substitution_id", sa.String(26), nullable=True))
        batch.create_index("ix_payment_intents_substitution_id", ["substitution_id"])


def downgrade() -> None:
    with op.batch_alter_table("payment_intents") as batch:
        batch.drop_index("ix_payment_intents_substitution_id")
        batch.drop_column("substitution_id")
