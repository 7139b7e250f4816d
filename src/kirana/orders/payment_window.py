"""An unpaid order's payment window: until it closes the customer may pay again (another card,
UPI, or cash on delivery) for the same order, whose stock stays held; once it closes the order
expires and the cart comes back (``lifecycle.expire_unpaid``)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kirana.kit import clock
from kirana.kit.errors import Conflict
from kirana.kit.ids import new_id
from kirana.orders import lifecycle
from kirana.orders import repository as repo
from kirana.orders.checkout import check_key, replay_of
from kirana.orders.models import Order
from kirana.orders.schemas import PaymentCreate
from kirana.orders.state import OrderStatus
from kirana.payments import service as payments
from kirana.users.schemas import Principal


def closes_at(order: Order) -> datetime:
    return lifecycle.payment_closes_at(order.created_at)


async def pay_again(
    session: AsyncSession,
    principal: Principal,
    order_id: str,
    key: str | None,
    body: PaymentCreate,
) -> tuple[int, dict[str, Any]]:
    """A new payment for the caller's unpaid order, once per Idempotency-Key: the order with
    its new ``payment`` (cash on delivery confirms it at once). Returns (status, body)."""
    key = check_key(key)
    digest = hashlib.sha256(f"payment:{order_id}:{body.payment_method}".encode()).hexdigest()
    previous = await repo.stored_answer(session, principal.id, key)
    if previous is not None:
        replay = replay_of(previous, digest)
        return replay.status, replay.body
    order = await lifecycle.customer_order(session, principal, order_id, lock=True)
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise Conflict(
            f"This order is {order.status.replace('_', ' ')}; it takes no other payment",
            code="order_not_awaiting_payment",
        )
    if clock.now() >= closes_at(order):
        raise Conflict(
            "The time to pay for this order is over; its items are back in your cart",
            code="payment_window_closed",
        )
    payment = await payments.replace_intent(
        session,
        order_id=order.id,
        customer_id=order.customer_id,
        amount=order.total,
        currency=order.currency,
        method=body.payment_method,
    )
    order.payment_method = body.payment_method
    order.payment_id = payment.id
    order.updated_at = clock.now()
    if body.payment_method == "cod":
        await lifecycle.confirm(session, order)
    answer = (await lifecycle.order_read(session, order, show_otp=True)).model_dump(mode="json")
    stored = await repo.store_first_answer(
        session,
        {
            "id": new_id(),
            "user_id": principal.id,
            "key": key,
            "request_hash": digest,
            "created_at": clock.now(),
            "response_status": 201,
            "response_body": answer,
        },
    )
    if not stored:
        raise Conflict(
            "Another request with this key got there first; retry", code="request_in_progress"
        )
    return 201, answer
