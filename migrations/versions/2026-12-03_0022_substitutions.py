"""Substitutions while picking: a status on each order line, and the pickers' proposals

Revision ID: 0022
Revises: 0024 (0024 landed on main first, on 0021; one chain, one head)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kirana.kit.db import UTCDateTime

revision: str = "0022"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_items") as batch:
        batch.add_column(
            sa.Column("status", sa.String(12), nullable=False, server_default="ordered")
        )
        batch.add_column(sa.Column("substitute_for", sa.String(26), nullable=True))
        batch.create_check_constraint(
            op.f("ck_order_items_status"),
            "status IN ('ordered','picked','unavailable','substituted')",
        )
    op.create_table(
        "order_substitutions",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("order_id", sa.String(length=26), nullable=False),
        sa.Column("line_id", sa.String(length=26), nullable=False),
        sa.Column("product_id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("mrp", sa.Integer(), nullable=False),
        sa.Column("aisle", sa.String(length=20), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Integer(), nullable=False),
        sa.Column("charged_unit_price", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("proposed_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("paid_difference", sa.Boolean(), nullable=False),
        sa.Column("new_line_id", sa.String(length=26), nullable=True),
        sa.CheckConstraint(
            "status IN ('proposed','approved','declined','lapsed')",
            name=op.f("ck_order_substitutions_status"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_substitutions_quantity_positive")),
        sa.CheckConstraint(
            "unit_price > 0", name=op.f("ck_order_substitutions_unit_price_positive")
        ),
        sa.CheckConstraint(
            "charged_unit_price > 0 AND charged_unit_price <= unit_price",
            name=op.f("ck_order_substitutions_charged_within_price"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_substitutions_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["order_items.id"],
            name=op.f("fk_order_substitutions_line_id_order_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_substitutions")),
    )
    op.create_index("ix_order_substitutions_order", "order_substitutions", ["order_id"])
    op.create_index("ix_order_substitutions_due", "order_substitutions", ["status", "expires_at"])


def downgrade() -> None:
    op.drop_index("ix_order_substitutions_due", table_name="order_substitutions")
    op.drop_index("ix_order_substitutions_order", table_name="order_substitutions")
    op.drop_table("order_substitutions")
    with op.batch_alter_table("order_items") as batch:
        batch.drop_constraint(op.f("ck_order_items_status"), type_="check")
        batch.drop_column("substitute_for")
        batch.drop_column("status")
