"""Tables of the orders service: carts, orders with their snapshot and timeline, coupons,
editable fee rules and checkout idempotency keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column

from kirana.kit import clock
from kirana.kit.db import Base, UTCDateTime
from kirana.kit.models import StatusType, Timestamps, id_column, status_column
from kirana.kit.transitions import sql_in
from kirana.orders.state import LineStatus, OrderStatus, SubstitutionStatus

PAYMENT_METHODS = ("card", "upi", "cod")


class Cart(Base):
    """One per customer, bound to the store whose stock it draws on."""

    __tablename__ = "carts"

    id: Mapped[str] = id_column()
    user_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("users.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    store_id: Mapped[str | None] = mapped_column(
        String(26), ForeignKey("stores.id", ondelete="SET NULL")
    )
    coupon_code: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=clock.now, onupdate=clock.now, nullable=False
    )
    # Moved on by every UPDATE of the cart, in SQL (ORM or Core alike): checkout empties the
    # cart only if this is still what it read. A timestamp could repeat; this cannot.
    version: Mapped[int] = mapped_column(
        Integer, nullable=False, server_default="0", onupdate=literal_column("version + 1")
    )


class CartItem(Base):
    __tablename__ = "cart_items"
    __table_args__ = (
        PrimaryKeyConstraint("cart_id", "product_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    cart_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("carts.id", ondelete="CASCADE"), nullable=False
    )
    product_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("products.id", ondelete="CASCADE"), nullable=False
    )
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    # The unit price the customer last saw, so a later change can be pointed out.
    seen_price: Mapped[int] = mapped_column(Integer, nullable=False)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)


class Order(Timestamps, Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(sql_in("status", OrderStatus), name="status"),
        CheckConstraint("payment_method IN ('card','upi','cod')", name="payment_method"),
        CheckConstraint("subtotal >= 0", name="subtotal_not_negative"),
        CheckConstraint("fees_total >= 0", name="fees_not_negative"),
        CheckConstraint("discount >= 0", name="discount_not_negative"),
        CheckConstraint("tip >= 0", name="tip_not_negative"),
        CheckConstraint("total >= 0", name="total_not_negative"),
        Index("ix_orders_customer", "customer_id", "id"),
        Index("ix_orders_store_status", "store_id", "status", "id"),
        Index("ix_orders_status_created", "status", "created_at"),
        Index("ix_orders_delivered_at", "delivered_at"),
    )

    id: Mapped[str] = id_column()
    number: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)
    customer_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("users.id", ondelete="RESTRICT"), nullable=False
    )
    store_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("stores.id", ondelete="RESTRICT"), nullable=False
    )
    status: Mapped[OrderStatus] = status_column(OrderStatus, length=20)
    payment_method: Mapped[str] = mapped_column(String(8), nullable=False)
    payment_id: Mapped[str | None] = mapped_column(String(26))
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    subtotal: Mapped[int] = mapped_column(Integer, nullable=False)
    fees_total: Mapped[int] = mapped_column(Integer, nullable=False)
    discount: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    tip: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    total: Mapped[int] = mapped_column(Integer, nullable=False)
    # [{code, label, amount}] exactly as shown to the customer at checkout.
    fees: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    coupon_code: Mapped[str | None] = mapped_column(String(40))
    # {label, line1, city, pincode, lat, lng, instructions}: the address as it was.
    address: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    drop_lat: Mapped[float] = mapped_column(Float, nullable=False)
    drop_lng: Mapped[float] = mapped_column(Float, nullable=False)
    delivery_instructions: Mapped[str | None] = mapped_column(Text)
    delivery_otp: Mapped[str] = mapped_column(String(4), nullable=False)
    # The promise made at checkout: eta_minutes is its p50, with its p90 and what it was made
    # from (logistics.promise.PromiseInputs and its status); NULL on orders placed before.
    eta_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    eta_p90_minutes: Mapped[int | None] = mapped_column(Integer)
    eta_inputs: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    item_count: Mapped[int] = mapped_column(Integer, nullable=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What happened: the hand-over, and the minutes from confirmation to it.
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivery_minutes: Mapped[float | None] = mapped_column(Float)
    cancel_reason: Mapped[str | None] = mapped_column(String(200))


class OrderItem(Base):
    """A snapshot of one line as bought; while picking, it may leave the bill (unavailable) or
    give way to a substitute the customer approved (a new line naming it in ``substitute_for``)."""

    __tablename__ = "order_items"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint(sql_in("status", LineStatus), name="status"),
        Index("ix_order_items_order", "order_id"),
    )

    id: Mapped[str] = id_column()
    order_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("orders.id", ondelete="CASCADE"), nullable=False
    )
    product_id: Mapped[str] = mapped_column(String(26), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    unit: Mapped[str] = mapped_column(String(40), nullable=False)
    unit_price: Mapped[int] = mapped_column(Integer, nullable=False)
    mrp: Mapped[int] = mapped_column(Integer, nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    line_total: Mapped[int] = mapped_column(Integer, nullable=False)
    aisle: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    status: Mapped[LineStatus] = mapped_column(
        StatusType(LineStatus, 12),
        nullable=False,
        default=LineStatus.ORDERED,
        server_default=LineStatus.ORDERED.value,
    )
    # The line this one took the place of (an approved substitute), else None.
    substitute_for: Mapped[str | None] = mapped_column(String(26))


class OrderSubstitution(Base):
    """A picker's offer of another product for one line, and the customer's answer."""

    __tablename__ = "order_substitutions"
    __table_args__ = (
        CheckConstraint(sql_in("status", SubstitutionStatus), name="status"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price > 0", name="unit_price_positive"),
        CheckConstraint(
            "charged_unit_price > 0 AND charged_unit_price <= unit_price",
            name="charged_within_price",
        ),
        Index("ix_order_substitutions_order", "order_id"),
        Index("ix_order_substitutions_due", "status", "expires_at"),
    )

    id: Mapped[str] = id_column()
    order_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("orders.id", ondelete="CASCADE"), nullable=False
    )
    line_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("order_items.id", ondelete="CASCADE"), nullable=False
    )
    product_id: Mapped[str] = mapped_column(String(26), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    unit: Mapped[str] = mapped_column(String(40), nullable=False)
    mrp: Mapped[int] = mapped_column(Integer, nullable=False)
    aisle: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    # The store's price of the substitute, and what the customer pays for it unless they agree
    # to that price: no more, for the line, than the line it replaces.
    unit_price: Mapped[int] = mapped_column(Integer, nullable=False)
    charged_unit_price: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[SubstitutionStatus] = status_column(SubstitutionStatus, length=10)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    proposed_by: Mapped[str] = mapped_column(String(40), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(40))
    # Whether the customer agreed to the store's price (a dearer substitute).
    paid_difference: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    new_line_id: Mapped[str | None] = mapped_column(String(26))


class OrderEvent(Base):
    """The order's timeline: one row per transition, with who made it."""

    __tablename__ = "order_events"
    __table_args__ = (Index("ix_order_events_order", "order_id", "id"),)

    id: Mapped[str] = id_column()
    order_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("orders.id", ondelete="CASCADE"), nullable=False
    )
    status: Mapped[OrderStatus] = status_column(OrderStatus, length=20)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    actor: Mapped[str] = mapped_column(String(40), nullable=False)
    actor_role: Mapped[str] = mapped_column(String(16), nullable=False)
    note: Mapped[str | None] = mapped_column(String(200))


class Coupon(Timestamps, Base):
    __tablename__ = "coupons"
    __table_args__ = (
        CheckConstraint("kind IN ('flat','percent')", name="kind"),
        CheckConstraint(
            "(kind = 'flat' AND amount_off > 0 AND percent_off IS NULL)"
            " OR (kind = 'percent' AND percent_off BETWEEN 1 AND 100 AND amount_off IS NULL)",
            name="off_matches_kind",
        ),
        CheckConstraint("max_discount IS NULL OR max_discount > 0", name="cap_positive"),
        CheckConstraint("min_cart >= 0", name="min_cart_not_negative"),
        CheckConstraint("redeemed_count >= 0", name="redeemed_not_negative"),
    )

    id: Mapped[str] = id_column()
    code: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    description: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    # One unit per column, named by it: a flat coupon's paise, a percent coupon's whole percent.
    amount_off: Mapped[int | None] = mapped_column(Integer)
    percent_off: Mapped[int | None] = mapped_column(Integer)
    max_discount: Mapped[int | None] = mapped_column(Integer)
    min_cart: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    per_user_limit: Mapped[int | None] = mapped_column(Integer)
    global_limit: Mapped[int | None] = mapped_column(Integer)
    first_order_only: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    redeemed_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class CouponRedemption(Base):
    __tablename__ = "coupon_redemptions"
    __table_args__ = (
        Index("ix_coupon_redemptions_user", "coupon_id", "user_id"),
        CheckConstraint("status IN ('active','reverted')", name="status"),
    )

    id: Mapped[str] = id_column()
    coupon_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("coupons.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[str] = mapped_column(String(26), nullable=False)
    order_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("orders.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    amount: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)


class FeeRule(Base):
    """An admin's override of one fee rule's defaults (orders.pricing.DEFAULT_RULES)."""

    __tablename__ = "fee_rules"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    label: Mapped[str] = mapped_column(String(80), nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    amount: Mapped[int] = mapped_column(Integer, nullable=False)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=clock.now, onupdate=clock.now, nullable=False
    )


class IdempotencyKey(Base):
    """The first answer to a checkout, replayed for the same key, user and body."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)

    id: Mapped[str] = id_column()
    user_id: Mapped[str] = mapped_column(String(26), nullable=False)
    key: Mapped[str] = mapped_column(String(100), nullable=False)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)
