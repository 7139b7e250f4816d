"""payments logistics: payment intents, attempts, refunds, webhooks both ways; deliveries,
rider columns and breadcrumbs

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kirana.kit.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment_intents",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("order_id", sa.String(length=26), nullable=False),
        sa.Column("customer_id", sa.String(length=26), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("captured_amount", sa.Integer(), nullable=False),
        sa.Column("refunded_amount", sa.Integer(), nullable=False),
        sa.Column("failure_reason", sa.String(length=200), nullable=True),
        sa.Column("settled_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "method IN ('card','upi','cod')", name=op.f("ck_payment_intents_method")
        ),
        sa.CheckConstraint(
            "status IN ('pending','succeeded','failed','refunded','cancelled')",
            name=op.f("ck_payment_intents_status"),
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_payment_intents_amount_not_negative")),
        sa.CheckConstraint(
            "captured_amount >= 0 AND captured_amount <= amount",
            name=op.f("ck_payment_intents_captured_within_amount"),
        ),
        sa.CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= captured_amount",
            name=op.f("ck_payment_intents_refunded_within_captured"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_intents")),
    )
    with op.batch_alter_table("payment_intents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_intents_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_payment_intents_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            "uq_payment_intents_live_order",
            ["order_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('pending','succeeded','refunded')"),
            postgresql_where=sa.text("status IN ('pending','succeeded','refunded')"),
        )

    op.create_table(
        "processed_webhook_events",
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("event_type", sa.String(length=60), nullable=False),
        sa.Column("intent_id", sa.String(length=26), nullable=True),
        sa.Column("received_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("provider", "event_id", name=op.f("pk_processed_webhook_events")),
    )
    op.create_table(
        "sandbox_webhook_deliveries",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("event_type", sa.String(length=60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending','delivered','failed')",
            name=op.f("ck_sandbox_webhook_deliveries_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_webhook_deliveries")),
        sa.UniqueConstraint("event_id", name=op.f("uq_sandbox_webhook_deliveries_event_id")),
    )
    with op.batch_alter_table("sandbox_webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sandbox_webhook_deliveries_due", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "payment_attempts",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("intent_id", sa.String(length=26), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("instrument", sa.String(length=120), nullable=False),
        sa.Column("gateway_ref", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('succeeded','failed','pending')", name=op.f("ck_payment_attempts_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["intent_id"],
            ["payment_intents.id"],
            name=op.f("fk_payment_attempts_intent_id_payment_intents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_attempts")),
        sa.UniqueConstraint("intent_id", "idempotency_key", name="uq_payment_attempts_key"),
    )
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_attempts_intent_id"), ["intent_id"], unique=False
        )

    op.create_table(
        "payment_refunds",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("intent_id", sa.String(length=26), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("created_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payment_refunds_amount_positive")),
        sa.ForeignKeyConstraint(
            ["intent_id"],
            ["payment_intents.id"],
            name=op.f("fk_payment_refunds_intent_id_payment_intents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_refunds")),
        sa.UniqueConstraint("intent_id", "idempotency_key", name="uq_payment_refunds_key"),
    )
    with op.batch_alter_table("payment_refunds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_refunds_intent_id"), ["intent_id"], unique=False
        )

    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("order_id", sa.String(length=26), nullable=False),
        sa.Column("store_id", sa.String(length=26), nullable=False),
        sa.Column("rider_id", sa.String(length=26), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("drop_lat", sa.Float(), nullable=True),
        sa.Column("drop_lng", sa.Float(), nullable=True),
        sa.Column("otp_attempts", sa.Integer(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("created_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("assigned_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("picked_up_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status = 'waiting' OR status = 'cancelled' OR rider_id IS NOT NULL",
            name=op.f("ck_deliveries_rider_when_assigned"),
        ),
        sa.CheckConstraint(
            "status IN ('waiting','assigned','picked_up','delivered','cancelled')",
            name=op.f("ck_deliveries_status"),
        ),
        sa.CheckConstraint(
            "otp_attempts >= 0", name=op.f("ck_deliveries_otp_attempts_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["rider_id"],
            ["riders.id"],
            name=op.f("fk_deliveries_rider_id_riders"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_deliveries_store_id_stores"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("order_id", name=op.f("uq_deliveries_order_id")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deliveries_store_status", ["store_id", "status", "created_at"], unique=False
        )
        batch_op.create_index(
            "uq_deliveries_active_rider",
            ["rider_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('assigned','picked_up')"),
            postgresql_where=sa.text("status IN ('assigned','picked_up')"),
        )

    op.create_table(
        "rider_breadcrumbs",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("rider_id", sa.String(length=26), nullable=False),
        sa.Column("delivery_id", sa.String(length=26), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lng", sa.Float(), nullable=False),
        sa.Column("recorded_at", kirana.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_rider_breadcrumbs_delivery_id_deliveries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rider_id"],
            ["riders.id"],
            name=op.f("fk_rider_breadcrumbs_rider_id_riders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rider_breadcrumbs")),
    )
    with op.batch_alter_table("rider_breadcrumbs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rider_breadcrumbs_delivery", ["delivery_id", "recorded_at"], unique=False
        )

    with op.batch_alter_table("riders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("name", sa.String(length=120), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("current_delivery_id", sa.String(length=26), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("riders", schema=None) as batch_op:
        batch_op.drop_column("current_delivery_id")
        batch_op.drop_column("name")

    with op.batch_alter_table("rider_breadcrumbs", schema=None) as batch_op:
        batch_op.drop_index("ix_rider_breadcrumbs_delivery")

    op.drop_table("rider_breadcrumbs")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_deliveries_active_rider",
            sqlite_where=sa.text("status IN ('assigned','picked_up')"),
            postgresql_where=sa.text("status IN ('assigned','picked_up')"),
        )
        batch_op.drop_index("ix_deliveries_store_status")

    op.drop_table("deliveries")
    with op.batch_alter_table("payment_refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_refunds_intent_id"))

    op.drop_table("payment_refunds")
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_attempts_intent_id"))

    op.drop_table("payment_attempts")
    with op.batch_alter_table("sandbox_webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_sandbox_webhook_deliveries_due")

    op.drop_table("sandbox_webhook_deliveries")
    op.drop_table("processed_webhook_events")
    with op.batch_alter_table("payment_intents", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_payment_intents_live_order",
            sqlite_where=sa.text("status IN ('pending','succeeded','refunded')"),
            postgresql_where=sa.text("status IN ('pending','succeeded','refunded')"),
        )
        batch_op.drop_index(batch_op.f("ix_payment_intents_order_id"))
        batch_op.drop_index(batch_op.f("ix_payment_intents_customer_id"))

    op.drop_table("payment_intents")
