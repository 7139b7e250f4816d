"""Tables of the payments service: intents, attempts, refunds, and both ends of webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kirana.kit import clock
from kirana.kit.db import Base, UTCDateTime
from kirana.kit.models import Timestamps, id_column, status_column
from kirana.kit.transitions import sql_in
from kirana.payments.state import LIVE_STATUSES, OUTCOMES, Outcome, PaymentStatus

METHODS = ("card", "upi", "cod")
# What a payment is for: the order's own; the price difference of a substitute the customer
# agreed to pay more for; money a provider captured on a payment we had voided (given back).
KINDS = ("order", "difference", "late")
# An order has at most one payment of its own in these states; a failed or voided one may be
# replaced.
LIVE_INTENT = "kind = 'order' AND " + sql_in("status", LIVE_STATUSES)


class PaymentIntent(Timestamps, Base):
    """What a customer owes for one order, and what has been captured and refunded of it."""

    __tablename__ = "payment_intents"
    __table_args__ = (
        CheckConstraint(sql_in("status", PaymentStatus), name="status"),
        CheckConstraint("method IN ('card','upi','cod')", name="method"),
        CheckConstraint("kind IN ('order','difference','late')", name="kind"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint(
            "captured_amount >= 0 AND captured_amount <= amount", name="captured_within_amount"
        ),
        CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= captured_amount",
            name="refunded_within_captured",
        ),
        Index("ix_payment_intents_gateway_ref", "provider", "gateway_ref"),
        Index("ix_payment_intents_void_due", "status", "void_due_at"),
        Index(
            "uq_payment_intents_live_order",
            "order_id",
            unique=True,
            sqlite_where=text(LIVE_INTENT),
            postgresql_where=text(LIVE_INTENT),
        ),
    )

    id: Mapped[str] = id_column()
    order_id: Mapped[str] = mapped_column(String(26), nullable=False, index=True)
    customer_id: Mapped[str] = mapped_column(String(26), nullable=False)
    amount: Mapped[int] = mapped_column(Integer, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    method: Mapped[str] = mapped_column(String(8), nullable=False)
    provider: Mapped[str] = mapped_column(String(20), nullable=False)
    kind: Mapped[str] = mapped_column(
        String(12), nullable=False, default="order", server_default="order"
    )
    # A difference payment's substitution (the orders service's id).
    substitution_id: Mapped[str | None] = mapped_column(String(26), index=True)
    status: Mapped[PaymentStatus] = status_column(
        PaymentStatus, length=12, default=PaymentStatus.PENDING
    )
    captured_amount: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    refunded_amount: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    failure_reason: Mapped[str | None] = mapped_column(String(200))
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The provider's own id of this payment once it has one (a Stripe PaymentIntent pi_..., a
    # Razorpay order order_...), and of the charge that paid it (a Razorpay payment pay_...).
    gateway_ref: Mapped[str | None] = mapped_column(String(64))
    gateway_payment_ref: Mapped[str | None] = mapped_column(String(64))
    # A voided intent (replaced by another, or its order cancelled) that the provider may know
    # of is cancelled there too, after the commit, by the ``void_at_providers`` job: due from
    # ``void_due_at`` (leased while it is being sent), done at ``voided_at_provider``.
    void_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    void_attempts: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )
    voided_at_provider: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PaymentAttempt(Base):
    """One confirm call that reached the gateway; its answer is replayed for its Idempotency-Key."""

    __tablename__ = "payment_attempts"
    __table_args__ = (
        CheckConstraint(sql_in("outcome", OUTCOMES), name="outcome"),
        UniqueConstraint("intent_id", "idempotency_key", name="uq_payment_attempts_key"),
    )

    id: Mapped[str] = id_column()
    intent_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("payment_intents.id", ondelete="CASCADE"), nullable=False, index=True
    )
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    instrument: Mapped[str] = mapped_column(String(120), nullable=False)
    gateway_ref: Mapped[str] = mapped_column(String(40), nullable=False)
    outcome: Mapped[Outcome] = mapped_column(String(12), nullable=False)
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)


class PaymentRefund(Base):
    """Money given back on one intent; one per idempotency key (e.g. one per order cancellation)."""

    __tablename__ = "payment_refunds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        UniqueConstraint("intent_id", "idempotency_key", name="uq_payment_refunds_key"),
        CheckConstraint("status IN ('pending','sent','failed')", name="status"),
        Index("ix_payment_refunds_due", "status", "next_attempt_at"),
    )

    id: Mapped[str] = id_column()
    intent_id: Mapped[str] = mapped_column(
        String(26), ForeignKey("payment_intents.id", ondelete="CASCADE"), nullable=False, index=True
    )
    amount: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(String(200), nullable=False)
    idempotency_key: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)
    # A refund through a provider's API is sent after its transaction commits (the
    # ``send_refunds`` job): pending until the provider took it, failed after the last try. The
    # sandbox and cash on delivery record theirs as sent at once.
    status: Mapped[str] = mapped_column(
        String(10), nullable=False, default="sent", server_default="sent"
    )
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    gateway_ref: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SandboxWebhookDelivery(Base):
    """The sandbox gateway's side: a signed event it owes our webhook endpoint, with retry state."""

    __tablename__ = "sandbox_webhook_deliveries"
    __table_args__ = (
        CheckConstraint("status IN ('pending','delivered','failed')", name="status"),
        Index("ix_sandbox_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[str] = id_column()
    event_id: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    event_type: Mapped[str] = mapped_column(String(60), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, nullable=False)


class ProcessedWebhookEvent(Base):
    """A provider's event id we have applied: a redelivered webhook changes nothing."""

    __tablename__ = "processed_webhook_events"
    __table_args__ = (PrimaryKeyConstraint("provider", "event_id"),)

    provider: Mapped[str] = mapped_column(String(20), nullable=False)
    event_id: Mapped[str] = mapped_column(String(40), nullable=False)
    event_type: Mapped[str] = mapped_column(String(60), nullable=False)
    intent_id: Mapped[str | None] = mapped_column(String(26))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
