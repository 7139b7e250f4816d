"""users catalog riders

Revision ID: 0001
Revises:
Create Date: 2026-11-25 16:12:06.506113
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kirana.kit.db

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("parent_id", sa.String(length=26), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("image_url", sa.String(length=500), nullable=True),
        sa.Column("created_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["categories.id"],
            name=op.f("fk_categories_parent_id_categories"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("slug", name=op.f("uq_categories_slug")),
    )
    with op.batch_alter_table("categories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_categories_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "stores",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("service_radius_m", sa.Integer(), nullable=True),
        sa.Column("service_area", sa.JSON(), nullable=True),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("prep_minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("lat >= -90 AND lat <= 90", name=op.f("ck_stores_lat_range")),
        sa.CheckConstraint("lng >= -180 AND lng <= 180", name=op.f("ck_stores_lng_range")),
        sa.CheckConstraint(
            "service_radius_m IS NULL OR service_radius_m > 0",
            name=op.f("ck_stores_radius_positive"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stores")),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("search_name", sa.String(length=300), nullable=False),
        sa.Column("brand", sa.String(length=80), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("category_id", sa.String(length=26), nullable=False),
        sa.Column("mrp", sa.Integer(), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("image_url", sa.String(length=500), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("max_per_order", sa.Integer(), nullable=False),
        sa.Column("created_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("max_per_order > 0", name=op.f("ck_products_max_per_order_positive")),
        sa.CheckConstraint("mrp > 0", name=op.f("ck_products_mrp_positive")),
        sa.CheckConstraint("price > 0 AND price <= mrp", name=op.f("ck_products_price_within_mrp")),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_products_category_id_categories"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
    )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index("ix_products_category_name", ["category_id", "name"], unique=False)
        batch_op.create_index("ix_products_search_name", ["search_name"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("store_id", sa.String(length=26), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('customer','store_staff','rider','admin')", name=op.f("ck_users_role")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_users_store_id_stores"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("phone", name=op.f("uq_users_phone")),
    )
    op.create_table(
        "addresses",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("line1", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=80), nullable=False),
        sa.Column("pincode", sa.String(length=12), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=True),
        sa.Column("created_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("lat >= -90 AND lat <= 90", name=op.f("ck_addresses_lat_range")),
        sa.CheckConstraint("lng >= -180 AND lng <= 180", name=op.f("ck_addresses_lng_range")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_addresses_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addresses")),
    )
    with op.batch_alter_table("addresses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_addresses_user_id"), ["user_id"], unique=False)

    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("family_id", sa.String(length=26), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("spent_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_refresh_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_tokens_token_hash")),
    )
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_refresh_tokens_family", ["family_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_refresh_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "riders",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("store_id", sa.String(length=26), nullable=False),
        sa.Column("vehicle", sa.String(length=16), nullable=False),
        sa.Column("is_online", sa.Boolean(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lng", sa.Float(), nullable=True),
        sa.Column("last_seen_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "vehicle IN ('bicycle','scooter','motorbike','on_foot')", name=op.f("ck_riders_vehicle")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_riders_store_id_stores"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_riders_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_riders")),
        sa.UniqueConstraint("user_id", name=op.f("uq_riders_user_id")),
    )
    with op.batch_alter_table("riders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_riders_store_id"), ["store_id"], unique=False)

    op.create_table(
        "stock",
        sa.Column("store_id", sa.String(length=26), nullable=False),
        sa.Column("product_id", sa.String(length=26), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("price", sa.Integer(), nullable=True),
        sa.Column("aisle", sa.String(length=20), nullable=False),
        sa.Column("updated_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_stock_on_hand_not_negative")),
        sa.CheckConstraint("price IS NULL OR price > 0", name=op.f("ck_stock_price_positive")),
        sa.CheckConstraint("reserved <= on_hand", name=op.f("ck_stock_reserved_within_on_hand")),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_stock_reserved_not_negative")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_stock_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_stock_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("store_id", "product_id", name=op.f("pk_stock")),
    )
    with op.batch_alter_table("stock", schema=None) as batch_op:
        batch_op.create_index("ix_stock_product", ["product_id"], unique=False)

    op.create_table(
        "stock_reservations",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("store_id", sa.String(length=26), nullable=False),
        sa.Column("product_id", sa.String(length=26), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open','fulfilled','released')", name=op.f("ck_stock_reservations_status")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_stock_reservations_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_stock_reservations_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_stock_reservations_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_reservations")),
    )
    with op.batch_alter_table("stock_reservations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stock_reservations_open", ["store_id", "product_id", "status"], unique=False
        )
        batch_op.create_index("ix_stock_reservations_ref", ["ref"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stock_reservations", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_reservations_ref")
        batch_op.drop_index("ix_stock_reservations_open")

    op.drop_table("stock_reservations")
    with op.batch_alter_table("stock", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_product")

    op.drop_table("stock")
    with op.batch_alter_table("riders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_riders_store_id"))

    op.drop_table("riders")
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_user_id"))
        batch_op.drop_index("ix_refresh_tokens_family")

    op.drop_table("refresh_tokens")
    with op.batch_alter_table("addresses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_addresses_user_id"))

    op.drop_table("addresses")
    op.drop_table("users")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index("ix_products_search_name")
        batch_op.drop_index("ix_products_category_name")

    op.drop_table("products")
    op.drop_table("stores")
    with op.batch_alter_table("categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_categories_parent_id"))

    op.drop_table("categories")
