"""A payment intent's row as it is first written, and as the service reads it out."""

from __future__ import annotations

from typing import Any

from kirana.kit import clock
from kirana.kit.errors import ValidationFailed
from kirana.kit.ids import new_id
from kirana.payments.gateways import provider_for
from kirana.payments.models import METHODS, PaymentIntent
from kirana.payments.schemas import PaymentRead
from kirana.payments.state import PaymentStatus


def to_read(intent: PaymentIntent) -> PaymentRead:
    return PaymentRead(
        id=intent.id,
        status=intent.status,
        provider=intent.provider,
        amount=intent.amount,
        currency=intent.currency,
        order_id=intent.order_id,
        method=intent.method,
        captured_amount=intent.captured_amount,
        refunded_amount=intent.refunded_amount,
    )


def new_row(
    *,
    order_id: str,
    customer_id: str,
    amount: int,
    currency: str,
    method: str,
    kind: str = "order",
    substitution_id: str | None = None,
) -> dict[str, Any]:
    """A new pending intent: the order's own, or (``kind`` difference) the price difference of
    the substitute ``substitution_id``."""
    if method not in METHODS:
        raise ValidationFailed(
            f"payment_method must be one of {', '.join(METHODS)}", code="invalid_payment_method"
        )
    if amount < 0:
        raise ValidationFailed("A payment amount cannot be negative", code="invalid_amount")
    if len(currency) != 3:
        raise ValidationFailed("A currency is a three-letter code", code="invalid_currency")
    now = clock.now()
    return {
        "id": new_id(),
        "order_id": order_id,
        "customer_id": customer_id,
        "amount": amount,
        "currency": currency,
        "method": method,
        "provider": provider_for(method),
        "kind": kind,
        "substitution_id": substitution_id,
        "status": PaymentStatus.PENDING,
        "captured_amount": 0,
        "refunded_amount": 0,
        "failure_reason": None,
        "created_at": now,
        "updated_at": now,
    }


def read_of(row: dict[str, Any]) -> PaymentRead:
    return PaymentRead(**{name: row[name] for name in PaymentRead.model_fields})
