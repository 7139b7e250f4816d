"""orders: carts, orders, timeline, coupons, fee rules, idempotency keys, notifications

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kirana.kit.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coupons",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("max_discount", sa.Integer(), nullable=True),
        sa.Column("min_cart", sa.Integer(), nullable=False),
        sa.Column("starts_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ends_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("per_user_limit", sa.Integer(), nullable=True),
        sa.Column("global_limit", sa.Integer(), nullable=True),
        sa.Column("first_order_only", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("redeemed_count", sa.Integer(), nullable=False),
        sa.Column("created_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind = 'flat' OR value <= 10000", name=op.f("ck_coupons_percent_within_100")
        ),
        sa.CheckConstraint("kind IN ('flat','percent')", name=op.f("ck_coupons_kind")),
        sa.CheckConstraint(
            "max_discount IS NULL OR max_discount > 0", name=op.f("ck_coupons_cap_positive")
        ),
        sa.CheckConstraint("min_cart >= 0", name=op.f("ck_coupons_min_cart_not_negative")),
        sa.CheckConstraint("redeemed_count >= 0", name=op.f("ck_coupons_redeemed_not_negative")),
        sa.CheckConstraint("value > 0", name=op.f("ck_coupons_value_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupons")),
        sa.UniqueConstraint("code", name=op.f("uq_coupons_code")),
    )
    op.create_table(
        "fee_rules",
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("updated_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_fee_rules")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.JSON(), nullable=True),
        sa.Column("created_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),
    )
    op.create_table(
        "carts",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("store_id", sa.String(length=26), nullable=True),
        sa.Column("coupon_code", sa.String(length=40), nullable=True),
        sa.Column("updated_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_carts_store_id_stores"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_carts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carts")),
        sa.UniqueConstraint("user_id", name=op.f("uq_carts_user_id")),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("event_id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.String(length=500), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("user_id", "event_id", name="uq_notifications_user_event"),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_user", ["user_id", "id"], unique=False)

    op.create_table(
        "orders",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.String(length=26), nullable=False),
        sa.Column("store_id", sa.String(length=26), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("payment_method", sa.String(length=8), nullable=False),
        sa.Column("payment_id", sa.String(length=26), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("subtotal", sa.Integer(), nullable=False),
        sa.Column("fees_total", sa.Integer(), nullable=False),
        sa.Column("discount", sa.Integer(), nullable=False),
        sa.Column("tip", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("fees", sa.JSON(), nullable=False),
        sa.Column("coupon_code", sa.String(length=40), nullable=True),
        sa.Column("address", sa.JSON(), nullable=False),
        sa.Column("drop_lat", sa.Float(), nullable=False),
        sa.Column("drop_lng", sa.Float(), nullable=False),
        sa.Column("delivery_instructions", sa.Text(), nullable=True),
        sa.Column("delivery_otp", sa.String(length=4), nullable=False),
        sa.Column("eta_minutes", sa.Integer(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "payment_method IN ('card','upi','cod')", name=op.f("ck_orders_payment_method")
        ),
        sa.CheckConstraint(
            "status IN ('pending_payment','confirmed','picking','packed','out_for_delivery','delivered','cancelled')",
            name=op.f("ck_orders_status"),
        ),
        sa.CheckConstraint("discount >= 0", name=op.f("ck_orders_discount_not_negative")),
        sa.CheckConstraint("fees_total >= 0", name=op.f("ck_orders_fees_not_negative")),
        sa.CheckConstraint("subtotal >= 0", name=op.f("ck_orders_subtotal_not_negative")),
        sa.CheckConstraint("tip >= 0", name=op.f("ck_orders_tip_not_negative")),
        sa.CheckConstraint("total >= 0", name=op.f("ck_orders_total_not_negative")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["users.id"],
            name=op.f("fk_orders_customer_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_orders_store_id_stores"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_orders_number")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_customer", ["customer_id", "id"], unique=False)
        batch_op.create_index("ix_orders_status_created", ["status", "created_at"], unique=False)
        batch_op.create_index("ix_orders_store_status", ["store_id", "status", "id"], unique=False)

    op.create_table(
        "cart_items",
        sa.Column("cart_id", sa.String(length=26), nullable=False),
        sa.Column("product_id", sa.String(length=26), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("seen_price", sa.Integer(), nullable=False),
        sa.Column("added_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_cart_items_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["cart_id"], ["carts.id"], name=op.f("fk_cart_items_cart_id_carts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_cart_items_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cart_id", "product_id", name=op.f("pk_cart_items")),
    )
    op.create_table(
        "coupon_redemptions",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("coupon_id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("order_id", sa.String(length=26), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('active','reverted')", name=op.f("ck_coupon_redemptions_status")
        ),
        sa.ForeignKeyConstraint(
            ["coupon_id"],
            ["coupons.id"],
            name=op.f("fk_coupon_redemptions_coupon_id_coupons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_coupon_redemptions_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupon_redemptions")),
        sa.UniqueConstraint("order_id", name=op.f("uq_coupon_redemptions_order_id")),
    )
    with op.batch_alter_table("coupon_redemptions", schema=None) as batch_op:
        batch_op.create_index("ix_coupon_redemptions_user", ["coupon_id", "user_id"], unique=False)

    op.create_table(
        "order_events",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("order_id", sa.String(length=26), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_events_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_events")),
    )
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.create_index("ix_order_events_order", ["order_id", "id"], unique=False)

    op.create_table(
        "order_items",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("order_id", sa.String(length=26), nullable=False),
        sa.Column("product_id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("unit_price", sa.Integer(), nullable=False),
        sa.Column("mrp", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("line_total", sa.Integer(), nullable=False),
        sa.Column("aisle", sa.String(length=20), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_items_quantity_positive")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_order_items_unit_price_not_negative")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_items_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_items")),
    )
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.create_index("ix_order_items_order", ["order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.drop_index("ix_order_items_order")

    op.drop_table("order_items")
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.drop_index("ix_order_events_order")

    op.drop_table("order_events")
    with op.batch_alter_table("coupon_redemptions", schema=None) as batch_op:
        batch_op.drop_index("ix_coupon_redemptions_user")

    op.drop_table("coupon_redemptions")
    op.drop_table("cart_items")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_store_status")
        batch_op.drop_index("ix_orders_status_created")
        batch_op.drop_index("ix_orders_customer")

    op.drop_table("orders")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user")

    op.drop_table("notifications")
    op.drop_table("carts")
    op.drop_table("idempotency_keys")
    op.drop_table("fee_rules")
    op.drop_table("coupons")
