"""Recommendations: precomputed buy-again scores, product pairs and per-store trending

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rec_customer_products",
        sa.Column("customer_id", sa.String(length=26), nullable=False),
        sa.Column("product_id", sa.String(length=26), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", "product_id", name=op.f("pk_rec_customer_products")),
    )
    op.create_table(
        "rec_product_pairs",
        sa.Column("product_id", sa.String(length=26), nullable=False),
        sa.Column("other_id", sa.String(length=26), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("product_id", "other_id", name=op.f("pk_rec_product_pairs")),
    )
    op.create_index(
        "ix_rec_product_pairs_count", "rec_product_pairs", ["product_id", "orders"], unique=False
    )
    op.create_table(
        "rec_product_orders",
        sa.Column("product_id", sa.String(length=26), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_rec_product_orders")),
    )
    op.create_table(
        "rec_store_trending",
        sa.Column("store_id", sa.String(length=26), nullable=False),
        sa.Column("product_id", sa.String(length=26), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("store_id", "product_id", name=op.f("pk_rec_store_trending")),
    )


def downgrade() -> None:
    op.drop_table("rec_store_trending")
    op.drop_table("rec_product_orders")
    op.drop_index("ix_rec_product_pairs_count", table_name="rec_product_pairs")
    op.drop_table("rec_product_pairs")
    op.drop_table("rec_customer_products")
