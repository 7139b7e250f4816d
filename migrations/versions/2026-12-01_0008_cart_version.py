"""carts.version: a number every change to a cart moves on

Checkout reads the cart without locking it and empties it only if it is unchanged. It used to
compare ``updated_at``; two changes stamped with the same microsecond (a clock that the
simulator or a test holds still, or two servers' clocks) would then look like none. A counter
cannot.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("carts") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("carts") as batch:
        batch.drop_column("version")
